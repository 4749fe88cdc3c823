"""The waiting list end to end (issue 16): Chromium, the live server on PostgreSQL, and a
real localstripe server for the offer's payment.

A paid performance is sold out at the box office. Someone joins its waiting list through
the services; our customer signs in on the show page, joins for 2 seats (accepting 1) and is
number 2 in line, in the show page and in My tickets. The box-office order is cancelled
(`order_cancel`, as staff would): the freed seats are offered in join order, 1 to the head
of the line and 2 to our customer as a held order. The offer appears in My tickets with its
link to pay (and in the offer email, written as an .eml file); paid with 4242 4242 4242 4242
on localstripe's card element, it is confirmed with 2 QR codes. axe-core scans every new
screen; screenshots at 360 px and 1280 px go to var/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from e2e_support import (
    AUTHORIZE,
    CARD_ELEMENT,
    CARD_OK,
    assert_accessible,
    fill_card,
    pay,
    qr_codes_loaded,
    read_email,
    shoot,
    sign_in,
    wait_for_email,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# "until 20:15" or, in an en-US browser, "until 08:15 PM": the visitor's own clock.
HELD_UNTIL = re.compile(r"^Seats are held for you until \d{1,2}:\d{2}(\s?[AP]M)?"
                        r" — complete payment$")


@pytest.fixture
def sold_out_show(make_show, make_performance, make_user):
    """A paid performance of 3 seats, all sold at the box office; one person already waits
    for 1 seat. Returns the show, the performance, the box-office order and the early bird."""
    from tickets.services import order_reserve
    from tickets.waitlist import waitlist_join

    show = make_show(slug="the-waited-tempest", title="The Waited Tempest",
                     summary="Sold out, but seats come free.")
    performance = make_performance(show=show, starts_at=timezone.now() + dt.timedelta(days=10),
                                   capacity=3, price_cents=3500, currency="EUR")
    other = make_user(email="box-office@example.com")
    sold = order_reserve(user=other, performance_id=performance.id, quantity=3,
                         paid_at_box_office=True)
    early = make_user(email="early@example.com")
    waitlist_join(user=early, performance_id=performance.id, seats=1)
    return show, performance, sold, early


def test_join_offer_pay(checkout, page, sold_out_show, eml_outbox, settings):
    from shows.models import Performance
    from tickets.models import Order, OrderStatus, WaitlistEntry, WaitlistStatus
    from tickets.services import order_cancel

    settings.SITE_URL = checkout  # links in emails lead to this live server
    show, performance, sold, early = sold_out_show
    base = checkout

    # The show: sold out, with the waiting list in place of the reserve form.
    page.goto(f"{base}/shows/{show.slug}")
    item = page.locator(f"[data-performance='{performance.id}']")
    item.get_by_text("Sold out", exact=True).wait_for()
    assert item.get_by_role("button", name=re.compile("Reserve")).count() == 0
    item.get_by_role("button", name="Sign in to join the waiting list").click()
    page.wait_for_url(AUTHORIZE)
    # The SPA asks for the scope Cognito's GetUser needs; the local issuer takes it (issue 13).
    assert "scope=openid+email+aws.cognito.signin.user.admin" in page.url
    sign_in(page, "waiter@example.com", f"{base}/shows/{show.slug}")

    # Join for 2 seats, accepting 1.
    form = item.locator("form.waitlist-join")
    form.wait_for()
    assert_accessible(page, "the waiting-list form")
    shoot(page, "waitlist-join", 1280)
    shoot(page, "waitlist-join", 360)
    page.set_viewport_size({"width": 1280, "height": 900})
    form.get_by_label("Seats").select_option("2")
    form.get_by_label("I'd accept fewer, down to").select_option("1")
    form.get_by_role("button", name="Join the waiting list").click()
    position = item.locator(".waitlist-position")
    position.wait_for()
    assert position.inner_text() == "You are number 2 in line for 2 seats (or as few as 1)."
    # Focus moves in an effect, which Preact runs after the paint that showed the text.
    page.wait_for_function("() => document.activeElement?.classList.contains('waitlist-position')",
                           timeout=5_000)
    entry = WaitlistEntry.objects.get(performance=performance, customer__email="waiter@example.com")
    assert (entry.status, entry.seats, entry.min_seats) == (WaitlistStatus.WAITING, 2, 1)
    assert_accessible(page, "a place on the waiting list")
    shoot(page, "waitlist-position", 1280)
    shoot(page, "waitlist-position", 360)
    page.set_viewport_size({"width": 1280, "height": 900})

    # A reload remembers it; so does My tickets.
    page.reload()
    position.wait_for()
    assert "number 2 in line" in position.inner_text()
    page.goto(f"{base}/tickets")
    lists = page.locator("section.waitlists")
    lists.get_by_role("heading", name="Waiting lists").wait_for()
    card = lists.locator(f"[data-waitlist='{performance.id}']")
    card.get_by_text("You are number 2 in line for 2 seats (or as few as 1).").wait_for()
    assert card.get_by_role("link", name=re.compile("The Waited Tempest")).get_attribute("href") \
        == f"/shows/{show.slug}"
    assert_accessible(page, "My tickets with a waiting list")

    # The box office cancels its 3 seats: offered in join order, under the performance lock.
    order_cancel(order_id=sold.id)
    early_offer = WaitlistEntry.objects.get(performance=performance, customer=early)
    entry.refresh_from_db()
    assert early_offer.status == entry.status == WaitlistStatus.OFFERED
    assert early_offer.offer_order.quantity == 1
    offer = entry.offer_order
    assert (offer.status, offer.quantity, offer.customer.email) == (OrderStatus.PENDING, 2,
                                                                    "waiter@example.com")
    assert Performance.objects.get(pk=performance.pk).seats_sold == 3  # offered seats are held

    # The offer in My tickets: the waiting list's link, and the pending order below it.
    page.reload()
    link = card.get_by_role("link", name=re.compile(r"^Seats are held for you until "))
    link.wait_for()
    assert HELD_UNTIL.match(link.inner_text()), link.inner_text()
    assert link.get_attribute("href") == f"/tickets/{offer.id}"
    card.get_by_text("Seats held for you", exact=True).wait_for()
    pending = page.locator(f"[data-order='{offer.id}']")
    pending.get_by_text("Awaiting payment").wait_for()
    assert_accessible(page, "My tickets with an offer")
    shoot(page, "waitlist-offer", 1280)
    shoot(page, "waitlist-offer", 360)
    page.set_viewport_size({"width": 1280, "height": 900})

    # The offer email links to the same page.
    _, plain, _ = read_email(wait_for_email(eml_outbox, offer.id, "offer"))
    assert f"{base}/tickets/{offer.id}" in plain

    # Pay for it like any hold.
    link.click()
    page.wait_for_url(f"{base}/tickets/{offer.id}")
    page.get_by_role("heading", name="Pay for your tickets").wait_for()
    page.locator(f"{CARD_ELEMENT} input[placeholder=number]").wait_for()
    assert_accessible(page, "the offer's payment step", exclude=(CARD_ELEMENT,))
    fill_card(page, CARD_OK)
    pay(page, "€70.00")
    page.get_by_text("Payment received: 2 tickets confirmed").wait_for()
    qr_codes_loaded(page, 2)
    shoot(page, "waitlist-paid", 1280)
    offer.refresh_from_db()
    entry.refresh_from_db()
    assert offer.status == OrderStatus.CONFIRMED
    assert offer.tickets.count() == 2
    assert entry.status == WaitlistStatus.ACCEPTED
    assert Order.objects.filter(customer__email="waiter@example.com").count() == 1

    # No longer on the list: My tickets shows the tickets, not the offer.
    page.goto(f"{base}/tickets")
    page.locator(f"[data-order='{offer.id}']").get_by_text("Confirmed", exact=True).wait_for()
    qr_codes_loaded(page, 2)
    assert page.locator(f"section.waitlists [data-waitlist='{performance.id}']").count() == 0


def test_leave_in_one_click(live_server, page, sold_out_show):
    from tickets.models import WaitlistEntry, WaitlistStatus

    show, performance, _, _ = sold_out_show
    base = live_server.url
    page.goto(f"{base}/shows/{show.slug}")
    item = page.locator(f"[data-performance='{performance.id}']")
    item.get_by_role("button", name="Sign in to join the waiting list").click()
    sign_in(page, "leaver@example.com", f"{base}/shows/{show.slug}")
    item.get_by_role("button", name="Join the waiting list").click()
    item.get_by_text("You are number 2 in line for 1 seat.").wait_for()

    item.get_by_role("button", name="Leave the waiting list").click()
    item.get_by_text("You left the waiting list.").wait_for()
    entry = WaitlistEntry.objects.get(performance=performance, customer__email="leaver@example.com")
    assert entry.status == WaitlistStatus.LEFT
    item.get_by_role("button", name="Join the waiting list").wait_for()
    assert_accessible(page, "after leaving the waiting list")
