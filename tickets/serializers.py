"""Input and output shapes of the tickets API (API.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from payments.models import Payment
from payments.serializers import PaymentSerializer
from shows.models import Performance
from shows.serializers import ShowRefSerializer, VenueSerializer

from .models import MAX_SEATS_PER_PERSON, Order, Ticket, WaitlistEntry


class LineInputSerializer(serializers.Serializer):
    category = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_SEATS_PER_PERSON)


class CodesInputMixin(serializers.Serializer):
    """A voucher code (discount, hidden categories) and a gift card's code (pays part or
    all of the order); both matched in any case."""

    voucher = serializers.CharField(max_length=64, required=False, allow_blank=True)
    gift_card = serializers.CharField(max_length=64, required=False, allow_blank=True)


class ReservationInputSerializer(CodesInputMixin):
    """`lines` (seats per price category), or `quantity` seats of the lowest-priced visible
    category (the body before categories existed); not both."""

    performance = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    lines = serializers.ListField(child=LineInputSerializer(), required=False, min_length=1,
                                  max_length=MAX_SEATS_PER_PERSON)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_SEATS_PER_PERSON,
                                        required=False)
    # A seated performance: these seats, or best available for `lines`/`quantity`.
    seats = serializers.ListField(child=serializers.IntegerField(min_value=1,
                                                                 max_value=2**63 - 1),
                                  required=False, min_length=1,
                                  max_length=MAX_SEATS_PER_PERSON)
    best_available = serializers.BooleanField(required=False, default=False)
    split = serializers.BooleanField(required=False, default=False)
    wheelchair = serializers.BooleanField(required=False, default=False)

    def validate(self, data: dict) -> dict:
        if "seats" in data:
            if "lines" in data or "quantity" in data or data["best_available"]:
                raise serializers.ValidationError(
                    {"seats": ["Give `seats` alone: each seat's zone is its category."]})
            return data
        if "lines" not in data and "quantity" not in data:
            raise serializers.ValidationError({"quantity": ["Give `quantity` or `lines`."]})
        if "lines" in data and "quantity" in data:
            raise serializers.ValidationError(
                {"lines": ["Give either `lines` or `quantity`, not both."]})
        return data  # the lines' sum and categories: tickets.lines (409 / 404)


class ReservationByLinesSerializer(CodesInputMixin):
    """The schema's first form: seats per price category."""

    performance = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    lines = serializers.ListField(child=LineInputSerializer(), min_length=1,
                                  max_length=MAX_SEATS_PER_PERSON)
    # A seated performance: the server chooses adjacent seats, in the lines' zones.
    best_available = serializers.BooleanField(required=False, default=False)
    split = serializers.BooleanField(required=False, default=False,
                                     help_text="Accept seats apart if none are together.")
    wheelchair = serializers.BooleanField(required=False, default=False,
                                          help_text="The group includes a wheelchair space.")


class ReservationBySeatsSerializer(serializers.Serializer):
    """The schema's third form: these seats of a seated performance."""

    performance = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    seats = serializers.ListField(child=serializers.IntegerField(min_value=1,
                                                                 max_value=2**63 - 1),
                                  min_length=1, max_length=MAX_SEATS_PER_PERSON)


class ReservationByQuantitySerializer(CodesInputMixin):
    """The schema's second form: seats of the lowest-priced visible category."""

    performance = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_SEATS_PER_PERSON)


# What the schema documents: exactly one of the two forms (validated by the above).
ReservationRequestSchema = PolymorphicProxySerializer(
    component_name="Reservation",
    serializers=[ReservationByLinesSerializer, ReservationByQuantitySerializer,
                 ReservationBySeatsSerializer],
    resource_type_field_name=None)


class CategoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField())
    def get_name(self, category) -> str:
        """In the request's language (languages/content.py)."""
        return str(category.translated("name"))


class OrderLineSerializer(serializers.Serializer):
    category = CategoryRefSerializer()
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_SEATS_PER_PERSON)
    unit_price_cents = serializers.IntegerField(min_value=0)
    # A voucher's discount on the line's seats, in all.
    discount_cents = serializers.IntegerField(min_value=0)


class OrderPerformanceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    show = ShowRefSerializer()
    venue = VenueSerializer()


class SeatRefSerializer(serializers.Serializer):
    """A seat as shown on tickets: `label` is "Stalls, row F, seat 12"."""

    id = serializers.IntegerField()
    section = serializers.CharField()
    row = serializers.CharField()
    number = serializers.CharField()
    label = serializers.CharField()


def _seat_body(seat: Any) -> dict[str, Any] | None:
    if seat is None:
        return None
    from .seating import describe

    return describe(seat)


class TicketSerializer(serializers.ModelSerializer):
    category = CategoryRefSerializer()
    seat = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = ["code", "category", "seat", "checked_in_at"]

    @extend_schema_field(SeatRefSerializer(allow_null=True))
    def get_seat(self, ticket: Ticket) -> dict | None:
        """Its seat at a seated performance; null for general admission."""
        return _seat_body(ticket.seat if ticket.seat_id else None)


class OrderSerializer(serializers.ModelSerializer):
    performance = OrderPerformanceSerializer()
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_SEATS_PER_PERSON)
    total_cents = serializers.IntegerField(min_value=0)
    # Of total_cents, what a gift card paid; the rest is the payment's.
    paid_by_gift_card_cents = serializers.IntegerField(min_value=0)
    refund_cents = serializers.IntegerField(
        min_value=0, help_text="Once cancelled: what was refunded (the total less the fee).")
    fee_cents = serializers.IntegerField(
        min_value=0, help_text="Once cancelled: the fee its refund rule kept.")
    lines = serializers.SerializerMethodField()
    seats = serializers.SerializerMethodField()
    tickets = serializers.SerializerMethodField()
    payment = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = ["id", "status", "performance", "quantity", "lines", "seats", "total_cents",
                  "paid_by_gift_card_cents", "currency", "created_at", "expires_at",
                  "refund_cents", "fee_cents",
                  "tickets", "payment"]
        read_only_fields = fields  # output only: every field is always present

    @extend_schema_field(OrderLineSerializer(many=True))
    def get_lines(self, order: Order) -> list:
        lines = getattr(order, "issued_lines", None)
        return OrderLineSerializer(order.lines.all() if lines is None else lines,
                                   many=True).data

    @extend_schema_field(SeatRefSerializer(many=True))
    def get_seats(self, order: Order) -> list:
        """The seats it holds or bought (a seated performance); empty otherwise."""
        return [_seat_body(seat) for seat in _order_seats(order)]

    @extend_schema_field(TicketSerializer(many=True))
    def get_tickets(self, order: Order) -> list:
        # context["tickets"]: the tickets of an order not written yet (idempotent replay);
        # issued_tickets: those the reservation just wrote (no need to read them back).
        tickets = self.context.get("tickets", getattr(order, "issued_tickets", None))
        return TicketSerializer(order.tickets.all() if tickets is None else tickets,
                                many=True).data

    @extend_schema_field(PaymentSerializer(allow_null=True))
    def get_payment(self, order: Order) -> dict | None:
        payment = getattr(order, "payment", None)  # None: free, or not started yet
        return PaymentSerializer(payment).data if payment is not None else None


_DATETIME = serializers.DateTimeField()  # the serializers' format: ISO 8601, UTC as "Z"


def _datetime(value: dt.datetime | None) -> str | None:
    return _DATETIME.to_representation(value)


def _order_seats(order: Order) -> list:
    seats = getattr(order, "issued_seats", None)
    if seats is None:
        seats = [taken.seat for taken in order.taken_seats.all() if taken.active]
    return seats


def order_body(order: Order, tickets: list[Ticket] | None = None) -> dict[str, Any]:
    """`OrderSerializer(order, context={"tickets": tickets}).data` written out, for the
    reservation's response: the same keys, order and formats without DRF's copies of every
    nested field per serializer instance (tickets/tests/test_order_body.py compares them).
    `tickets` None: those the reservation issued, else the order's own (as the serializer).
    """
    if tickets is None:
        tickets = getattr(order, "issued_tickets", None)
        if tickets is None:
            tickets = order.tickets.all()
    lines = getattr(order, "issued_lines", None)
    if lines is None:
        lines = order.lines.all()
    names = {line.category_id: str(line.category.translated("name")) for line in lines}
    payment = getattr(order, "payment", None)  # None: free, or not started yet
    return {
        "id": str(order.id),
        "status": str(order.status),
        "performance": _performance_body(order.performance),
        "quantity": int(order.quantity),
        "lines": [{"category": {"id": int(line.category_id), "name": names[line.category_id]},
                   "quantity": int(line.quantity),
                   "unit_price_cents": int(line.unit_price_cents),
                   "discount_cents": int(line.discount_cents)} for line in lines],
        "seats": [_seat_body(seat) for seat in _order_seats(order)],
        "total_cents": int(order.total_cents),
        "paid_by_gift_card_cents": int(order.paid_by_gift_card_cents),
        "currency": str(order.currency),
        "created_at": _datetime(order.created_at),
        "expires_at": _datetime(order.expires_at),
        "refund_cents": int(order.refund_cents),
        "fee_cents": int(order.fee_cents),
        "tickets": [{"code": str(ticket.code),
                     "category": {"id": int(ticket.category_id),
                                  "name": names.get(ticket.category_id)
                                  or str(ticket.category.translated("name"))},
                     "seat": _seat_body(ticket.seat if ticket.seat_id else None),
                     "checked_in_at": _datetime(ticket.checked_in_at)}
                    for ticket in tickets],
        "payment": PaymentSerializer(payment).data if payment is not None else None,
    }


def _performance_body(performance: Performance) -> dict[str, Any]:
    """OrderPerformanceSerializer's output."""
    show, venue = performance.show, performance.venue
    return {
        "id": int(performance.id),
        "starts_at": _datetime(performance.starts_at),
        "show": {"slug": str(show.slug), "title": str(show.translated("title"))},
        "venue": {"name": str(venue.name), "city": str(venue.city)},
    }


def with_payment(body: dict, payment: Payment) -> dict:
    """A stored first response of a paid reservation, completed with its payment (stored
    after the key, once Stripe answered)."""
    return {**body, "payment": PaymentSerializer(payment).data}


class MeSerializer(serializers.Serializer):
    sub = serializers.CharField()
    email = serializers.CharField(allow_blank=True)


class WaitlistJoinSerializer(serializers.Serializer):
    seats = serializers.IntegerField(min_value=1, max_value=MAX_SEATS_PER_PERSON)
    # The fewest seats they accept if fewer come free (default: all of `seats`).
    min_seats = serializers.IntegerField(min_value=1, max_value=MAX_SEATS_PER_PERSON,
                                         required=False)

    def validate(self, data: dict) -> dict:
        if data.get("min_seats", data["seats"]) > data["seats"]:
            raise serializers.ValidationError({"min_seats": ["At most `seats`."]})
        return data


class WaitlistEntrySerializer(serializers.ModelSerializer):
    performance = OrderPerformanceSerializer()
    seats = serializers.IntegerField(min_value=1, max_value=MAX_SEATS_PER_PERSON)
    min_seats = serializers.IntegerField(min_value=1, max_value=MAX_SEATS_PER_PERSON)
    position = serializers.SerializerMethodField()
    offer_order = serializers.UUIDField(source="offer_order_id", allow_null=True)
    # Until when the offer's seats are held (null when no offer is held).
    offer_expires_at = serializers.DateTimeField(source="offer_order.expires_at",
                                                 allow_null=True)

    class Meta:
        model = WaitlistEntry
        fields = ["performance", "seats", "min_seats", "status", "position", "joined_at",
                  "offered_at", "offer_order", "offer_expires_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(min_value=1, allow_null=True))
    def get_position(self, entry: WaitlistEntry) -> int | None:
        """1 for the head of the line; null once no longer waiting."""
        from .waitlist import waitlist_position

        return waitlist_position(entry)


class ZonePriceSerializer(serializers.Serializer):
    zone = serializers.CharField()
    category = CategoryRefSerializer()
    price_cents = serializers.IntegerField(min_value=0)


class PerformanceSeatsSerializer(serializers.Serializer):
    """Availability of a seated performance (short-lived; the layout is fetched apart)."""

    performance = serializers.IntegerField()
    layout = serializers.IntegerField()
    layout_version = serializers.IntegerField(
        help_text="Changes when the layout's seats change: fetch the layout with `?v=`.")
    seats = serializers.IntegerField(help_text="Seats in the layout (bits in `taken`).")
    taken = serializers.CharField(
        help_text="Base64 bitmap, one bit per seat in the layout's order (ids ascending), "
                  "most significant bit first: 1 = sold, held or blocked.")
    seats_left = serializers.IntegerField(min_value=0)
    currency = serializers.CharField()
    zones = ZonePriceSerializer(many=True)
