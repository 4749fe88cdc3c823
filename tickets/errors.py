"""Domain errors of reservations, cancellations and check-in."""

from project.errors import DomainError


class TicketsError(DomainError):
    pass


class OrderNotFound(TicketsError):
    status, code, title = 404, "not_found", "Not found"
    default_detail = "No such order."


class PerformanceNotFound(TicketsError):
    status, code, title = 404, "not_found", "Not found"
    default_detail = "No such performance."


class TicketNotFound(TicketsError):
    status, code, title = 404, "not_found", "Not found"
    default_detail = "No ticket has this code."


class SoldOut(TicketsError):
    code, title = "sold_out", "Sold out"
    default_detail = "Not enough seats left for this performance."


class SalesClosed(TicketsError):
    code, title = "sales_closed", "Sales closed"
    default_detail = "Tickets for this performance can no longer be bought or cancelled."


class PriceChanged(TicketsError):
    code, title = "price_changed", "Price changed"
    default_detail = "The price changed while reserving; please try again."


class LimitExceeded(TicketsError):
    code, title = "limit_exceeded", "Limit exceeded"
    default_detail = "At most 10 seats per person for one performance."


class InvalidQuantity(TicketsError):
    status, code, title = 422, "invalid", "Invalid request"
    default_detail = "Quantity must be between 1 and 10."


class AlreadyCheckedIn(TicketsError):
    code, title = "already_checked_in", "Already checked in"
    default_detail = "This ticket was already checked in."


class TicketCancelled(TicketsError):
    code, title = "ticket_cancelled", "Ticket cancelled"
    default_detail = "This ticket belongs to a cancelled order."


class IdempotencyKeyReused(TicketsError):
    status, code, title = 422, "idempotency_key_reused", "Idempotency key reused"
    default_detail = "This Idempotency-Key was used with a different request."


class IdempotencyInProgress(TicketsError):
    code, title = "idempotency_in_progress", "Request in progress"
    default_detail = "A request with this Idempotency-Key is still being processed."


class InvalidIdempotencyKey(TicketsError):
    status, code, title = 422, "invalid", "Invalid request"
    default_detail = "Idempotency-Key must be 1 to 255 printable ASCII characters."


class Busy(TicketsError):
    status, code, title = 503, "unavailable", "Busy"
    default_detail = "Too many people are buying right now; please try again."


class HoldExpired(TicketsError):
    code, title = "hold_expired", "Hold expired"
    default_detail = "This order's hold has ended and its seats were released; " \
                     "please reserve again."


class OrderNotPending(TicketsError):
    code, title = "order_not_pending", "Order not awaiting payment"
    default_detail = "This order is not awaiting payment."


class TicketNotValid(TicketsError):
    code, title = "ticket_not_valid", "Ticket not valid"
    default_detail = "This ticket's order is not confirmed."


class WrongPerformance(TicketsError):
    code, title = "wrong_performance", "Not for this performance"
    default_detail = "This ticket is for another performance."


class WaitlistClosed(TicketsError):
    code, title = "waitlist_closed", "No waiting list"
    default_detail = "This performance has no waiting list."


class SeatsAvailable(TicketsError):
    code, title = "seats_available", "Seats available"
    default_detail = "Seats are on sale for this performance: reserve them instead."


class AlreadyWaiting(TicketsError):
    code, title = "already_waiting", "Already on the waiting list"
    default_detail = "You are already on this performance's waiting list."


class NotWaiting(TicketsError):
    status, code, title = 404, "not_found", "Not found"
    default_detail = "You are not on this performance's waiting list."


class AlreadyHolding(TicketsError):
    code, title = "already_holding", "Seats already held"
    default_detail = "You already hold or bought seats for this performance."


class CategorySoldOut(TicketsError):
    code, title = "category_sold_out", "Category sold out"
    default_detail = "Not enough seats left in this price category."


class SalesNotOpen(TicketsError):
    code, title = "sales_not_open", "Not on sale yet"
    default_detail = "Tickets for this performance are not on sale yet."


class CategoryNotFound(TicketsError):
    status, code, title = 404, "not_found", "Not found"
    default_detail = "No such price category for this performance."


class CancellationClosed(TicketsError):
    code, title = "cancellation_closed", "Cancellation closed"
    default_detail = "This order can no longer be cancelled by the customer."


class SeatTaken(TicketsError):
    code, title = "seat_taken", "Seat taken"
    default_detail = "Someone else took one of these seats meanwhile; please choose again."


class SeatsInvalid(TicketsError):
    status, code, title = 422, "invalid", "Invalid request"
    default_detail = "These seats are not seats of this performance's seat map."


class SeatsRequired(TicketsError):
    status, code, title = 422, "seats_required", "Seats required"
    default_detail = ("This performance is sold seat by seat: send `seats`, or `lines` with "
                      "`best_available`.")


class NoAdjacentSeats(TicketsError):
    code, title = "no_adjacent_seats", "No seats together"
    default_detail = ("No seats side by side are left for this group; choose seats on the "
                      "map, or accept seats apart (`split`).")
