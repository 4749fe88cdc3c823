"""Staff import a layout from CSV, see it drawn, seat a performance on it; a sale
freezes it."""

from __future__ import annotations

import pytest

from seating.models import Layout, PerformanceLayout, Seat
from seating.tests.helpers import seat_ids
from shows.models import Venue

pytestmark = [pytest.mark.django_db]

CSV = """section,row,seat,x,y,zone,flags
Stalls,A,1,0,0,front,
Stalls,A,2,10,0,front,
Stalls,A,3,20,0,front,wheelchair
Balcony,B,1,0,40,back,restricted
Balcony,B,2,10,40,back,
"""


def test_a_csv_layout_is_drawn_used_and_frozen_by_a_sale(staff_client, make_performance,
                                                         api, bearer):
    venue = Venue.objects.create(name="Odeon", city="Lyon")
    response = staff_client.post("/admin/seating/layout/add/", {
        "venue": venue.pk, "name": "Main", "source_format": "csv", "source": CSV})
    assert response.status_code == 302, response.content.decode()[:2000]
    layout = Layout.objects.get(name="Main")
    assert layout.seats.count() == 5
    assert Seat.objects.get(layout=layout, row="A", number="3").wheelchair
    page = staff_client.get(f"/admin/seating/layout/{layout.pk}/change/").content.decode()
    assert 'data-seats="5"' in page and "<svg" in page and "Balcony, row B, seat 1" in page

    performance = make_performance(venue=venue, categories=[
        {"name": "front", "price_cents": 0}, {"name": "back", "price_cents": 0}])
    response = staff_client.post("/admin/seating/performancelayout/add/", {
        "performance": performance.pk, "layout": layout.pk, "zones": "", "block": "",
        "release": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PerformanceLayout.objects.filter(performance=performance, layout=layout).exists()
    performance.refresh_from_db()
    assert performance.capacity == 5

    sold = api.post("/api/v1/tickets/", {"performance": performance.pk,
                                         "seats": seat_ids(performance, "B-2")},
                    format="json", **bearer())
    assert sold.status_code == 201, sold.content
    assert sold.json()["tickets"][0]["seat"]["label"] == "Balcony, row B, seat 2"

    # Frozen: the seats cannot change; a copy can.
    page = staff_client.get(f"/admin/seating/layout/{layout.pk}/change/").content.decode()
    assert 'name="source"' not in page
    response = staff_client.post(f"/admin/seating/layout/{layout.pk}/change/", {
        "venue": venue.pk, "name": "Main", "source_format": "grid", "source": "A: x x\n"})
    assert layout.seats.count() == 5 and not layout.seats.filter(zone="x").exists()
    with pytest.raises(Exception, match="sold seats"):
        from seating.layouts import parse_grid
        from seating.services import layout_replace_seats

        layout_replace_seats(layout=layout, seats=parse_grid("A: x x\n"))
    staff_client.post("/admin/seating/layout/", {"action": "copy_layouts",
                                                 "_selected_action": [layout.pk]})
    copy = Layout.objects.get(name="Main (copy)")
    assert copy.seats.count() == 5 and not copy.is_frozen()


def test_staff_block_and_release_seats_in_the_admin(staff_client, make_seated):
    performance = make_seated("A: a a a a\n")
    url = f"/admin/seating/performancelayout/{performance.pk}/change/"
    form = {"performance": performance.pk, "layout": performance.layout.pk, "zones": "a=Zone a",
            "block": "A-1 A-2", "release": ""}
    assert staff_client.post(url, form).status_code == 302
    performance.refresh_from_db()
    assert performance.capacity == 2
    assert staff_client.post(url, {**form, "zones": "", "block": "",
                                   "release": "A-1"}).status_code == 302
    performance.refresh_from_db()
    assert performance.capacity == 3


def test_a_bad_csv_is_refused_with_the_line(staff_client):
    venue = Venue.objects.create(name="Odeon", city="Lyon")
    response = staff_client.post("/admin/seating/layout/add/", {
        "venue": venue.pk, "name": "Bad", "source_format": "csv",
        "source": "Stalls,A,1,zero,0,front,"})
    assert response.status_code == 200
    assert "Line 1: x and y must be numbers." in response.content.decode()
    assert not Layout.objects.filter(name="Bad").exists()


@pytest.mark.parametrize("role, allowed", [("Door", False), ("Box office", False),
                                           ("Manager", True), (None, False)])
def test_only_a_manager_edits_layouts_and_blocks_seats(make_staff, make_seated, role, allowed):
    from django.test import Client

    client = Client()
    client.force_login(make_staff(role))
    performance = make_seated("A: a a a a\n")
    layout = performance.layout
    assert client.get("/admin/seating/layout/add/").status_code == (200 if allowed else 403)
    # Copying a layout is an action that declares the add permission: a 403 page without it.
    copy = client.post("/admin/seating/layout/", {"action": "copy_layouts",
                                                  "_selected_action": [layout.pk]})
    assert copy.status_code == (302 if allowed else 403)
    assert Layout.objects.count() == (2 if allowed else 1)
    block = client.post(f"/admin/seating/performancelayout/{performance.pk}/change/",
                        {"performance": performance.pk, "layout": layout.pk, "zones": "",
                         "block": "A-1", "release": ""})
    assert block.status_code == (302 if allowed else 403)
    performance.refresh_from_db()
    assert performance.capacity == (3 if allowed else 4)


def test_a_seated_performances_capacity_is_not_edited_in_the_admin(staff_client, make_seated):
    performance = make_seated("A: a a a a\n")
    page = staff_client.get(f"/admin/shows/performance/{performance.pk}/change/")
    assert page.status_code == 200
    assert b'name="capacity"' not in page.content
