"""Load the demo data, a demo admin and one demo staff user per role (staff/roles.py).
Idempotent: running it twice adds nothing."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from info import demo as info_demo
from shows import demo as shows_demo
from staff import roles
from tickets import services as ticket_services

DEMO_ADMIN = ("admin", "marquee-demo")
# One staff user per role, same password: what each role sees and may do (make run prints).
DEMO_STAFF = {"door": roles.DOOR, "boxoffice": roles.BOX_OFFICE, "manager": roles.MANAGER}


class Command(BaseCommand):
    help = "Load demo venues, shows, performances, info pages and a demo staff user."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError("seed_demo creates a known admin password: dev and test only.")
        user_model = get_user_model()
        for performance in shows_demo.seed():
            self._sell(performance, user_model)
        info_demo.seed()
        username, password = DEMO_ADMIN
        admin, created = user_model.objects.get_or_create(
            username=username, defaults={"email": "admin@example.com", "is_staff": True,
                                         "is_superuser": True})
        if created:
            admin.set_password(password)
            admin.save()
        roles.roles_sync()
        for name, role in DEMO_STAFF.items():
            user, created = user_model.objects.get_or_create(
                username=name, defaults={"email": f"{name}@example.com", "is_staff": True})
            if created:
                user.set_password(password)
                user.save()
            user.groups.add(Group.objects.get(name=role))
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready. Admin at /admin/  user: {username}  "
            f"password: {password}"))
        for name, role in DEMO_STAFF.items():
            self.stdout.write(f"  Staff role {role}: user {name}  password {password}")

    def _sell(self, performance, user_model) -> None:
        """Make a show almost or fully sold out with real orders, so counts stay exact."""
        left = 3 if performance.show.slug == "jazz-at-midnight" else 0
        to_sell = performance.capacity - left
        buyer = 0
        while to_sell > 0:
            quantity = min(to_sell, 10)
            customer, _ = user_model.objects.get_or_create(
                username=f"demo-buyer-{buyer}",
                defaults={"email": f"buyer{buyer}@example.com"})
            ticket_services.order_reserve(user=customer, performance_id=performance.pk,
                                          quantity=quantity, paid_at_box_office=True)
            to_sell -= quantity
            buyer += 1
