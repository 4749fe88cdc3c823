"""Staff admin for orders and tickets: customer emails, cancellation, door check-in.

Orders are created only by the reservation service (the API), which keeps the seat count
exact, so the admin shows them read-only and offers the actions a box office needs.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from notifications.admin import OrderEmailInline, resend_tickets
from payments.models import PaymentStatus
from project.admin_mixins import ActionPermissionMixin, ReadOnlyAdminMixin
from shows.admin import money
from staff import roles

from . import errors, services
from .models import Order, Ticket, WaitlistEntry
from .waitlist import waitlist_position, waitlist_remove

# A payment in one of these took the customer's money (some of it may be refunded since).
PAID_STATUSES = [PaymentStatus.SUCCEEDED, PaymentStatus.REFUND_DUE, PaymentStatus.REFUNDING,
                 PaymentStatus.REFUNDED]


class TicketInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Ticket
    extra = 0
    fields = ["code", "checked_in_at"]
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(ActionPermissionMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["short_id", "customer_email", "performance", "quantity", "total",
                    "status", "payment_status", "amount_paid", "amount_refunded",
                    "created_at"]
    list_filter = ["status", "payment__status", "performance__show", "created_at"]
    list_select_related = ["customer", "performance__show", "payment"]
    search_fields = ["=id", "customer__email", "customer__username", "=tickets__code",
                     "=payment__intent_id"]
    date_hierarchy = "created_at"
    inlines = [TicketInline, OrderEmailInline]
    actions = ["cancel_orders", resend_tickets]
    fields = ["id", "customer_email", "performance", "quantity", "total", "status",
              "created_at", "expires_at", "confirmed_at", "cancelled_at", "payment_status",
              "amount_paid", "amount_refunded", "stripe_intent", "stripe_refund"]
    readonly_fields = fields

    @admin.display(description=_("order"), ordering="id")
    def short_id(self, obj: Order) -> str:
        return str(obj.id)[:8]

    @admin.display(description=_("customer"), ordering="customer__email")
    def customer_email(self, obj: Order) -> str:
        return obj.customer.email or obj.customer.get_username()

    @admin.display(description=_("total"), ordering="total_cents")
    def total(self, obj: Order) -> str:
        return money(obj.total_cents, obj.currency)

    @admin.display(description=_("payment"))
    def payment_status(self, obj: Order) -> str:
        payment = getattr(obj, "payment", None)
        return payment.get_status_display() if payment else "free"

    @admin.display(description=_("paid"))
    def amount_paid(self, obj: Order) -> str:
        payment = getattr(obj, "payment", None)
        paid = payment is not None and payment.status in PAID_STATUSES
        return money(payment.amount_cents if paid else 0, obj.currency)

    @admin.display(description=_("refunded"))
    def amount_refunded(self, obj: Order) -> str:
        payment = getattr(obj, "payment", None)
        return money(payment.refunded_cents if payment else 0, obj.currency)

    @admin.display(description=_("Stripe PaymentIntent"))
    def stripe_intent(self, obj: Order) -> str:
        payment = getattr(obj, "payment", None)
        return payment.intent_id if payment else "—"

    @admin.display(description=_("Stripe refund"))
    def stripe_refund(self, obj: Order) -> str:
        payment = getattr(obj, "payment", None)
        if payment is None or not (payment.refund_id or payment.refund_reason):
            return "—"
        return f"{payment.refund_id or 'owed'} ({payment.refund_reason or 'refund'})"

    def has_refund_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(roles.REFUND_ANY_ORDER)

    @admin.action(description=_("Cancel and refund selected orders (releases their seats)"),
                  permissions=["refund"])
    def cancel_orders(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        cancelled = 0
        for order_id in queryset.values_list("pk", flat=True):
            try:
                order = services.order_cancel(order_id=order_id,
                                              reason=f"cancelled by staff ({request.user})")
                cancelled += 1
                payment = getattr(order, "payment", None)
                if payment is not None:
                    payment.refresh_from_db()
                    if payment.status == PaymentStatus.REFUND_DUE:
                        self.message_user(request, gettext(
                            "Order %(order)s: cancelled; Stripe did not answer, the refund "
                            "is retried every minute.") % {"order": str(order_id)[:8]},
                            messages.WARNING)
            except errors.TicketsError as exc:
                self.message_user(request, gettext("Order %(order)s: %(detail)s") % {
                    "order": str(order_id)[:8], "detail": exc.detail}, messages.ERROR)
        if cancelled:
            self.message_user(request, gettext("%(count)d order(s) cancelled.") % {
                "count": cancelled}, messages.SUCCESS)


@admin.register(Ticket)
class TicketAdmin(ActionPermissionMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The door: search a code (exact), select it, "Check in"."""

    list_display = ["code", "performance", "customer_email", "order_status", "checked_in_at"]
    list_filter = ["order__status", ("checked_in_at", admin.EmptyFieldListFilter),
                   "order__performance__show"]
    list_select_related = ["order__customer", "order__performance__show"]
    search_fields = ["=code", "order__customer__email"]  # "=": case-insensitive exact
    search_help_text = _("Ticket code (exact) or customer email")
    actions = ["check_in"]
    fields = ["code", "order", "checked_in_at"]
    readonly_fields = fields

    @admin.display(description=_("performance"))
    def performance(self, obj: Ticket) -> str:
        return str(obj.order.performance)

    @admin.display(description=_("customer"))
    def customer_email(self, obj: Ticket) -> str:
        return obj.order.customer.email

    @admin.display(description=_("order status"))
    def order_status(self, obj: Ticket) -> str:
        return obj.order.status

    def has_check_in_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(roles.CHECK_IN)

    @admin.action(description=_("Check in selected tickets"), permissions=["check_in"])
    def check_in(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        done = 0
        for code in queryset.values_list("code", flat=True):
            try:
                services.ticket_check_in(code=code)
                done += 1
            except errors.TicketsError as exc:
                self.message_user(request, f"{code}: {exc.detail}", messages.ERROR)
        if done:
            self.message_user(request, gettext("%(count)d ticket(s) checked in.") % {
                "count": done}, messages.SUCCESS)


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Each performance's waiting list, in line order; staff can take someone off it."""

    list_display = ["performance", "position", "customer_email", "seats", "min_seats",
                    "joined_at", "offered_at", "status", "offer_order"]
    list_filter = ["status", "performance__show", ("performance", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["performance__show", "customer", "offer_order"]
    search_fields = ["customer__email", "=performance__id"]
    ordering = ["performance", "joined_at", "id"]
    actions = ["remove_from_list"]

    @admin.display(description=_("position"))
    def position(self, obj: WaitlistEntry) -> str:
        return str(waitlist_position(obj) or "—")

    @admin.display(description=_("customer"), ordering="customer__email")
    def customer_email(self, obj: WaitlistEntry) -> str:
        return obj.customer.email or obj.customer.get_username()

    @admin.action(description=_("Remove selected people from the waiting list"),
                  permissions=["view"])
    def remove_from_list(self, request: HttpRequest, queryset: QuerySet[WaitlistEntry]) -> None:
        removed = sum(waitlist_remove(entry_id=pk) for pk in queryset.values_list("pk",
                                                                                  flat=True))
        self.message_user(request, gettext("%(count)d removed from the waiting list.") % {
            "count": removed}, messages.SUCCESS)
