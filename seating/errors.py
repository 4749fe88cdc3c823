"""Domain errors of seat maps."""

from django.utils.translation import gettext_lazy as _

from project.errors import DomainError


class SeatingError(DomainError):
    pass


class LayoutInvalid(SeatingError):
    status, code, title = 422, "invalid", _("Invalid layout")
    default_detail = _("This layout cannot be read.")


class LayoutFrozen(SeatingError):
    code, title = "layout_frozen", _("Layout in use")
    default_detail = _("A performance using this layout has sold seats: it can no longer "
                       "change. Copy it and change the copy.")


class LayoutNotFound(SeatingError):
    status, code, title = 404, "not_found", _("Not found")
    default_detail = _("No such layout.")


class ZoneUnmapped(SeatingError):
    status, code, title = 422, "invalid", _("Invalid request")
    default_detail = _("Every zone of the layout needs a price category of the performance.")
