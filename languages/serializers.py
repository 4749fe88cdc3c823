from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .content import TranslatedContent
from .models import Language


class CustomerLanguageSerializer(serializers.Serializer):
    language = serializers.ChoiceField(choices=Language.choices)


@extend_schema_field(serializers.CharField())
class TranslatedField(serializers.Field):
    """The model field of the same name, in the request's language (fallback: the venue's)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: TranslatedContent) -> str:
        return value.translated(self.field_name)
