"""Staff admin for info pages and their attachments."""

from django.contrib import admin

from .models import Attachment, InfoPage


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 1
    fields = ["file", "name", "size"]
    readonly_fields = ["size"]


@admin.register(InfoPage)
class InfoPageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "published", "position", "updated_at"]
    list_editable = ["published", "position"]
    list_filter = ["published"]
    search_fields = ["title", "slug", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "updated_at"
    inlines = [AttachmentInline]
