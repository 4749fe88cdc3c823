"""Input and output shapes of the tickets API (API.md)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shows.serializers import ShowRefSerializer, VenueSerializer

from .models import MAX_SEATS_PER_PERSON, Order, Ticket


class ReservationInputSerializer(serializers.Serializer):
    performance = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_SEATS_PER_PERSON)


class OrderPerformanceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    show = ShowRefSerializer()
    venue = VenueSerializer()


class TicketSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ticket
        fields = ["code", "checked_in_at"]


class OrderSerializer(serializers.ModelSerializer):
    performance = OrderPerformanceSerializer()
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_SEATS_PER_PERSON)
    total_cents = serializers.IntegerField(min_value=0)
    tickets = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = ["id", "status", "performance", "quantity", "total_cents", "currency",
                  "created_at", "tickets"]

    @extend_schema_field(TicketSerializer(many=True))
    def get_tickets(self, order: Order) -> list:
        # context["tickets"]: the tickets of an order not written yet (idempotent replay).
        tickets = self.context.get("tickets")
        return TicketSerializer(order.tickets.all() if tickets is None else tickets,
                                many=True).data


class MeSerializer(serializers.Serializer):
    sub = serializers.CharField()
    email = serializers.CharField(allow_blank=True)
