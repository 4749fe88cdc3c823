"""Staff admin for venues, shows and performances, with attendee export and sales."""

from __future__ import annotations

import csv

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from languages.forms import translations_form
from project.admin_mixins import ActionPermissionMixin
from staff import roles
from tickets.cancellations import performance_cancel
from tickets.seating import performance_is_seated
from tickets.selectors import attendee_list, performances_with_sales
from tickets.waitlist import offers_make_after_commit

from .counters import with_counted
from .models import Performance, PerformanceCounter, PriceCategory, RefundPolicy, Show, Venue
from .services import MAX_CATEGORIES, categories_copy_to_show, performance_price_refresh


def money(cents: int | None, currency: str) -> str:
    return f"{(cents or 0) / 100:,.2f} {currency}"


class PerformanceForm(forms.ModelForm):
    class Meta:
        model = Performance
        fields = ["show", "venue", "starts_at", "capacity", "currency", "on_sale_at",
                  "sales_end_at", "refund_policy", "waitlist_enabled", "waiting_room",
                  "counter_rows"]

    def clean_capacity(self) -> int:
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk:
            # Fresh from the database: the form's copy may be older than the last sale.
            sold = Performance.objects.values_list("seats_sold", flat=True).get(
                pk=self.instance.pk) + PerformanceCounter.objects.counted(self.instance.pk)
            if capacity < sold:
                raise forms.ValidationError(
                    _("%(sold)d seats are already sold; capacity cannot be lower."),
                    params={"sold": sold})
        return capacity

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "counter_rows" in self.fields:  # left out (an older form, the inline): kept
            self.fields["counter_rows"].required = False

    def clean_counter_rows(self) -> int:
        rows = self.cleaned_data.get("counter_rows")
        if rows is None:
            rows = self.instance.counter_rows or 1
        if rows > 1 and self.instance.pk and performance_is_seated(
                performance_id=self.instance.pk):
            # Its seats are rows of their own already; blocking seats moves its capacity.
            raise forms.ValidationError(
                _("A seated performance keeps its seat count in one row."))
        return rows


ShowForm = translations_form(Show, ("title", "summary", "description"))


class RoleGuardedFieldsMixin:
    """Prices are a manager's: for anyone else, read-only (a POST that changes them anyway
    is ignored by the admin form). Cancelling is an action (cancel_performances)."""

    guarded_fields = {roles.CHANGE_PRICES: ["currency"]}

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        for permission, guarded in self.guarded_fields.items():
            if not request.user.has_perm(permission):
                fields += [name for name in guarded if name not in fields]
        return fields


class PerformanceInline(RoleGuardedFieldsMixin, admin.TabularInline):
    """The show's performances at a glance; prices and sales times on each one's page."""

    model = Performance
    form = PerformanceForm
    extra = 0
    fields = ["venue", "starts_at", "capacity", "seats_sold_exact", "price_cents", "currency",
              "cancelled"]
    readonly_fields = ["seats_sold_exact", "price_cents", "cancelled"]
    show_change_link = True

    @admin.display(description=_("seats sold"))
    def seats_sold_exact(self, obj: Performance) -> int:
        return obj.seats_sold_exact


class PriceCategoryInline(admin.TabularInline):
    """A performance's tariffs: a manager's to change (roles.CHANGE_PRICES)."""

    model = PriceCategory
    form = translations_form(PriceCategory, ("name", "description"))
    extra = 0
    min_num, max_num = 1, MAX_CATEGORIES
    fields = ["name", "price_cents", "description", "quota", "max_per_order", "sort_order",
              "hidden", "seats_sold"]
    readonly_fields = ["seats_sold"]

    # Prices go with the performance: whoever may change it and holds CHANGE_PRICES edits
    # its categories (no separate model permission to grant).
    def _may_price(self, request: HttpRequest) -> bool:
        return request.user.has_perm(roles.CHANGE_PRICES) and \
            request.user.has_perm("shows.change_performance")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_price(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_price(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_price(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("shows.view_performance")


@admin.register(RefundPolicy)
class RefundPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "customer_may_cancel", "hours_before", "fee_fixed_cents",
                    "fee_percent"]


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "address"]
    list_filter = ["city"]
    search_fields = ["name", "city", "address"]


@admin.register(Show)
class ShowAdmin(admin.ModelAdmin):
    form = ShowForm
    list_display = ["title", "slug", "published", "duration_minutes", "updated_at"]
    list_filter = ["published", "performances__venue"]
    list_editable = ["published"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "created_at"
    inlines = [PerformanceInline]


@admin.register(Performance)
class PerformanceAdmin(ActionPermissionMixin, RoleGuardedFieldsMixin, admin.ModelAdmin):
    form = PerformanceForm
    list_display = ["show", "venue", "starts_at", "capacity", "seats_sold_exact", "seats_left",
                    "revenue", "cancelled"]
    list_filter = ["cancelled", "venue", "show", "starts_at"]
    list_select_related = ["show", "venue"]
    search_fields = ["show__title", "venue__name"]
    date_hierarchy = "starts_at"
    readonly_fields = ["seats_sold_exact", "price_cents", "cancelled"]
    autocomplete_fields = ["show"]
    inlines = [PriceCategoryInline]
    actions = ["export_attendees", "copy_categories", "cancel_performances"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Performance]:
        return performances_with_sales(with_counted(super().get_queryset(request)))

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        from seating.models import PerformanceLayout

        if obj is not None and "capacity" not in fields and \
                PerformanceLayout.objects.filter(performance=obj).exists():
            fields.append("capacity")  # a seated performance's is its seat count (seating)
        return fields

    def save_model(self, request: HttpRequest, obj: Performance, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and {"capacity", "waitlist_enabled"} & set(form.changed_data):
            # More seats (or the list turned back on): the waiting list gets them first.
            offers_make_after_commit(performance_id=obj.pk)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        performance_price_refresh(performance_id=form.instance.pk)

    def has_cancel_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(roles.CANCEL_PERFORMANCES)

    def has_prices_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(roles.CHANGE_PRICES)

    @admin.action(description="Cancel selected performances and refund every order",
                  permissions=["cancel"])
    def cancel_performances(self, request: HttpRequest, queryset: QuerySet):
        """Asks first; then records the decision (sales stop at once) and the per-minute
        job cancels and refunds the orders in batches (tickets/cancellations.py)."""
        if request.POST.get("confirmed") != "yes":
            context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                       "title": "Cancel performances?", "performances": queryset,
                       "action": "cancel_performances",
                       "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME}
            return TemplateResponse(request, "admin/shows/performance/cancel.html", context)
        for performance in queryset:
            performance_cancel(performance_id=performance.pk, by=request.user,
                               reason=request.POST.get("reason", "")[:200])
        self.message_user(request, f"{queryset.count()} performance(s) cancelled: their "
                                   "orders are being cancelled and refunded (see each "
                                   "one's sales dashboard).")
        return None

    @admin.action(description="Copy price categories to the show's other performances",
                  permissions=["prices"])
    def copy_categories(self, request: HttpRequest, queryset: QuerySet) -> None:
        for performance in queryset:
            copied = categories_copy_to_show(performance_id=performance.pk)
            self.message_user(request, f"{performance}: categories copied to "
                                       f"{copied} other performance(s).")

    @admin.display(description=_("seats sold"))
    def seats_sold_exact(self, obj: Performance) -> int:
        return obj.seats_sold_exact

    @admin.display(description=_("seats left"))
    def seats_left(self, obj: Performance) -> int:
        return obj.seats_left

    @admin.display(description=_("revenue"), ordering="revenue_cents")
    def revenue(self, obj: Performance) -> str:
        return money(obj.revenue_cents, obj.currency)

    def has_reports_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(roles.VIEW_REPORTS)

    @admin.action(description=_("Export attendees of selected performances (CSV)"),
                  permissions=["reports"])
    def export_attendees(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="attendees-{timezone.now():%Y%m%d-%H%M}.csv"')
        writer = csv.writer(response)
        writer.writerow(["performance_id", "show", "starts_at", "ticket_code", "category",
                         "order_id", "customer_email", "checked_in_at", "seat"])
        for performance in queryset.select_related("show"):
            for ticket in attendee_list(performance_id=performance.pk):
                writer.writerow([
                    performance.pk, performance.show.title, performance.starts_at.isoformat(),
                    ticket.code, ticket.category.name, ticket.order_id,
                    ticket.order.customer.email,
                    ticket.checked_in_at.isoformat() if ticket.checked_in_at else "",
                    str(ticket.seat) if ticket.seat_id else "",
                ])
        return response

    def get_urls(self):
        sales = path("sales/", self.admin_site.admin_view(self.sales_view),
                     name="shows_performance_sales")
        return [sales, *super().get_urls()]

    def sales_view(self, request: HttpRequest) -> TemplateResponse:
        """Sales overview: sold / capacity / revenue per upcoming performance."""
        if not request.user.has_perm(roles.VIEW_REPORTS):
            raise PermissionDenied("Your role does not include the sales reports.")
        performances = self.get_queryset(request).filter(
            starts_at__gte=timezone.now() - timezone.timedelta(days=1)).order_by("starts_at")
        rows = [{
            "performance": p,
            "percent": round(100 * p.seats_sold_exact / p.capacity) if p.capacity else 0,
            "revenue": money(p.revenue_cents, p.currency),
        } for p in performances]
        context = {**self.admin_site.each_context(request), "title": "Sales overview",
                   "rows": rows, "opts": self.model._meta}
        return TemplateResponse(request, "admin/shows/performance/sales.html", context)
