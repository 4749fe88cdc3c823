"""Redemptions live on their orders (tickets 0009 copied them there): the table goes."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0009_order_voucher'),
        ('vouchers', '0001_initial'),
        # Its permission is granted to managers there (before the model goes).
        ('staff', '0005_manager_vouchers'),
    ]

    operations = [
        migrations.DeleteModel(
            name='VoucherRedemption',
        ),
    ]
