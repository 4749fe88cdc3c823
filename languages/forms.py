"""Admin forms for content in both languages (languages/content.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models

from .content import as_dict, other_languages


class TranslationsForm(forms.ModelForm):
    """An admin form with a field per translated field and other language ("title (English)"),
    kept in the model's `translations` column."""

    translated_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = as_dict(getattr(self.instance, "translations", None))
        for code, name in other_languages():
            for field in self.translated_fields:
                model_field = self.instance._meta.get_field(field)
                text_area = isinstance(model_field, models.TextField)
                self.fields[f"{field}__{code}"] = forms.CharField(
                    label=f"{model_field.verbose_name} ({name})", required=False,
                    widget=forms.Textarea if text_area else forms.TextInput(
                        attrs={"size": 60}),
                    max_length=getattr(model_field, "max_length", None),
                    initial=(stored.get(code) or {}).get(field, ""))
        self.fields.pop("translations", None)

    def save(self, commit: bool = True) -> Any:
        stored = as_dict(self.instance.translations)
        for code, _name in other_languages():
            texts = {field: self.cleaned_data.get(f"{field}__{code}", "").strip()
                     for field in self.translated_fields}
            texts = {field: text for field, text in texts.items() if text}
            if texts:
                stored[code] = texts
            else:
                stored.pop(code, None)
        self.instance.translations = stored
        return super().save(commit=commit)
