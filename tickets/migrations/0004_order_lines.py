"""Orders gain lines: every existing order becomes one line of its performance's only
category (made by shows 0003), at the price it was sold for; its tickets get that category.
Nothing sold so far changes (totals, seats, codes)."""

import django.db.models.deletion
from django.db import migrations, models



def orders_to_lines(apps, schema_editor):
    Order = apps.get_model("tickets", "Order")
    OrderLine = apps.get_model("tickets", "OrderLine")
    Ticket = apps.get_model("tickets", "Ticket")
    PriceCategory = apps.get_model("shows", "PriceCategory")
    first = {}
    for category in PriceCategory.objects.order_by("performance_id", "sort_order", "id"):
        first.setdefault(category.performance_id, category.pk)
    lines = []
    for order in Order.objects.only("pk", "performance_id", "quantity", "total_cents").iterator():
        category = first[order.performance_id]
        lines.append(OrderLine(order_id=order.pk, category_id=category, quantity=order.quantity,
                               unit_price_cents=order.total_cents // order.quantity))
        if len(lines) >= 1000:
            OrderLine.objects.bulk_create(lines)
            lines = []
    OrderLine.objects.bulk_create(lines)
    for performance_id, category in first.items():
        Ticket.objects.filter(order__performance_id=performance_id).update(category_id=category)


class Migration(migrations.Migration):

    dependencies = [
        ('shows', '0003_price_categories_sales_times_refund_policies'),
        ('tickets', '0003_waitlistentry'),
    ]

    operations = [
        migrations.AddField(
            model_name='ticket',
            name='category',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='shows.pricecategory'),
        ),
        migrations.CreateModel(
            name='OrderLine',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('quantity', models.PositiveSmallIntegerField()),
                ('unit_price_cents', models.PositiveIntegerField()),
                ('category', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='shows.pricecategory')),
                ('order', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='tickets.order')),
            ],
            options={
                'ordering': ['order', 'id'],
                'constraints': [models.UniqueConstraint(fields=('order', 'category'), name='orderline_one_per_category'), models.CheckConstraint(condition=models.Q(('quantity__gte', 1), ('quantity__lte', 10)), name='orderline_quantity_in_range')],
            },
        ),
        migrations.RunPython(orders_to_lines, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='ticket',
            name='category',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='shows.pricecategory'),
        ),
    ]
