"""Domain errors of payments (mapped to RFC 9457 problems by project/problems.py)."""

from project.errors import DomainError


class PaymentsError(DomainError):
    pass


BUSY_DETAIL = "Many people are paying right now; your seats are still held. " \
              "Preparing your payment continues in a moment."


class PaymentUnavailable(PaymentsError):
    """Stripe cannot be reached, or its rate budget stayed spent while we waited. Never
    raised by a reservation: the hold stands, and the payment step is tried again."""

    status, code, title = 503, "payment_unavailable", "Payment unavailable"
    default_detail = "Card payments are unavailable right now; your seats are still " \
                     "held. Please try again shortly."
    retry_after = 5


class CardDeclined(PaymentsError):
    status, code, title = 402, "card_declined", "Card declined"
    default_detail = "Your card was declined. Your seats are still held: try another card."


class InvalidSignature(PaymentsError):
    status, code, title = 400, "invalid_signature", "Invalid signature"
    default_detail = "The Stripe-Signature header does not match this payload."


class PaymentRefused(PaymentsError):
    status, code, title = 409, "payment_refused", "Payment refused"
    default_detail = "Stripe refused this payment attempt; your seats are still held. " \
                     "Please try again with another card."
