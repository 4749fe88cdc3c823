"""A paid, confirmed order as a customer makes it at localstripe (test helper)."""

from __future__ import annotations

from payments.models import Payment
from payments.serializers import PaymentSerializer
from payments.tests.stripe_helpers import setup_card
from tickets import holds, services
from tickets.models import Order


def paid_order(user, performance, quantity: int = 1, **reserve) -> Order:
    order = services.order_reserve(user=user, performance_id=performance.pk,
                                   quantity=quantity, **reserve)
    holds.order_payment_prepare(user=user, order_id=order.pk)  # the payment step
    payment = PaymentSerializer(Payment.objects.get(pk=order.pk)).data
    services.order_pay(user=user, order_id=order.pk, payment_method=setup_card(payment))
    order.refresh_from_db()
    assert order.status == "confirmed"
    return order
