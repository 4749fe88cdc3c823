"""Domain errors of payments (mapped to RFC 9457 problems by project/problems.py)."""

from django.utils.translation import gettext_lazy as _

from project.errors import DomainError


class PaymentsError(DomainError):
    pass


BUSY_DETAIL = "Many people are paying right now; your seats are still held. " \
              "Preparing your payment continues in a moment."


class PaymentUnavailable(PaymentsError):
    """Stripe cannot be reached, or its rate budget stayed spent while we waited. Never
    raised by a reservation: the hold stands, and the payment step is tried again."""

    status, code, title = 503, "payment_unavailable", _("Payment unavailable")
    default_detail = _("Card payments are unavailable right now; your seats are still "
                       "held. Please try again shortly.")
    retry_after = 5


class CardDeclined(PaymentsError):
    status, code, title = 402, "card_declined", _("Card declined")
    default_detail = _("Your card was declined. Your seats are still held: try another card.")


class InvalidSignature(PaymentsError):
    status, code, title = 400, "invalid_signature", _("Invalid signature")
    default_detail = _("The Stripe-Signature header does not match this payload.")


class PaymentRefused(PaymentsError):
    status, code, title = 409, "payment_refused", _("Payment refused")
    default_detail = _("Stripe refused this payment attempt; your seats are still held. "
                       "Please try again with another card.")
