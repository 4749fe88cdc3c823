"""Domain errors of the notifications app."""

from __future__ import annotations


class NotificationsError(Exception):
    code = "notifications_error"
    default_detail = "The email could not be handled."

    def __init__(self, detail: str | None = None) -> None:
        self.detail = detail or self.default_detail
        super().__init__(self.detail)


class NotResendable(NotificationsError):
    code = "not_resendable"
    default_detail = "Only a confirmed order's tickets can be sent again."
