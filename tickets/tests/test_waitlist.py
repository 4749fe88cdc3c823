"""The waiting list: join, leave, position; freed seats offered first come, first served."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shows.models import Performance
from tickets import errors, holds, services, waitlist
from tickets.models import Order, WaitlistEntry, WaitlistStatus

pytestmark = pytest.mark.django_db(transaction=True)

WAITLIST = "/api/v1/performances/{}/waitlist/"


@pytest.fixture
def sold_out(make_performance, make_user):
    """A free, sold-out performance of 4 seats: two buyers of 2."""
    performance = make_performance(capacity=4)
    buyers = [make_user(), make_user()]
    orders = [services.order_reserve(user=b, performance_id=performance.pk, quantity=2)
              for b in buyers]
    return performance, orders


def seats_sold(performance):
    return Performance.objects.get(pk=performance.pk).seats_sold


def test_join_leave_and_position_through_the_api(api, bearer, sold_out):
    performance, _ = sold_out
    first = api.post(WAITLIST.format(performance.pk), {"seats": 2}, format="json",
                     **bearer("first@example.com"))
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["position"], body["seats"], body["min_seats"], body["status"]) == (
        1, 2, 2, "waiting")
    second = api.post(WAITLIST.format(performance.pk), {"seats": 3, "min_seats": 1},
                      format="json", **bearer("second@example.com")).json()
    assert second["position"] == 2
    again = api.post(WAITLIST.format(performance.pk), {"seats": 1}, format="json",
                     **bearer("first@example.com"))
    assert again.status_code == 409 and again.json()["code"] == "already_waiting"
    assert api.delete(WAITLIST.format(performance.pk),
                      **bearer("first@example.com")).status_code == 204
    mine = api.get(WAITLIST.format(performance.pk), **bearer("second@example.com")).json()
    assert mine["position"] == 1
    listed = api.get("/api/v1/waitlist/", **bearer("second@example.com")).json()
    assert [e["performance"]["id"] for e in listed] == [performance.pk]
    gone = api.get(WAITLIST.format(performance.pk), **bearer("first@example.com"))
    assert gone.status_code == 404


def test_cannot_join_while_seats_are_on_sale(api, bearer, make_performance):
    performance = make_performance(capacity=5)
    response = api.post(WAITLIST.format(performance.pk), {"seats": 1}, format="json",
                        **bearer())
    assert response.status_code == 409 and response.json()["code"] == "seats_available"
    assert not WaitlistEntry.objects.exists()


@pytest.mark.parametrize("payload", [{"seats": 0}, {"seats": 11}, {"seats": 2, "min_seats": 3},
                                     {}])
def test_bad_join_requests_are_422_and_change_nothing(api, bearer, sold_out, payload):
    performance, _ = sold_out
    response = api.post(WAITLIST.format(performance.pk), payload, format="json", **bearer())
    assert response.status_code == 422
    assert not WaitlistEntry.objects.exists()


def test_a_cancellation_is_offered_to_the_head_of_the_line(sold_out, make_user):
    performance, orders = sold_out
    ann, bob = make_user(), make_user()
    waitlist.waitlist_join(user=ann, performance_id=performance.pk, seats=2)
    waitlist.waitlist_join(user=bob, performance_id=performance.pk, seats=1)
    services.order_cancel(order_id=orders[0].pk, user=orders[0].customer)
    ann_entry = WaitlistEntry.objects.get(customer=ann)
    assert ann_entry.status == WaitlistStatus.ACCEPTED  # free: confirmed at once
    assert ann_entry.offer_order.quantity == 2 and ann_entry.offer_order.status == "confirmed"
    assert WaitlistEntry.objects.get(customer=bob).status == WaitlistStatus.WAITING
    assert seats_sold(performance) == 4  # never back on general sale


def test_freed_seats_wait_for_the_head_and_are_not_sold_to_others(sold_out, make_user):
    performance, orders = sold_out
    head, behind = make_user(), make_user()
    waitlist.waitlist_join(user=head, performance_id=performance.pk, seats=3)  # all 3
    waitlist.waitlist_join(user=behind, performance_id=performance.pk, seats=1)
    services.order_cancel(order_id=orders[0].pk, user=orders[0].customer)  # 2 free
    assert WaitlistEntry.objects.get(customer=behind).status == WaitlistStatus.WAITING
    assert seats_sold(performance) == 2
    with pytest.raises(errors.SoldOut) as refused:  # general sale waits for the list
        services.order_reserve(user=make_user(), performance_id=performance.pk, quantity=1)
    assert "waiting list" in refused.value.detail
    services.order_cancel(order_id=orders[1].pk, user=orders[1].customer)  # 4 free
    assert WaitlistEntry.objects.get(customer=head).offer_order.quantity == 3
    assert WaitlistEntry.objects.get(customer=behind).offer_order.quantity == 1
    assert seats_sold(performance) == 4


def test_accepting_fewer_seats(sold_out, make_user):
    performance, orders = sold_out
    flexible = make_user()
    waitlist.waitlist_join(user=flexible, performance_id=performance.pk, seats=4, min_seats=2)
    services.order_cancel(order_id=orders[0].pk, user=orders[0].customer)
    assert WaitlistEntry.objects.get(customer=flexible).offer_order.quantity == 2


def test_someone_who_holds_seats_at_their_turn_is_skipped(sold_out, make_user):
    performance, orders = sold_out
    holder, other = make_user(), make_user()
    for user in (holder, other):
        waitlist.waitlist_join(user=user, performance_id=performance.pk, seats=1)
    Order.objects.filter(pk=orders[1].pk).update(customer=holder)  # staff moved an order
    services.order_cancel(order_id=orders[0].pk, user=orders[0].customer)
    assert WaitlistEntry.objects.get(customer=holder).status == "skipped"
    assert WaitlistEntry.objects.get(customer=other).status == "accepted"


def test_seats_go_back_on_sale_when_the_list_is_empty_or_off(sold_out, make_user):
    performance, orders = sold_out
    services.order_cancel(order_id=orders[0].pk, user=orders[0].customer)
    assert seats_sold(performance) == 2  # nobody waits: general sale
    services.order_reserve(user=make_user(), performance_id=performance.pk, quantity=2)
    Performance.objects.filter(pk=performance.pk).update(waitlist_enabled=False)
    with pytest.raises(errors.WaitlistClosed):
        waitlist.waitlist_join(user=make_user(), performance_id=performance.pk, seats=1)


def test_staff_raising_the_capacity_offers_the_new_seats(sold_out, make_user, admin_client):
    performance, _ = sold_out
    waiting = make_user()
    waitlist.waitlist_join(user=waiting, performance_id=performance.pk, seats=2)
    form = admin_client.get(f"/admin/shows/performance/{performance.pk}/change/")
    data = {k: v for k, v in form.context["adminform"].form.initial.items() if v is not None}
    data.update(capacity=6, starts_at_0=performance.starts_at.strftime("%Y-%m-%d"),
                starts_at_1=performance.starts_at.strftime("%H:%M:%S"), waitlist_enabled="on",
                show=performance.show_id, venue=performance.venue_id)
    data.pop("starts_at", None)
    data.pop("cancelled", None)
    category = performance.categories.get()
    data.update({"categories-TOTAL_FORMS": 1, "categories-INITIAL_FORMS": 1,
                 "categories-0-id": category.pk, "categories-0-performance": performance.pk,
                 "categories-0-name": category.name,
                 "categories-0-price_cents": category.price_cents,
                 "categories-0-sort_order": 0})
    response = admin_client.post(f"/admin/shows/performance/{performance.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert WaitlistEntry.objects.get(customer=waiting).status == "accepted"
    assert seats_sold(performance) == 6


def test_paid_offer_is_a_hold_that_lapses_to_the_next(stripe_local, make_performance,
                                                    make_user):
    performance = make_performance(capacity=1, price_cents=1200)
    buyer = make_user()
    services.order_reserve(user=buyer, performance_id=performance.pk, quantity=1,
                           paid_at_box_office=True)
    first, second = make_user(), make_user()
    for user in (first, second):
        waitlist.waitlist_join(user=user, performance_id=performance.pk, seats=1)
    services.order_cancel(order_id=Order.objects.get(customer=buyer).pk)
    offer = WaitlistEntry.objects.get(customer=first).offer_order
    assert offer.status == "pending" and not hasattr(offer, "payment")  # until they pay
    holds.order_payment_prepare(user=first, order_id=offer.pk)
    offer.refresh_from_db()
    assert offer.payment.amount_cents == 1200
    assert dt.timedelta(minutes=59) < offer.expires_at - timezone.now() <= dt.timedelta(
        minutes=60)
    Order.objects.filter(pk=offer.pk).update(expires_at=timezone.now())
    holds.orders_release_expired()
    holds.orders_release_expired()
    assert WaitlistEntry.objects.get(customer=first).status == "lapsed"
    second_offer = WaitlistEntry.objects.get(customer=second).offer_order
    assert second_offer.status == "pending" and second_offer.quantity == 1
    assert seats_sold(performance) == 1
    assert Order.objects.filter(status="pending").count() == 1


def test_leaving_with_an_offer_declines_it(stripe_local, make_performance, make_user):
    performance = make_performance(capacity=1, price_cents=900)
    buyer, first, second = make_user(), make_user(), make_user()
    services.order_reserve(user=buyer, performance_id=performance.pk, quantity=1,
                           paid_at_box_office=True)
    for user in (first, second):
        waitlist.waitlist_join(user=user, performance_id=performance.pk, seats=1)
    services.order_cancel(order_id=Order.objects.get(customer=buyer).pk)
    waitlist.waitlist_leave(user=first, performance_id=performance.pk)
    assert WaitlistEntry.objects.get(customer=first).status == "declined"
    assert WaitlistEntry.objects.get(customer=second).status == "offered"


def test_someone_who_holds_seats_cannot_join(sold_out):
    performance, orders = sold_out
    with pytest.raises(errors.AlreadyHolding):
        waitlist.waitlist_join(user=orders[0].customer, performance_id=performance.pk, seats=1)


def test_the_public_sees_it_sold_out_while_freed_seats_wait_for_the_line(
        api, sold_out, make_user):
    performance, orders = sold_out
    waitlist.waitlist_join(user=make_user(), performance_id=performance.pk, seats=4)
    services.order_cancel(order_id=orders[0].pk, user=orders[0].customer)  # 2 free, head: 4
    body = api.get(f"/api/v1/performances/{performance.pk}/").json()
    assert (body["seats_left"], body["status"]) == (0, "sold_out")
    show = api.get(f"/api/v1/shows/{performance.show.slug}/").json()
    assert show["performances"][0]["status"] == "sold_out"
