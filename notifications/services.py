"""Order emails: queued after the order's transaction commits, sent once per order and kind."""

from __future__ import annotations

import uuid

from django.db import models


class EmailKind(models.TextChoices):
    CONFIRMATION = "confirmation"  # the order is confirmed: its tickets, QR codes, .ics
    CANCELLATION = "cancellation"  # cancelled by the customer or staff (refund, if paid)
    REFUND = "refund"              # refunded without a cancel of ours (late payment, Stripe)
    EXPIRY = "expiry"              # the hold lapsed unpaid


def order_notify(*, order_id: uuid.UUID, kind: str) -> None:
    """After the current transaction commits, send the order's email of `kind`, once."""
    # Filled in by the notifications work of issue 13 (email records, SES, async task).
