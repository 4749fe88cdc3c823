"""Vouchers (codes that discount or reveal price categories) and gift cards (prepaid
balances with an append-only ledger).

Both are counters the reservation statement (tickets/reservation_sql.py) moves in the
same statement as the seats, guarded by CHECK constraints: a voucher's `uses` never pass
`max_uses`, a gift card's `balance_cents` never goes below zero, under any concurrency.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from shows.models import Performance, PriceCategory, Show

from .codes import MAX_LENGTH

# CHECK constraints the reservation maps to answers (tickets.reservation_sql._refusal).
VOUCHER_USES_CONSTRAINT = "voucher_uses_within_max"
GIFT_CARD_BALANCE_CONSTRAINT = "giftcard_balance_not_negative"
# What a customer may buy online, in cents (staff issue any amount).
MIN_PURCHASE_CENTS, MAX_PURCHASE_CENTS = 500, 50000


class VoucherKind(models.TextChoices):
    PERCENT = "percent", "Percent off"        # value: 0 to 100 (%)
    AMOUNT = "amount", "Amount off per seat"  # value: cents off each seat
    FIXED = "fixed", "Fixed price per seat"   # value: the seat's price in cents
    FREE = "free", "Free"                     # value unused


class UsesCountedPer(models.TextChoices):
    SEAT = "seat", "Each discounted seat is a use"
    ORDER = "order", "Each order is a use"


class Voucher(models.Model):
    code = models.CharField(max_length=MAX_LENGTH, unique=True,
                            help_text="Matched in any case; leave empty for a random one.")
    kind = models.CharField(max_length=10, choices=VoucherKind.choices,
                            default=VoucherKind.PERCENT)
    value = models.PositiveIntegerField(
        default=0, help_text="Percent (0–100), or cents for an amount off or a fixed price.")
    # Where it applies: all empty = every performance; else the show, the performance,
    # and (if any) only these categories.
    show = models.ForeignKey(Show, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    performance = models.ForeignKey(Performance, null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="+")
    categories = models.ManyToManyField(PriceCategory, blank=True, related_name="+")
    reveal_hidden = models.BooleanField(
        default=False, help_text="Lets its holder buy hidden categories (in its scope).")
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True,
                                           help_text="Empty: unlimited.")
    uses_per = models.CharField(max_length=5, choices=UsesCountedPer.choices,
                                default=UsesCountedPer.SEAT)
    max_per_order = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="At most this many seats discounted per order.")
    uses = models.PositiveIntegerField(default=0, editable=False)
    active = models.BooleanField(default=True)
    comment = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(max_uses__isnull=True)
                                   | Q(uses__lte=F("max_uses")),
                                   name=VOUCHER_USES_CONSTRAINT),
            models.CheckConstraint(condition=Q(uses__gte=0), name="voucher_uses_not_negative"),
            models.CheckConstraint(condition=~Q(kind="percent") | Q(value__lte=100),
                                   name="voucher_percent_at_most_100"),
            models.CheckConstraint(condition=Q(max_per_order__isnull=True)
                                   | Q(max_per_order__gte=1),
                                   name="voucher_max_per_order_positive"),
        ]

    def __str__(self) -> str:
        return self.code

    def valid_at(self, now: dt.datetime) -> bool:
        return self.active and (self.valid_from is None or self.valid_from <= now) and (
            self.valid_until is None or now < self.valid_until)

    @property
    def uses_left(self) -> int | None:
        return None if self.max_uses is None else max(self.max_uses - self.uses, 0)


def gift_card_default_expiry() -> dt.datetime:
    from django.utils import timezone

    return timezone.now() + dt.timedelta(days=settings.GIFT_CARD_VALID_DAYS)


class GiftCard(models.Model):
    """A prepaid balance. `balance_cents` always equals the sum of its ledger (both are
    written in one statement or transaction) and never goes below zero (CHECK)."""

    code = models.CharField(max_length=MAX_LENGTH, unique=True)
    currency = models.CharField(max_length=3, default="EUR")
    balance_cents = models.IntegerField(default=0, editable=False)
    expires_at = models.DateTimeField(default=gift_card_default_expiry)
    # Whom the code was sent to (bought online) and their message.
    recipient_email = models.EmailField(blank=True)
    message = models.TextField(blank=True, max_length=1000)
    bought_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    comment = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(balance_cents__gte=0),
                                   name=GIFT_CARD_BALANCE_CONSTRAINT),
        ]

    def __str__(self) -> str:
        return f"…{self.code[-4:]}"


class LedgerKind(models.TextChoices):
    ISSUE = "issue"            # + sold or given away
    REDEEM = "redeem"          # - paid (part of) an order
    REFUND = "refund"          # + an order paid with it was cancelled or lapsed
    EXPIRE = "expire"          # - what was left at expiry
    CORRECTION = "correction"  # ± by staff, with a reason
    VOID = "void"              # - all of it: its purchase was refunded (untouched)


class GiftCardTransaction(models.Model):
    """The append-only ledger of a gift card: rows are added, never changed."""

    gift_card = models.ForeignKey(GiftCard, on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(max_length=10, choices=LedgerKind.choices)
    amount_cents = models.IntegerField()  # signed: + credit, - debit
    balance_after_cents = models.IntegerField()
    order = models.ForeignKey("tickets.Order", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["gift_card", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=LedgerKind.values),
                                   name="giftcardtx_kind_known"),
            # An order redeems a card once and gets it back once.
            models.UniqueConstraint(fields=["order", "kind"],
                                    condition=Q(kind__in=["redeem", "refund"]),
                                    name="giftcardtx_once_per_order"),
            models.CheckConstraint(condition=~Q(kind="correction") | ~Q(reason=""),
                                   name="giftcardtx_correction_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_cents}"


class PurchaseStatus(models.TextChoices):
    PENDING = "pending"  # awaiting its card payment
    PAID = "paid"        # paid: its gift card is issued and its code emailed
    REFUNDED = "refunded"  # refunded by staff while untouched: its card is voided


class GiftCardPurchase(models.Model):
    """A gift card bought online: paid by card (payments.purchases), then issued once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, default="EUR")
    # Who gets the code (empty: the buyer), and the buyer's message to them.
    recipient_email = models.EmailField(blank=True)
    message = models.TextField(blank=True, max_length=1000)
    status = models.CharField(max_length=10, choices=PurchaseStatus.choices,
                              default=PurchaseStatus.PENDING)
    gift_card = models.OneToOneField(GiftCard, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="purchase")
    created_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gte=MIN_PURCHASE_CENTS)
                                   & Q(amount_cents__lte=MAX_PURCHASE_CENTS),
                                   name="giftcardpurchase_amount_in_range"),
            models.CheckConstraint(condition=~Q(status="paid") | Q(gift_card__isnull=False),
                                   name="giftcardpurchase_paid_has_card"),
        ]

    def __str__(self) -> str:
        return f"Gift card purchase {str(self.id)[:8]}"
