"""Price categories, on-sale and off-sale times, refund policies. Every existing performance
gets one category, "Full price", at its price, with its seats sold: nothing sold changes."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models



def prices_to_categories(apps, schema_editor):
    Performance = apps.get_model("shows", "Performance")
    PriceCategory = apps.get_model("shows", "PriceCategory")
    PriceCategory.objects.bulk_create([
        PriceCategory(performance_id=p.pk, name="Full price", price_cents=p.price_cents,
                      seats_sold=p.seats_sold)
        for p in Performance.objects.only("pk", "price_cents", "seats_sold").iterator()
    ], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('shows', '0002_performance_waitlist_enabled'),
    ]

    operations = [
        migrations.AddField(
            model_name='performance',
            name='on_sale_at',
            field=models.DateTimeField(blank=True, help_text='Empty: on sale as soon as the show is published.', null=True),
        ),
        migrations.AddField(
            model_name='performance',
            name='sales_end_at',
            field=models.DateTimeField(blank=True, help_text='Empty: on sale until the performance starts.', null=True),
        ),
        migrations.AlterField(
            model_name='performance',
            name='price_cents',
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.CreateModel(
            name='PriceCategory',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100)),
                ('description', models.CharField(blank=True, help_text='e.g. "proof of eligibility at the door"', max_length=300)),
                ('price_cents', models.PositiveIntegerField()),
                ('quota', models.PositiveIntegerField(blank=True, help_text="Seats of this category at most (inside the performance's capacity).", null=True)),
                ('max_per_order', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1)])),
                ('sort_order', models.PositiveSmallIntegerField(default=0)),
                ('hidden', models.BooleanField(default=False, help_text='Only a voucher reveals it.')),
                ('seats_sold', models.PositiveIntegerField(default=0, editable=False)),
                ('performance', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='categories', to='shows.performance')),
            ],
            options={
                'verbose_name_plural': 'price categories',
                'ordering': ['sort_order', 'price_cents', 'id'],
            },
        ),
        migrations.CreateModel(
            name='RefundPolicy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True)),
                ('customer_may_cancel', models.BooleanField(default=True, help_text='Off: customers cannot cancel their orders themselves.')),
                ('hours_before', models.PositiveIntegerField(default=0, help_text='Customers may cancel until this many hours before the start.')),
                ('fee_fixed_cents', models.PositiveIntegerField(default=0)),
                ('fee_percent', models.DecimalField(decimal_places=2, default=0, max_digits=5, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)])),
            ],
            options={
                'verbose_name_plural': 'refund policies',
                'ordering': ['name'],
                'constraints': [models.CheckConstraint(condition=models.Q(('fee_percent__gte', 0), ('fee_percent__lte', 100)), name='refundpolicy_percent_in_range')],
            },
        ),
        migrations.AddField(
            model_name='performance',
            name='refund_policy',
            field=models.ForeignKey(blank=True, help_text="Empty: the show's policy.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='shows.refundpolicy'),
        ),
        migrations.AddField(
            model_name='show',
            name='refund_policy',
            field=models.ForeignKey(blank=True, help_text='Empty: customers may cancel for a full refund until the start.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='shows.refundpolicy'),
        ),
        migrations.AddConstraint(
            model_name='performance',
            constraint=models.CheckConstraint(condition=models.Q(('sales_end_at__isnull', True), ('sales_end_at__lte', models.F('starts_at')), _connector='OR'), name='performance_sales_end_by_start'),
        ),
        migrations.AddConstraint(
            model_name='performance',
            constraint=models.CheckConstraint(condition=models.Q(('on_sale_at__isnull', True), ('sales_end_at__isnull', True), ('on_sale_at__lt', models.F('sales_end_at')), _connector='OR'), name='performance_on_sale_before_end'),
        ),
        migrations.AddConstraint(
            model_name='pricecategory',
            constraint=models.UniqueConstraint(fields=('performance', 'name'), name='pricecategory_unique_name'),
        ),
        migrations.AddConstraint(
            model_name='pricecategory',
            constraint=models.CheckConstraint(condition=models.Q(('price_cents__gte', 0)), name='pricecategory_price_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='pricecategory',
            constraint=models.CheckConstraint(condition=models.Q(('seats_sold__gte', 0)), name='pricecategory_seats_sold_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='pricecategory',
            constraint=models.CheckConstraint(condition=models.Q(('quota__isnull', True), ('seats_sold__lte', models.F('quota')), _connector='OR'), name='pricecategory_within_quota'),
        ),
        migrations.AddConstraint(
            model_name='pricecategory',
            constraint=models.CheckConstraint(condition=models.Q(('max_per_order__isnull', True), ('max_per_order__gte', 1), _connector='OR'), name='pricecategory_max_per_order_positive'),
        ),
        migrations.RunPython(prices_to_categories, migrations.RunPython.noop),
    ]
