"""Codes at checkout in Chromium (issue 24), on PostgreSQL and a real localstripe server:
a 20 % voucher then the card 4242; a hidden tariff revealed by a code; a gift card bought
on the Gift cards page, its code received by email and used for part of an order, the
rest paid by card."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from e2e_support import (
    CARD_OK,
    assert_accessible,
    choose_seats,
    fill_card,
    pay,
    shoot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def paid_show(make_show, make_performance):
    show = make_show(slug="the-coded-tempest", title="The Coded Tempest", summary="Storms.")
    performance = make_performance(show=show, starts_at=timezone.now() + dt.timedelta(days=10),
                                   capacity=20, price_cents=3500, currency="EUR")
    return show, performance


def open_show(page, base, show, performance, email):
    page.goto(f"{base}/shows/{show.slug}")
    item = page.locator(f"[data-performance='{performance.id}']")
    item.get_by_role("button", name="Sign in to reserve").click()
    sign_in(page, email, f"{base}/shows/{show.slug}")
    return item


def reserved(page, base) -> str:
    page.wait_for_url(re.compile(rf"{re.escape(base)}/tickets/[0-9a-f-]{{36}}\?reserved=1$"))
    return page.url.split("/tickets/")[1].split("?")[0]


def test_a_twenty_percent_code_then_the_card(checkout, page, paid_show):
    from tickets.models import Order
    from vouchers.models import Voucher

    Voucher.objects.create(code="NEWSLETTER20", kind="percent", value=20, max_uses=100)
    show, performance = paid_show
    item = open_show(page, checkout, show, performance, "reader@example.com")
    item.get_by_role("button", name="Have a code?").click()
    item.get_by_label("Voucher code").fill("newsletter20")
    item.get_by_role("button", name="Apply code").click()
    item.get_by_text("€28.00 instead of €35.00").wait_for()
    item.get_by_role("button", name="Reserve · €28.00").wait_for()
    assert_accessible(page, "a show with a voucher applied")
    shoot(page, "voucher-applied", 1280)
    item.get_by_role("button", name=re.compile(r"^Reserve")).click()
    order_id = reserved(page, checkout)
    page.get_by_role("heading", name="Pay for your tickets").wait_for()
    assert "−€7.00" in page.locator(".summary-discount").inner_text()
    fill_card(page, CARD_OK)
    pay(page, "€28.00")
    page.get_by_text(re.compile("Payment received")).wait_for()
    order = Order.objects.select_related("payment").get(pk=order_id)
    assert (order.status, order.total_cents, order.payment.amount_cents) == \
        ("confirmed", 2800, 2800)
    assert order.lines.get().discount_cents == 700
    assert Voucher.objects.get().uses == 1


def test_a_hidden_tariff_revealed_by_a_code(live_server, page, make_show, make_performance):
    from tickets.models import Order
    from vouchers.models import Voucher

    show = make_show(slug="friends-night", title="Friends Night", summary="For friends.")
    performance = make_performance(show=show, capacity=20, categories=[
        {"name": "Full price", "price_cents": 0},
        {"name": "Friends", "price_cents": 0, "hidden": True}])
    friends = performance.categories.get(name="Friends")
    voucher = Voucher.objects.create(code="FRIENDS2026X", kind="percent", value=0,
                                     reveal_hidden=True)
    voucher.categories.set([friends])
    item = open_show(page, live_server.url, show, performance, "friend@example.com")
    assert "Friends" not in item.inner_text()
    item.get_by_role("button", name="Have a code?").click()
    item.get_by_label("Voucher code").fill("FRIENDS2026X")
    item.get_by_role("button", name="Apply code").click()
    # The revealed tariff is one more stepper beside the visible one, said politely.
    item.get_by_role("status").filter(has_text="Your code unlocks: Friends").wait_for()
    friends_field = item.get_by_label("Friends", exact=True)
    friends_field.wait_for()
    assert friends_field.input_value() == "0"
    assert item.get_by_label("Full price", exact=True).input_value() == "1"
    item.get_by_role("button", name="One Friends ticket more").click()
    page.wait_for_function("f => f.value === '1'", arg=friends_field.element_handle())
    item.get_by_text("Total: 2 tickets").wait_for()
    assert_accessible(page, "a show with a hidden tariff revealed")
    shoot(page, "hidden-tariff", 1280)
    item.get_by_role("button", name=re.compile(r"^Reserve")).click()
    order_id = reserved(page, live_server.url)
    page.get_by_text("Friends").first.wait_for()
    order = Order.objects.get(pk=order_id)
    assert order.status == "confirmed"
    assert [(line.category.name, line.quantity)
            for line in order.lines.select_related("category")] == \
        [("Full price", 1), ("Friends", 1)]


def test_buy_a_gift_card_receive_it_by_email_and_pay_part_of_an_order(checkout, page,
                                                                       paid_show, eml_outbox):
    from tickets.models import Order

    page.goto(f"{checkout}/gift-cards")
    page.get_by_role("button", name="Sign in to buy a gift card").click()
    sign_in(page, "giver@example.com", f"{checkout}/gift-cards")
    page.get_by_role("radio", name="€25.00").check()
    page.get_by_label(re.compile("Send the code to")).fill("lucky@example.com")
    page.get_by_label(re.compile("Message")).fill("Enjoy the show!")
    assert_accessible(page, "the gift cards page")
    page.get_by_role("button", name="Buy · €25.00").click()
    fill_card(page, CARD_OK)
    pay(page, "€25.00")
    page.get_by_text("Its code was emailed to lucky@example.com").wait_for()
    shoot(page, "gift-card-bought", 1280)
    [mail] = list(eml_outbox.glob("*gift-card.eml"))
    text = mail.read_text()
    assert "To: lucky@example.com" in text and "Enjoy the show!" in text
    code = re.search(r"Code: (\w+)", text).group(1)

    page.get_by_role("button", name="Sign out").click()
    show, performance = paid_show
    item = open_show(page, checkout, show, performance, "lucky@example.com")
    choose_seats(item, "Full price", 2)
    item.get_by_role("button", name="Have a code?").click()
    item.get_by_label("Gift card").fill(code)
    item.get_by_role("button", name="Apply gift card").click()
    item.get_by_text("€25.00 applied · €45.00 left to pay by card").wait_for()
    shoot(page, "gift-card-applied", 1280)
    item.get_by_role("button", name=re.compile(r"^Reserve")).click()
    order_id = reserved(page, checkout)
    assert "€45.00" in page.locator(".summary-due").inner_text()
    fill_card(page, CARD_OK)
    pay(page, "€45.00")
    page.get_by_text(re.compile("Payment received")).wait_for()
    order = Order.objects.select_related("payment").get(pk=order_id)
    assert (order.status, order.paid_by_gift_card_cents, order.payment.amount_cents) == \
        ("confirmed", 2500, 4500)
