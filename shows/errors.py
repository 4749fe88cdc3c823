"""Domain errors of the public shows API."""

from django.utils.translation import gettext_lazy as _

from project.errors import DomainError


class ShowsError(DomainError):
    pass


class ShowNotFound(ShowsError):
    status, code, title = 404, "not_found", _("Not found")
    default_detail = _("No such show.")


class PerformanceNotFound(ShowsError):
    status, code, title = 404, "not_found", _("Not found")
    default_detail = _("No such performance.")
