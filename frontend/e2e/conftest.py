"""Fixtures of the browser tests: Debian's Chromium through Playwright, one page per test,
a screenshot of the last state and no JavaScript error allowed."""

from __future__ import annotations

import pytest
from django.conf import settings
from e2e_support import AXE, CHROMIUM, CHROMIUM_ARGS, DIST_INDEX, SCREENSHOTS, TIMEOUT_MS


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
