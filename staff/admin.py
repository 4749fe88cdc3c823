"""Door mode, the sales dashboard, the counter and the end-of-day report in the admin:
entries on the admin index (proxy models with no table of their own), their pages under
/admin/staff/…"""

from __future__ import annotations

from functools import partial, update_wrapper

from django.contrib import admin
from django.http import HttpRequest
from django.urls import path

from . import counter_views, roles, views
from .models import Counter, DoorMode, EndOfDayReport, SalesDashboard


class StaffToolAdmin(admin.ModelAdmin):
    """An admin entry that is a tool, not a table: staff whose role holds `permission` may
    open it (others get a 403 page), nobody adds, changes or deletes anything through it."""

    permission = ""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request) and request.user.has_perm(self.permission)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        # The tool, yes; a performance through it (the admin's change page), no.
        return obj is None and self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def tool_urls(self, urls: list) -> list:
        """The tool's pages first; then the admin's usual ones (add, change, …), which
        answer 403, but for the list, which is the tool's own first page."""
        opts = self.model._meta
        changelist = f"{opts.app_label}_{opts.model_name}_changelist"
        return [*urls, *(url for url in super().get_urls() if url.name != changelist)]

    def page(self, view, **kwargs):
        """A staff-only page: anyone else is sent to the admin login; staff without the
        tool's permission get a 403 page."""
        return self.admin_site.admin_view(views.requires(self.permission, update_wrapper(
            partial(view, site=self.admin_site, **kwargs), view)))


@admin.register(DoorMode)
class DoorModeAdmin(StaffToolAdmin):
    permission = roles.CHECK_IN

    def get_urls(self):
        site, check_in = self.admin_site, roles.CHECK_IN
        return self.tool_urls([
            path("", self.page(views.door_picker), name="staff_doormode_changelist"),
            path("<int:performance_id>/", self.page(views.door),
                 name="staff_doormode_door"),
            path("<int:performance_id>/scans/", views.staff_json(site, views.door_scan, check_in),
                 name="staff_doormode_scan"),
            path("<int:performance_id>/counts/", views.staff_json(
                site, views.door_counts, check_in),
                 name="staff_doormode_counts"),
        ])


@admin.register(SalesDashboard)
class SalesDashboardAdmin(StaffToolAdmin):
    permission = roles.VIEW_REPORTS

    def get_urls(self):
        opts = self.model._meta
        return self.tool_urls([
            path("", self.page(views.dashboard_index, opts=opts),
                 name="staff_salesdashboard_changelist"),
            path("<int:performance_id>/", self.page(views.dashboard, opts=opts),
                 name="staff_salesdashboard_detail"),
            path("<int:performance_id>/check-in/",
                 self.admin_site.admin_view(views.requires(roles.VIEW_REPORTS,
                                                           views.dashboard_check_in)),
                 name="staff_salesdashboard_checkin"),
        ])


@admin.register(Counter)
class CounterAdmin(StaffToolAdmin):
    permission = roles.SELL_AT_COUNTER

    def get_urls(self):
        def page(view, permission=roles.SELL_AT_COUNTER):
            return self.admin_site.admin_view(views.requires(permission, update_wrapper(
                partial(view, site=self.admin_site), view)))
        return self.tool_urls([
            path("", page(counter_views.counter_picker), name="staff_counter_changelist"),
            path("<int:performance_id>/", page(counter_views.counter_page),
                 name="staff_counter_sell"),
            path("bookings/", page(counter_views.counter_bookings, roles.BOOK_PAY_LATER),
                 name="staff_counter_bookings"),
            path("sale/<uuid:order_id>/", page(counter_views.counter_sale),
                 name="staff_counter_sale"),
            path("sale/<uuid:order_id>/collect/",
                 page(counter_views.counter_collect, roles.BOOK_PAY_LATER),
                 name="staff_counter_collect"),
            path("refunds/", page(counter_views.refunds_page),
                 name="staff_counter_refunds"),
            path("sale/<uuid:order_id>/refund/", page(counter_views.refund_sale),
                 name="staff_counter_refund"),
            path("sale/<uuid:order_id>/tickets.pdf", self.admin_site.admin_view(
                views.requires(roles.SELL_AT_COUNTER, counter_views.counter_tickets_pdf)),
                 name="staff_counter_pdf"),
        ])


@admin.register(EndOfDayReport)
class EndOfDayReportAdmin(StaffToolAdmin):
    permission = roles.VIEW_REPORTS

    def get_urls(self):
        return self.tool_urls([
            path("", self.page(counter_views.end_of_day, opts=self.model._meta),
                 name="staff_endofdayreport_changelist"),
        ])
