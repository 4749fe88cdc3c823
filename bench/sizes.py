"""Package size (zipped, unzipped) and the SPA's initial JS and CSS, gzipped."""

from __future__ import annotations

import gzip
import re
import zipfile
from pathlib import Path

from bench.common import ROOT

SPA_DIST = ROOT / "frontend" / "dist"
ZIP_BUDGET_MB = 30.0  # deploy/package.py Limits.zipped_mb
JS_BUDGET_KB = 30.0
CSS_BUDGET_KB = 10.0


def package_mb(package: Path) -> tuple[float, float]:
    with zipfile.ZipFile(package) as zf:
        unzipped = sum(i.file_size for i in zf.infolist())
    return package.stat().st_size / 1e6, unzipped / 1e6


def spa_initial_kb(dist: Path = SPA_DIST) -> tuple[float, float]:
    """gzip -9 sizes of what index.html loads before first paint: module scripts, their
    modulepreloads, stylesheets."""
    html = (dist / "index.html").read_text()
    js = re.findall(r'<script[^>]+type="module"[^>]+src="([^"]+)"', html)
    js += re.findall(r'<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"', html)
    css = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html)

    def gz(paths: list[str]) -> float:
        return sum(len(gzip.compress((dist / p.lstrip("/")).read_bytes(), 9))
                   for p in paths) / 1024

    return gz(js), gz(css)


def rows(package: Path) -> list[str]:
    zipped, unzipped = package_mb(package)
    js, css = spa_initial_kb()
    return [
        f"| package, zipped | {zipped:.1f} MB | — | budget {ZIP_BUDGET_MB:.0f} MB "
        f"| {zipped / ZIP_BUDGET_MB:.2f} of budget (≤ 1) |",
        f"| package, unzipped | {unzipped:.1f} MB | — | Lambda limit 250 MB "
        f"| {unzipped / 250:.2f} of limit (≤ 1) |",
        f"| SPA initial JS, gzip | {js:.1f} KB | — | budget {JS_BUDGET_KB:.0f} KB "
        f"| {js / JS_BUDGET_KB:.2f} of budget (≤ 1) |",
        f"| SPA CSS, gzip | {css:.1f} KB | — | budget {CSS_BUDGET_KB:.0f} KB "
        f"| {css / CSS_BUDGET_KB:.2f} of budget (≤ 1) |",
    ]
