"""What the browser tests share: where Chromium, the built SPA and axe-core are, checks on
a page (axe-core's WCAG rules, loaded QR codes, screenshots), signing in with the local
issuer, localstripe's card element, and the .eml files of order emails. The fixtures that
start Chromium are in conftest.py."""

from __future__ import annotations

import base64
import email
import email.policy
import re
import time
from email.message import EmailMessage
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
AUTHORIZE = re.compile(r"/dev-auth/oauth2/authorize\?")  # the local issuer's sign-in form


def sign_in(page, email: str, back_to: str) -> None:
    """On the local issuer's form, where the SPA's sign-in sends the page: give `email`,
    read the one-time code the issuer "emailed" (a file beside the emails, as in var/mail/
    under `make run`), type it, and wait to be back at `back_to`."""
    page.wait_for_url(AUTHORIZE)
    page.locator("input[name=email]").fill(email)
    page.locator("form button[type=submit]").first.click()
    code_input = page.locator("input[name=code]")
    code_input.wait_for()
    code_input.fill(sign_in_code(email))
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(back_to)


def choose_seats(item, category: str, quantity: int) -> None:
    """On a performance's reserve form: `quantity` seats of `category`, typed into its
    number field (a change is committed when the field loses focus)."""
    field = item.get_by_label(category, exact=True)
    field.fill(str(quantity))
    field.blur()
    item.page.wait_for_function("([f, n]) => f.value === n", arg=[field.element_handle(), str(quantity)])


def sign_in_code(email: str, timeout: float = 10.0) -> str:
    """The newest code sent to `email` (devauth/codes.py writes it before answering)."""
    folder = Path(settings.EMAIL_FILE_PATH)
    deadline = time.monotonic() + timeout
    while True:
        found = sorted(folder.glob(f"*-sign-in-code-{email.lower()}.txt"))
        if found:
            return re.search(r"sign-in code is (\d{6})", found[-1].read_text()).group(1)
        if time.monotonic() > deadline:
            raise AssertionError(f"no sign-in code for {email} in {folder}")
        time.sleep(0.05)


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


# ------------------------------------------------------------------ localstripe's card element
CARD_OK = "4242424242424242"
# localstripe's card inputs are not ours: accessibility scans cover the rest of the page.
CARD_ELEMENT = "#card-element"


def fill_card(page, number: str) -> None:
    """localstripe's card element: plain inputs named by their placeholders."""
    card = page.locator(CARD_ELEMENT)
    card.locator("input[placeholder=number]").fill(number)
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("34")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("69001")


def pay(page, amount: str) -> None:
    button = page.get_by_role("button", name=f"Pay {amount}")
    button.wait_for()
    page.wait_for_function("() => !document.querySelector('form.pay button[type=submit]').disabled")
    button.click()


# ------------------------------------------------------------------ order emails (.eml files)
def wait_for_email(directory: Path, order_id: object, kind: str, timeout: float = 10.0) -> Path:
    """The one file EmlFileBackend wrote for this order and kind
    (`<time>-<first 8 chars of the order id>-<kind>.eml`). It is written after the commit
    that owed it, maybe by the live server's thread: wait until it is there and complete."""
    pattern = f"*-{str(order_id)[:8]}-{kind}.eml"
    deadline = time.monotonic() + timeout
    while True:
        found = sorted(directory.glob(pattern)) if directory.exists() else []
        if found:
            assert len(found) == 1, f"more than one {kind} email for the order: {found}"
            size = found[0].stat().st_size
            time.sleep(0.1)
            if size and found[0].stat().st_size == size:
                return found[0]
        if time.monotonic() > deadline:
            seen = sorted(p.name for p in directory.glob("*")) if directory.exists() else []
            raise AssertionError(f"no {pattern} in {directory} after {timeout} s; there: {seen}")
        time.sleep(0.1)


def read_email(path: Path) -> tuple[EmailMessage, str, str]:
    """The message, its plain-text body and its HTML body, decoded."""
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None, f"{path.name}: no text and HTML parts"
    return message, plain.get_content(), html.get_content()


def email_as_page(message: EmailMessage, html: str) -> str:
    """The HTML body with its inline images (`cid:` links) as data URIs, to show in a page."""
    for part in message.walk():
        cid = (part.get("Content-ID") or "").strip("<>")
        if cid and part.get_content_maintype() == "image":
            data = base64.b64encode(part.get_payload(decode=True)).decode()
            html = html.replace(f"cid:{cid}", f"data:{part.get_content_type()};base64,{data}")
    return html
