import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(make_performance, make_user):
    return services.order_reserve(user=make_user(email="cara@example.com"),
                                  performance_id=make_performance().pk, quantity=2)


def check_in(client, ticket):
    response = client.post(reverse("admin:tickets_ticket_changelist"),
                           {"action": "check_in", "_selected_action": [ticket.pk]}, follow=True)
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_search_by_code_finds_the_ticket(staff_client, order):
    ticket = order.tickets.first()
    page = staff_client.get(reverse("admin:tickets_ticket_changelist"),
                            {"q": ticket.code.lower()})
    assert ticket.code in page.content.decode()
    assert "1 result" in page.content.decode()


def test_check_in_once_then_refused_with_a_clear_message(staff_client, order):
    ticket = order.tickets.first()
    assert check_in(staff_client, ticket) == ["1 ticket(s) checked in."]
    first = Ticket.objects.get(pk=ticket.pk).checked_in_at
    assert first is not None
    [message] = check_in(staff_client, ticket)
    assert "already checked in at" in message and ticket.code in message
    assert Ticket.objects.get(pk=ticket.pk).checked_in_at == first


def test_check_in_refuses_a_cancelled_order(staff_client, order):
    services.order_cancel(user=order.customer, order_id=order.pk)
    ticket = order.tickets.first()
    [message] = check_in(staff_client, ticket)
    assert "cancelled order" in message
    assert Ticket.objects.get(pk=ticket.pk).checked_in_at is None


def test_order_list_shows_customer_email(staff_client, order):
    page = staff_client.get(reverse("admin:tickets_order_changelist"))
    assert "cara@example.com" in page.content.decode()
    detail = staff_client.get(reverse("admin:tickets_order_change", args=[order.pk]))
    assert detail.status_code == 200 and "cara@example.com" in detail.content.decode()


def test_cancel_action_releases_seats(staff_client, order):
    staff_client.post(reverse("admin:tickets_order_changelist"),
                      {"action": "cancel_orders", "_selected_action": [order.pk]})
    order.refresh_from_db()
    order.performance.refresh_from_db()
    assert order.status == "cancelled"
    assert order.performance.seats_sold == 0
