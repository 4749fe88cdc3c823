"""Info pages (visit us, accessibility, FAQ…) and their downloadable attachments."""

from __future__ import annotations

from pathlib import PurePosixPath

from django.db import models

from languages.content import TranslatedContent, translations_field


class InfoPage(TranslatedContent, models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True, help_text="Markdown. Rendered and sanitized for the site.")
    published = models.BooleanField(default=False)
    # title, summary and body in the other language (languages/content.py).
    translations = translations_field()
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title


class Attachment(models.Model):
    page = models.ForeignKey(InfoPage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/")
    name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # Derived from the file so the API never has to ask the storage (an S3 round trip).
        if self.file:
            self.size = self.file.size
            self.name = self.name or PurePosixPath(self.file.name).name
        super().save(*args, **kwargs)
