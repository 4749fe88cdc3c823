"""Admin building blocks shared by the apps."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """Rows that only services write (orders, tickets, payments, emails, the waiting list):
    staff see them and act through admin actions, never through a form."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ActionPermissionMixin:
    """POSTing an action the user's role does not allow is a 403 page (the admin would
    otherwise just say "No action selected")."""

    def changelist_view(self, request: HttpRequest, extra_context=None):
        action = request.POST.get("action") if request.method == "POST" else None
        if action and action not in self.get_actions(request):
            raise PermissionDenied(f"Your role does not allow the action {action!r}.")
        return super().changelist_view(request, extra_context)
