"""An order carries its voucher, the uses it took and the discount it gave (issue 24): the
reservation's statement writes them with the order row instead of a redemption row of its
own. What redemptions exist are copied onto their orders (vouchers 0002 then drops them)."""

import django.db.models.deletion
from django.db import migrations, models


def redemptions_onto_orders(apps, schema_editor) -> None:
    order_model = apps.get_model("tickets", "Order")
    redemption_model = apps.get_model("vouchers", "VoucherRedemption")
    for r in redemption_model.objects.all().iterator():
        order_model.objects.filter(pk=r.order_id).update(
            voucher_id=r.voucher_id, voucher_uses=r.uses, voucher_discount_cents=r.discount_cents,
            voucher_released_at=r.released_at)


def orders_onto_redemptions(apps, schema_editor) -> None:
    order_model = apps.get_model("tickets", "Order")
    redemption_model = apps.get_model("vouchers", "VoucherRedemption")
    redemption_model.objects.bulk_create(
        redemption_model(voucher_id=o.voucher_id, order_id=o.pk, uses=o.voucher_uses,
                   discount_cents=o.voucher_discount_cents, created_at=o.created_at,
                   released_at=o.voucher_released_at)
        for o in order_model.objects.filter(voucher__isnull=False).iterator())


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0008_gift_cards_and_discounts'),
        ('vouchers', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='order',
            name='voucher',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='orders', to='vouchers.voucher'),
        ),
        migrations.AddField(
            model_name='order',
            name='voucher_discount_cents',
            field=models.PositiveIntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name='order',
            name='voucher_released_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='order',
            name='voucher_uses',
            field=models.PositiveSmallIntegerField(db_default=0, default=0),
        ),
        migrations.RunPython(redemptions_onto_orders, orders_onto_redemptions),
        migrations.AddIndex(
            model_name='order',
            index=models.Index(condition=models.Q(('voucher__isnull', False)), fields=['voucher', 'created_at'], name='order_voucher_redemptions'),
        ),
        migrations.AddConstraint(
            model_name='order',
            constraint=models.CheckConstraint(condition=models.Q(('voucher__isnull', False), models.Q(('voucher_discount_cents', 0), ('voucher_released_at__isnull', True), ('voucher_uses', 0)), _connector='OR'), name='order_voucher_fields_need_voucher'),
        ),
    ]
