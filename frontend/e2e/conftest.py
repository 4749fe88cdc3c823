"""Fixtures of the browser tests: Debian's Chromium through Playwright, one page per test,
a screenshot of the last state and no JavaScript error allowed; localstripe's webhooks sent
to the live server (paid checkouts); order emails written as .eml files (local mode)."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
from django.conf import settings
from e2e_support import AXE, CHROMIUM, CHROMIUM_ARGS, DIST_INDEX, SCREENSHOTS, TIMEOUT_MS

WEBHOOK_NAME = "marquee-spa-e2e"


@pytest.fixture
def browser(monkeypatch):
    in_ci = getattr(settings, "CI", False)
    if not CHROMIUM.exists():
        if in_ci:
            pytest.fail("CI=true needs /usr/bin/chromium (make chromium)")
        pytest.skip("Chromium is not installed at /usr/bin/chromium (make chromium)")
    if not DIST_INDEX.exists() or not AXE.exists():
        pytest.fail("The SPA is not built: run `make spa` (make test does it first)")
    from django.urls import Resolver404, resolve

    from project import spa
    try:
        routed = resolve("/shows/x").func is spa.index
    except Resolver404:
        routed = False
    if not routed:
        pytest.fail('project/urls.py does not serve the SPA: add path("", include("project.spa")) '
                    "as its last route")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made here
    # (fixtures, checks) are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "last-page.png"), full_page=True)  # for a failure
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


def _post(url: str, body: bytes, content_type: str) -> None:
    """A POST to localstripe's configuration API (always http://127.0.0.1:<port>)."""
    request = urllib.request.Request(url, data=body, method="POST",  # noqa: S310
                                     headers={"Content-Type": content_type})
    # B310 accepted: the URL is always the localstripe fixture's http://127.0.0.1 address.
    urllib.request.urlopen(request, timeout=5).close()  # noqa: S310  # nosec B310


@pytest.fixture
def checkout(live_server, stripe_local, settings):
    """localstripe sends its signed webhooks to this test's live server (and, afterwards,
    to nobody: the shared localstripe outlives the test). Yields the live server's URL."""
    hook = f"{stripe_local}/_config/webhooks/{WEBHOOK_NAME}"
    fields = {"url": f"{live_server.url}/api/v1/payments/stripe/webhook/",
              "secret": settings.STRIPE_WEBHOOK_SECRET}
    _post(hook, urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded")
    yield live_server.url
    # localstripe cannot forget a webhook: subscribe it to no event instead.
    _post(hook, json.dumps({**fields, "events": []}).encode(), "application/json")


@pytest.fixture(autouse=True)
def sign_in_codes(settings, tmp_path):
    """The local issuer writes its one-time sign-in codes beside the emails: into this
    test's own folder (e2e_support.sign_in reads them there)."""
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    return settings.EMAIL_FILE_PATH


@pytest.fixture
def eml_outbox(settings, tmp_path):
    """Order emails as `make run` writes them (notifications.backends.EmlFileBackend), into
    a folder of this test's own; the live server runs in this process, so it uses them too.
    Sent inline after each commit (EMAIL_DISPATCH is "inline" in the test settings)."""
    settings.EMAIL_BACKEND = "notifications.backends.EmlFileBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    assert settings.EMAIL_DISPATCH == "inline"
    return settings.EMAIL_FILE_PATH
