"""The SPA end to end: Debian's Chromium (Playwright) against a live server on PostgreSQL.

Browse, open a show, sign in with the local issuer, reserve 2 seats of a free performance
(confirmed at once, as before the checkout), see 2 QR codes, reload a deep link, cancel,
see the seats return; a sold-out performance shows its state and no reserve button (its
waiting list: test_waitlist_e2e.py).
Screenshots at 360 px and 1280 px go to var/screenshots/. The paid checkout (localstripe)
is test_checkout_e2e.py.

Needs the built SPA (`make spa`, a prerequisite of `make test`) and /usr/bin/chromium
(`make chromium`). Outside CI a missing Chromium skips; with CI=true it fails.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from e2e_support import assert_accessible, qr_codes_loaded, shoot, sign_in

from tickets.tests.pdf_reading import pdf_pages_qr_codes

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def show(make_show, make_performance):
    show = make_show(slug="the-e2e-tempest", title="The E2E Tempest",
                     summary="Storms, spirits and a browser.",
                     description="An island.\n\nDoors open 30 minutes before.")
    start = timezone.now() + dt.timedelta(days=10)
    on_sale = make_performance(show=show, starts_at=start, capacity=10, price_cents=0)
    sold_out = make_performance(show=show, starts_at=start + dt.timedelta(days=1), capacity=2,
                                seats_sold=2, price_cents=3500)
    return show, on_sale, sold_out


def test_browse_sign_in_reserve_reload_cancel(live_server, page, show):
    from shows.models import Performance

    the_show, on_sale, sold_out = show
    base = live_server.url

    # Browse: the list, then a search that finds the show.
    page.goto(f"{base}/")
    page.get_by_role("heading", name="What's on").wait_for()
    page.get_by_label("Search").fill("E2E Tempest")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"\?q=E2E\+Tempest$"))
    link = page.get_by_role("link", name="The E2E Tempest")
    link.wait_for()
    assert_accessible(page, "the show list")
    shoot(page, "shows", 1280)
    shoot(page, "shows", 360)
    page.set_viewport_size({"width": 1280, "height": 900})
    link.click()

    # The show: the sold-out performance says so and offers no reserve button, only its
    # waiting list (sign in first: test_waitlist_e2e.py goes on from there).
    page.wait_for_url(f"{base}/shows/{the_show.slug}")
    page.get_by_role("heading", name="The E2E Tempest", level=1).wait_for()
    sold = page.locator(f"[data-performance='{sold_out.id}']")
    sold.get_by_text("Sold out", exact=True).wait_for()
    assert sold.get_by_role("button", name=re.compile(r"Reserve")).count() == 0
    assert sold.locator("select").count() == 0
    assert sold.get_by_role("button").all_inner_texts() == ["Sign in to join the waiting list"]
    item = page.locator(f"[data-performance='{on_sale.id}']")
    item.get_by_text("10 seats left").wait_for()
    assert_accessible(page, "a show")

    # Sign in with an emailed code (the local issuer writes it beside the emails, as
    # var/mail/ under make run): email address, then the code; back on the same page.
    item.get_by_role("button", name="Sign in to reserve").click()
    sign_in(page, "e2e@example.com", f"{base}/shows/{the_show.slug}")
    page.get_by_role("button", name="Sign out").wait_for()

    # Reserve 2 seats (its one category, "Full price", starts at 1): the order page shows
    # 2 QR codes.
    item.get_by_role("button", name="One Full price ticket more").click()
    item.get_by_role("button", name=re.compile(r"^Reserve")).click()
    page.wait_for_url(re.compile(rf"{re.escape(base)}/tickets/[0-9a-f-]{{36}}\?reserved=1$"))
    order_url = page.url.split("?")[0]
    page.get_by_text("Reserved: 2 tickets").wait_for()
    qr_codes_loaded(page, 2)
    assert_accessible(page, "an order")
    shoot(page, "order", 1280)
    shoot(page, "order", 360)
    page.set_viewport_size({"width": 1280, "height": 900})
    on_sale.refresh_from_db()
    assert on_sale.seats_sold == 2

    # The printable tickets: a PDF, a page per ticket, each QR code its ticket's code.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download tickets (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    codes = page.locator(".ticket-code code").all_inner_texts()
    assert sorted(c for page_codes in pdf_pages_qr_codes(pdf) for c in page_codes) \
        == sorted(codes) and len(codes) == 2

    # Deep links reload fine (history-API fallback), still signed in.
    page.goto(f"{base}/shows/{the_show.slug}")
    page.locator(f"[data-performance='{on_sale.id}']").get_by_text("8 seats left").wait_for()
    page.goto(order_url)
    page.reload()
    qr_codes_loaded(page, 2)

    # Cancel: the seats return.
    page.get_by_role("button", name="Cancel order").click()
    page.get_by_role("button", name="Yes, cancel").click()
    page.get_by_text("This order is cancelled").wait_for()
    assert page.locator("img.qr").count() == 0
    page.get_by_role("link", name="Back to the show").click()
    page.locator(f"[data-performance='{on_sale.id}']").get_by_text("10 seats left").wait_for()
    assert Performance.objects.get(pk=on_sale.pk).seats_sold == 0
    shoot(page, "show", 1280)
    shoot(page, "show", 360)

    # My tickets lists the cancelled order; an unknown path is the 404 view.
    page.goto(f"{base}/tickets")
    page.get_by_text("Cancelled", exact=True).first.wait_for()
    page.goto(f"{base}/no/such/page")
    page.get_by_role("heading", name="Page not found").wait_for()
