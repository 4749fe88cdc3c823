"""Staff admin for vouchers (one or many at a time, CSV export, redemptions) and gift
cards (issue, corrections with a reason, the read-only ledger)."""

from __future__ import annotations

import csv

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from project.admin_mixins import ActionPermissionMixin, ReadOnlyAdminMixin
from shows.admin import money
from staff import roles

from . import errors, services
from .codes import code_normalize, code_random
from .models import GiftCard, GiftCardPurchase, GiftCardTransaction, PurchaseStatus, Voucher

# What a copy of a voucher takes from the first (vouchers_create's template).
_TEMPLATE_FIELDS = ["kind", "value", "show", "performance", "reveal_hidden", "valid_from",
                    "valid_until", "max_uses", "uses_per", "max_per_order", "active", "comment"]


class VoucherForm(forms.ModelForm):
    count = forms.IntegerField(
        min_value=1, max_value=1000, initial=1, required=False,
        label=gettext_lazy("count"),
        help_text=gettext_lazy("Create this many vouchers at once, each with its own random "
                               "code (the code above must then be empty)."))

    class Meta:
        model = Voucher
        fields = ["code", "kind", "value", "show", "performance", "categories",
                  "reveal_hidden", "valid_from", "valid_until", "max_uses", "uses_per",
                  "max_per_order", "active", "comment"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False

    def clean_code(self) -> str:
        return code_normalize(self.cleaned_data.get("code") or "")

    def clean(self) -> dict:
        data = super().clean()
        if (data.get("count") or 1) > 1 and data.get("code"):
            self.add_error("code", _("Leave the code empty to create many vouchers."))
        limit = data.get("max_uses")
        if self.instance.pk and limit is not None:
            used = services.voucher_uses_live(voucher_id=self.instance.pk)
            if limit < used:
                self.add_error("max_uses", _("%(used)s uses are already taken.") % {
                    "used": used})
        return data


class RedemptionInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The voucher's redemptions: the orders that used it (each order row carries its
    voucher, uses and discount). Through the app registry: vouchers does not import
    tickets, which calls it."""

    model = apps.get_model("tickets", "Order")
    fk_name = "voucher"
    extra = 0
    fields = ["order", "status", "voucher_uses", "discount", "created_at",
              "voucher_released_at"]
    readonly_fields = fields
    verbose_name = gettext_lazy("redemption")
    verbose_name_plural = gettext_lazy("redemptions")
    ordering = ["-created_at"]

    @admin.display(description=gettext_lazy("order"))
    def order(self, obj) -> str:
        return str(obj.pk)[:8]

    @admin.display(description=gettext_lazy("discount"))
    def discount(self, obj) -> str:
        return money(obj.voucher_discount_cents, obj.currency)


@admin.register(Voucher)
class VoucherAdmin(ActionPermissionMixin, admin.ModelAdmin):
    form = VoucherForm
    list_display = ["code", "kind", "value", "scope", "uses_taken", "max_uses", "valid_until",
                    "active"]
    list_filter = ["kind", "active", "reveal_hidden", "show"]
    search_fields = ["code", "comment"]
    filter_horizontal = ["categories"]
    autocomplete_fields = []
    inlines = [RedemptionInline]
    actions = ["export_csv"]
    readonly_fields = ["uses_taken", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Voucher]:
        # Uses from the orders that hold them: a voucher without a limit keeps no count.
        return super().get_queryset(request).annotate(live_uses=Coalesce(Sum(
            "orders__voucher_uses", filter=Q(orders__voucher_released_at__isnull=True)), 0))

    @admin.display(description=gettext_lazy("uses"), ordering="live_uses")
    def uses_taken(self, obj: Voucher) -> int:
        return getattr(obj, "live_uses", 0)  # the add form's new voucher: none yet

    @admin.display(description=gettext_lazy("where"))
    def scope(self, obj: Voucher) -> str:
        if obj.performance_id:
            return _("performance %(id)s") % {"id": obj.performance_id}
        if obj.show_id:
            return _("show %(show)s") % {"show": obj.show}
        return _("any")

    def save_model(self, request: HttpRequest, obj: Voucher, form, change: bool) -> None:
        if not obj.code:
            obj.code = code_random()
        if change:  # in the admin's transaction; the counted uses are the database's, never
            # the form's stale copy (sales take them meanwhile): the orders' when a limit is set
            obj.uses = services.voucher_uses_live(voucher_id=obj.pk, lock=True) \
                if obj.max_uses is not None else Voucher.objects.get(pk=obj.pk).uses
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        count = form.cleaned_data.get("count") or 1
        if not change and count > 1:
            template = {name: getattr(form.instance, name) for name in _TEMPLATE_FIELDS}
            services.vouchers_create(count=count - 1, template=template,
                                     categories=list(form.cleaned_data.get("categories") or []))
            self.message_user(request, _("Created %(count)s vouchers; export them as CSV "
                                         "from the list.") % {"count": count},
                              messages.SUCCESS)

    def has_prices_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(roles.CHANGE_PRICES)

    @admin.action(description=gettext_lazy("Export selected vouchers as CSV"),
                  permissions=["prices"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Voucher]) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="vouchers.csv"'
        writer = csv.writer(response)
        writer.writerow(["code", "kind", "value", "show", "performance", "reveal_hidden",
                         "valid_from", "valid_until", "max_uses", "uses_per", "max_per_order",
                         "uses", "active", "comment"])
        for v in queryset.order_by("created_at", "id"):
            writer.writerow([v.code, v.kind, v.value, v.show_id or "", v.performance_id or "",
                             v.reveal_hidden, v.valid_from or "", v.valid_until or "",
                             v.max_uses if v.max_uses is not None else "", v.uses_per,
                             v.max_per_order or "", v.live_uses, v.active, v.comment])
        return response


class LedgerInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = GiftCardTransaction
    extra = 0
    fields = ["created_at", "kind", "amount_cents", "balance_after_cents", "order", "reason",
              "created_by"]
    readonly_fields = fields


class GiftCardForm(forms.ModelForm):
    amount_cents = forms.IntegerField(
        min_value=1, required=False, label=gettext_lazy("amount (cents)"),
        help_text=gettext_lazy("New card: its value in cents. An existing card: a correction "
                               "(±, cents)."))
    reason = forms.CharField(max_length=200, required=False, label=gettext_lazy("reason"),
                             help_text=gettext_lazy("Why (required for a correction)."))

    class Meta:
        model = GiftCard
        fields = ["code", "currency", "expires_at", "recipient_email", "message", "comment"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        if self.instance.pk:
            self.fields["amount_cents"].min_value = None
            self.fields["amount_cents"].validators = []

    def clean(self) -> dict:
        data = super().clean()
        if not self.instance.pk and not data.get("amount_cents"):
            self.add_error("amount_cents", _("A new gift card needs its value."))
        if self.instance.pk and data.get("amount_cents") and not data.get("reason"):
            self.add_error("reason", _("A correction needs a reason."))
        return data


@admin.register(GiftCard)
class GiftCardAdmin(ActionPermissionMixin, admin.ModelAdmin):
    form = GiftCardForm
    list_display = ["masked_code", "balance", "currency", "expires_at", "recipient_email",
                    "bought_online", "created_at"]
    list_select_related = ["purchase"]
    search_fields = ["=code", "recipient_email"]
    readonly_fields = ["balance", "bought_online", "created_at"]
    inlines = [LedgerInline]
    actions = ["refund_purchases"]

    @admin.display(description=gettext_lazy("code"))
    def masked_code(self, obj: GiftCard) -> str:
        return f"…{obj.code[-4:]}"

    @admin.display(description=gettext_lazy("balance"), ordering="balance_cents")
    def balance(self, obj: GiftCard) -> str:
        return money(obj.balance_cents, obj.currency)

    @admin.display(description=gettext_lazy("bought online"))
    def bought_online(self, obj: GiftCard) -> str:
        try:
            purchase = obj.purchase
        except GiftCardPurchase.DoesNotExist:
            return "—"
        return {PurchaseStatus.PAID: _("paid"), PurchaseStatus.REFUNDED: _("refunded")}.get(
            purchase.status, purchase.status)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # the ledger is kept

    def has_refund_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(roles.REFUND_ANY_ORDER)

    @admin.action(description=gettext_lazy("Refund the purchase of selected gift cards "
                                           "(bought online, untouched; voids each card)"),
                  permissions=["refund"])
    def refund_purchases(self, request: HttpRequest, queryset: QuerySet[GiftCard]) -> None:
        bought = dict(GiftCardPurchase.objects.filter(gift_card__in=queryset)
                      .values_list("gift_card_id", "pk"))
        for card in queryset:
            name = self.masked_code(card)
            if card.pk not in bought:
                self.message_user(request, _("Gift card %(card)s: not bought online, nothing "
                                             "to refund (correct its balance instead).")
                                  % {"card": name}, messages.ERROR)
                continue
            try:
                purchase = services.gift_card_purchase_refund(purchase_id=bought[card.pk],
                                                              by=request.user)
            except errors.VouchersError as exc:
                self.message_user(request, _("Gift card %(card)s: %(detail)s")
                                  % {"card": name, "detail": exc.detail}, messages.ERROR)
                continue
            amount = money(purchase.amount_cents, purchase.currency)
            if purchase.payment.refund_id:
                self.message_user(request, _("Gift card %(card)s: voided, and %(amount)s "
                                             "refunded at Stripe.")
                                  % {"card": name, "amount": amount}, messages.SUCCESS)
            else:
                self.message_user(request, _("Gift card %(card)s: voided; Stripe did not "
                                             "answer, the refund of %(amount)s is retried "
                                             "every minute.")
                                  % {"card": name, "amount": amount}, messages.WARNING)

    def save_model(self, request: HttpRequest, obj: GiftCard, form, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            card = services.gift_card_issue(
                amount_cents=data["amount_cents"], currency=obj.currency, code=obj.code,
                expires_at=obj.expires_at, recipient_email=obj.recipient_email,
                message=obj.message, comment=obj.comment, issued_by=request.user)
            obj.pk, obj.code = card.pk, card.code
            obj._state.adding = False
            return
        super().save_model(request, obj, form, change)
        if data.get("amount_cents"):
            services.gift_card_correct(gift_card_id=obj.pk, amount_cents=data["amount_cents"],
                                       reason=data["reason"], by=request.user)
