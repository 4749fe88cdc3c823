"""Door mode and the sales dashboard in the admin: two entries on the admin index (proxy
models with no table of their own), their pages under /admin/staff/…"""

from __future__ import annotations

from functools import partial, update_wrapper

from django.contrib import admin
from django.http import HttpRequest
from django.urls import path

from . import views
from .models import DoorMode, SalesDashboard


class StaffToolAdmin(admin.ModelAdmin):
    """An admin entry that is a tool, not a table: every staff member may open it, nobody
    adds, changes or deletes anything through it."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        # The tool, yes; a performance through it (the admin's change page), no.
        return obj is None and self.admin_site.has_permission(request)

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
        """A staff-only page: anyone else is sent to the admin login."""
        return self.admin_site.admin_view(update_wrapper(
            partial(view, site=self.admin_site, **kwargs), view))


@admin.register(DoorMode)
class DoorModeAdmin(StaffToolAdmin):
    def get_urls(self):
        site = self.admin_site
        return self.tool_urls([
            path("", self.page(views.door_picker), name="staff_doormode_changelist"),
            path("<int:performance_id>/", self.page(views.door),
                 name="staff_doormode_door"),
            path("<int:performance_id>/scans/", views.staff_json(site, views.door_scan),
                 name="staff_doormode_scan"),
            path("<int:performance_id>/counts/", views.staff_json(site, views.door_counts),
                 name="staff_doormode_counts"),
        ])


@admin.register(SalesDashboard)
class SalesDashboardAdmin(StaffToolAdmin):
    def get_urls(self):
        opts = self.model._meta
        return self.tool_urls([
            path("", self.page(views.dashboard_index, opts=opts),
                 name="staff_salesdashboard_changelist"),
            path("<int:performance_id>/", self.page(views.dashboard, opts=opts),
                 name="staff_salesdashboard_detail"),
            path("<int:performance_id>/check-in/",
                 self.admin_site.admin_view(views.dashboard_check_in),
                 name="staff_salesdashboard_checkin"),
        ])
