"""What the staff tools' browser tests share: Chromium's flags (a fake camera playing a
.y4m file), signing in as staff, axe-core, screenshots, and a watch on each page."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import segno
from django.conf import settings
from django.test import Client

from tickets import qr

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(settings.BASE_DIR) / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
# `make screenshots` copies them to docs/screenshots/ (staff/staff.mk).
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
MAX_PNG_BYTES = 150 * 1000
TIMEOUT_MS = 15_000
AXE_PATH = "/__axe__.js"  # served by a route: same origin, so the pages' CSP allows it


def chromium_args(camera: Path | None) -> list[str]:
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream"]
    if camera is not None:
        args.append(f"--use-file-for-fake-video-capture={camera}")
    return args


def sign_in(context, base_url: str, user) -> None:
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": base_url,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])


@dataclass
class Watch:
    base_url: str
    errors: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def check(self) -> None:
        assert not self.errors, f"JavaScript errors: {self.errors}"
        assert not self.csp, f"Content-Security-Policy violations: {self.csp}"
        assert not self.foreign, f"requests to other origins (a CDN?): {self.foreign}"


def watch(page, base_url: str) -> Watch:
    seen = Watch(base_url)
    page.on("pageerror", lambda exc: seen.errors.append(str(exc)))
    page.on("console", lambda msg: seen.csp.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    page.on("request", lambda request: seen.foreign.append(request.url)
            if not request.url.startswith((base_url, "data:", "blob:")) else None)
    page.route(f"**{AXE_PATH}", lambda route: route.fulfill(
        path=str(AXE), content_type="text/javascript"))
    return seen


def assert_accessible(page, what: str) -> None:
    """axe-core's WCAG 2.0/2.1 A and AA rules: no violation of any impact."""
    page.add_script_tag(url=AXE_PATH)
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})")
    assert result["passes"], "axe-core ran no check"
    problems = [f"{v['id']} ({v['impact']}): {v['help']} — "
                + ", ".join(str(n["target"]) for n in v["nodes"][:3])
                for v in result["violations"]]
    assert not problems, f"accessibility problems on {what}:\n" + "\n".join(problems)


def shoot(page, name: str, *, full_page: bool = True) -> Path:
    """A PNG of the page as it is, at most MAX_PNG_BYTES (README pictures stay small)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    size = path.stat().st_size
    assert size <= MAX_PNG_BYTES, f"{path.name} is {size:,} bytes (at most {MAX_PNG_BYTES:,})"
    return path


# --------------------------------------------------------------- the fake camera
def ticket_symbol(code: str) -> segno.QRCode:
    """The symbol of a ticket's QR code: tickets/qr.py's own."""
    return qr.ticket_symbol(code)


def write_y4m(path: Path, scenes: list[tuple[str | None, float]], *, width: int = 480,
              height: int = 360, fps: int = 5, scale: int = 9) -> Path:
    """A YUV4MPEG2 video (what Chromium's fake camera plays, in a loop): each scene is a
    ticket code held in front of the camera (or None: nothing) for some seconds."""
    frames: dict[str | None, bytes] = {}
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for code, seconds in scenes:
            if code not in frames:
                frames[code] = _frame(code, width, height, scale)
            for _ in range(round(seconds * fps)):
                video.write(b"FRAME\n" + frames[code])
    return path


def _frame(code: str | None, width: int, height: int, scale: int) -> bytes:
    """One 4:2:0 frame: a grey scene, with the code's symbol black on white in the middle."""
    luma = bytearray(row_value for y in range(height)
                     for row_value in [96 + 48 * y // height] * width)
    if code is not None:
        rows = list(ticket_symbol(code).matrix_iter(scale=scale, border=3))
        top, left = (height - len(rows)) // 2, (width - len(rows[0])) // 2
        for i, row in enumerate(rows):
            start = (top + i) * width + left
            luma[start:start + len(row)] = bytes(16 if dark else 235 for dark in row)
    chroma = bytes([128]) * (width * height // 2)
    return bytes(luma) + chroma
