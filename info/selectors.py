"""Reads of the info app."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import InfoPage


def page_list() -> QuerySet[InfoPage]:
    return InfoPage.objects.filter(published=True).only("slug", "title", "summary")


def page_get(*, slug: str) -> InfoPage | None:
    return (InfoPage.objects.filter(published=True, slug=slug)
            .prefetch_related("attachments").first())
