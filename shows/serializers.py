"""Input and output shapes of the public shows API (API.md)."""

from __future__ import annotations

import datetime as dt

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from languages.serializers import TranslatedField

from .models import Performance, PerformanceStatus, Show


class ShowFilterSerializer(serializers.Serializer):
    """Query parameters of the show list. `from` and `to` are days (UTC), both inclusive."""

    # Not trimmed by DRF (it would turn "\x1f" into a blank, which the schema cannot say);
    # validate() strips it.
    q = serializers.CharField(required=False, max_length=100, trim_whitespace=False,
                              help_text="Search in title and summary.",
                              # Documents what DRF enforces anyway: no NUL characters.
                              validators=[RegexValidator(r"^[^\x00]*$")])
    to = serializers.DateField(required=False, help_text="Last day (inclusive).")

    def get_fields(self):
        # `from` is a Python keyword, so it cannot be declared as a class attribute.
        return {"from": serializers.DateField(required=False, help_text="First day."),
                **super().get_fields()}

    def validate(self, attrs):
        # An inverted window (to < from) is simply empty, as the schema cannot forbid it.
        start, end = attrs.get("from"), attrs.get("to")
        return {
            "query": attrs.get("q", "").strip(),
            "start": dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC) if start else None,
            "end": (dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
                    if end else None),
        }


@extend_schema_field(serializers.URLField(allow_null=True))
class FileUrlField(serializers.Field):
    """The URL of a stored file (presigned on a private S3 bucket), or null."""

    def __init__(self, **kwargs) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value) -> str | None:
        return value.url if value else None


class VenueSerializer(serializers.Serializer):
    name = serializers.CharField()
    city = serializers.CharField()


class CategorySerializer(serializers.Serializer):
    """A visible price category and what is left of it."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    price_cents = serializers.IntegerField(min_value=0)
    max_per_order = serializers.IntegerField(min_value=1, allow_null=True)
    seats_left = serializers.IntegerField(min_value=0)
    status = serializers.ChoiceField(choices=PerformanceStatus.choices)


class RefundPolicySerializer(serializers.Serializer):
    """What a customer may cancel, until when, for what fee (null: never)."""

    customer_may_cancel = serializers.BooleanField()
    cancel_until = serializers.DateTimeField(allow_null=True)
    hours_before = serializers.IntegerField(min_value=0)
    fee_fixed_cents = serializers.IntegerField(min_value=0)
    fee_percent = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0,
                                           max_value=100, coerce_to_string=True)


class PerformanceSerializer(serializers.ModelSerializer):
    venue = VenueSerializer()
    # Declared, not derived from the model: the schema must not depend on the database
    # backend's integer range.
    capacity = serializers.IntegerField(min_value=0)
    seats_left = serializers.IntegerField(min_value=0)
    price_cents = serializers.IntegerField(
        min_value=0, help_text="The lowest price of its visible categories.")
    status = serializers.SerializerMethodField()
    on_sale_at = serializers.DateTimeField(allow_null=True)
    sales_end_at = serializers.DateTimeField(source="sales_end")
    categories = serializers.SerializerMethodField()
    refund_policy = serializers.SerializerMethodField()

    class Meta:
        model = Performance
        fields = ["id", "starts_at", "venue", "capacity", "seats_left", "price_cents",
                  "currency", "status", "on_sale_at", "sales_end_at", "categories",
                  "refund_policy"]

    @extend_schema_field(serializers.ChoiceField(choices=PerformanceStatus.choices))
    def get_status(self, obj: Performance) -> str:
        return str(obj.status(self.context.get("now")))

    @extend_schema_field(CategorySerializer(many=True))
    def get_categories(self, obj: Performance) -> list:
        status = obj.status(self.context.get("now"))
        rows = []
        for category in obj.categories.all():  # prefetched by the selectors
            if category.hidden:
                continue
            left = category.seats_left(obj.seats_left)
            rows.append({
                "id": category.pk, "name": category.translated("name"),
                "description": category.translated("description"),
                "price_cents": category.price_cents,
                "max_per_order": category.max_per_order, "seats_left": left,
                "status": PerformanceStatus.SOLD_OUT
                if status == PerformanceStatus.ON_SALE and left == 0 else status,
            })
        return CategorySerializer(rows, many=True).data

    @extend_schema_field(RefundPolicySerializer())
    def get_refund_policy(self, obj: Performance) -> dict:
        policy = obj.refund_terms()
        return RefundPolicySerializer({
            "customer_may_cancel": policy.customer_may_cancel,
            "cancel_until": obj.starts_at - dt.timedelta(hours=policy.hours_before)
            if policy.customer_may_cancel else None,
            "hours_before": policy.hours_before, "fee_fixed_cents": policy.fee_fixed_cents,
            "fee_percent": policy.fee_percent}).data


class ShowRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = TranslatedField()


class PerformanceDetailSerializer(PerformanceSerializer):
    show = ShowRefSerializer()

    class Meta(PerformanceSerializer.Meta):
        fields = [*PerformanceSerializer.Meta.fields, "show"]


class ShowListItemSerializer(serializers.ModelSerializer):
    title = TranslatedField()
    summary = TranslatedField()
    poster_url = FileUrlField(source="poster")
    next_performance_at = serializers.DateTimeField()
    price_from_cents = serializers.IntegerField(min_value=0)
    currency = serializers.CharField()

    class Meta:
        model = Show
        fields = ["slug", "title", "summary", "poster_url", "next_performance_at",
                  "price_from_cents", "currency"]


class ShowDetailSerializer(serializers.ModelSerializer):
    title = TranslatedField()
    summary = TranslatedField()
    description = TranslatedField()
    poster_url = FileUrlField(source="poster")
    duration_minutes = serializers.IntegerField(min_value=1)
    performances = PerformanceSerializer(many=True)

    class Meta:
        model = Show
        fields = ["slug", "title", "summary", "description", "poster_url",
                  "duration_minutes", "performances"]
