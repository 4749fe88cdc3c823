import pytest
from django.core.management import call_command
from django.db.models import Sum

from info.models import InfoPage
from shows.models import Performance, Show, Venue
from tickets.models import Order, Ticket

pytestmark = pytest.mark.django_db


def counts():
    return [m.objects.count() for m in (Venue, Show, Performance, InfoPage, Order, Ticket)]


def test_seed_demo_twice_adds_nothing(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    assert first[1] >= 6


def test_seed_demo_scenarios_and_exact_seat_counts(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    statuses = {p.status() for p in Performance.objects.select_related("show")}
    assert {"on_sale", "sold_out", "cancelled"} <= statuses
    assert Performance.objects.filter(capacity__gt=0, seats_sold__gte=100,
                                      show__slug="jazz-at-midnight").exists()
    assert set(InfoPage.objects.values_list("slug", flat=True)) >= {
        "visit-us", "accessibility", "faq"}
    sold = Performance.objects.aggregate(n=Sum("seats_sold"))["n"]
    assert sold == Ticket.objects.count()


def test_seed_demo_refuses_without_debug(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")


def test_seed_demo_makes_one_staff_user_per_role_and_prints_them(settings, capsys):
    from django.contrib.auth import authenticate

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    for name, role, may, may_not in [("door", "Door", "staff.check_in", "staff.view_reports"),
                                     ("boxoffice", "Box office", "staff.sell_at_counter",
                                      "staff.give_comps"),
                                     ("manager", "Manager", "staff.refund_any_order", "")]:
        user = authenticate(username=name, password="marquee-demo")
        assert user is not None and user.is_staff and not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.has_perm(may) and (not may_not or not user.has_perm(may_not))
        assert f"Staff role {role}: user {name}  password marquee-demo" in out
