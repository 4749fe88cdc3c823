"""Staff: the order page lists its emails; "Resend tickets" sends the confirmation again."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from notifications.models import EmailKind, OrderEmail
from tickets import services

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def order(make_performance, make_user):
    return services.order_reserve(user=make_user(email="cara@example.com"),
                                  performance_id=make_performance().pk, quantity=2)


def resend(client, *orders):
    response = client.post(reverse("admin:tickets_order_changelist"),
                           {"action": "resend_tickets",
                            "_selected_action": [o.pk for o in orders]}, follow=True)
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_order_page_shows_which_emails_went_out_and_when(staff_client, order):
    services.order_cancel(order_id=order.pk)
    page = staff_client.get(reverse("admin:tickets_order_change", args=[order.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Emails" in html
    for email in OrderEmail.objects.filter(order=order):
        assert email.get_kind_display() in html and email.status == "sent"
    assert html.count("cara@example.com") >= 3  # the customer, and each email's recipient


def test_resend_tickets_sends_the_confirmation_again_and_lists_it(staff_client, order):
    assert resend(staff_client, order) == [
        "Tickets of 1 order(s) queued to be sent again; the order page shows when they went "
        "out."]
    assert resend(staff_client, order)  # deliberately: each resend is one more email
    resent = OrderEmail.objects.filter(order=order, kind=EmailKind.RESEND)
    assert [(e.status, e.requested_by) for e in resent] == [("sent", "boss")] * 2
    subjects = [m.subject for m in mail.outbox]
    assert subjects.count(subjects[0]) == 1 and subjects[1].endswith("(sent again)")
    assert len(mail.outbox) == 3
    codes = list(order.tickets.values_list("code", flat=True))
    assert all(code in mail.outbox[-1].body for code in codes)


def test_resend_refuses_an_order_that_is_not_confirmed(staff_client, order):
    services.order_cancel(order_id=order.pk)
    [message] = resend(staff_client, order)
    assert "Only a confirmed order's tickets can be sent again." in message
    assert not OrderEmail.objects.filter(order=order, kind=EmailKind.RESEND).exists()
