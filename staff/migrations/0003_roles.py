"""The staff roles as groups with their permissions (a frozen copy of staff/roles.py ROLES
as it was when written; later changes come in their own migration)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Door": ["staff.check_in", "tickets.view_ticket"],
    "Box office": [
        "staff.sell_at_counter", "staff.book_pay_later", "staff.refund_own_cash_sales",
        "tickets.view_order", "tickets.view_ticket", "shows.view_performance",
        "shows.view_show", "shows.view_venue"],
    "Manager": [
        "notifications.view_orderemail", "payments.view_payment", "shows.add_performance",
        "shows.add_show", "shows.add_venue", "shows.change_performance", "shows.change_show",
        "shows.change_venue", "shows.view_performance", "shows.view_show", "shows.view_venue",
        "staff.book_pay_later", "staff.cancel_performances", "staff.change_prices",
        "staff.check_in", "staff.give_comps", "staff.refund_any_order",
        "staff.refund_own_cash_sales", "staff.sell_at_counter", "staff.view_reports",
        "tickets.view_order", "tickets.view_ticket", "tickets.view_waitlistentry"],
}


def create_roles(apps, schema_editor):
    # Permissions are made after the last migration (post_migrate); these need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, _ = group_model.objects.get_or_create(name=name)
        wanted = [permission_model.objects.get(content_type__app_label=perm.split(".")[0],
                                               codename=perm.split(".")[1])
                  for perm in perms]
        group.permissions.add(*wanted)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("staff", "0002_staff_permissions"),
        ("shows", "0002_performance_waitlist_enabled"),
        ("tickets", "0003_waitlistentry"),
        ("payments", "0001_initial"),
        ("notifications", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
