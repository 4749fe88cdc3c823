"""A record per order email: what is owed, what went out, what failed and when to retry."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q


class EmailKind(models.TextChoices):
    CONFIRMATION = "confirmation"  # the order is confirmed: its tickets, QR codes, .ics
    CANCELLATION = "cancellation"  # cancelled by the customer or staff (refund, if paid)
    REFUND = "refund"              # refunded without a cancel of ours (late payment, Stripe)
    EXPIRY = "expiry"              # the hold lapsed unpaid
    OFFER = "offer"                # waiting list: seats held for them, pay to get them
    OFFER_LAPSED = "offer_lapsed"  # waiting list: the offer lapsed unpaid
    # The venue cancelled the performance: one per customer, on one of their orders.
    PERFORMANCE_CANCELLED = "show_cancelled"
    # Staff sent the tickets again ("Resend tickets"): the confirmation's content, one
    # record per resend, so the order page lists each one with who asked and when.
    RESEND = "resend"


class EmailStatus(models.TextChoices):
    QUEUED = "queued"    # owed: written with the transition, sent after its commit
    SENDING = "sending"  # claimed by one worker, which is calling SES
    SENT = "sent"
    FAILED = "failed"    # retried at next_attempt_at (none: given up, staff may resend)
    SKIPPED = "skipped"  # no longer true when its turn came (tickets of a cancelled order)


class EmailRecord(models.Model):
    """An email owed and its delivery: claimed by one worker (queued → sending) by a
    conditional UPDATE before SES is called, so however many invocations carry it, it is
    sent once; retried by the per-minute job (notifications.services.owed_and_due)."""

    # Chosen before the INSERT, so that the task can be handed its id without a read back.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    status = models.CharField(max_length=10, choices=EmailStatus.choices,
                              default=EmailStatus.QUEUED)
    recipient = models.CharField(max_length=254, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # SES's MessageId (or the Message-ID header of a local backend's copy).
    message_id = models.CharField(max_length=255, blank=True)

    class Meta:
        abstract = True
        ordering = ["created_at"]


class OrderEmail(EmailRecord):
    """One email of one order (notifications/services.py)."""

    order = models.ForeignKey("tickets.Order", on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=20, choices=EmailKind.choices)
    # Who asked for a resend (staff username); empty for the automatic emails.
    requested_by = models.CharField(max_length=150, blank=True)

    class Meta(EmailRecord.Meta):
        constraints = [
            # An order's automatic emails exist once each: a retried transition, task or
            # job finds the row taken. Resends are deliberate, one row each.
            models.UniqueConstraint(fields=["order", "kind"], condition=~Q(kind="resend"),
                                    name="orderemail_one_per_order_kind"),
            models.CheckConstraint(condition=Q(kind__in=EmailKind.values),
                                   name="orderemail_kind_known"),
            models.CheckConstraint(condition=Q(status__in=EmailStatus.values),
                                   name="orderemail_status_known"),
        ]
        indexes = [
            # The per-minute job reads only the emails still owed.
            models.Index(fields=["status", "next_attempt_at"],
                         condition=Q(status__in=["queued", "sending", "failed"]),
                         name="orderemail_owed"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of order {str(self.order_id)[:8]} ({self.status})"


class GiftCardEmail(EmailRecord):
    """The email that carries a bought gift card's code (one per purchase): owed in the
    transaction that issues the card, sent after its commit, and, when SES fails, retried
    by the per-minute job with the order emails' delays (notifications/giftcards.py)."""

    purchase = models.OneToOneField("vouchers.GiftCardPurchase", on_delete=models.CASCADE,
                                    related_name="email")

    class Meta(EmailRecord.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(status__in=EmailStatus.values),
                                   name="giftcardemail_status_known"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"],
                         condition=Q(status__in=["queued", "sending", "failed"]),
                         name="giftcardemail_owed"),
        ]

    def __str__(self) -> str:
        return f"Gift card email of purchase {str(self.purchase_id)[:8]} ({self.status})"
