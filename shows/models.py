"""Venues, shows and their performances. The seat count is guarded by the database."""

from __future__ import annotations

import datetime as dt

from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from languages.content import TranslatedContent, translations_field

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
    CANCELLED = "cancelled"


class Performance(models.Model):
    show = models.ForeignKey(Show, on_delete=models.CASCADE, related_name="performances")
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="performances")
    starts_at = models.DateTimeField(db_index=True)
    capacity = models.PositiveIntegerField()
    # Changed only by a conditional UPDATE in tickets.services, never by the admin form.
    seats_sold = models.PositiveIntegerField(default=0, editable=False)
    price_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="EUR")
    cancelled = models.BooleanField(default=False)
    # Seats that come free go to the waiting list (tickets/waitlist.py) before general sale.
    waitlist_enabled = models.BooleanField(
        "waiting list", default=True,
        help_text="Offer freed seats to the waiting list first, in the order people joined.")

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(seats_sold__gte=0),
                                   name="performance_seats_sold_not_negative"),
            models.CheckConstraint(condition=Q(seats_sold__lte=F("capacity")),
                                   name="performance_not_oversold"),
            models.CheckConstraint(condition=Q(price_cents__gte=0),
                                   name="performance_price_not_negative"),
            models.CheckConstraint(condition=Q(currency__in=[c for c, _ in CURRENCIES]),
                                   name="performance_currency_known"),
            models.UniqueConstraint(fields=["venue", "starts_at"],
                                    name="performance_one_per_venue_and_time"),
        ]

    def __str__(self) -> str:
        return f"{self.show.title} — {self.starts_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        # An edit (admin form, script) must never write back a stale seats_sold read before
        # the latest sale: only tickets.services changes it, with a conditional UPDATE.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "seats_sold"
            ]
        super().save(*args, **kwargs)

    @property
    def seats_left(self) -> int:
        """Seats on general sale: none while people wait for freed seats (when the public
        selectors annotate `someone_waits`; the reservation statement enforces it)."""
        if self.waitlist_enabled and getattr(self, "someone_waits", False):
            return 0
        return max(self.capacity - self.seats_sold, 0)

    def status(self, now: dt.datetime | None = None) -> str:
        now = now or timezone.now()
        if self.cancelled:
            return PerformanceStatus.CANCELLED
        if self.starts_at <= now or not self.show.published:
            return PerformanceStatus.SALES_CLOSED
        if self.seats_left == 0:
            return PerformanceStatus.SOLD_OUT
        return PerformanceStatus.ON_SALE
