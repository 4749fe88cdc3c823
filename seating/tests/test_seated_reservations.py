"""Selling seats of a seated performance through the API: by id, best available, blocks,
releases; the seats and layout endpoints."""

from __future__ import annotations

import base64
import gzip
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from seating.models import Seat
from seating.tests.helpers import seat_ids
from tickets.models import Order, TakenSeat
from tickets.seating import seats_block, seats_unblock
from tickets.services import order_cancel

pytestmark = [pytest.mark.django_db]

TICKETS = "/api/v1/tickets/"
# Row A is the best-ranked (front); an aisle splits each row after the fourth seat.
HALL = """
[Stalls]
A: a a a a . a a a a
B: a a a a . a a a a
C: b b b b . b b b b
D: w* c+ b b . b b b b
"""


def reserve(api, headers, performance, **body):
    return api.post(TICKETS, {"performance": performance.pk, **body}, format="json",
                    **headers)


def taken_bits(api, performance):
    body = api.get(f"/api/v1/performances/{performance.pk}/seats/").json()
    bits = base64.b64decode(body["taken"])
    ids = sorted(Seat.objects.filter(layout__performances__performance=performance)
                 .values_list("id", flat=True))
    return {pk for i, pk in enumerate(ids) if bits[i // 8] & (0x80 >> (i % 8))}


def test_two_seats_by_id_are_sold_with_their_labels(api, bearer, make_seated):
    performance = make_seated(HALL)
    assert performance.capacity == 32
    seats = seat_ids(performance, "B-2", "B-3")
    response = reserve(api, bearer(), performance, seats=seats)
    assert response.status_code == 201, response.content
    body = response.json()
    assert [s["label"] for s in body["seats"]] == ["Stalls, row B, seat 2",
                                                   "Stalls, row B, seat 3"]
    assert sorted(t["seat"]["label"] for t in body["tickets"]) == [
        "Stalls, row B, seat 2", "Stalls, row B, seat 3"]
    assert body["lines"][0]["category"]["name"] == "Zone a"
    assert taken_bits(api, performance) == set(seats)
    again = api.get(f"{TICKETS}{body['id']}/", **bearer()).json()
    assert [s["label"] for s in again["seats"]] == [s["label"] for s in body["seats"]]
    assert {t["seat"]["id"] for t in again["tickets"]} == set(seats)


def test_a_taken_seat_refuses_the_whole_order_and_says_which(api, bearer, make_seated):
    performance = make_seated(HALL)
    first = seat_ids(performance, "A-1", "A-2")
    assert reserve(api, bearer("ann@example.com"), performance, seats=first).status_code == 201
    wanted = seat_ids(performance, "A-2", "A-3")
    response = reserve(api, bearer("bob@example.com"), performance, seats=wanted)
    assert response.status_code == 409
    assert response.json()["code"] == "seat_taken"
    assert response.json()["seats"] == [wanted[0]]
    performance.refresh_from_db()
    assert performance.seats_sold == 2  # nothing of the refused order was kept
    assert TakenSeat.objects.filter(performance=performance, active=True).count() == 2


def test_a_seated_performance_needs_seats_and_only_its_own(api, bearer, make_seated):
    performance = make_seated(HALL)
    response = reserve(api, bearer(), performance, quantity=2)
    assert response.status_code == 422 and response.json()["code"] == "seats_required"
    other = make_seated(HALL)
    response = reserve(api, bearer(), performance, seats=seat_ids(other, "A-1"))
    assert response.status_code == 422
    performance.refresh_from_db()
    assert performance.seats_sold == 0


def test_a_cancelled_order_gives_its_seats_back_once(api, bearer, make_seated):
    performance = make_seated(HALL)
    seats = seat_ids(performance, "C-1", "C-2")
    order = reserve(api, bearer("ann@example.com"), performance, seats=seats).json()
    order_cancel(order_id=order["id"])
    order_cancel(order_id=order["id"])
    assert taken_bits(api, performance) == set()
    again = reserve(api, bearer("bob@example.com"), performance, seats=seats)
    assert again.status_code == 201
    performance.refresh_from_db()
    assert performance.seats_sold == 2


def test_best_available_keeps_a_group_together_in_the_best_row_centre(api, bearer,
                                                                      make_seated):
    performance = make_seated(HALL)
    category = performance.categories.get(name="Zone a").pk
    body = reserve(api, bearer("ann@example.com"), performance, best_available=True,
                   lines=[{"category": category, "quantity": 3}]).json()
    # Row A, the block of four nearest the centre: either side of the aisle is as near;
    # seats together, never across the aisle.
    labels = [s["label"] for s in body["seats"]]
    assert all(label.startswith("Stalls, row A") for label in labels), labels
    numbers = sorted(int(s["number"]) for s in body["seats"])
    assert numbers in ([2, 3, 4], [5, 6, 7]), numbers
    second = reserve(api, bearer("bob@example.com"), performance, best_available=True,
                     lines=[{"category": category, "quantity": 4}]).json()
    assert {s["row"] for s in second["seats"]} == {"A"}  # the other side of the aisle
    third = reserve(api, bearer("cy@example.com"), performance, best_available=True,
                    lines=[{"category": category, "quantity": 2}]).json()
    assert {s["row"] for s in third["seats"]} == {"B"}


def test_best_available_respects_zones_and_wheelchair_spaces(api, bearer, make_seated):
    performance = make_seated(HALL)
    zone_b = performance.categories.get(name="Zone b").pk
    body = reserve(api, bearer("ann@example.com"), performance, best_available=True,
                   lines=[{"category": zone_b, "quantity": 2}]).json()
    assert {s["row"] for s in body["seats"]} == {"C"}
    # Zone w (the wheelchair space) and its companion seat: only when asked for.
    chair = performance.categories.get(name="Zone w").pk
    refused = reserve(api, bearer("bob@example.com"), performance, best_available=True,
                      lines=[{"category": chair, "quantity": 1}])
    assert refused.status_code == 409 and refused.json()["code"] == "sold_out"
    asked = reserve(api, bearer("bob@example.com"), performance, best_available=True,
                    wheelchair=True, lines=[{"category": chair, "quantity": 1}])
    assert asked.status_code == 201, asked.content
    assert asked.json()["seats"][0]["label"] == "Stalls, row D, seat 1"


def test_best_available_never_splits_a_group_unless_accepted(api, bearer, make_seated):
    performance = make_seated("A: a a a . a a a\n")
    category = performance.categories.get().pk
    middle = seat_ids(performance, "A-2", "A-5")
    assert reserve(api, bearer("ann@example.com"), performance,
                   seats=middle).status_code == 201
    group = {"best_available": True, "lines": [{"category": category, "quantity": 2}]}
    refused = reserve(api, bearer("bob@example.com"), performance, **group)
    assert refused.status_code == 409 and refused.json()["code"] == "no_adjacent_seats"
    split = reserve(api, bearer("bob@example.com"), performance, split=True, **group)
    assert split.status_code == 201 and len(split.json()["seats"]) == 2


def test_staff_block_and_release_seats(api, bearer, make_seated):
    performance = make_seated(HALL)
    house = seat_ids(performance, "A-4", "A-5")
    assert seats_block(performance_id=performance.pk, seat_ids=house) == 2
    performance.refresh_from_db()
    assert (performance.capacity, performance.seats_sold) == (30, 0)
    response = reserve(api, bearer(), performance, seats=house[:1])
    assert response.json()["code"] == "seat_taken"
    assert seats_unblock(performance_id=performance.pk, seat_ids=house) == 2
    performance.refresh_from_db()
    assert performance.capacity == 32
    assert reserve(api, bearer(), performance, seats=house[:1]).status_code == 201


def test_choosing_adds_no_query_whatever_the_house_or_group(api, bearer, make_seated,
                                                            make_performance):
    """The same queries on 32 or 2,000 seats, for 1 or 4 seats. By id: one more than
    general admission (the seats' read). Best available: on PostgreSQL the statement
    chooses, as many as general admission; elsewhere the layout is read first, as by id."""
    big = "\n".join(f"R{r:02d}: " + " ".join(["a"] * 25 + ["."] + ["a"] * 25)
                    for r in range(40))  # 40 rows of 50: 2,000 seats
    counts = {}
    for name, grid in (("small", HALL), ("big", big)):
        performance = make_seated(grid)
        category = performance.categories.order_by("pk").first().pk
        for n in (1, 4):
            for how in ("best", "ids"):
                if how == "best":
                    body = {"best_available": True,
                            "lines": [{"category": category, "quantity": n}]}
                else:
                    free = (Seat.objects.filter(layout__performances__performance=performance,
                                                zone="a", row__in=["B", "R39"])
                            .order_by("position"))
                    body = {"seats": [s.pk for s in free[4 * (n == 4):4 * (n == 4) + n]]}
                headers = bearer(f"{name}{n}{how}@example.com")
                api.get("/api/v1/me/", **headers)  # the user exists: not counted
                with CaptureQueriesContext(connection) as queries:
                    response = reserve(api, headers, performance, **body)
                assert response.status_code == 201, response.content
                counts[(name, n, how)] = len(queries)
    assert len({n for (_, _, how), n in counts.items() if how == "best"}) == 1, counts
    assert len({n for (_, _, how), n in counts.items() if how == "ids"}) == 1, counts
    general = make_performance(capacity=2000)
    headers = bearer("general@example.com")
    api.get("/api/v1/me/", **headers)
    with CaptureQueriesContext(connection) as queries:
        assert reserve(api, headers, general, quantity=4).status_code == 201
    in_statement = connection.vendor == "postgresql"
    assert counts[("big", 4, "ids")] == len(queries) + 1, (counts, len(queries))
    assert counts[("big", 4, "best")] == len(queries) + (0 if in_statement else 1), counts


def test_the_seats_endpoint_of_a_2000_seat_house_is_small_and_constant(api, bearer,
                                                                       make_seated):
    big = "\n".join(f"R{r:02d}: " + " ".join(["a"] * 50) for r in range(40))
    performance = make_seated(big)
    url = f"/api/v1/performances/{performance.pk}/seats/"
    with CaptureQueriesContext(connection) as empty:
        assert api.get(url).status_code == 200
    ids = seat_ids(performance, *[f"R00-{n}" for n in range(1, 11)])
    assert reserve(api, bearer(), performance, seats=ids).status_code == 201
    with CaptureQueriesContext(connection) as sold:
        response = api.get(url)
    assert len(empty) == len(sold) <= 4
    assert taken_bits(api, performance) == set(ids)
    assert response["Cache-Control"].startswith("public, max-age=0, s-maxage=")  # the edge's
    assert len(gzip.compress(response.content)) < 20_000
    layout = api.get(f"/api/v1/layouts/{response.json()['layout']}/")
    assert layout.status_code == 200 and "max-age=86400" in layout["Cache-Control"]
    seats = layout.json()["seats"]
    assert len(seats["id"]) == 2000
    assert len(gzip.compress(json.dumps(layout.json()).encode())) < 20_000


def test_an_order_cancelled_keeps_its_seats_on_record(api, bearer, make_seated):
    performance = make_seated(HALL)
    seats = seat_ids(performance, "B-1")
    order = reserve(api, bearer(), performance, seats=seats).json()
    order_cancel(order_id=order["id"])
    row = TakenSeat.objects.get(order_id=order["id"])
    assert (row.seat_id, row.active) == (seats[0], False)
    assert Order.objects.get(pk=order["id"]).status == "cancelled"
