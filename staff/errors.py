"""Domain errors of door mode (the sales dashboard only reads, and raises none)."""

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
