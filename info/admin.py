"""Staff admin for info pages and their attachments."""

from django.contrib import admin

from languages.forms import translations_form

from .models import Attachment, InfoPage

InfoPageForm = translations_form(InfoPage, ("title", "summary", "body"))


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 1
    fields = ["file", "name", "size"]
    readonly_fields = ["size"]


@admin.register(InfoPage)
class InfoPageAdmin(admin.ModelAdmin):
    form = InfoPageForm
    list_display = ["title", "slug", "published", "position", "updated_at"]
    list_editable = ["published", "position"]
    list_filter = ["published"]
    search_fields = ["title", "slug", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "updated_at"
    inlines = [AttachmentInline]
