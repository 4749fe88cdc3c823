"""The paid checkout end to end (issue 12): Chromium, the live server on PostgreSQL, and a
real localstripe server, whose stripe.js stand-in renders the card element as plain inputs
and whose signed webhooks reach the live server.

Reserve → pay with 4242 4242 4242 4242 → confirmed (by the webhook) with QR codes, and the
confirmation email written as an .eml file (local mode, issue 13) with the codes the page
shows → cancelled and refunded; a declined card (4000 0000 0000 0002) then a good one on the same
hold; 3-D Secure (4000 0027 6000 3184) completed in localstripe's dialog; a hold resumed
from My tickets, then expired by the backend's job and shown as expired, its seats back
on sale.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from e2e_support import (
    CARD_ELEMENT,
    CARD_OK,
    assert_accessible,
    choose_seats,
    email_as_page,
    fill_card,
    pay,
    qr_codes_loaded,
    read_email,
    shoot,
    sign_in,
    wait_for_email,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CARD_DECLINED = "4000000000000002"
CARD_3DS = "4000002760003184"


@pytest.fixture
def paid_show(make_show, make_performance):
    show = make_show(slug="the-paid-tempest", title="The Paid Tempest",
                     summary="Storms, for money.")
    performance = make_performance(show=show, starts_at=timezone.now() + dt.timedelta(days=10),
                                   capacity=10, price_cents=3500, currency="EUR")
    return show, performance


def sign_in_and_reserve(page, base: str, show, performance, quantity: int, email: str) -> str:
    """From the show page: sign in with the local issuer, reserve; returns the order id."""
    page.goto(f"{base}/shows/{show.slug}")
    item = page.locator(f"[data-performance='{performance.id}']")
    item.get_by_role("button", name="Sign in to reserve").click()
    sign_in(page, email, f"{base}/shows/{show.slug}")
    choose_seats(item, "Full price", quantity)
    item.get_by_role("button", name=re.compile(r"^Reserve")).click()
    page.wait_for_url(re.compile(rf"{re.escape(base)}/tickets/[0-9a-f-]{{36}}\?reserved=1$"))
    page.get_by_role("heading", name="Pay for your tickets").wait_for()
    return page.url.split("/tickets/")[1].split("?")[0]


def test_reserve_pay_confirmed_with_qr(checkout, page, paid_show, eml_outbox, settings):
    from tickets.models import Order

    settings.SITE_URL = checkout  # the email's links lead to this live server
    show, performance = paid_show
    order_id = sign_in_and_reserve(page, checkout, show, performance, 2, "payer@example.com")

    # The payment step: what is bought, the total, the hold's countdown, the card element.
    assert Order.objects.get(pk=order_id).status == "pending"
    summary = page.locator(".summary")
    assert "2 × €35.00" in summary.inner_text()
    assert "€70.00" in page.locator(".summary-total").inner_text()
    assert re.fullmatch(r"(9|10):\d\d", page.get_by_role("timer").inner_text())
    page.locator(f"{CARD_ELEMENT} input[placeholder=number]").wait_for()
    assert_accessible(page, "the payment step", exclude=(CARD_ELEMENT,))
    shoot(page, "payment", 1280)
    shoot(page, "payment", 360)
    page.set_viewport_size({"width": 1280, "height": 900})

    fill_card(page, CARD_OK)
    pay(page, "€70.00")
    # Confirmed by the server (localstripe's webhook, or reconciliation), not by the browser.
    page.get_by_text("Payment received: 2 tickets confirmed").wait_for()
    qr_codes_loaded(page, 2)
    order = Order.objects.select_related("payment").get(pk=order_id)
    assert order.status == "confirmed"
    assert order.payment.status == "succeeded"
    assert order.tickets.count() == 2
    assert_accessible(page, "a paid order")
    shoot(page, "paid-order", 1280)

    # The confirmation email, as `make run` writes it: one file for this order, with the
    # ticket codes the page shows, their QR codes and the calendar file.
    codes = page.locator(".ticket-code code").all_inner_texts()
    assert len(codes) == 2
    path = wait_for_email(eml_outbox, order_id, "confirmation")
    assert re.fullmatch(rf"\d{{8}}-\d{{6}}-\d{{6}}-{order_id[:8]}-confirmation\.eml", path.name)
    message, plain, html = read_email(path)
    assert message["To"] == "payer@example.com"
    assert "The Paid Tempest" in message["Subject"]
    for code in codes:
        assert code in plain
        assert code in html
    attachments = {part.get_filename() for part in message.walk() if part.get_filename()}
    assert {f"ticket-{code}.png" for code in codes} <= attachments
    assert f"marquee-{order_id[:8]}.ics" in attachments
    assert f"{checkout}/tickets/{order_id}" in plain
    # Shown as a mail client shows it, QR codes and all (var/screenshots/).
    letter = page.context.new_page()
    letter.set_content(email_as_page(message, html))
    letter.wait_for_function(
        "() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    assert letter.locator("img").count() == 2
    shoot(letter, "confirmation-email", 1280)
    letter.close()

    # A reload shows the confirmed order, not the payment step.
    page.reload()
    qr_codes_loaded(page, 2)
    assert page.get_by_role("button", name=re.compile(r"^Pay ")).count() == 0

    # Cancelling a paid order refunds it: the page says how much goes back.
    page.get_by_role("button", name="Cancel order").click()
    page.get_by_text("€70.00 is refunded to your card").wait_for()
    page.get_by_role("button", name="Yes, cancel").click()
    page.get_by_text("This order is cancelled").wait_for()
    # Refunded at once, or (if Stripe answers after the response) on its way.
    page.get_by_text(re.compile(r"€70\.00 refunded to your card"
                                r"|A refund of €70\.00 to your card is on its way")).wait_for()
    assert Order.objects.get(pk=order_id).status == "cancelled"
    shoot(page, "refunded-order", 1280)


def test_declined_card_then_a_good_one_on_the_same_hold(checkout, page, paid_show):
    from shows.models import Performance
    from tickets.models import Order

    show, performance = paid_show
    order_id = sign_in_and_reserve(page, checkout, show, performance, 1, "declined@example.com")

    fill_card(page, CARD_DECLINED)
    pay(page, "€35.00")
    error = page.locator(".payment-error")
    error.get_by_text("Your card was declined.").wait_for()
    assert "Try again, or use another card." in error.inner_text()
    assert Order.objects.get(pk=order_id).status == "pending"  # the hold is kept
    assert Performance.objects.get(pk=performance.pk).seats_sold == 1
    assert_accessible(page, "a declined card", exclude=(CARD_ELEMENT,))
    shoot(page, "payment-declined", 1280)

    fill_card(page, CARD_OK)
    pay(page, "€35.00")
    page.get_by_text("Payment received: 1 ticket confirmed").wait_for()
    qr_codes_loaded(page, 1)
    assert page.url.startswith(f"{checkout}/tickets/{order_id}")
    assert Order.objects.filter(customer__email="declined@example.com").count() == 1
    assert Order.objects.get(pk=order_id).status == "confirmed"
    assert Performance.objects.get(pk=performance.pk).seats_sold == 1


def test_three_d_secure_completed(checkout, page, paid_show):
    from tickets.models import Order

    show, performance = paid_show
    order_id = sign_in_and_reserve(page, checkout, show, performance, 1, "secure@example.com")
    fill_card(page, CARD_3DS)
    pay(page, "€35.00")
    # localstripe asks for authentication when the card is saved and when it is charged.
    for _ in range(2):
        page.get_by_role("button", name="Complete authentication").click()
    page.get_by_text("Payment received: 1 ticket confirmed").wait_for()
    qr_codes_loaded(page, 1)
    assert Order.objects.get(pk=order_id).status == "confirmed"


def test_hold_resumed_from_my_tickets_then_expired(checkout, page, paid_show):
    from shows.models import Performance
    from tickets.models import Order

    show, performance = paid_show
    order_id = sign_in_and_reserve(page, checkout, show, performance, 3, "late@example.com")
    assert Performance.objects.get(pk=performance.pk).seats_sold == 3

    # A new visit: My tickets offers to complete the payment, with the countdown.
    page.goto(f"{checkout}/tickets")
    card = page.locator(f"[data-order='{order_id}']")
    card.get_by_text("Awaiting payment").wait_for()
    assert re.fullmatch(r"(9|10):\d\d", card.get_by_role("timer").inner_text())
    assert_accessible(page, "My tickets with a pending order")
    card.get_by_role("link", name=re.compile(r"^Complete payment")).click()
    page.wait_for_url(f"{checkout}/tickets/{order_id}")
    page.get_by_role("button", name="Pay €105.00").wait_for()

    # The hold lapses and the backend's job releases it.
    Order.objects.filter(pk=order_id).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    call_command("release_expired_holds")
    assert Order.objects.get(pk=order_id).status == "expired"
    assert Performance.objects.get(pk=performance.pk).seats_sold == 0

    page.reload()
    page.get_by_text("Your hold expired and the seats were released.").wait_for()
    assert page.get_by_role("button", name=re.compile(r"^Pay ")).count() == 0
    assert page.locator(f"{CARD_ELEMENT}").count() == 0
    assert_accessible(page, "an expired order")
    shoot(page, "expired-order", 1280)
    page.get_by_role("link", name="Back to the show").click()
    page.wait_for_url(f"{checkout}/shows/{show.slug}")
    page.locator(f"[data-performance='{performance.id}']").get_by_text("10 seats left").wait_for()

    page.goto(f"{checkout}/tickets")
    page.locator(f"[data-order='{order_id}']").get_by_text("Expired", exact=True).wait_for()
