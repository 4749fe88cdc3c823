"""Seat maps: a venue's layouts (sections, rows, seats) and which performances use them.

A layout is drawn from its seats' positions (x, y). Each seat has a price zone, mapped to a
price category per performance (`Zone`). Which seats of a performance are sold, held or
blocked is the tickets app's (tickets.models.TakenSeat, unique per performance and seat).
A layout is frozen once a performance using it has sold a seat (`Layout.is_frozen`): staff
copy it to change it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from shows.models import Performance, PriceCategory, Venue


class Layout(models.Model):
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="layouts")
    name = models.CharField(max_length=200)
    copied_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+", editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["venue", "name"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "name"], name="layout_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.venue.name})"

    def is_frozen(self) -> bool:
        """A performance using it has sold or holds a seat: its seats may not change."""
        return Performance.objects.filter(seated__layout=self, seats_sold__gt=0).exists()


class Section(models.Model):
    layout = models.ForeignKey(Layout, on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(max_length=100)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["layout", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["layout", "name"], name="section_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Seat(models.Model):
    """One seat. `position` orders the seats of a row: seats with consecutive positions
    are side by side (best available keeps a group on consecutive positions). `row_rank`
    is the layout's ranking of rows, lower is better (best available fills it first)."""

    layout = models.ForeignKey(Layout, on_delete=models.CASCADE, related_name="seats")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="seats")
    row = models.CharField(max_length=10)
    number = models.CharField(max_length=10)
    position = models.PositiveSmallIntegerField()
    row_rank = models.PositiveSmallIntegerField(default=0)
    x = models.IntegerField()
    y = models.IntegerField()
    zone = models.CharField(max_length=50)
    wheelchair = models.BooleanField(default=False, help_text="A wheelchair space.")
    companion = models.BooleanField(default=False,
                                    help_text="A companion seat beside a wheelchair space.")
    restricted_view = models.BooleanField(default=False)

    class Meta:
        ordering = ["layout", "id"]
        constraints = [
            models.UniqueConstraint(fields=["section", "row", "number"],
                                    name="seat_unique_label"),
            models.UniqueConstraint(fields=["section", "row", "position"],
                                    name="seat_unique_position"),
        ]

    def __str__(self) -> str:
        return seat_label(self.section.name, self.row, self.number)


def seat_label(section: str, row: str, number: str) -> str:
    """How a seat is written everywhere (tickets, emails, door mode): "Stalls, row F,
    seat 12"."""
    return _("{section}, row {row}, seat {number}").format(section=section, row=row,
                                                            number=number)


class PerformanceLayout(models.Model):
    """A seated performance: sold seat by seat on `layout`. Its capacity is the number of
    the layout's seats less those blocked (seating.services)."""

    performance = models.OneToOneField(Performance, on_delete=models.CASCADE,
                                       primary_key=True, related_name="seated")
    layout = models.ForeignKey(Layout, on_delete=models.PROTECT, related_name="performances")

    class Meta:
        verbose_name = "seated performance"

    def __str__(self) -> str:
        return f"{self.performance} on {self.layout.name}"


class Zone(models.Model):
    """A layout's price zone sold in a price category of one performance."""

    performance = models.ForeignKey(Performance, on_delete=models.CASCADE,
                                    related_name="zones")
    zone = models.CharField(max_length=50)
    category = models.ForeignKey(PriceCategory, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["performance", "zone"]
        constraints = [
            models.UniqueConstraint(fields=["performance", "zone"], name="zone_one_category"),
            models.CheckConstraint(condition=~Q(zone=""), name="zone_named"),
        ]

    def __str__(self) -> str:
        return f"{self.zone} → {self.category_id}"
