"""Domain errors of door mode (the sales dashboard only reads, and raises none)."""

from project.errors import DomainError


class StaffError(DomainError):
    pass


class InvalidScan(StaffError):
    status, code, title = 422, "invalid", "Invalid request"
    default_detail = "A scan needs a scan_id (a UUID) and a code (text)."


class ScanIdReused(StaffError):
    status, code, title = 422, "scan_id_reused", "Scan id reused"
    default_detail = "This scan id was already used for another code or performance."


class PerformanceNotFound(StaffError):
    status, code, title = 404, "not_found", "Not found"
    default_detail = "No such performance."
