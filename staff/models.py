"""Door scans (what each scan at the door asked and was answered), and the admin's entries
for door mode and the sales dashboard."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from shows.models import Performance


class ScanResult(models.TextChoices):
    VALID = "valid"
    ALREADY_CHECKED_IN = "already_checked_in"
    CANCELLED = "cancelled"
    NOT_VALID = "not_valid"          # the order is not confirmed
    WRONG_PERFORMANCE = "wrong_performance"
    UNKNOWN = "unknown"              # no ticket has this code


class DoorScan(models.Model):
    """One scan at the door, named by the id its phone gave it (so a retry is recognised).

    Written before the check-in, with the time that the check-in then records: a ticket
    whose `checked_in_at` equals this scan's `at` was checked in by this scan. So a retry
    of a scan whose first request checked the ticket in but never got its answer back is
    answered "valid", never "already checked in", and the ticket is never checked in twice.
    """

    id = models.UUIDField(primary_key=True, editable=False)  # the phone's scan id
    performance = models.ForeignKey(Performance, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=32)
    at = models.DateTimeField()
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                              null=True, related_name="+")
    # Empty until the check-in was answered; then replayed to a retry.
    result = models.CharField(max_length=20, choices=ScanResult.choices, blank=True)
    # For "already checked in": when the ticket was (by another scan).
    checked_in_at = models.DateTimeField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["performance", "-at"], name="doorscan_performance_at")]
        constraints = [
            # Two scans of one ticket never share a time, so `checked_in_at == at` names
            # exactly one scan.
            models.UniqueConstraint(fields=["code", "at"], name="doorscan_one_per_code_and_time"),
            models.CheckConstraint(condition=models.Q(result__in=["", *ScanResult.values]),
                                   name="doorscan_result_known"),
        ]

    def __str__(self) -> str:
        return f"{self.code} at {self.at:%Y-%m-%d %H:%M:%S} ({self.result or 'pending'})"


class DoorMode(Performance):
    """The admin's entry for door mode (no table: a proxy of Performance)."""

    class Meta:
        proxy = True
        verbose_name = "door mode"
        verbose_name_plural = "door mode"


class SalesDashboard(Performance):
    """The admin's entry for the sales dashboard (no table: a proxy of Performance)."""

    class Meta:
        proxy = True
        verbose_name = "sales dashboard"
        verbose_name_plural = "sales dashboard"


class StaffPermissions(models.Model):
    """No table: the holder of the box office's own permissions, which the groups of
    staff/roles.py (Door, Box office, Manager) are given and every staff page checks."""

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = "staff permission"
        permissions = [
            ("check_in", "Check tickets in at the door"),
            ("sell_at_counter", "Sell tickets at the counter (cash, card terminal)"),
            ("book_pay_later", "Take pay-later (phone) bookings"),
            ("refund_own_cash_sales", "Refund cash sales of one's own day"),
            ("give_comps", "Give complimentary tickets"),
            ("refund_any_order", "Cancel and refund any order"),
            ("cancel_performances", "Cancel performances"),
            ("change_prices", "Change prices"),
            ("view_reports", "See the sales dashboard and reports"),
        ]

    def __str__(self) -> str:
        return "staff permissions"
