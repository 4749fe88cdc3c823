"""Email content pieces: the calendar file, and the .eml files of `make run`."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

import pytest

from notifications.ics import escape, event_calendar, fold
from notifications.models import EmailKind, OrderEmail
from tickets import services


def test_ics_escapes_and_folds_as_rfc_5545_says():
    assert escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "DESCRIPTION:" + "é" * 80
    folded = fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_ics_event():
    start = dt.datetime(2026, 12, 12, 19, 30, tzinfo=dt.UTC)
    text = event_calendar(uid="order-1@example.com", start=start,
                          end=start + dt.timedelta(minutes=90), summary="Hamlet, again",
                          location="Main Hall, Lyon", description="2 seats",
                          url="https://tickets.example.com/tickets/1", stamp=start)
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "DTSTART:20261212T193000Z\r\n" in text and "DTEND:20261212T210000Z\r\n" in text
    assert "SUMMARY:Hamlet\\, again\r\n" in text


@pytest.mark.django_db(transaction=True)
def test_make_run_writes_each_email_as_an_eml_file(settings, tmp_path, make_performance,
                                                   make_user):
    settings.EMAIL_BACKEND = "notifications.backends.EmlFileBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    order = services.order_reserve(user=make_user(email="new@example.com"),
                                   performance_id=make_performance().pk, quantity=1)
    [path] = tmp_path.glob("*.eml")
    assert f"-{str(order.pk)[:8]}-confirmation.eml" in path.name
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["To"] == "new@example.com"
    assert message["X-Marquee-Order"] == str(order.pk)
    assert [p.get_content_type() for p in message.walk()] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "multipart/related",
        "text/html", "image/png", "text/calendar", "application/pdf"]
    assert OrderEmail.objects.get(order=order, kind=EmailKind.CONFIRMATION).status == "sent"


def test_dev_settings_write_emails_under_var_mail():
    from project.settings import dev

    assert dev.EMAIL_BACKEND == "notifications.backends.EmlFileBackend"
    assert dev.EMAIL_FILE_PATH.parts[-2:] == ("var", "mail")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind, status, subject", [
    (EmailKind.OFFER, "pending", "Seats for {show} are held for you: pay to get them"),
    (EmailKind.OFFER_LAPSED, "expired", "Your waiting-list offer for {show} has lapsed"),
])
def test_waiting_list_offers(kind, status, subject, make_performance, make_user):
    import datetime as dt

    from django.core import mail
    from django.utils import timezone

    from notifications.services import order_notify
    from tickets.models import Order

    performance = make_performance(price_cents=2000)
    now = timezone.now()
    order = Order.objects.create(customer=make_user(email="next@example.com"),
                                 performance=performance, quantity=2, total_cents=4000,
                                 currency="EUR", status=status, created_at=now,
                                 expires_at=now + dt.timedelta(minutes=30))
    order_notify(order_id=order.pk, kind=kind)
    [sent] = mail.outbox
    assert sent.subject == subject.format(show=performance.show.title)
    assert sent.to == ["next@example.com"]
    assert f"/tickets/{order.pk}" in sent.body and "2 seats" in sent.body


def test_make_run_on_another_port_puts_that_port_in_the_emails_links(tmp_path):
    """`PORT=9000 make run` serves on :9000 and gives runserver SITE_URL=…:9000, which
    the emails' links are made of (was: :8000 whatever the port)."""
    import subprocess  # nosec B404
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    dry_run = subprocess.run(["make", "-n", "-W", "requirements/local.txt", "run",
                              "PORT=9000"], cwd=root, capture_output=True, text=True,
                             check=True, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})  # nosec B603
    recipe = dry_run.stdout.replace("\\\n", " ")  # the recipe's continued lines, joined
    [line] = [line for line in recipe.splitlines() if "runserver" in line]
    assert "SITE_URL=${SITE_URL:-http://127.0.0.1:9000}" in line
    assert line.rstrip().endswith("runserver 127.0.0.1:9000")
