"""The benchmark's ratios against their targets, as an SVG bar chart (`make bench`).

Each bar is a ratio to its same-run floor divided by the issue's target, so the target is
the line at 1 for every figure: a bar that reaches it (higher is better) or stays under it
(lower is better) is met. Read off the printed table's rows, so the chart shows exactly
what the table says; the figures are in each bar's <title> and as text beside it.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

# (substring of the table row's name, target ratio, higher is better, label)
TARGETS = [
    ("cold start: spawn", 1.25, False, "cold start vs Django+DRF floor"),
    ("warm GET /api/v1/shows/ (Redis-cached)", 2.5, False, "warm cached list vs plain view"),
    ("reservations/s, 8 clients", 0.8, True, "reservations vs raw-SQL floor"),
    ("HTTP reservations/s", 0.7, True, "HTTP reservations vs bare view"),
    ("HTTP requests/s, GET /api/v1/shows/", 0.7, True, "HTTP cached list vs plain view"),
    ("hold step", 0.9, True, "checkout hold vs reservation"),
    ("with a voucher (no use limit) vs without", 0.83, True, "reservation, voucher vs none"),
    ("with a voucher with a use limit", 0.83, True, "reservation, counted voucher vs none"),
    ("offers the seats to a waiting list", 1.5, False, "waiting-list release vs cancel"),
    ("cached GET /api/v1/shows/ in fr", 1.1, False, "cached list in French vs no language"),
    ("cached GET /api/v1/shows/ in en", 1.1, False, "cached list in English vs no language"),
]
_ROW = re.compile(r"^\| (?P<name>[^|]+) \|.*\| (?P<ratio>[0-9.]+) \((?:higher|lower) is better[;)]")


def figures(table: str) -> list[tuple[str, float, float, bool]]:
    """(label, ratio, target, higher is better) for each table row that has a target."""
    found = []
    for line in table.splitlines():
        match = _ROW.match(line)
        if not match:
            continue
        for needle, target, higher, label in TARGETS:
            if needle in match["name"] and label not in [f[0] for f in found]:
                found.append((label, float(match["ratio"]), target, higher))
    return found


def svg(rows: list[tuple[str, float, float, bool]], title: str) -> str:
    width, left, bar_h, gap, top = 900, 250, 22, 10, 48
    scale = 150  # pixels for "at the target"
    height = top + len(rows) * (bar_h + gap) + 30
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="t d" '
           'font-family="sans-serif" font-size="13">',
           f'<title id="t">{html.escape(title)}</title>',
           '<desc id="d">Each bar: the measured ratio divided by its target; the line marks '
           'the target. Green: met, red: not met.</desc>',
           f'<text x="10" y="22" font-size="15" font-weight="bold">{html.escape(title)}</text>']
    for i, (label, ratio, target, higher) in enumerate(rows):
        y = top + i * (bar_h + gap)
        met = ratio >= target if higher else ratio <= target
        share = ratio / target
        bar = min(share, 2.2) * scale  # longer bars are cut: the text says how far
        colour = "#1b7f3b" if met else "#b3261e"
        sign = "≥" if higher else "≤"
        text = f"{ratio:.2f} (target {sign} {target:g}): {'met' if met else 'not met'}"
        out += [f'<text x="{left - 8}" y="{y + 16}" text-anchor="end">{html.escape(label)}</text>',
                f'<rect x="{left}" y="{y}" width="{bar:.1f}" height="{bar_h}" fill="{colour}">'
                f'<title>{html.escape(label)}: {html.escape(text)}</title></rect>',
                f'<text x="{left + bar + 6:.1f}" y="{y + 16}">{html.escape(text)}</text>']
    out += [f'<line x1="{left + scale}" y1="{top - 8}" x2="{left + scale}" '
            f'y2="{height - 22}" stroke="#222" stroke-dasharray="4 3"/>',
            f'<text x="{left + scale}" y="{height - 8}" text-anchor="middle">target</text>',
            "</svg>"]
    return "\n".join(out) + "\n"


def write(table: str, path: Path, title: str) -> Path | None:
    rows = figures(table)
    if not rows:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(svg(rows, title))
    return path
