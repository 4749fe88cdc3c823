"""Admin forms for content in both languages (languages/content.py): a field per
translated field and other language ("title (English)"), kept in the `translations` column."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from .content import as_dict, other_languages


class TranslationsForm(forms.ModelForm):
    translated_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = as_dict(getattr(self.instance, "translations", None))
        for code, _name in other_languages():
            for field in self.translated_fields:
                name = f"{field}__{code}"
                if name in self.fields and not self.is_bound:
                    self.initial.setdefault(name, (stored.get(code) or {}).get(field, ""))

    def save(self, commit: bool = True) -> Any:
        stored = as_dict(self.instance.translations)
        for code, _name in other_languages():
            texts = {field: (self.cleaned_data.get(f"{field}__{code}") or "").strip()
                     for field in self.translated_fields}
            texts = {field: text for field, text in texts.items() if text}
            if texts:
                stored[code] = texts
            else:
                stored.pop(code, None)
        self.instance.translations = stored
        return super().save(commit=commit)


def translations_form(model: type[models.Model], fields: tuple[str, ...]) -> type[forms.ModelForm]:
    """A ModelForm of `model` whose `fields` can also be written in the other language(s)."""
    declared: dict[str, Any] = {"translated_fields": fields}
    for code, name in other_languages():
        for field in fields:
            model_field = model._meta.get_field(field)
            declared[f"{field}__{code}"] = forms.CharField(
                # Lazy: in the staff member's language ("titre (English)").
                label=format_lazy("{} ({})", gettext_lazy(str(model_field.verbose_name)), name),
                required=False,
                max_length=getattr(model_field, "max_length", None),
                widget=forms.Textarea if isinstance(model_field, models.TextField)
                else forms.TextInput(attrs={"class": "vTextField"}))
    declared["Meta"] = type("Meta", (), {"model": model, "exclude": ["translations"]})
    return type(f"{model.__name__}TranslationsForm", (TranslationsForm,), declared)
