"""The root of every domain exception family (shows/errors.py, tickets/errors.py, …).

Each subclass carries a stable `code`, an HTTP `status` and a human `title`; the central
handler (project/problems.py) turns them into RFC 9457 problem responses.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status: int = 409
    code: str = "conflict"
    title: str = _("Conflict")
    default_detail: str = _("The request conflicts with the current state.")
    retry_after: int | None = None  # seconds, sent as Retry-After (503s worth retrying)

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        self.detail = detail or self.default_detail
        self.extra = extra
        super().__init__(self.detail)
