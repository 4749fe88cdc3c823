"""Reserved seating end to end (issue 22): Chromium on the live server (PostgreSQL) and
localstripe, at a phone's 390 px and on a desktop.

Two seats chosen on the SVG seat map, one with the mouse and one with the keyboard (arrow
keys, Enter), paid with 4242 4242 4242 4242: the tickets show their seats. A seat someone
else takes meanwhile is refused with a message naming it, and the map shows it taken.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from e2e_support import CARD_OK, assert_accessible, fill_card, pay, shoot, sign_in

from seating.tests.helpers import seat_ids


HALL = """
[Stalls]
A: a a a a a . a a a a a
B: a a a a a . a a a a a
C: b b b b b . b b b b b
"""


@pytest.fixture
def seated_show(make_show, make_seated):
    show = make_show(slug="the-seated-tempest", title="The Seated Tempest",
                     summary="Storms, row by row.")
    performance = make_seated(HALL, zones={"a": ("Stalls", 3000), "b": ("Rear", 2000)},
                              show=show, starts_at=timezone.now() + dt.timedelta(days=10),
                              currency="EUR")
    return show, performance


def open_map(page, base: str, show, performance, email: str):
    page.goto(f"{base}/shows/{show.slug}")
    item = page.locator(f"[data-performance='{performance.id}']")
    item.get_by_role("button", name="Sign in to reserve").click()
    sign_in(page, email, f"{base}/shows/{show.slug}")
    item.locator("svg.seat-map circle").first.wait_for()
    return item


@pytest.mark.parametrize("width", [390, 1280])
def test_two_seats_by_mouse_and_keyboard_paid_and_shown(checkout, page, seated_show, width):
    from tickets.models import Order

    show, performance = seated_show
    page.set_viewport_size({"width": width, "height": 900})
    item = open_map(page, checkout, show, performance, f"seats{width}@example.com")
    assert "Stalls · €30.00" in item.inner_text() and "Rear · €20.00" in item.inner_text()
    first, second = seat_ids(performance, "B-3", "B-4")
    item.locator(f"[data-seat='{first}']").click()  # the mouse
    page.keyboard.press("ArrowRight")  # the keyboard, from the seat just chosen
    page.keyboard.press("Enter")
    assert item.locator(f"[data-seat='{second}']").get_attribute("aria-selected") == "true"
    assert "seat 4 selected. 2 seats selected." in item.locator(".seat-picker [aria-live]").inner_text()
    assert_accessible(page, f"the seat map at {width} px")
    item.get_by_role("button", name="Zoom in").click()  # zooms, and back
    item.get_by_role("button", name="Zoom out").click()
    shoot(page, "seat-map", width)
    item.get_by_role("button", name=re.compile(r"^Reserve 2 seats selected, €60\.00")).click()
    page.wait_for_url(re.compile(rf"{re.escape(checkout)}/tickets/[0-9a-f-]{{36}}\?reserved=1$"))
    page.get_by_role("heading", name="Pay for your tickets").wait_for()
    fill_card(page, CARD_OK)
    pay(page, "€60.00")
    page.get_by_text("Payment received: 2 tickets confirmed").wait_for()
    seats = sorted(page.locator(".ticket-seat").all_inner_texts())
    assert seats == ["Stalls, row B, seat 3", "Stalls, row B, seat 4"]
    order = Order.objects.get(performance=performance, status="confirmed")
    assert sorted(order.tickets.values_list("seat_id", flat=True)) == [first, second]


def test_a_seat_taken_meanwhile_is_refused_and_the_map_redrawn(checkout, page, seated_show,
                                                                make_user):
    from tickets.services import order_reserve

    show, performance = seated_show
    item = open_map(page, checkout, show, performance, "late@example.com")
    wanted = seat_ids(performance, "A-5")[0]
    item.locator(f"[data-seat='{wanted}']").click()
    # Someone else buys it while this page still shows it free.
    order_reserve(user=make_user(), performance_id=performance.pk, seats=[wanted],
                  paid_at_box_office=True)
    item.get_by_role("button", name=re.compile(r"^Reserve 1 seat selected")).click()
    item.get_by_role("alert").get_by_text(
        "Stalls, row A, seat 5 was just taken by someone else").wait_for()
    seat = item.locator(f"[data-seat='{wanted}']")
    page.wait_for_function("el => el.getAttribute('aria-label').endsWith('taken')",
                           arg=seat.element_handle())
    assert seat.get_attribute("aria-selected") == "false"
    assert_accessible(page, "a seat taken meanwhile")


def test_best_available_finds_seats_shown_as_the_customers(checkout, page, seated_show):
    """The customer asks for 2 seats of the Rear zone; the server chooses them (in its
    reservation statement): they are listed and drawn as the customer's, then paid."""
    from tickets.models import Order

    show, performance = seated_show
    page.set_viewport_size({"width": 390, "height": 900})
    item = open_map(page, checkout, show, performance, "best@example.com")
    item.get_by_label("Zone", exact=True).select_option(label="Rear · €20.00")
    item.get_by_label("Seats", exact=True).select_option("2")
    item.get_by_role("button", name="Find me seats").click()
    found = item.locator(".seats-found")
    found.wait_for()
    # Row C (the Rear zone), the pair nearest its centre: beside the aisle, lower ids first.
    assert found.locator(".ticket-seat").all_inner_texts() == ["Stalls, row C, seat 4",
                                                              "Stalls, row C, seat 5"]
    for wanted in seat_ids(performance, "C-4", "C-5"):
        seat = item.locator(f"[data-seat='{wanted}']")
        assert seat.get_attribute("aria-label").endswith("yours")
    assert "Yours" in item.locator(".seat-legend").inner_text()
    assert_accessible(page, "best available's seats, shown as the customer's")
    shoot(page, "seat-map-best-available", 390)
    found.get_by_role("button", name="Go to your order").click()
    page.get_by_role("heading", name="Pay for your tickets").wait_for()
    fill_card(page, CARD_OK)
    pay(page, "€40.00")
    page.get_by_text("Payment received: 2 tickets confirmed").wait_for()
    assert sorted(page.locator(".ticket-seat").all_inner_texts()) == [
        "Stalls, row C, seat 4", "Stalls, row C, seat 5"]
    order = Order.objects.get(performance=performance, status="confirmed")
    assert sorted(order.tickets.values_list("seat_id", flat=True)) == seat_ids(
        performance, "C-4", "C-5")
