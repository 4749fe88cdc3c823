"""marquee_refuse(reason): aborts the statement that calls it with SQLSTATE MQ001.

The reservation statement (tickets/reservation_sql.py) calls it when a line's category no
longer matches what was read, so that the seats already counted in that same statement are
not kept: a statement that raises writes nothing. PostgreSQL only; other databases run the
reservation in steps inside a transaction instead.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION marquee_refuse(reason text) RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'MQ001', MESSAGE = 'reservation refused: ' || reason;
END
$$;
"""
DROP = "DROP FUNCTION IF EXISTS marquee_refuse(text);"


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0004_order_lines"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP)),
    ]
