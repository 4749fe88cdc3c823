from django.contrib import admin

from .models import CustomerLanguage


@admin.register(CustomerLanguage)
class CustomerLanguageAdmin(admin.ModelAdmin):
    list_display = ("customer", "language", "updated_at")
    list_filter = ("language",)
    search_fields = ("customer__username", "customer__email")
    raw_id_fields = ("customer",)
