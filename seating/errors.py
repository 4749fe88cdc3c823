"""Domain errors of seat maps."""

from project.errors import DomainError


class SeatingError(DomainError):
    pass


class LayoutInvalid(SeatingError):
    status, code, title = 422, "invalid", "Invalid layout"
    default_detail = "This layout cannot be read."


class LayoutFrozen(SeatingError):
    code, title = "layout_frozen", "Layout in use"
    default_detail = ("A performance using this layout has sold seats: it can no longer "
                      "change. Copy it and change the copy.")


class LayoutNotFound(SeatingError):
    status, code, title = 404, "not_found", "Not found"
    default_detail = "No such layout."


class ZoneUnmapped(SeatingError):
    status, code, title = 422, "invalid", "Invalid request"
    default_detail = "Every zone of the layout needs a price category of the performance."
