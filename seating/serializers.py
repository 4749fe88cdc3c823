"""Output shapes of the seat-map API (documentation of the columnar bodies)."""

from rest_framework import serializers

from shows.serializers import VenueSerializer


class LayoutSeatsSerializer(serializers.Serializer):
    """One array per attribute; seat i is `id[i]`, `section[i]`… (ids ascending)."""

    id = serializers.ListField(child=serializers.IntegerField())
    section = serializers.ListField(child=serializers.IntegerField(),
                                    help_text="Index into `sections`.")
    row = serializers.ListField(child=serializers.CharField())
    number = serializers.ListField(child=serializers.CharField())
    x = serializers.ListField(child=serializers.IntegerField())
    y = serializers.ListField(child=serializers.IntegerField())
    zone = serializers.ListField(child=serializers.IntegerField(),
                                 help_text="Index into `zones`.")
    flags = serializers.ListField(child=serializers.IntegerField(),
                                  help_text="Bits: 1 wheelchair space, 2 companion seat, "
                                            "4 restricted view.")


class LayoutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    venue = VenueSerializer()
    sections = serializers.ListField(child=serializers.CharField())
    zones = serializers.ListField(child=serializers.CharField())
    seats = LayoutSeatsSerializer()
