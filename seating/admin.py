"""Staff admin for seat maps: import a layout from CSV or a text grid, see it drawn, copy
it once frozen; seat a performance on a layout, block and release its seats."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from project.admin_mixins import ActionPermissionMixin
from project.errors import DomainError
from shows.models import PriceCategory

from . import services
from .errors import LayoutInvalid
from .layouts import parse_csv, parse_grid
from .models import Layout, PerformanceLayout, Seat

ZONE_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
                "#8c564b", "#e377c2"]


class LayoutForm(forms.ModelForm):
    source_format = forms.ChoiceField(
        choices=[("csv", gettext_lazy("CSV: section,row,seat,x,y,zone,flags")),
                 ("grid", gettext_lazy("Text grid"))],
        initial="csv", required=False)
    source = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80, "style": "font-family:monospace"}),
        required=False,
        help_text=gettext_lazy(
            "CSV lines `section,row,seat,x,y,zone,flags` (flags: wheelchair, companion, "
            "restricted), or a grid: `[Stalls]`, then `F: a a a . b b` per row "
            "(`*` wheelchair space, `+` companion, `!` restricted view). Replaces "
            "every seat; refused once a performance on this layout sold a seat."))

    class Meta:
        model = Layout
        fields = ["venue", "name"]

    def clean(self) -> dict:
        data = super().clean()
        source = data.get("source", "").strip()
        if not source:
            if not self.instance.pk:
                raise forms.ValidationError({"source": _("A new layout needs its seats.")})
            data["seats"] = None
            return data
        if self.instance.pk and self.instance.is_frozen():
            raise forms.ValidationError(
                {"source": _("A performance using this layout has sold seats: its seats can "
                             "no longer change. Copy the layout and change the copy.")})
        parse = parse_grid if data.get("source_format") == "grid" else parse_csv
        try:
            data["seats"] = parse(source)
        except LayoutInvalid as exc:
            raise forms.ValidationError({"source": exc.detail}) from None
        return data


def drawing(layout: Layout) -> str:
    """The layout as SVG, a circle per seat coloured by zone (wheelchair spaces square)."""
    seats = list(layout.seats.all().select_related("section"))
    if not seats:
        return "—"
    xs, ys = [s.x for s in seats], [s.y for s in seats]
    zones = sorted({s.zone for s in seats})
    colour = {z: ZONE_COLOURS[i % len(ZONE_COLOURS)] for i, z in enumerate(zones)}
    pad = 10
    view = f"{min(xs) - pad} {min(ys) - pad} {max(xs) - min(xs) + 2 * pad} " \
           f"{max(ys) - min(ys) + 2 * pad}"
    shapes = format_html_join(
        "", '<{} {} fill="{}"><title>{}</title></{}>',
        (("rect" if s.wheelchair else "circle",
          format_html('x="{}" y="{}" width="8" height="8"', s.x - 4, s.y - 4) if s.wheelchair
          else format_html('cx="{}" cy="{}" r="4"', s.x, s.y),
          colour[s.zone], _("{seat} (zone {zone})").format(seat=s, zone=s.zone),
          "rect" if s.wheelchair else "circle")
         for s in seats))
    legend = format_html_join(" ", '<span style="color:{}">● {}</span>',
                              ((colour[z], _("zone {zone}").format(zone=z)) for z in zones))
    label = _("Seat map of {layout}, {count} seats").format(layout=layout.name, count=len(seats))
    return format_html('<svg role="img" aria-label="{}" viewBox="{}" '
                       'style="max-width:100%;max-height:480px;background:#fafafa" '
                       'data-seats="{}">{}</svg><p>{}</p>', label, view,
                       len(seats), shapes, legend)


@admin.register(Layout)
class LayoutAdmin(ActionPermissionMixin, admin.ModelAdmin):
    """Managers only (staff.roles: the seating permissions are the Manager role's)."""

    form = LayoutForm
    list_display = ["name", "venue", "seat_count", "frozen"]
    list_filter = ["venue"]
    actions = ["copy_layouts"]

    def get_fields(self, request, obj=None):
        if obj is not None and obj.is_frozen():
            return ["venue", "name", "drawing"]
        return ["venue", "name", "source_format", "source", "drawing"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_frozen():
            return ["venue", "name", "drawing"]
        return ["drawing"]

    @admin.display(description=gettext_lazy("seats"))
    def seat_count(self, obj: Layout) -> int:
        return obj.seats.count()

    @admin.display(boolean=True, description=gettext_lazy("frozen"))
    def frozen(self, obj: Layout) -> bool:
        return obj.is_frozen()

    @admin.display(description=gettext_lazy("seat map"))
    def drawing(self, obj: Layout) -> str:
        return drawing(obj) if obj.pk else "—"

    def save_model(self, request, obj, form, change):
        seats = form.cleaned_data.get("seats")
        if not change:
            created = services.layout_create(venue=obj.venue, name=obj.name, seats=seats)
            obj.pk = created.pk
            obj.refresh_from_db()
            return
        super().save_model(request, obj, form, change)
        if seats is not None:
            services.layout_replace_seats(layout=obj, seats=seats)

    @admin.action(description=gettext_lazy("Copy the selected layouts (to change a frozen one)"),
                  permissions=["add"])
    def copy_layouts(self, request: HttpRequest, queryset: QuerySet[Layout]) -> None:
        for layout in queryset:
            copy = services.layout_copy(layout=layout,
                                       name=_("{name} (copy)").format(name=layout.name))
            self.message_user(request, _("Copied to “{name}”.").format(name=copy.name))


class PerformanceLayoutForm(forms.ModelForm):
    zones = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False,
        help_text=gettext_lazy("One `zone=category name` per line; a zone without a line is "
                               "sold in the performance's category of the same name."))
    block = forms.CharField(required=False, help_text=gettext_lazy(
        "Seats to take off sale, e.g. `A-1 A-2` or `Balcony:C-4` (house seats, broken seats)."))
    release = forms.CharField(required=False,
                              help_text=gettext_lazy("Blocked seats to put back on sale."))

    class Meta:
        model = PerformanceLayout
        fields = ["performance", "layout"]

    def clean(self) -> dict:
        data = super().clean()
        performance, layout = data.get("performance"), data.get("layout")
        if performance is None or layout is None:
            return data
        if self.instance.pk and not data.get("zones") and "layout" not in self.changed_data:
            return data  # the zones stay as they are
        names = {}
        for line in data.get("zones", "").splitlines():
            if "=" in line:
                zone, name = (part.strip() for part in line.split("=", 1))
                names[zone] = name
        categories = {c.name: c for c in PriceCategory.objects.filter(performance=performance)}
        zones = {}
        for zone in set(layout.seats.values_list("zone", flat=True)):
            category = categories.get(names.get(zone, zone))
            if category is None:
                raise forms.ValidationError(
                    {"zones": _("Zone {zone}: no category “{name}” of this performance.")
                     .format(zone=zone, name=names.get(zone, zone))})
            zones[zone] = category
        data["zone_categories"] = zones
        return data


def _seats_named(layout: Layout, text: str) -> list[int]:
    wanted = []
    for token in text.replace(",", " ").split():
        section, _, label = token.rpartition(":")
        row, _, number = label.partition("-")
        seats = Seat.objects.filter(layout=layout, row=row, number=number)
        if section:
            seats = seats.filter(section__name=section)
        found = list(seats.values_list("id", flat=True))
        if len(found) != 1:
            raise DomainError(_("No single seat {seat} on this layout.").format(seat=token))
        wanted.append(found[0])
    return wanted


@admin.register(PerformanceLayout)
class PerformanceLayoutAdmin(ActionPermissionMixin, admin.ModelAdmin):
    """Seating a performance, blocking and releasing its seats: managers only (the change
    permission, the Manager role's)."""

    form = PerformanceLayoutForm
    list_display = ["performance", "layout"]
    autocomplete_fields = []
    readonly_fields = ["drawing"]

    @admin.display(description=gettext_lazy("seat map"))
    def drawing(self, obj: PerformanceLayout) -> str:
        return drawing(obj.layout) if obj.pk else "—"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if not change or "layout" in form.changed_data or data.get("zones"):
                services.performance_seat(performance=obj.performance, layout=obj.layout,
                                          zones=data["zone_categories"])
            from tickets.seating import seats_block, seats_unblock

            if data.get("block"):
                n = seats_block(performance_id=obj.performance_id,
                                seat_ids=_seats_named(obj.layout, data["block"]))
                self.message_user(request, ngettext("{n} seat blocked.", "{n} seats blocked.", n)
                                  .format(n=n))
            if data.get("release"):
                n = seats_unblock(performance_id=obj.performance_id,
                                  seat_ids=_seats_named(obj.layout, data["release"]))
                self.message_user(request, ngettext("{n} seat released.", "{n} seats released.", n)
                                  .format(n=n))
        except DomainError as exc:
            self.message_user(request, exc.detail, level=messages.ERROR)
