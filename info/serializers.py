"""Output shapes of the info pages API (API.md)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from languages.serializers import TranslatedField

from .models import Attachment, InfoPage
from .rendering import render_markdown


class InfoPageListItemSerializer(serializers.ModelSerializer):
    title = TranslatedField()
    summary = TranslatedField()

    class Meta:
        model = InfoPage
        fields = ["slug", "title", "summary"]


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["name", "url", "size"]

    @extend_schema_field(serializers.URLField())
    def get_url(self, obj: Attachment) -> str:
        return obj.file.url


class InfoPageDetailSerializer(serializers.ModelSerializer):
    title = TranslatedField()
    body_html = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True)

    class Meta:
        model = InfoPage
        fields = ["slug", "title", "body_html", "updated_at", "attachments"]

    def get_body_html(self, obj: InfoPage) -> str:
        return render_markdown(obj.translated("body"))
