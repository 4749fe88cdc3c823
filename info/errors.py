"""Domain errors of the info pages API."""

from django.utils.translation import gettext_lazy as _

from project.errors import DomainError


class InfoError(DomainError):
    pass


class PageNotFound(InfoError):
    status, code, title = 404, "not_found", _("Not found")
    default_detail = _("No such page.")
