"""Orders (reservations) and the tickets they issue."""

from __future__ import annotations

import base64
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from seating.models import Seat
from shows.models import Performance, PriceCategory

# A person holds at most this many seats of one performance (and so per order too).
MAX_SEATS_PER_PERSON = 10


def new_ticket_code() -> str:
    """80 random bits, base32: unguessable, and easy to read aloud or type at the door."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii")


class OrderStatus(models.TextChoices):
    """pretix's lifecycle: pending → confirmed | expired | cancelled (DESIGN.md).

    A pending order holds its seats (they count as sold) until `expires_at`; every move
    out of a state is a conditional UPDATE, so it happens once under any concurrency.
    """

    PENDING = "pending"      # seats held while the customer pays
    CONFIRMED = "confirmed"  # paid, or free: tickets issued
    EXPIRED = "expired"      # the hold lapsed unpaid: seats released
    CANCELLED = "cancelled"  # by the customer or staff: seats released, refunded if paid


class Order(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="orders")
    performance = models.ForeignKey(Performance, on_delete=models.PROTECT,
                                    related_name="orders")
    quantity = models.PositiveSmallIntegerField()
    total_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=OrderStatus.choices,
                              default=OrderStatus.CONFIRMED)
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # While pending: when the hold lapses (HOLD_MINUTES after the reservation).
    expires_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Of total_cents, what a gift card paid (taken in the reservation's statement); the
    # rest (due_cents) is paid by card.
    paid_by_gift_card_cents = models.PositiveIntegerField(default=0)
    # The voucher it used, the uses it took and the discount it gave (written by the
    # reservation's statement with the order row: no other row, so the hot performance's
    # lock is held no longer); `voucher_released_at`: when its uses were given back (once,
    # on expiry or cancellation: vouchers.services.codes_release).
    voucher = models.ForeignKey("vouchers.Voucher", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="orders",
                                db_index=False)
    voucher_uses = models.PositiveSmallIntegerField(default=0, db_default=0)
    voucher_discount_cents = models.PositiveIntegerField(default=0, db_default=0)
    voucher_released_at = models.DateTimeField(null=True, blank=True)
    # Once cancelled: what was given back and what the refund rule kept (tickets/refunds.py).
    refund_cents = models.PositiveIntegerField(default=0, db_default=0)
    fee_cents = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="order_customer_recent"),
            models.Index(fields=["performance", "status"], name="order_performance_status"),
            # The per-minute expiry job reads only pending orders, oldest hold first.
            models.Index(fields=["expires_at"], condition=Q(status="pending"),
                         name="order_pending_expiry"),
            # A voucher's orders (its redemptions); most orders have none, and write no entry.
            models.Index(fields=["voucher", "created_at"], condition=Q(voucher__isnull=False),
                         name="order_voucher_redemptions"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=MAX_SEATS_PER_PERSON),
                name="order_quantity_in_range"),
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values),
                                   name="order_status_known"),
            models.CheckConstraint(
                condition=Q(status=OrderStatus.CANCELLED, cancelled_at__isnull=False)
                | (~Q(status=OrderStatus.CANCELLED) & Q(cancelled_at__isnull=True)),
                name="order_cancelled_at_matches_status"),
            models.CheckConstraint(
                condition=~Q(status=OrderStatus.PENDING) | Q(expires_at__isnull=False),
                name="order_pending_has_expiry"),
            models.CheckConstraint(condition=Q(paid_by_gift_card_cents__lte=F("total_cents")),
                                   name="order_gift_card_within_total"),
            models.CheckConstraint(
                condition=Q(voucher__isnull=False)
                | Q(voucher_uses=0, voucher_discount_cents=0, voucher_released_at__isnull=True),
                name="order_voucher_fields_need_voucher"),
            models.CheckConstraint(
                condition=Q(refund_cents__lte=F("total_cents") - F("fee_cents")),
                name="order_refund_within_total"),
        ]

    def __str__(self) -> str:
        return f"Order {str(self.id)[:8]} — {self.quantity} x {self.performance_id}"

    @property
    def due_cents(self) -> int:
        """What is left to pay by card."""
        return self.total_cents - self.paid_by_gift_card_cents


class OrderLine(models.Model):
    """So many seats of one price category in an order, at the price of the reservation."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    category = models.ForeignKey(PriceCategory, on_delete=models.PROTECT,
                                 related_name="orderlines")
    quantity = models.PositiveSmallIntegerField()
    unit_price_cents = models.PositiveIntegerField()
    # A voucher's discount on this line's seats, in all (the line costs
    # quantity x unit_price_cents - discount_cents).
    discount_cents = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "category"],
                                    name="orderline_one_per_category"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=MAX_SEATS_PER_PERSON),
                name="orderline_quantity_in_range"),
            models.CheckConstraint(
                condition=Q(discount_cents__lte=F("quantity") * F("unit_price_cents")),
                name="orderline_discount_within_price"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.category_id}"


class Ticket(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="tickets")
    category = models.ForeignKey(PriceCategory, on_delete=models.PROTECT, related_name="+")
    # Its seat, at a seated performance (seating); null for general admission.
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+")
    code = models.CharField(max_length=32, unique=True, default=new_ticket_code,
                            editable=False)
    checked_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.code


# The UNIQUE index that sells a seat of a performance at most once (tickets.seating).
SEAT_TAKEN_CONSTRAINT = "takenseat_once_per_performance"


class TakenSeat(models.Model):
    """A seat of a seated performance that is sold or held (by `order`) or blocked by
    staff (no order). At most one active row per performance and seat: a UNIQUE index,
    written by the reservation statement beside the seat counts, so a seat taken meanwhile
    aborts the whole reservation. Releasing the order's seats (expiry, cancellation, an
    offer that lapsed) clears `active`, in the same transaction as the counts; the row
    stays, so a late payment can take the same seats again (reservation_sql)."""

    performance = models.ForeignKey(Performance, on_delete=models.CASCADE, related_name="+")
    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="taken_seats")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["performance", "seat"]
        constraints = [
            models.UniqueConstraint(fields=["performance", "seat"], condition=Q(active=True),
                                    name=SEAT_TAKEN_CONSTRAINT),
        ]

    def __str__(self) -> str:
        return f"seat {self.seat_id} of {self.performance_id}"


class SeatHolding(models.Model):
    """Seats one customer holds for one performance, over their confirmed and pending orders.

    The per-person cap is a CHECK on this row. A reservation raises it with an upsert in
    the same statement as the sale; passing the cap aborts that whole statement, so
    parallel requests of one user can never pass the cap together.
    """

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="+")
    performance = models.ForeignKey(Performance, on_delete=models.CASCADE, related_name="+")
    seats = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "performance"],
                                    name="seatholding_one_per_customer_performance"),
            models.CheckConstraint(
                condition=Q(seats__gte=0) & Q(seats__lte=MAX_SEATS_PER_PERSON),
                name="seatholding_within_cap"),
        ]

    def __str__(self) -> str:
        return f"{self.seats} seats"


class IdempotencyRecord(models.Model):
    """The stored first response of a reservation sent with an `Idempotency-Key`.

    Written in the same transaction as the order, so a key exists exactly when its order
    does. Kept 24 hours (`manage.py purge_idempotency_keys`).
    """

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "key"],
                                    name="idempotency_one_per_customer_key"),
        ]

    def __str__(self) -> str:
        return self.key


class PerformanceCancellation(models.Model):
    """Staff cancelled a performance: its orders are cancelled and refunded in full by the
    per-minute job, in batches, until none is left (tickets/cancellations.py)."""

    performance = models.OneToOneField(Performance, on_delete=models.PROTECT,
                                       related_name="cancellation")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    requested_at = models.DateTimeField()
    reason = models.CharField(max_length=200, default="the performance is cancelled")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["requested_at"], condition=Q(finished_at__isnull=True),
                                name="cancellation_unfinished")]

    def __str__(self) -> str:
        return f"Cancellation of performance {self.performance_id}"


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting"    # in line
    OFFERED = "offered"    # a held order (pending, `offer_order`) waits for their payment
    ACCEPTED = "accepted"  # they paid for the offer
    LAPSED = "lapsed"      # the offer's hold lapsed unpaid: the next in line gets the seats
    DECLINED = "declined"  # they cancelled the offer
    LEFT = "left"          # they left the list
    REMOVED = "removed"    # staff removed them
    SKIPPED = "skipped"    # at their turn they held or had bought seats already


ACTIVE_WAITLIST = [WaitlistStatus.WAITING, WaitlistStatus.OFFERED]


class WaitlistEntry(models.Model):
    """A customer waiting for seats of a sold-out performance (tickets/waitlist.py).

    First come, first served: freed seats are offered by join order (`joined_at`, `id`)
    while the performance row is locked, so two releases never offer a seat twice.
    """

    performance = models.ForeignKey(Performance, on_delete=models.CASCADE,
                                    related_name="waitlist")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="waitlist_entries")
    seats = models.PositiveSmallIntegerField()
    # They accept an offer of fewer seats, down to this many.
    min_seats = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=WaitlistStatus.choices,
                              default=WaitlistStatus.WAITING)
    joined_at = models.DateTimeField()
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_order = models.OneToOneField(Order, on_delete=models.SET_NULL, null=True,
                                       blank=True, related_name="waitlist_entry")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["joined_at", "id"]
        verbose_name_plural = "waiting list"
        indexes = [
            models.Index(fields=["performance", "joined_at", "id"],
                         condition=Q(status="waiting"), name="waitlist_line"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["customer", "performance"],
                                    condition=Q(status__in=["waiting", "offered"]),
                                    name="waitlist_one_active_per_customer"),
            models.CheckConstraint(
                condition=Q(min_seats__gte=1) & Q(min_seats__lte=F("seats"))
                & Q(seats__lte=MAX_SEATS_PER_PERSON),
                name="waitlist_seats_in_range"),
            models.CheckConstraint(condition=Q(status__in=WaitlistStatus.values),
                                   name="waitlist_status_known"),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_order__isnull=False),
                name="waitlist_offer_has_order"),
        ]

    def __str__(self) -> str:
        return f"{self.seats} seat(s) for {self.performance_id}, {self.status}"
