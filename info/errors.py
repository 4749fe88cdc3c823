"""Domain errors of the info pages API."""

from project.errors import DomainError


class InfoError(DomainError):
    pass


class PageNotFound(InfoError):
    status, code, title = 404, "not_found", "Not found"
    default_detail = "No such page."
