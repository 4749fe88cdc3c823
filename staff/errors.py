"""Domain errors of door mode and the counter (the dashboard and the report only read)."""

from django.utils.translation import gettext_lazy as _

from project.errors import DomainError


class StaffError(DomainError):
    pass


class InvalidScan(StaffError):
    status, code, title = 422, "invalid", _("Invalid request")
    default_detail = _("A scan needs a scan_id (a UUID) and a code (text).")


class ScanIdReused(StaffError):
    status, code, title = 422, "scan_id_reused", _("Scan id reused")
    default_detail = _("This scan id was already used for another code or performance.")


class PerformanceNotFound(StaffError):
    status, code, title = 404, "not_found", _("Not found")
    default_detail = _("No such performance.")


class Forbidden(StaffError):
    status, code, title = 403, "forbidden", _("Forbidden")
    default_detail = _("Your role does not allow this.")


class InvalidSale(StaffError):
    status, code, title = 422, "invalid", _("Invalid request")
    default_detail = _("This sale is not complete.")


class NotEnoughCash(StaffError):
    status, code, title = 422, "not_enough_cash", _("Not enough cash")
    default_detail = _("The amount given is less than the price.")


class CompNeedsReason(StaffError):
    status, code, title = 422, "comp_needs_reason", _("A reason is needed")
    default_detail = _("A complimentary ticket needs a reason: press, artist or staff.")


class HoldUntilInvalid(StaffError):
    status, code, title = 422, "hold_until_invalid", _("Hold time not allowed")
    default_detail = _("A phone booking is held until a time in the future, at the latest "
                       "30 minutes before the start.")


class BookingNotPending(StaffError):
    status, code, title = 409, "booking_not_pending", _("Not a pending booking")
    default_detail = _("This booking is no longer waiting for payment.")


class NotRefundable(StaffError):
    status, code, title = 409, "not_refundable", _("Nothing to refund")
    default_detail = _("Only a sale paid at the counter, in cash or on the card terminal, "
                       "is refunded here.")


class AlreadyRefunded(StaffError):
    status, code, title = 409, "already_refunded", _("Already refunded")
    default_detail = _("This sale was already refunded or cancelled.")
