"""Domain errors of the public shows API."""

from project.errors import DomainError


class ShowsError(DomainError):
    pass


class ShowNotFound(ShowsError):
    status, code, title = 404, "not_found", "Not found"
    default_detail = "No such show."


class PerformanceNotFound(ShowsError):
    status, code, title = 404, "not_found", "Not found"
    default_detail = "No such performance."
