"""Venues, shows and their performances. The seat count is guarded by the database."""

from __future__ import annotations

import datetime as dt

from django.core.validators import (
    FileExtensionValidator,
    MaxValueValidator,
    MinValueValidator,
)
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from languages.content import TranslatedContent, translations_field

# The CHECK that keeps a category within its quota (tickets.reservation_sql maps it).
CATEGORY_QUOTA_CONSTRAINT = "pricecategory_within_quota"

# The most rows a performance's seat count may be split over (Performance.counter_rows).
MAX_COUNTER_ROWS = 64

CURRENCIES = [("EUR", "Euro"), ("GBP", "Pound sterling"), ("USD", "US dollar"),
              ("CHF", "Swiss franc")]


class Venue(models.Model):
    name = models.CharField(max_length=200, unique=True)
    city = models.CharField(max_length=100)
    address = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.city}"


class RefundPolicy(models.Model):
    """Until when, and for what fee, a customer may cancel their own order.

    Set per show, overridable per performance; without one, customers may cancel for a
    full refund until the performance starts. Staff can always cancel with a full refund.
    The fee is `fee_fixed_cents` plus `fee_percent` of the order total, the percent part
    rounded to the nearest cent (halves up), never more than the total (refunds.py).
    """

    name = models.CharField(max_length=100, unique=True)
    customer_may_cancel = models.BooleanField(
        default=True, help_text="Off: customers cannot cancel their orders themselves.")
    hours_before = models.PositiveIntegerField(
        default=0, help_text="Customers may cancel until this many hours before the start.")
    fee_fixed_cents = models.PositiveIntegerField(default=0)
    fee_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0,
                                      validators=[MinValueValidator(0),
                                                  MaxValueValidator(100)])

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "refund policies"
        constraints = [
            models.CheckConstraint(condition=Q(fee_percent__gte=0) & Q(fee_percent__lte=100),
                                   name="refundpolicy_percent_in_range"),
        ]

    def __str__(self) -> str:
        return self.name


class Show(TranslatedContent, models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    # A FileField, not an ImageField: Pillow would cost cold start for a size check we
    # do not need; the extension validator keeps uploads to web image formats.
    poster = models.FileField(
        upload_to="posters/", blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp", "avif"])],
    )
    duration_minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    published = models.BooleanField(default=False)
    refund_policy = models.ForeignKey(
        RefundPolicy, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Empty: customers may cancel for a full refund until the start.")
    # title, summary and description in the other language (languages/content.py).
    translations = translations_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gt=0),
                                   name="show_duration_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class PerformanceStatus(models.TextChoices):
    ON_SALE = "on_sale"
    SOLD_OUT = "sold_out"
    SALES_CLOSED = "sales_closed"
    NOT_YET_ON_SALE = "not_yet_on_sale"
    CANCELLED = "cancelled"


class Performance(models.Model):
    show = models.ForeignKey(Show, on_delete=models.CASCADE, related_name="performances")
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="performances")
    starts_at = models.DateTimeField(db_index=True)
    capacity = models.PositiveIntegerField()
    # Changed only by a conditional UPDATE in tickets.services, never by the admin form.
    seats_sold = models.PositiveIntegerField(default=0, editable=False)
    # The lowest price of its visible categories, kept by shows.services from them.
    price_cents = models.PositiveIntegerField(default=0, editable=False)
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="EUR")
    cancelled = models.BooleanField(default=False)
    # Seats that come free go to the waiting list (tickets/waitlist.py) before general sale.
    waitlist_enabled = models.BooleanField(
        "waiting list", default=True,
        help_text="Offer freed seats to the waiting list first, in the order people joined.")
    on_sale_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: on sale as soon as the show is published.")
    sales_end_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: on sale until the performance starts.")
    refund_policy = models.ForeignKey(
        RefundPolicy, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Empty: the show's policy.")
    # An announced on-sale: visitors queue and are admitted at WAITING_ROOM_RATE a second
    # (waitingroom/). On by this switch, or by itself from `on_sale_at` for
    # WAITING_ROOM_AUTO_MINUTES (when WAITING_ROOM_AT_ON_SALE).
    waiting_room = models.BooleanField(
        "waiting room", default=False,
        help_text="Queue visitors first come, first served and admit them at the "
                  "configured rate (for an announced on-sale).")
    # The seat count's rows (shows/counters.py). 1: this row's seats_sold is the count.
    # K > 1: K PerformanceCounter rows share the capacity and count the seats (this row's
    # seats_sold stays 0), so K reservations can take seats at once.
    counter_rows = models.PositiveSmallIntegerField(
        "seat counter rows", default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_COUNTER_ROWS)],
        help_text="Leave at 1. For an on-sale expected to pass about a thousand "
                  "reservations a second, raise it (16 is plenty): the seat count is "
                  "split over that many rows that sell in parallel, never past capacity. "
                  "Not for a seated performance.")

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(seats_sold__gte=0),
                                   name="performance_seats_sold_not_negative"),
            models.CheckConstraint(condition=Q(seats_sold__lte=F("capacity")),
                                   name="performance_not_oversold"),
            models.CheckConstraint(condition=Q(price_cents__gte=0),
                                   name="performance_price_not_negative"),
            models.CheckConstraint(
                condition=Q(counter_rows__gte=1) & Q(counter_rows__lte=MAX_COUNTER_ROWS),
                name="performance_counter_rows_range"),
            models.CheckConstraint(condition=Q(currency__in=[c for c, _ in CURRENCIES]),
                                   name="performance_currency_known"),
            models.UniqueConstraint(fields=["venue", "starts_at"],
                                    name="performance_one_per_venue_and_time"),
            models.CheckConstraint(
                condition=Q(sales_end_at__isnull=True) | Q(sales_end_at__lte=F("starts_at")),
                name="performance_sales_end_by_start"),
            models.CheckConstraint(
                condition=Q(on_sale_at__isnull=True) | Q(sales_end_at__isnull=True)
                | Q(on_sale_at__lt=F("sales_end_at")),
                name="performance_on_sale_before_end"),
        ]

    def __str__(self) -> str:
        return f"{self.show.title} — {self.starts_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        # An edit (admin form, script) must never write back a stale seats_sold read before
        # the latest sale: only tickets.services changes it, with a conditional UPDATE.
        created = self._state.adding
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "seats_sold"
            ]
        # The counter rows follow the capacity and their number, in the same transaction
        # (PerformanceCounter.objects.resplit); nothing more for a performance at K = 1
        # that stays so.
        fields = kwargs.get("update_fields")
        if (fields is None or {"capacity", "counter_rows"} & set(fields)) and \
                self._counters_stale(created=created):
            with transaction.atomic():
                super().save(*args, **kwargs)
                PerformanceCounter.objects.resplit(self.pk)
                self._counted_as = (self.counter_rows, self.capacity)
                self.__dict__.pop("counted_sold", None)
            return
        super().save(*args, **kwargs)

    def _counters_stale(self, *, created: bool) -> bool:
        """Would this save need the counter rows re-split (capacity or K changed since
        read)? Never for one at K = 1 that was at K = 1. Asks nothing."""
        k, capacity = self.counter_rows, self.capacity
        was = getattr(self, "_counted_as", None)
        return not ((created and k == 1) or was == (k, capacity)
                    or (k == 1 and was and was[0] == 1))

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._counted_as = (instance.__dict__.get("counter_rows"),
                                instance.__dict__.get("capacity"))
        return instance

    @property
    def seats_sold_exact(self) -> int:
        """Seats sold or held: this row's count, plus its counter rows' (K > 1). One query
        for K > 1 unless read with them (shows.counters.with_counted, or the hand-written
        selectors' `counted_sold`)."""
        counted = getattr(self, "counted_sold", None)
        if counted is None and self.counter_rows > 1 and self.pk:
            counted = self.counted_sold = PerformanceCounter.objects.counted(self.pk)
        return self.seats_sold + (counted or 0)

    @property
    def seats_left(self) -> int:
        """Seats on general sale: none while people wait for freed seats (when the public
        selectors annotate `someone_waits`; the reservation statement enforces it)."""
        if self.waitlist_enabled and getattr(self, "someone_waits", False):
            return 0
        return max(self.capacity - self.seats_sold_exact, 0)

    def refund_terms(self) -> RefundPolicy:
        """The performance's refund policy, else its show's, else the default: customers
        may cancel for a full refund until the start (an unsaved RefundPolicy)."""
        return (self.refund_policy or self.show.refund_policy
                or RefundPolicy(name="Default", customer_may_cancel=True, hours_before=0))

    @property
    def sales_end(self) -> dt.datetime:
        return self.sales_end_at or self.starts_at

    def status(self, now: dt.datetime | None = None) -> str:
        now = now or timezone.now()
        if self.cancelled:
            return PerformanceStatus.CANCELLED
        if self.sales_end <= now or not self.show.published:
            return PerformanceStatus.SALES_CLOSED
        if self.on_sale_at is not None and now < self.on_sale_at:
            return PerformanceStatus.NOT_YET_ON_SALE
        if self.seats_left == 0:
            return PerformanceStatus.SOLD_OUT
        return PerformanceStatus.ON_SALE


def _split(total: int, k: int) -> list[int]:
    """`total` over `k` shares differing by one at most, the larger ones first."""
    return [total // k + (1 if i < total % k else 0) for i in range(k)]


class PerformanceCounterManager(models.Manager):
    """The counter rows' table-wide work (shows/counters.py holds the takes and gives)."""

    def counted(self, performance_id: int) -> int:
        """What a performance's counter rows count (0 at K = 1)."""
        return self.filter(performance_id=performance_id).aggregate(
            n=models.Sum("sold"))["n"] or 0

    def locked(self, performance_id: int) -> list[PerformanceCounter]:
        """Its rows, locked in slot order (the lock order every taker and giver shares)."""
        return list(self.select_for_update().filter(performance_id=performance_id)
                    .order_by("slot"))

    def resplit(self, performance_id: int) -> None:
        """Spread the capacity and the seats sold over the performance's K rows again (or
        back onto the performance row at K = 1), sold conserved exactly. Under the
        performance row's lock, then every counter row's in slot order. More sold than the
        capacity: refused with the performance's CHECK (an IntegrityError), changing
        nothing. (FOR NO KEY UPDATE, as an UPDATE locks it: a reservation's inserts check
        their foreign key to the performance with FOR KEY SHARE, which must not wait for
        this while holding a counter row.)"""
        with transaction.atomic():
            performance = Performance.objects.select_for_update(no_key=True).only(
                "id", "capacity", "seats_sold", "counter_rows").get(pk=performance_id)
            rows = self.locked(performance_id)
            sold = performance.seats_sold + sum(row.sold for row in rows)
            k, capacity = performance.counter_rows, performance.capacity
            if k == 1:
                self.filter(performance_id=performance_id).delete()
                Performance.objects.filter(pk=performance_id).update(seats_sold=sold)
                return
            if sold > capacity:
                raise IntegrityError(
                    f'new row violates check constraint "performance_not_oversold"'
                    f": {sold} sold, capacity {capacity}")
            Performance.objects.filter(pk=performance_id).update(seats_sold=0)
            shares, sold_shares = _split(capacity, k), _split(sold, k)
            kept = {row.slot: row for row in rows}
            self.filter(performance_id=performance_id, slot__gte=k).delete()
            for slot in range(k):
                if slot in kept:
                    self.filter(pk=kept[slot].pk).update(capacity=shares[slot],
                                                         sold=sold_shares[slot])
            self.bulk_create([
                PerformanceCounter(performance_id=performance_id, slot=slot,
                                   capacity=shares[slot], sold=sold_shares[slot])
                for slot in range(k) if slot not in kept])


class PerformanceCounter(models.Model):
    """One of a hot performance's K seat-count rows (Performance.counter_rows > 1).

    The rows split the capacity between them; each is CHECKed within its share, so no row
    and therefore no sum oversells. A reservation adds its seats to one row (another when it
    is full, several for the last seats), a release takes them back from any (shows/
    counters.py, and tickets.reservation_sql's statement through marquee_seats_take).
    """

    performance = models.ForeignKey(Performance, on_delete=models.CASCADE,
                                    related_name="counters")
    slot = models.PositiveSmallIntegerField()
    capacity = models.PositiveIntegerField()
    sold = models.PositiveIntegerField(default=0)

    objects = PerformanceCounterManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["performance", "slot"],
                                    name="performancecounter_one_per_slot"),
            models.CheckConstraint(condition=Q(sold__gte=0),
                                   name="performancecounter_sold_not_negative"),
            models.CheckConstraint(condition=Q(sold__lte=F("capacity")),
                                   name="performancecounter_not_oversold"),
        ]

    def __str__(self) -> str:
        return f"{self.performance_id}#{self.slot}: {self.sold}/{self.capacity}"


class PriceCategory(TranslatedContent, models.Model):
    """A tariff of one performance ("Full price", "Reduced", "Under 12", "Wheelchair space").

    `seats_sold` counts its seats sold or held. It changes only in the reservation's
    statement and the releases (tickets.reservation_sql), in the lock order performance →
    categories → holding, and its quota is a CHECK: a sale past it aborts that statement.
    """

    performance = models.ForeignKey(Performance, on_delete=models.CASCADE,
                                    related_name="categories")
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True,
                                   help_text='e.g. "proof of eligibility at the door"')
    price_cents = models.PositiveIntegerField()
    quota = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="Seats of this category at most (inside the performance's capacity).")
    max_per_order = models.PositiveSmallIntegerField(null=True, blank=True,
                                                     validators=[MinValueValidator(1)])
    sort_order = models.PositiveSmallIntegerField(default=0)
    hidden = models.BooleanField(default=False, help_text="Only a voucher reveals it.")
    seats_sold = models.PositiveIntegerField(default=0, editable=False)
    # name and description in the other language (languages/content.py).
    translations = translations_field()

    class Meta:
        ordering = ["sort_order", "price_cents", "id"]
        verbose_name_plural = "price categories"
        constraints = [
            models.UniqueConstraint(fields=["performance", "name"],
                                    name="pricecategory_unique_name"),
            models.CheckConstraint(condition=Q(price_cents__gte=0),
                                   name="pricecategory_price_not_negative"),
            models.CheckConstraint(condition=Q(seats_sold__gte=0),
                                   name="pricecategory_seats_sold_not_negative"),
            models.CheckConstraint(condition=Q(quota__isnull=True)
                                   | Q(seats_sold__lte=F("quota")),
                                   name=CATEGORY_QUOTA_CONSTRAINT),
            models.CheckConstraint(condition=Q(max_per_order__isnull=True)
                                   | Q(max_per_order__gte=1),
                                   name="pricecategory_max_per_order_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # Like Performance.save: never write back a stale seats_sold.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "seats_sold"
            ]
        super().save(*args, **kwargs)

    def seats_left(self, performance_seats_left: int) -> int:
        """Seats of this category on sale, given the performance's."""
        if self.quota is None:
            return performance_seats_left
        return max(min(self.quota - self.seats_sold, performance_seats_left), 0)
