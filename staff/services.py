"""Writes of the staff tools: a scan at the door. Check-in itself is tickets' service."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from tickets import errors as tickets_errors
from tickets.models import Ticket
from tickets.services import ticket_check_in

from . import errors
from .models import DoorScan, ScanResult
from .selectors import order_progress, ticket_performance

# What a ticket code can look like (tickets.models: base32 today, at most 32 long).
# Anything else a camera reads (a URL, another QR code) is no ticket, and no scan is kept.
TICKET_CODE = re.compile(r"[A-Z0-9=_-]{1,32}")

_REFUSALS: list[tuple[type[tickets_errors.TicketsError], ScanResult]] = [
    (tickets_errors.TicketNotFound, ScanResult.UNKNOWN),
    (tickets_errors.WrongPerformance, ScanResult.WRONG_PERFORMANCE),
    (tickets_errors.TicketCancelled, ScanResult.CANCELLED),
    (tickets_errors.TicketNotValid, ScanResult.NOT_VALID),
]


@dataclass(frozen=True)
class ScanOutcome:
    scan_id: uuid.UUID
    code: str
    result: ScanResult
    detail: str = ""
    checked_in_at: dt.datetime | None = None  # when, for "already checked in"
    order_checked_in: int = 0                 # for "valid": 2 (of 4) on this order
    order_tickets: int = 0
    replayed: bool = False                    # the answer of an earlier request

    @property
    def ok(self) -> bool:
        return self.result == ScanResult.VALID


def door_scan(*, scan_id: uuid.UUID, code: str, performance_id: int,
              staff: AbstractBaseUser | None = None, now: dt.datetime | None = None
              ) -> ScanOutcome:
    """Check a scanned code in for `performance_id`, once per scan id.

    The scan is recorded first, with the time the check-in will write; then tickets'
    check-in runs (its own durable transaction: one conditional UPDATE). A retry of the
    same scan id — its first answer lost on the way — gets the first answer again, or, if
    the first request died between check-in and answer, finds the ticket checked in at
    this scan's time and is answered "valid" too. The ticket is checked in once.
    """
    code = code.strip().upper()
    if not TICKET_CODE.fullmatch(code):
        return ScanOutcome(scan_id=scan_id, code=code[:64], result=ScanResult.UNKNOWN)
    scan, created = _record(scan_id=scan_id, code=code, performance_id=performance_id,
                            staff=staff, now=now or timezone.now())
    if scan.code != code or scan.performance_id != performance_id:
        raise errors.ScanIdReused()
    if scan.result:
        return _outcome(scan, replayed=True)
    try:
        ticket = ticket_check_in(code=code, performance_id=performance_id, now=scan.at)
        scan.result, scan.detail = ScanResult.VALID, _category_label(ticket)
    except tickets_errors.AlreadyCheckedIn as exc:
        at = dt.datetime.fromisoformat(exc.extra["checked_in_at"])
        if at == scan.at:  # this very scan checked it in, in an earlier request
            scan.result = ScanResult.VALID
            scan.detail = _category_label(Ticket.objects.select_related("category")
                                          .get(code=code))
        else:
            scan.result, scan.checked_in_at = ScanResult.ALREADY_CHECKED_IN, at
    except tickets_errors.TicketsError as exc:
        scan.result = next(result for kind, result in _REFUSALS if isinstance(exc, kind))
        if scan.result == ScanResult.WRONG_PERFORMANCE:
            scan.detail = _which_performance(code)
    # Only the first answer is kept (a parallel retry may have stored the same one).
    DoorScan.objects.filter(pk=scan.pk, result="").update(
        result=scan.result, checked_in_at=scan.checked_in_at, detail=scan.detail)
    return _outcome(scan, replayed=not created)


def _record(*, scan_id: uuid.UUID, code: str, performance_id: int,
            staff: AbstractBaseUser | None, now: dt.datetime) -> tuple[DoorScan, bool]:
    at = now
    for _ in range(5):
        try:
            with transaction.atomic():
                return DoorScan.objects.get_or_create(
                    id=scan_id, defaults={"code": code, "performance_id": performance_id,
                                          "at": at, "staff": staff})
        except IntegrityError:
            # Another scan of this code has this very microsecond: take the next one.
            if DoorScan.objects.filter(pk=scan_id).exists():
                return DoorScan.objects.get(pk=scan_id), False
            at += dt.timedelta(microseconds=1)
    raise IntegrityError("could not record the scan")  # pragma: no cover


def _category_label(ticket: Ticket) -> str:
    """What the door checks: "Reduced — Students, under 26: proof at the door"."""
    category = ticket.category
    return (f"{category.name} — {category.description}" if category.description
            else category.name)[:300]


def _which_performance(code: str) -> str:
    """Where to send the holder of a ticket for another performance."""
    performance = ticket_performance(code=code)
    if performance is None:  # pragma: no cover (the ticket was there a moment ago)
        return ""
    return (f"For {performance.show.title}, "
            f"{timezone.localtime(performance.starts_at):%a %-d %b, %H:%M}")[:300]


def _outcome(scan: DoorScan, *, replayed: bool) -> ScanOutcome:
    checked_in = tickets = 0
    if scan.result in (ScanResult.VALID, ScanResult.ALREADY_CHECKED_IN):
        checked_in, tickets = order_progress(code=scan.code)
    return ScanOutcome(scan_id=scan.id, code=scan.code, result=ScanResult(scan.result),
                       detail=scan.detail, checked_in_at=scan.checked_in_at,
                       order_checked_in=checked_in, order_tickets=tickets, replayed=replayed)
