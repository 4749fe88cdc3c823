"""door_scan: one check-in per ticket, one answer per scan id, retries answered right."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from staff import errors
from staff.models import DoorScan, ScanResult
from staff.services import door_scan
from tickets.models import Ticket
from tickets.services import order_cancel, ticket_check_in

pytestmark = pytest.mark.django_db


def scan(code, performance, **kwargs):
    kwargs.setdefault("scan_id", uuid.uuid4())
    return door_scan(code=code, performance_id=performance.pk, **kwargs)


def test_a_valid_ticket_is_checked_in_and_counted_on_its_order(tonight, reserve, staff_user):
    _, (first, second, _) = reserve(tonight, 3)
    now = timezone.now()
    outcome = scan(first.code, tonight, staff=staff_user, now=now)
    assert outcome.result == ScanResult.VALID and outcome.ok
    assert (outcome.order_checked_in, outcome.order_tickets) == (1, 3)
    assert not outcome.replayed
    first.refresh_from_db()
    assert first.checked_in_at == now
    record = DoorScan.objects.get()
    assert (record.code, record.at, record.result, record.staff) == (
        first.code, now, ScanResult.VALID, staff_user)
    assert scan(second.code.lower() + " ", tonight).order_checked_in == 2


def test_a_second_scan_is_already_checked_in_at_the_first_time(tonight, reserve):
    _, (ticket,) = reserve(tonight)
    first_at = timezone.now() - dt.timedelta(minutes=3)
    scan(ticket.code, tonight, now=first_at)
    outcome = scan(ticket.code, tonight)
    assert outcome.result == ScanResult.ALREADY_CHECKED_IN and not outcome.ok
    assert outcome.checked_in_at == first_at
    ticket.refresh_from_db()
    assert ticket.checked_in_at == first_at


def test_a_retry_of_the_same_scan_gets_the_same_answer_and_checks_in_once(tonight, reserve):
    _, (ticket,) = reserve(tonight)
    scan_id = uuid.uuid4()
    first = scan(ticket.code, tonight, scan_id=scan_id)
    ticket.refresh_from_db()
    checked_in_at = ticket.checked_in_at
    again = scan(ticket.code, tonight, scan_id=scan_id,
                 now=timezone.now() + dt.timedelta(seconds=30))
    assert first.result == again.result == ScanResult.VALID
    assert again.replayed
    ticket.refresh_from_db()
    assert ticket.checked_in_at == checked_in_at
    assert DoorScan.objects.count() == 1


def test_a_retry_after_a_request_that_died_after_checking_in_is_valid(tonight, reserve):
    """The first request recorded its scan and checked the ticket in, then died before it
    stored or sent its answer: the retry is answered "valid", not "already checked in"."""
    _, (ticket,) = reserve(tonight)
    scan_id, at = uuid.uuid4(), timezone.now() - dt.timedelta(seconds=20)
    DoorScan.objects.create(id=scan_id, code=ticket.code, performance=tonight, at=at)
    ticket_check_in(code=ticket.code, performance_id=tonight.pk, now=at)
    outcome = scan(ticket.code, tonight, scan_id=scan_id)
    assert outcome.result == ScanResult.VALID and outcome.replayed
    assert DoorScan.objects.get().result == ScanResult.VALID
    # A new scan of the same ticket is refused, with the first scan's time.
    other = scan(ticket.code, tonight)
    assert other.result == ScanResult.ALREADY_CHECKED_IN and other.checked_in_at == at


def test_a_retry_after_a_request_that_died_before_checking_in_checks_in(tonight, reserve):
    _, (ticket,) = reserve(tonight)
    scan_id, at = uuid.uuid4(), timezone.now() - dt.timedelta(seconds=20)
    DoorScan.objects.create(id=scan_id, code=ticket.code, performance=tonight, at=at)
    assert scan(ticket.code, tonight, scan_id=scan_id).result == ScanResult.VALID
    ticket.refresh_from_db()
    assert ticket.checked_in_at == at  # the time of the scan, not of its retry


def test_a_ticket_of_another_performance_is_refused(tonight, make_performance, reserve):
    other = make_performance(show=tonight.show)
    _, (ticket,) = reserve(other)
    outcome = scan(ticket.code, tonight)
    assert outcome.result == ScanResult.WRONG_PERFORMANCE
    assert outcome.detail == (f"For {other.show.title}, "
                              f"{timezone.localtime(other.starts_at):%a %-d %b, %H:%M}")
    assert Ticket.objects.get(pk=ticket.pk).checked_in_at is None


def test_a_ticket_of_a_cancelled_order_is_refused(tonight, reserve):
    order, (ticket,) = reserve(tonight)
    order_cancel(order_id=order.pk)
    assert scan(ticket.code, tonight).result == ScanResult.CANCELLED
    assert Ticket.objects.get(pk=ticket.pk).checked_in_at is None


def test_unknown_codes_and_things_that_are_no_ticket(tonight):
    assert scan("AAAAAAAAAAAAAAAA", tonight).result == ScanResult.UNKNOWN
    assert DoorScan.objects.get().result == ScanResult.UNKNOWN
    # A URL or any other QR code: no ticket, nothing recorded.
    assert scan("https://example.com/x", tonight).result == ScanResult.UNKNOWN
    assert scan("A" * 33, tonight).result == ScanResult.UNKNOWN
    assert DoorScan.objects.count() == 1


def test_a_scan_id_is_for_one_code_and_one_performance(tonight, make_performance, reserve):
    _, (first, second) = reserve(tonight, 2)
    scan_id = uuid.uuid4()
    scan(first.code, tonight, scan_id=scan_id)
    with pytest.raises(errors.ScanIdReused):
        scan(second.code, tonight, scan_id=scan_id)
    with pytest.raises(errors.ScanIdReused):
        scan(first.code, make_performance(), scan_id=scan_id)
    assert Ticket.objects.get(pk=second.pk).checked_in_at is None


def test_two_scans_of_one_ticket_in_the_same_microsecond_do_not_both_pass(tonight, reserve):
    """`checked_in_at == at` must name one scan: the second gets the next microsecond."""
    _, (ticket,) = reserve(tonight)
    now = timezone.now()
    first = scan(ticket.code, tonight, now=now)
    second = scan(ticket.code, tonight, now=now)
    assert (first.result, second.result) == (ScanResult.VALID, ScanResult.ALREADY_CHECKED_IN)
    assert sorted(DoorScan.objects.values_list("at", flat=True)) == [
        now, now + dt.timedelta(microseconds=1)]
