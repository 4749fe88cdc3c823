"""Staff see each order's emails (an inline on the order page: kind, status, recipient, when
queued and sent, attempts, the last error) and may send a confirmed order's tickets again."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from project.admin_mixins import ReadOnlyAdminMixin

from . import services
from .errors import NotificationsError
from .models import OrderEmail

FIELDS = ["kind", "status", "recipient", "created_at", "sent_at", "attempts",
          "next_attempt_at", "last_error", "message_id", "requested_by"]


class OrderEmailInline(ReadOnlyAdminMixin, admin.TabularInline):
    """On the order page: which emails went out, when, to whom; failures and retries."""

    model = OrderEmail
    extra = 0
    fields = FIELDS
    readonly_fields = FIELDS
    verbose_name = _("email")
    verbose_name_plural = _("emails")
    ordering = ["created_at"]


@admin.action(description=_("Resend tickets (email the confirmation again)"),
              permissions=["view"])
def resend_tickets(modeladmin: admin.ModelAdmin, request: HttpRequest,
                   queryset: QuerySet) -> None:
    """An order admin action: one new `resend` email per selected confirmed order."""
    resent = 0
    for order_id in queryset.values_list("pk", flat=True):
        try:
            services.order_email_resend(order_id=order_id,
                                        requested_by=request.user.get_username())
            resent += 1
        except NotificationsError as exc:
            modeladmin.message_user(request, gettext("Order %(order)s: %(detail)s") % {
                "order": str(order_id)[:8], "detail": exc.detail}, messages.ERROR)
    if resent:
        modeladmin.message_user(request, gettext(
            "Tickets of %(count)d order(s) queued to be sent again; the order page shows "
            "when they went out.") % {"count": resent}, messages.SUCCESS)
