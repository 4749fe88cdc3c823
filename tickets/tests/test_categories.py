"""Price categories and order lines (issue 21): totals, quotas, per-order limits, hidden
categories, prices that change under a reservation, releases."""

from __future__ import annotations

import pytest

from shows.models import PriceCategory
from tickets import errors, services
from tickets.models import Order, OrderLine, Ticket
from tickets.services import LineRequest

pytestmark = pytest.mark.django_db

THREE = [{"name": "Full price", "price_cents": 0, "sort_order": 0},
         {"name": "Reduced", "price_cents": 0, "sort_order": 1, "quota": 4},
         {"name": "Wheelchair space", "price_cents": 0, "sort_order": 2, "quota": 2,
          "max_per_order": 2},
         {"name": "Friends", "price_cents": 0, "sort_order": 3, "hidden": True}]


@pytest.fixture
def performance(make_performance):
    return make_performance(capacity=10, categories=THREE)


def category(performance, name):
    return PriceCategory.objects.get(performance=performance, name=name)


def lines(performance, **quantities):
    return [LineRequest(category_id=category(performance, name.replace("_", " ")).pk,
                        quantity=n) for name, n in quantities.items()]


def test_an_order_of_two_categories_has_two_lines_and_a_ticket_of_each(
        performance, make_user, assert_seats_exact):
    order = services.order_reserve(user=make_user(), performance_id=performance.pk,
                                   lines=lines(performance, Full_price=2, Reduced=1))
    assert order.quantity == 3 and order.status == "confirmed"
    stored = {line.category.name: (line.quantity, line.unit_price_cents)
              for line in OrderLine.objects.filter(order=order)}
    assert stored == {"Full price": (2, 0), "Reduced": (1, 0)}
    assert sorted(Ticket.objects.filter(order=order).values_list("category__name", flat=True)) \
        == ["Full price", "Full price", "Reduced"]
    assert category(performance, "Reduced").seats_sold == 1
    assert_seats_exact(performance)


def test_paid_lines_total_is_the_categories_prices_at_reservation(make_performance, make_user,
                                                                  monkeypatch):
    from payments import services as payments

    monkeypatch.setattr(payments, "payment_start", lambda **kwargs: None)
    performance = make_performance(categories=[
        {"name": "Full price", "price_cents": 3500}, {"name": "Reduced", "price_cents": 2450}])
    order = services.order_reserve(user=make_user(), performance_id=performance.pk,
                                   lines=lines(performance, Full_price=2, Reduced=1))
    assert order.total_cents == 2 * 3500 + 2450 and order.status == "pending"
    PriceCategory.objects.filter(performance=performance).update(price_cents=9999)
    line = OrderLine.objects.get(order=order, category__name="Reduced")
    assert line.unit_price_cents == 2450  # stored per line: later price changes change nothing


def test_the_old_body_buys_the_lowest_priced_visible_category(make_performance, make_user):
    performance = make_performance(categories=[
        {"name": "Full price", "price_cents": 0, "sort_order": 0},
        {"name": "Friends", "price_cents": 0, "sort_order": 1, "hidden": True}])
    order = services.order_reserve(user=make_user(), performance_id=performance.pk,
                                   quantity=2)
    assert [line.category.name for line in order.lines.all()] == ["Full price"]


def test_a_category_past_its_quota_is_409_naming_it_and_nothing_is_written(
        performance, make_user, assert_seats_exact):
    services.order_reserve(user=make_user(), performance_id=performance.pk,
                           lines=lines(performance, Reduced=3))
    with pytest.raises(errors.CategorySoldOut) as refused:
        services.order_reserve(user=make_user(), performance_id=performance.pk,
                               lines=lines(performance, Full_price=1, Reduced=2))
    assert refused.value.extra["seats_left"] == 1
    assert refused.value.extra["category"]["name"] == "Reduced"
    assert Order.objects.count() == 1
    assert_seats_exact(performance)


def test_the_statement_itself_refuses_past_a_quota(performance, make_user,
                                                   assert_seats_exact):
    """With an Idempotency-Key the early checks are skipped: the CHECK decides."""
    services.order_reserve(user=make_user(), performance_id=performance.pk,
                           lines=lines(performance, Reduced=4))
    key = services.Idempotency(key="k1", fingerprint="f", render=lambda o, t: (201, {}))
    with pytest.raises(errors.CategorySoldOut):
        services.order_reserve(user=make_user(), performance_id=performance.pk,
                               lines=lines(performance, Full_price=2, Reduced=1),
                               idempotency=key)
    assert category(performance, "Full price").seats_sold == 0
    assert_seats_exact(performance)


def test_per_order_maximum_ten_in_all_and_hidden_categories(performance, make_user):
    user = make_user()
    with pytest.raises(errors.LimitExceeded):
        services.order_reserve(user=user, performance_id=performance.pk,
                               lines=lines(performance, Wheelchair_space=3))
    with pytest.raises(errors.LimitExceeded):
        services.order_reserve(user=user, performance_id=performance.pk,
                               lines=lines(performance, Full_price=8, Reduced=3))
    with pytest.raises(errors.CategoryNotFound):
        services.order_reserve(user=user, performance_id=performance.pk,
                               lines=lines(performance, Friends=1))
    assert Order.objects.count() == 0


def test_the_ten_seat_limit_spans_lines_and_orders(make_performance, make_user):
    performance = make_performance(capacity=30, categories=THREE)
    user = make_user()
    services.order_reserve(user=user, performance_id=performance.pk,
                           lines=lines(performance, Full_price=4, Reduced=4))
    with pytest.raises(errors.LimitExceeded):
        services.order_reserve(user=user, performance_id=performance.pk,
                               lines=lines(performance, Full_price=1, Wheelchair_space=2))


def test_a_price_changed_under_the_reservation_sells_nothing(make_performance, make_user,
                                                             monkeypatch,
                                                             assert_seats_exact):
    """Read at one price, the category's price changed before the write: price_changed,
    and the seats the same statement counted are not kept."""
    from shows import selectors

    performance = make_performance(categories=[{"name": "Full price", "price_cents": 0}])
    read = selectors.performance_for_sale(performance_id=performance.pk)
    PriceCategory.objects.filter(performance=performance).update(price_cents=500)
    monkeypatch.setattr(services, "performance_for_sale", lambda **kwargs: read)
    with pytest.raises(errors.PriceChanged):
        services.order_reserve(user=make_user(), performance_id=performance.pk, quantity=2)
    assert Order.objects.count() == 0
    assert_seats_exact(performance)


def test_cancelling_gives_each_category_its_seats_back(performance, make_user,
                                                       assert_seats_exact):
    user = make_user()
    order = services.order_reserve(user=user, performance_id=performance.pk,
                                   lines=lines(performance, Reduced=4, Wheelchair_space=2))
    services.order_cancel(order_id=order.pk, user=user)
    assert category(performance, "Reduced").seats_sold == 0
    assert category(performance, "Wheelchair space").seats_sold == 0
    services.order_reserve(user=make_user(), performance_id=performance.pk,
                           lines=lines(performance, Reduced=4))
    assert_seats_exact(performance)


def test_api_reserves_lines_and_says_which_category_is_short(api, bearer, performance):
    reduced = category(performance, "Reduced")
    full = category(performance, "Full price")
    response = api.post("/api/v1/tickets/", {"performance": performance.pk, "lines": [
        {"category": full.pk, "quantity": 2}, {"category": reduced.pk, "quantity": 1}]},
        format="json", **bearer())
    assert response.status_code == 201, response.content
    body = response.json()
    assert [(line["category"]["name"], line["quantity"]) for line in body["lines"]] == [
        ("Full price", 2), ("Reduced", 1)]
    refused = api.post("/api/v1/tickets/", {"performance": performance.pk, "lines": [
        {"category": reduced.pk, "quantity": 4}]}, format="json", **bearer("b@example.com"))
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["code"] == "category_sold_out" and problem["seats_left"] == 3
    assert problem["category"] == {"id": reduced.pk, "name": "Reduced"}


def test_public_performance_lists_visible_categories_with_seats_left(api, performance,
                                                                     make_user):
    services.order_reserve(user=make_user(), performance_id=performance.pk,
                           lines=lines(performance, Reduced=4))
    body = api.get(f"/api/v1/performances/{performance.pk}/").json()
    shown = {c["name"]: (c["seats_left"], c["status"]) for c in body["categories"]}
    assert shown == {"Full price": (6, "on_sale"), "Reduced": (0, "sold_out"),
                     "Wheelchair space": (2, "on_sale")}
    assert body["refund_policy"]["customer_may_cancel"] is True
    assert body["sales_end_at"] == body["starts_at"] and body["on_sale_at"] is None


def test_category_names_are_served_in_the_customer_s_language(api, make_performance, bearer):
    performance = make_performance(categories=[
        {"name": "Reduced", "price_cents": 0, "description": "Proof at the door",
         "translations": {"fr": {"name": "Tarif réduit",
                                 "description": "Justificatif à l'entrée"}}},
        {"name": "Full price", "price_cents": 0}])
    url = f"/api/v1/performances/{performance.pk}/"
    french = api.get(url, HTTP_ACCEPT_LANGUAGE="fr").json()["categories"]
    english = api.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["categories"]
    assert {(c["name"], c["description"]) for c in french} == {
        ("Tarif réduit", "Justificatif à l'entrée"), ("Full price", "")}  # falls back
    assert {c["name"] for c in english} == {"Reduced", "Full price"}
    reduced = category(performance, "Reduced")
    order = api.post("/api/v1/tickets/", {"performance": performance.pk, "lines": [
        {"category": reduced.pk, "quantity": 1}]}, format="json", HTTP_ACCEPT_LANGUAGE="fr",
        **bearer()).json()
    assert order["lines"][0]["category"]["name"] == "Tarif réduit"
    assert order["tickets"][0]["category"]["name"] == "Tarif réduit"
