"""What the browser tests share: where Chromium, the built SPA and axe-core are, and checks
on a page (axe-core's WCAG rules, loaded QR codes, screenshots). The fixtures that start
Chromium are in conftest.py."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
DIST_INDEX = Path(settings.BASE_DIR) / "frontend" / "dist" / "index.html"
AXE = Path(settings.BASE_DIR) / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
TIMEOUT_MS = 15_000


def shoot(page, name: str, width: int) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    path = SCREENSHOTS / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_accessible(page, what: str, exclude: tuple[str, ...] = ()) -> None:
    """axe-core's WCAG 2 A/AA rules (contrast, labels, names, landmarks): no serious issue.

    `exclude`: CSS selectors of third-party content that is not ours to fix (the payment
    provider's card element).
    """
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "exclude => axe.run(exclude.length ? {exclude: exclude.map(s => [s])} : document,"
        " {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})",
        list(exclude))
    assert result["passes"], "axe-core ran no check"
    problems = [f"{v['id']} ({v['impact']}): {v['help']} — "
                + ", ".join(str(n["target"]) for n in v["nodes"][:3])
                for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not problems, f"accessibility problems on {what}:\n" + "\n".join(problems)


def qr_codes_loaded(page, count: int) -> None:
    page.wait_for_function(
        "n => { const imgs = [...document.querySelectorAll('img.qr')];"
        " return imgs.length === n && imgs.every(i => i.complete && i.naturalWidth > 0); }",
        arg=count)
