"""Managers run vouchers and gift cards (issue 24): their admin pages and actions. A frozen
copy of what staff/roles.py ROLES added for them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADDED = {
    "Manager": [
        "vouchers.add_voucher", "vouchers.change_voucher", "vouchers.view_voucher",
        "vouchers.add_giftcard", "vouchers.change_giftcard", "vouchers.view_giftcard",
        "vouchers.view_voucherredemption", "vouchers.view_giftcardtransaction"],
}


def add_permissions(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, perms in ADDED.items():
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.add(*[
            permission_model.objects.get(content_type__app_label=perm.split(".")[0],
                                         codename=perm.split(".")[1]) for perm in perms])


def remove_permissions(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, perms in ADDED.items():
        for group in group_model.objects.filter(name=name):
            group.permissions.remove(*permission_model.objects.filter(
                content_type__app_label="vouchers",
                codename__in=[perm.split(".")[1] for perm in perms]))


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0004_counter_sales"),
        ("vouchers", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]
