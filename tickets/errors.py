"""Domain errors of reservations, cancellations and check-in."""

from django.utils.translation import gettext_lazy as _

from project.errors import DomainError


class TicketsError(DomainError):
    pass


class OrderNotFound(TicketsError):
    status, code, title = 404, "not_found", _("Not found")
    default_detail = _("No such order.")


class PerformanceNotFound(TicketsError):
    status, code, title = 404, "not_found", _("Not found")
    default_detail = _("No such performance.")


class TicketNotFound(TicketsError):
    status, code, title = 404, "not_found", _("Not found")
    default_detail = _("No ticket has this code.")


class SoldOut(TicketsError):
    code, title = "sold_out", _("Sold out")
    default_detail = _("Not enough seats left for this performance.")


class SalesClosed(TicketsError):
    code, title = "sales_closed", _("Sales closed")
    default_detail = _("Tickets for this performance can no longer be bought or cancelled.")


class PriceChanged(TicketsError):
    code, title = "price_changed", _("Price changed")
    default_detail = _("The price changed while reserving; please try again.")


class LimitExceeded(TicketsError):
    code, title = "limit_exceeded", _("Limit exceeded")
    default_detail = _("At most 10 seats per person for one performance.")


class InvalidQuantity(TicketsError):
    status, code, title = 422, "invalid", _("Invalid request")
    default_detail = _("Quantity must be between 1 and 10.")


class AlreadyCheckedIn(TicketsError):
    code, title = "already_checked_in", _("Already checked in")
    default_detail = _("This ticket was already checked in.")


class TicketCancelled(TicketsError):
    code, title = "ticket_cancelled", _("Ticket cancelled")
    default_detail = _("This ticket belongs to a cancelled order.")


class IdempotencyKeyReused(TicketsError):
    status, code, title = 422, "idempotency_key_reused", _("Idempotency key reused")
    default_detail = _("This Idempotency-Key was used with a different request.")


class IdempotencyInProgress(TicketsError):
    code, title = "idempotency_in_progress", _("Request in progress")
    default_detail = _("A request with this Idempotency-Key is still being processed.")


class InvalidIdempotencyKey(TicketsError):
    status, code, title = 422, "invalid", _("Invalid request")
    default_detail = _("Idempotency-Key must be 1 to 255 printable ASCII characters.")


class Busy(TicketsError):
    status, code, title = 503, "unavailable", _("Busy")
    default_detail = _("Too many people are buying right now; please try again.")


class HoldExpired(TicketsError):
    code, title = "hold_expired", _("Hold expired")
    default_detail = _("This order's hold has ended and its seats were released; "
                       "please reserve again.")


class OrderNotPending(TicketsError):
    code, title = "order_not_pending", _("Order not awaiting payment")
    default_detail = _("This order is not awaiting payment.")


class TicketNotValid(TicketsError):
    code, title = "ticket_not_valid", _("Ticket not valid")
    default_detail = _("This ticket's order is not confirmed.")


class WrongPerformance(TicketsError):
    code, title = "wrong_performance", _("Not for this performance")
    default_detail = _("This ticket is for another performance.")


class WaitlistClosed(TicketsError):
    code, title = "waitlist_closed", _("No waiting list")
    default_detail = _("This performance has no waiting list.")


class SeatsAvailable(TicketsError):
    code, title = "seats_available", _("Seats available")
    default_detail = _("Seats are on sale for this performance: reserve them instead.")


class AlreadyWaiting(TicketsError):
    code, title = "already_waiting", _("Already on the waiting list")
    default_detail = _("You are already on this performance's waiting list.")


class NotWaiting(TicketsError):
    status, code, title = 404, "not_found", _("Not found")
    default_detail = _("You are not on this performance's waiting list.")


class AlreadyHolding(TicketsError):
    code, title = "already_holding", _("Seats already held")
    default_detail = _("You already hold or bought seats for this performance.")


class CategorySoldOut(TicketsError):
    code, title = "category_sold_out", _("Category sold out")
    default_detail = _("Not enough seats left in this price category.")


class SalesNotOpen(TicketsError):
    code, title = "sales_not_open", _("Not on sale yet")
    default_detail = _("Tickets for this performance are not on sale yet.")


class CategoryNotFound(TicketsError):
    status, code, title = 404, "not_found", _("Not found")
    default_detail = _("No such price category for this performance.")


class CancellationClosed(TicketsError):
    code, title = "cancellation_closed", _("Cancellation closed")
    default_detail = _("This order can no longer be cancelled by the customer.")


class OrderNotPrintable(TicketsError):
    code, title = "not_printable", _("Not printable")
    default_detail = _("Only a confirmed order's tickets can be printed.")


class InvalidLayout(TicketsError):
    status, code, title = 422, "invalid", _("Invalid request")
    default_detail = _("layout must be a4 or thermal.")
