"""Price categories and on-sale times in the browser (issue 21): Chromium, the live server on
PostgreSQL, localstripe for the payment.

2 Full price + 1 Reduced chosen with the keyboard on a phone-wide page (390 px), the refund
rule read before paying, paid with 4242 4242 4242 4242: confirmed with 3 QR codes, each
labelled with its category; cancelled, €92.50 refunded and the €2.00 fee kept, said before
and after. A performance not yet on sale, seen by a browser whose clock is an
hour slow: "On sale …" and a countdown on the server's clock, which turns into the buy form
at the on-sale second (set a few seconds ahead), and the reservation made then is accepted.
"""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.utils import timezone
from e2e_support import (
    CARD_ELEMENT,
    CARD_OK,
    assert_accessible,
    fill_card,
    pay,
    qr_codes_loaded,
    shoot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def tariffs_show(make_show, make_performance):
    """A paid performance with Full price €35, Reduced €24.50 (3 left) and a sold-out Under 12,
    under a refund rule: until 2 hours before the start, fee €2.00."""
    from shows.models import RefundPolicy

    show = make_show(slug="the-priced-tempest", title="The Priced Tempest",
                     summary="Storms at several prices.")
    show.refund_policy = RefundPolicy.objects.create(name="Two hours, €2", hours_before=2,
                                                     fee_fixed_cents=200)
    show.save()
    performance = make_performance(
        show=show, starts_at=timezone.now() + dt.timedelta(days=10), capacity=10,
        currency="EUR", categories=[
            {"name": "Full price", "price_cents": 3500, "sort_order": 0},
            {"name": "Reduced", "price_cents": 2450, "sort_order": 1, "quota": 3,
             "description": "Students and under 26: proof at the door."},
            {"name": "Under 12", "price_cents": 1000, "sort_order": 2, "quota": 0},
        ])
    return show, performance


def _fits(page, width: int) -> bool:
    return page.evaluate("w => document.documentElement.scrollWidth <= w", width)


def test_two_full_one_reduced_paid_three_labelled_codes(checkout, page, tariffs_show):
    from tickets.models import Order

    show, performance = tariffs_show
    base = checkout
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/shows/{show.slug}")
    item = page.locator(f"[data-performance='{performance.id}']")
    # Signed out: the prices, and a way to sign in.
    assert "Reduced: €24.50" in item.locator(".price-list").inner_text()
    item.get_by_role("button", name="Sign in to reserve").click()
    sign_in(page, "tariffs@example.com", f"{base}/shows/{show.slug}")

    # A stepper per category: name, price, description, "Only 3 left", sold out.
    reduced = item.locator("[data-category]", has_text="Reduced")
    reduced.get_by_text("Only 3 left").wait_for()
    assert "Students and under 26: proof at the door." in reduced.inner_text()
    assert "€24.50" in reduced.inner_text()
    under12 = item.locator("[data-category]", has_text="Under 12")
    assert "Sold out" in under12.inner_text()
    assert under12.get_by_label("Under 12", exact=True).is_disabled()
    rule = item.locator(".refund-rule")
    assert re.fullmatch(r"Cancel until .+ for a refund, fee €2\.00\.", rule.inner_text()), rule.inner_text()
    assert item.locator(".reserve-total").inner_text() == "No tickets chosen yet."

    # With the keyboard only: Enter twice on Full price's "+", Space once on Reduced's.
    item.get_by_role("button", name="One Full price ticket more").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    item.get_by_role("button", name="One Reduced ticket more").focus()
    page.keyboard.press("Space")
    assert item.get_by_label("Full price", exact=True).input_value() == "2"
    assert item.get_by_label("Reduced", exact=True).input_value() == "1"
    total = item.locator(".reserve-total")
    assert total.inner_text() == "Total: 3 tickets · €94.50"
    assert _fits(page, PHONE["width"]), "the show page scrolls sideways at 390 px"
    assert_accessible(page, "a show's price categories")
    shoot(page, "categories", 390)

    # Tab on to "Reserve" (past the refund rule) and press Enter.
    reserve = item.get_by_role("button", name="Reserve · €94.50")
    reserve.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"{re.escape(base)}/tickets/[0-9a-f-]{{36}}\?reserved=1$"))
    order_id = page.url.split("/tickets/")[1].split("?")[0]
    page.get_by_role("heading", name="Pay for your tickets").wait_for()
    summary = page.locator(".summary").inner_text()
    assert "Full price\t2 × €35.00" in summary or "Full price\n2 × €35.00" in summary, summary
    assert "1 × €24.50" in summary
    assert "€94.50" in page.locator(".summary-total").inner_text()
    page.locator(f"{CARD_ELEMENT} input[placeholder=number]").wait_for()
    assert _fits(page, PHONE["width"]), "the payment step scrolls sideways at 390 px"
    assert_accessible(page, "the payment step with lines", exclude=(CARD_ELEMENT,))

    fill_card(page, CARD_OK)
    pay(page, "€94.50")
    page.get_by_text("Payment received: 3 tickets confirmed (2 Full price, 1 Reduced)").wait_for()
    qr_codes_loaded(page, 3)
    labels = page.locator(".ticket .ticket-category").all_inner_texts()
    assert sorted(labels) == ["Full price", "Full price", "Reduced"], labels
    alts = page.locator("img.qr").evaluate_all("imgs => imgs.map(i => i.alt)")
    assert sorted(a.rsplit(", ", 1)[1] for a in alts) == ["Full price", "Full price", "Reduced"]
    assert _fits(page, PHONE["width"]), "the paid order scrolls sideways at 390 px"
    assert_accessible(page, "a paid order with categories")
    shoot(page, "paid-categories", 390)

    order = Order.objects.get(pk=order_id)
    assert order.status == "confirmed"
    assert order.total_cents == 9450
    assert sorted((line.category.name, line.quantity, line.unit_price_cents)
                  for line in order.lines.all()) == [("Full price", 2, 3500), ("Reduced", 1, 2450)]
    assert sorted(t.category.name for t in order.tickets.all()) == ["Full price", "Full price",
                                                                     "Reduced"]

    # Cancelling under the rule: the page says the refund less the fee before and after; the
    # order and Stripe's refund agree.
    page.get_by_role("button", name="Cancel order").click()
    page.get_by_text("€92.50 is refunded to your card (€94.50 paid, less a €2.00 cancellation"
                     " fee)").wait_for()
    assert_accessible(page, "cancelling under a refund rule")
    page.get_by_role("button", name="Yes, cancel").click()
    page.get_by_text("This order is cancelled").wait_for()
    page.get_by_text(re.compile(r"€92\.50 refunded to your card"
                                r"|A refund of €92\.50 to your card is on its way")).wait_for()
    page.get_by_text("A cancellation fee of €2.00 was kept").wait_for()
    order.refresh_from_db()
    assert (order.status, order.refund_cents, order.fee_cents) == ("cancelled", 9250, 200)
    shoot(page, "cancelled-with-fee", 390)


def test_not_yet_on_sale_counts_down_on_the_server_clock_then_sells(live_server, page,
                                                                     make_show, make_performance):
    from shows.models import Performance
    from tickets.models import Order

    show = make_show(slug="the-announced-tempest", title="The Announced Tempest")
    performance = make_performance(show=show, starts_at=timezone.now() + dt.timedelta(days=10),
                                   capacity=10, on_sale_at=timezone.now() + dt.timedelta(hours=1))
    base = live_server.url
    # The browser's clock is an hour slow: a countdown on it would show about two hours.
    page.clock.install(time=timezone.now() - dt.timedelta(hours=1))
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/shows/{show.slug}")
    item = page.locator(f"[data-performance='{performance.id}']")
    timer = item.get_by_role("timer")
    timer.wait_for()
    assert re.fullmatch(r"59:\d\d|1:00:00", timer.inner_text()), timer.inner_text()
    assert item.locator(".badge").inner_text() == "Coming soon"
    assert item.get_by_text(re.compile(r"^On sale ")).count() == 1
    assert item.locator("form.reserve").count() == 0
    item.get_by_role("button", name="Sign in to be ready").click()
    sign_in(page, "early-bird@example.com", f"{base}/shows/{show.slug}")

    # On sale a few seconds from now (saved: the show's cached page is invalidated).
    performance = Performance.objects.get(pk=performance.pk)
    performance.on_sale_at = timezone.now() + dt.timedelta(seconds=4)
    performance.save()
    opens = performance.on_sale_at.timestamp()
    page.reload()
    timer.wait_for()
    assert re.fullmatch(r"0:0[1-4]", timer.inner_text()), timer.inner_text()
    assert_accessible(page, "a performance not yet on sale")
    shoot(page, "on-sale-countdown", 390)

    # The last second: still no form. Then the form, not before the on-sale time.
    page.wait_for_function("t => t.textContent === '0:01'", arg=timer.element_handle())
    assert item.locator("form.reserve").count() == 0
    item.locator("form.reserve").wait_for()
    seen = time.time()
    assert seen >= opens - 0.05, f"opened {opens - seen:.3f} s early"
    assert seen - opens < 1.5, f"opened {seen - opens:.3f} s late"
    assert timer.count() == 0
    assert item.locator(".badge").inner_text() == "On sale"
    item.get_by_text("Tickets are on sale now.").wait_for(state="attached")

    # The server agrees: the reservation made now is accepted (a free performance).
    item.get_by_role("button", name="Reserve · €0.00").click()
    page.get_by_text("Reserved: 1 ticket").wait_for()
    qr_codes_loaded(page, 1)
    assert Order.objects.get(customer__email="early-bird@example.com").status == "confirmed"
