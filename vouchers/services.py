"""Writes of vouchers and gift cards: create, issue, correct, expire, and give back what a
released order took. One transaction each, or inside the caller's (codes_release).

Imports flow one way: tickets calls these; nothing here imports tickets.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from project import pending_work

from . import errors
from .codes import code_normalize, code_random
from .models import (
    GiftCard,
    GiftCardPurchase,
    GiftCardTransaction,
    LedgerKind,
    PurchaseStatus,
    Voucher,
)

logger = logging.getLogger(__name__)


def vouchers_create(*, count: int, template: dict[str, Any], categories: list | None = None,
                    length: int = 12) -> list[Voucher]:
    """`count` vouchers like `template` (Voucher fields but the code), each with a fresh
    random code; a code already taken is drawn again."""
    created: list[Voucher] = []
    with transaction.atomic():  # the admin's save already holds one
        while len(created) < count:
            try:
                with transaction.atomic():
                    voucher = Voucher.objects.create(code=code_random(length), **template)
            except IntegrityError:  # the code was taken (1 in 23^12): draw again
                continue
            if categories:
                voucher.categories.set(categories)
            created.append(voucher)
    return created


def gift_card_issue(*, amount_cents: int, currency: str = "EUR", code: str = "",
                    expires_at: dt.datetime | None = None, recipient_email: str = "",
                    message: str = "", bought_by: AbstractBaseUser | None = None,
                    issued_by: AbstractBaseUser | None = None, comment: str = "",
                    now: dt.datetime | None = None) -> GiftCard:
    """A new card with its balance and the ledger's `issue` row, in one transaction."""
    now = now or timezone.now()
    if amount_cents <= 0:
        raise ValueError("A gift card is issued with a positive amount.")
    fields: dict[str, Any] = {"currency": currency, "recipient_email": recipient_email,
                              "message": message, "bought_by": bought_by, "comment": comment}
    if expires_at is not None:
        fields["expires_at"] = expires_at
    with transaction.atomic():
        while True:
            try:
                with transaction.atomic():
                    card = GiftCard.objects.create(
                        code=code_normalize(code) if code else code_random(16), **fields)
                    break
            except IntegrityError:
                if code:
                    raise
        _ledger(card, LedgerKind.ISSUE, amount_cents, now=now, created_by=issued_by)
    card.refresh_from_db()
    return card


def gift_card_correct(*, gift_card_id: int, amount_cents: int, reason: str,
                      by: AbstractBaseUser | None = None,
                      now: dt.datetime | None = None) -> GiftCard:
    """A manual correction (±) by staff, with its reason; never below zero (CHECK)."""
    if not reason.strip():
        raise ValueError("A correction needs a reason.")
    with transaction.atomic():
        card = GiftCard.objects.get(pk=gift_card_id)
        _ledger(card, LedgerKind.CORRECTION, amount_cents, reason=reason,
                now=now or timezone.now(), created_by=by)
    card.refresh_from_db()
    return card


def gift_cards_expire(*, now: dt.datetime | None = None) -> int:
    """Write off what is left on cards past their expiry (an `expire` row each)."""
    now = now or timezone.now()
    expired = 0
    for card_id in list(GiftCard.objects.filter(expires_at__lte=now, balance_cents__gt=0)
                        .values_list("pk", flat=True)):
        with transaction.atomic():
            card = GiftCard.objects.select_for_update().get(pk=card_id)
            if card.balance_cents > 0:
                _ledger(card, LedgerKind.EXPIRE, -card.balance_cents, now=now)
                expired += 1
    return expired


def voucher_uses_live(*, voucher_id: int, lock: bool = False) -> int:
    """A voucher's uses: those of its orders that still hold them. A voucher counts them on
    its own row (`uses`, CHECKed against `max_uses`) only while it has a use limit; without
    one, each sale only reads it (tickets/reservation_sql.py, _VOUCHER_READ_STEP). `lock`:
    first lock the voucher's row (FOR UPDATE), which waits for the sales in flight (they
    hold it FOR KEY SHARE) and holds off the next, so that the count is exact for the
    caller's transaction (setting a limit: the admin's save)."""
    if lock:
        list(Voucher.objects.select_for_update().filter(pk=voucher_id).values_list("pk"))
    orders = apps.get_model("tickets", "Order")._default_manager
    return orders.filter(voucher_id=voucher_id, voucher_released_at__isnull=True).aggregate(
        n=Sum("voucher_uses"))["n"] or 0


def codes_release(*, order: Any, now: dt.datetime | None = None,
                  gift_card_kept_cents: int = 0) -> None:
    """Inside the transaction that releases an order's seats (after them, in the lock
    order performance → categories → holding → voucher → gift card): give its voucher
    uses and its gift-card amount back, once (the order's `voucher_released_at`, the
    ledger's one refund per order). `gift_card_kept_cents`: the part of a cancellation fee
    that the card payment did not cover, kept from the gift card's amount
    (tickets/refunds.py). `order`: a tickets.Order (not imported: tickets calls vouchers)."""
    now = now or timezone.now()
    if getattr(order, "voucher_id", None) is not None:
        # The order's row is already locked by the conditional status UPDATE that ends it.
        released = type(order)._default_manager.filter(
            pk=order.pk, voucher_id=order.voucher_id, voucher_released_at__isnull=True,
        ).update(voucher_released_at=now)
        if released:  # counted only while the voucher has a use limit (voucher_uses_live)
            Voucher.objects.filter(pk=order.voucher_id, max_uses__isnull=False).update(
                uses=Greatest(F("uses") - order.voucher_uses, 0))
    if getattr(order, "paid_by_gift_card_cents", 0):
        redeemed = (GiftCardTransaction.objects.filter(order_id=order.pk, kind=LedgerKind.REDEEM)
                    .values_list("gift_card_id", "amount_cents").first())
        if redeemed is not None and not GiftCardTransaction.objects.filter(
                order_id=order.pk, kind=LedgerKind.REFUND).exists():
            back = -redeemed[1] - gift_card_kept_cents
            if back > 0:
                card = GiftCard.objects.get(pk=redeemed[0])
                _ledger(card, LedgerKind.REFUND, back, order_id=order.pk,
                        reason="order released", now=now)


def _ledger(card: GiftCard, kind: str, amount_cents: int, *, now: dt.datetime,
            order_id: Any = None, reason: str = "",
            created_by: AbstractBaseUser | None = None) -> GiftCardTransaction:
    """Move the balance and append the ledger's row, in the caller's transaction; the
    balance's CHECK refuses a move below zero."""
    if amount_cents > 0:  # a balance to write off at its expiry (vouchers/jobs.py)
        pending_work.announce((pending_work.GIFT_CARDS, card.expires_at))
    GiftCard.objects.filter(pk=card.pk).update(balance_cents=F("balance_cents") + amount_cents)
    balance = GiftCard.objects.values_list("balance_cents", flat=True).get(pk=card.pk)
    return GiftCardTransaction.objects.create(
        gift_card=card, kind=kind, amount_cents=amount_cents, balance_after_cents=balance,
        order_id=order_id, reason=reason, created_by=created_by, created_at=now)


def gift_card_purchase_start(*, user: AbstractBaseUser, amount_cents: int,
                             currency: str = "EUR", recipient_email: str = "",
                             message: str = "",
                             now: dt.datetime | None = None) -> GiftCardPurchase:
    """A gift card bought online: the purchase and its card payment (Stripe); the card
    is issued when the payment succeeds (gift_card_purchase_paid)."""
    from payments.purchases import purchase_payment_start

    now = now or timezone.now()
    purchase = GiftCardPurchase.objects.create(
        buyer=user, amount_cents=amount_cents, currency=currency,
        recipient_email=recipient_email, message=message, created_at=now)
    try:
        purchase.payment = purchase_payment_start(purchase_id=purchase.pk, user=user,
                                                  amount_cents=amount_cents,
                                                  currency=currency, now=now)
    except BaseException:
        GiftCardPurchase.objects.filter(pk=purchase.pk).delete()
        raise
    return purchase


def gift_card_purchase_pay(*, user: AbstractBaseUser, purchase_id: Any, payment_method: str,
                           now: dt.datetime | None = None) -> GiftCardPurchase:
    """Pay a purchase with the card the browser set up; issued at once when it succeeds."""
    from payments.purchases import purchase_payment_pay

    purchase = GiftCardPurchase.objects.filter(pk=purchase_id, buyer=user).first()
    if purchase is None:
        raise errors.PurchaseNotFound()
    if purchase.status == PurchaseStatus.PENDING and purchase_payment_pay(
            purchase_id=purchase.pk, payment_method=payment_method) == "succeeded":
        gift_card_purchase_paid(purchase_id=purchase.pk, now=now)
    return GiftCardPurchase.objects.select_related("gift_card", "payment").get(pk=purchase.pk)


def gift_card_purchase_paid(*, purchase_id: Any, now: dt.datetime | None = None) -> bool:
    """Its payment succeeded (the pay call or the webhook, whichever is first): issue the
    card and email its code, once (the conditional status UPDATE)."""
    from notifications.giftcards import gift_card_email_owed

    now = now or timezone.now()
    with transaction.atomic():
        purchase = (GiftCardPurchase.objects.select_for_update().select_related("buyer")
                    .filter(pk=purchase_id, status=PurchaseStatus.PENDING).first())
        if purchase is None:
            return False
        card = gift_card_issue(amount_cents=purchase.amount_cents, currency=purchase.currency,
                               recipient_email=purchase.recipient_email,
                               message=purchase.message, bought_by=purchase.buyer,
                               comment="bought online", now=now)
        GiftCardPurchase.objects.filter(pk=purchase.pk).update(
            status=PurchaseStatus.PAID, gift_card=card, paid_at=now)
        # Owed with the card (a row, sent after the commit, retried when SES fails).
        gift_card_email_owed(purchase_id=purchase.pk, now=now)
    return True


def gift_card_purchase_refund(*, purchase_id: Any, by: AbstractBaseUser | None = None,
                              now: dt.datetime | None = None) -> GiftCardPurchase:
    """Refund a gift card bought online while none of it is spent (staff, the admin): its
    card is voided by a ledger `void` row (balance to zero, in one transaction with the
    purchase's REFUNDED status and the refund owed), then the money goes back at Stripe
    once (payments.purchases; retried by the per-minute job if Stripe does not answer).
    Raises PurchaseNotRefundable once any of it is spent (or it was not paid, or already
    refunded). The card's row lock orders it with a parallel checkout: the checkout's
    conditional UPDATE then finds nothing left (gift_card_empty)."""
    from payments.purchases import purchase_payment_owe_refund, purchase_payment_send_refund

    now = now or timezone.now()
    with transaction.atomic():
        purchase = GiftCardPurchase.objects.select_for_update().filter(pk=purchase_id).first()
        if purchase is None:
            raise errors.PurchaseNotFound()
        if purchase.status == PurchaseStatus.REFUNDED:
            raise errors.PurchaseNotRefundable(_("This gift card purchase was already refunded."))
        if purchase.status != PurchaseStatus.PAID:
            raise errors.PurchaseNotRefundable(_("This gift card purchase was never paid."))
        card = GiftCard.objects.select_for_update().get(pk=purchase.gift_card_id)
        if card.balance_cents != purchase.amount_cents:
            raise errors.PurchaseNotRefundable(_(
                "Part of this gift card has been spent: a purchase is refunded only while "
                "its card is untouched."))
        _ledger(card, LedgerKind.VOID, -card.balance_cents, now=now, created_by=by,
                reason="purchase refunded")
        GiftCardPurchase.objects.filter(pk=purchase.pk).update(
            status=PurchaseStatus.REFUNDED, refunded_at=now)
        if not purchase_payment_owe_refund(purchase_id=purchase.pk):
            raise errors.PurchaseNotRefundable(_(
                "Its card payment is not recorded as succeeded; nothing was changed."))
        transaction.on_commit(lambda: purchase_payment_send_refund(purchase_id=purchase.pk,
                                                                   now=now))
    logger.info("vouchers: gift card purchase %s refunded by %s", purchase.pk, by)
    return GiftCardPurchase.objects.select_related("gift_card", "payment").get(pk=purchase.pk)
