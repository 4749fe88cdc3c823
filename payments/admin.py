"""Staff views of payments and Stripe events: read-only (Stripe and the services own them)."""

from __future__ import annotations

from django.contrib import admin

from project.admin_mixins import ReadOnlyAdminMixin

from .models import Payment, WebhookEvent


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["intent_id", "order", "status", "amount_cents", "refunded_cents",
                    "currency", "created_at"]
    list_filter = ["status", "currency"]
    list_select_related = ["order__performance__show"]
    search_fields = ["=intent_id", "=setup_intent_id", "=refund_id", "=order__id"]
    exclude = ["client_secret", "setup_client_secret"]  # not for staff eyes
    readonly_fields = ["order", "intent_id", "setup_intent_id", "status", "amount_cents",
                       "currency", "refunded_cents", "refund_id", "refund_reason",
                       "last_error", "checked_at", "created_at", "updated_at"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["event_id", "type", "received_at"]
    list_filter = ["type"]
    search_fields = ["=event_id"]
    date_hierarchy = "received_at"
