"""Best available chosen by the reservation statement (tickets/best_available.py).

On PostgreSQL the statement that takes the seats chooses them: no query of its own, so a
best-available reservation costs what a general-admission one does (counted, not timed).
It must choose what the Python chooser (tickets.seating.seats_best, SQLite's) chooses, and
a keyed request's stored response must carry the seats it chose.
"""

from __future__ import annotations

import random
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from seating.models import Seat
from seating.tests.helpers import seat_ids
from tickets import reservation_sql, services
from tickets import seating as tickets_seating
from tickets.errors import TicketsError
from tickets.lines import LineRequest
from tickets.models import IdempotencyRecord, Order, TakenSeat, Ticket
from tickets.seating import seats_best, seats_block
from tickets.serializers import order_body

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TICKETS = "/api/v1/tickets/"
# 2,000 seats: 40 rows of 50, an aisle in the middle of each.
BIG = "\n".join(f"R{r:02d}: " + " ".join(["a"] * 25 + ["."] + ["a"] * 25) for r in range(40))


@pytest.fixture(autouse=True)
def _on_postgresql(db):
    if connection.vendor != "postgresql":  # elsewhere the Python chooser reads first
        pytest.skip("the single reservation statement is PostgreSQL's")


def counted(api, headers, body) -> tuple[int, dict]:
    api.get("/api/v1/me/", **headers)  # the customer exists: not counted
    with CaptureQueriesContext(connection) as queries:
        response = api.post(TICKETS, body, format="json", **headers)
    assert response.status_code == 201, response.content
    return len(queries), response.json()


def test_best_available_on_2000_seats_costs_the_queries_of_general_admission(
        api, bearer, make_seated, make_performance):
    general = make_performance(capacity=2000)
    ga, _ = counted(api, bearer("ga@example.com"), {"performance": general.pk, "quantity": 4})
    performance = make_seated(BIG)
    category = performance.categories.get().pk
    # Half the house taken first (best rows first): the choice reads more, asks no more.
    half = list(Seat.objects.filter(layout__performances__performance=performance,
                                    row_rank__lt=20).values_list("id", flat=True))
    seats_block(performance_id=performance.pk, seat_ids=half)
    counts = {}
    for n in (1, 2, 4, 10):
        counts[n], body = counted(api, bearer(f"best{n}@example.com"), {
            "performance": performance.pk, "best_available": True,
            "lines": [{"category": category, "quantity": n}]})
        rows = {s["row"] for s in body["seats"]}
        assert len(body["seats"]) == n and len(rows) == 1 and min(rows) >= "R20", body
        assert [t["seat"] for t in body["tickets"]] == body["seats"]
    counts["quantity"], _ = counted(api, bearer("any@example.com"), {
        "performance": performance.pk, "best_available": True, "quantity": 3})
    by_id, _ = counted(api, bearer("ids@example.com"), {
        "performance": performance.pk, "seats": seat_ids(performance, "R39-1", "R39-2")})
    assert set(counts.values()) == {ga}, (counts, ga)
    assert by_id == ga + 1  # the seats asked for are read (their labels, their zones)


def _random_grid(rng: random.Random) -> str:
    rows = []
    for r in range(rng.randint(2, 7)):
        tokens = []
        for _ in range(rng.randint(3, 14)):
            if rng.random() < 0.1:
                tokens.append(".")
                continue
            token = rng.choice("aab")
            if rng.random() < 0.08:
                token += "*"
            elif rng.random() < 0.08:
                token += "+"
            if rng.random() < 0.15:
                token += "!"
            tokens.append(token)
        if not any(t != "." for t in tokens):
            tokens.append("a")
        rows.append(f"{chr(65 + r)}: " + " ".join(tokens))
    return "\n".join(rows)


@pytest.mark.parametrize("seed", range(12))
def test_the_statement_chooses_what_the_python_chooser_does(seed, make_seated, make_user,
                                                           monkeypatch):
    """Random layouts (zones, aisles, wheelchair spaces, restricted views), random seats
    taken, random groups: the seats the statement takes are those seats_best picks (and the
    statement took them: the Python chooser only ever explains a refusal)."""
    fallbacks = []
    python_chooser = tickets_seating.seats_wanted
    monkeypatch.setattr(tickets_seating, "seats_wanted",
                        lambda **kw: fallbacks.append(kw) or python_chooser(**kw))
    rng = random.Random(seed)
    performance = make_seated(_random_grid(rng))
    seats = list(Seat.objects.filter(layout__performances__performance=performance)
                 .values_list("id", flat=True))
    taken = rng.sample(seats, k=len(seats) // 3)
    if taken:
        seats_block(performance_id=performance.pk, seat_ids=taken)
    categories = list(performance.categories.order_by("pk").values_list("pk", flat=True))
    compared = 0
    for attempt in range(6):
        lines = [(c, rng.randint(1, 4)) for c in rng.sample(categories,
                                                            k=rng.randint(1, len(categories)))]
        wheelchair, split = rng.random() < 0.3, rng.random() < 0.3
        try:
            expected = seats_best(performance_id=performance.pk, lines=lines,
                                  wheelchair=wheelchair, split=split)
        except TicketsError as exc:  # the statement must refuse likewise
            with pytest.raises(type(exc)):
                _reserve(performance, make_user(), lines, wheelchair, split)
            fallbacks.clear()
            continue
        order = _reserve(performance, make_user(), lines, wheelchair, split)
        assert not fallbacks, (seed, attempt, lines, wheelchair, split)
        chosen = [seat.pk for seat in order.issued_seats]
        assert chosen == [p.seat.pk for p in _in_line_order(expected, lines)], (
            seed, attempt, lines, wheelchair, split)
        assert list(TakenSeat.objects.filter(order=order).order_by("seat_id")
                    .values_list("seat_id", flat=True)) == sorted(chosen)
        assert sorted(Ticket.objects.filter(order=order).values_list("seat_id", "category_id")
                      ) == sorted((p.seat.pk, p.category_id) for p in expected)
        compared += 1
    assert compared or seed % 3  # most layouts get at least one comparison


def _reserve(performance, user, lines, wheelchair, split) -> Order:
    return services.order_reserve(
        user=user, performance_id=performance.pk, best_available=True, split=split,
        wheelchair=wheelchair, lines=[LineRequest(category_id=c, quantity=n) for c, n in lines])


def _in_line_order(picks, lines):
    order = [c for c, _ in lines]
    return sorted(picks, key=lambda p: order.index(p.category_id))


def test_a_keyed_request_replays_the_seats_it_chose(api, bearer, make_seated):
    performance = make_seated("A: a a a a a a\nB: a a a a a a\n")
    category = performance.categories.get().pk
    body = {"performance": performance.pk, "best_available": True,
            "lines": [{"category": category, "quantity": 3}]}
    headers = {**bearer(), "HTTP_IDEMPOTENCY_KEY": "best-1"}
    first = api.post(TICKETS, body, format="json", **headers)
    assert first.status_code == 201, first.content
    again = api.post(TICKETS, body, format="json", **headers)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    labels = [s["label"] for s in first.json()["seats"]]
    assert labels == ["Stalls, row A, seat 2", "Stalls, row A, seat 3",
                      "Stalls, row A, seat 4"]
    assert [t["seat"]["label"] for t in first.json()["tickets"]] == labels
    stored = IdempotencyRecord.objects.get(key="best-1").body
    assert stored == first.json()


def test_a_keyed_hold_stores_its_seats_in_french(api, bearer, make_seated):
    """A paid performance's reservation is a hold: no tickets yet, its seats in the
    response; the stored response's labels are in the request's language."""
    performance = make_seated("A: a a a a\n", zones={"a": ("Stalls", 2500)})
    category = performance.categories.get().pk
    headers = {**bearer(), "HTTP_IDEMPOTENCY_KEY": "hold-1", "HTTP_ACCEPT_LANGUAGE": "fr"}
    body = {"performance": performance.pk, "best_available": True,
            "lines": [{"category": category, "quantity": 2}]}
    first = api.post(TICKETS, body, format="json", **headers)
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "pending" and first.json()["tickets"] == []
    assert [s["number"] for s in first.json()["seats"]] == ["2", "3"]
    assert IdempotencyRecord.objects.get(key="hold-1").body["seats"] == first.json()["seats"]
    again = api.post(TICKETS, body, format="json", **headers)
    assert again.json()["seats"] == first.json()["seats"]
    assert first.json()["seats"][0]["label"] != "Stalls, row A, seat 2"  # French


def test_the_response_is_the_serializers(make_seated, make_user):
    """The seats the statement chose, rendered from memory, read back the same."""
    performance = make_seated("A: a a a . a a a\n")
    order = services.order_reserve(
        user=make_user(), performance_id=performance.pk, best_available=True,
        lines=[LineRequest(category_id=performance.categories.get().pk, quantity=2)])
    rendered = order_body(order)
    read_back = order_body(Order.objects.get(pk=order.pk))
    assert rendered["seats"] == read_back["seats"]
    assert sorted(t["seat"]["id"] for t in rendered["tickets"]) == sorted(
        t["seat"]["id"] for t in read_back["tickets"])


def test_the_orm_fallback_chooses_in_python(make_seated, make_user, monkeypatch):
    """`make run`'s SQLite has no single statement: the Python chooser reads the layout
    first, then the steps write. Forced here on PostgreSQL: same seats, one more query."""
    performance = make_seated("A: a a a a a a\n")
    category = performance.categories.get().pk
    monkeypatch.setattr(reservation_sql, "SINGLE_STATEMENT_VENDORS", set())
    monkeypatch.setattr(services, "SINGLE_STATEMENT_VENDORS", set())
    order = services.order_reserve(user=make_user(), performance_id=performance.pk,
                                   best_available=True,
                                   lines=[LineRequest(category_id=category, quantity=2)])
    assert [s.number for s in order.issued_seats] == ["3", "4"]
    assert sorted(TakenSeat.objects.filter(order=order).values_list("seat__number",
                                                                    flat=True)) == ["3", "4"]


def test_the_seats_are_chosen_before_the_performance_row_is_locked(make_seated, make_user):
    """`p` (the seat count's UPDATE) locks the performance's row until the statement ends:
    the choice runs before it, not while every other sale of the performance waits. Shown
    by the clock inside the statement: the chosen seats' time is before the lock's."""
    performance = make_seated(BIG)
    category = performance.categories.get().pk
    user = make_user()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        services.order_reserve(user=user, performance_id=performance.pk,
                               best_available=True,
                               lines=[LineRequest(category_id=category, quantity=4)])
        transaction.set_rollback(True)  # written again by the probe below
    sql = next(q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith("WITH"))
    locked = re.sub(r"(UPDATE shows_performance SET seats_sold = .*?) RETURNING id\)",
                    r"\1 RETURNING id, clock_timestamp() AS at)", sql, count=1, flags=re.S)
    chosen = locked.replace("AS ord, bs.id AS seat FROM bs)",
                            "AS ord, bs.id AS seat, clock_timestamp() AS at FROM bs)")
    assert chosen.count("clock_timestamp()") == 2
    # `p1`: the UPDATE of the performance's row (one seat count row: K = 1, shows/counters.py)
    probe = f"{chosen.rstrip()}, (SELECT max(at) FROM bo) < (SELECT at FROM p1)"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(probe)
        row = cursor.fetchone()
        transaction.set_rollback(True)
    assert row[0] == 4 and row[-1] is True, row  # 4 seats chosen, before the lock
