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


class CounterMethod(models.TextChoices):
    """How a counter sale is paid (a pay-later booking says how once it is paid)."""

    CASH = "cash"
    CARD = "card"            # the card terminal said yes (the terminal is outside Marquee)
    COMP = "comp"            # complimentary: price 0, with a reason
    PAY_LATER = "pay_later"  # a phone booking: a hold until `hold_until`, paid at the counter


class CompReason(models.TextChoices):
    PRESS = "press"
    ARTIST = "artist"
    STAFF = "staff"


class CounterSale(models.Model):
    """An order sold at the box-office counter: who sold it, how it was (or will be) paid.

    The order itself is the online one's (tickets.services.order_reserve, the same
    statement); this row says what the counter adds. A pay-later booking is `pay_later`
    until paid: then `paid_method` (cash or card), `paid_by` and `paid_at` say so. A sale
    paid at once has them set at the sale. The end-of-day report (staff/reports.py) counts
    money on the day and for the staff member who took it.
    """

    order = models.OneToOneField("tickets.Order", on_delete=models.PROTECT, primary_key=True,
                                 related_name="counter_sale")
    sold_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+")
    sold_at = models.DateTimeField(db_index=True)
    method = models.CharField(max_length=10, choices=CounterMethod.choices)
    # What the tickets cost at their categories' prices (a comp's order total is 0).
    list_price_cents = models.PositiveIntegerField()
    comp_reason = models.CharField(max_length=10, choices=CompReason.choices, blank=True)
    customer_name = models.CharField(max_length=200, blank=True)
    customer_email = models.EmailField(blank=True)
    # Once paid (at the sale, or later for a pay-later booking): how, by whom, when.
    paid_method = models.CharField(max_length=10, choices=CounterMethod.choices, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                null=True, blank=True, related_name="+")
    paid_at = models.DateTimeField(null=True, blank=True, db_index=True)
    amount_cents = models.PositiveIntegerField(default=0)  # what was paid
    given_cents = models.PositiveIntegerField(null=True, blank=True)  # cash handed over
    change_cents = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sold_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(method__in=CounterMethod.values),
                                   name="countersale_method_known"),
            models.CheckConstraint(
                condition=~models.Q(method="comp") | ~models.Q(comp_reason=""),
                name="countersale_comp_has_reason"),
            models.CheckConstraint(
                condition=models.Q(paid_method__in=["", "cash", "card", "comp"]),
                name="countersale_paid_method_known"),
            models.CheckConstraint(
                condition=models.Q(given_cents__isnull=True)
                | models.Q(given_cents=models.F("amount_cents") + models.F("change_cents")),
                name="countersale_change_is_given_less_amount"),
        ]

    def __str__(self) -> str:
        return f"Counter sale {str(self.order_id)[:8]} ({self.method})"


class Counter(Performance):
    """The admin's entry for the box-office counter (no table: a proxy of Performance)."""

    class Meta:
        proxy = True
        verbose_name = "box-office counter"
        verbose_name_plural = "box-office counter"


class EndOfDayReport(Performance):
    """The admin's entry for the end-of-day report (no table: a proxy of Performance)."""

    class Meta:
        proxy = True
        verbose_name = "end-of-day report"
        verbose_name_plural = "end-of-day report"
