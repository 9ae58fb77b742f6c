"""Ticket.next_due (the queue's countdown as a column), the queue's
indexes, and on PostgreSQL trigram indexes for the queue's full-text search."""

import sys

from django.db import DatabaseError, migrations, models, transaction

# The columns search_tickets() matches with icontains, which PostgreSQL runs
# as UPPER(col::text) LIKE UPPER(...): the index must be on that expression.
SEARCHED = ["number", "subject", "description", "reporter_name"]


def backfill_next_due(apps, schema_editor):
    Ticket = apps.get_model("desk", "Ticket")
    Clock = apps.get_model("clocks", "Clock")
    ContentType = apps.get_model("contenttypes", "ContentType")
    owner_type = ContentType.objects.filter(app_label="desk", model="ticket").first()
    if owner_type is None:
        return
    running = Clock.objects.filter(
        owner_type=owner_type, owner_id=models.OuterRef("pk"), state__in=["running", "breached"],
        stopped_at__isnull=True,
    ).order_by("due_at")  # fmt: skip
    Ticket.objects.update(next_due=models.Subquery(running.values("due_at")[:1]))


def trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        # A database user without the right to create extensions: the search
        # still works, without the indexes (docs/deploy.md says how to add them).
        sys.stderr.write("pg_trgm unavailable: the ticket search runs without trigram indexes.\n")
        return
    for column in SEARCHED:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS desk_ticket_{column}_trgm ON desk_ticket "
            f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED:
        schema_editor.execute(f"DROP INDEX IF EXISTS desk_ticket_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("clocks", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("desk", "0005_ticket_urgency_sladocument_ticket_sla_document_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="next_due",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="tenggat terdekat"),
        ),
        migrations.RunPython(backfill_next_due, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["-reported_at", "id"], name="desk_reported_idx"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("next_due__isnull", False)), fields=["next_due", "id"], name="desk_next_due_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status__in", ["awaiting_approval", "in_progress", "new", "waiting_reporter"])),
                fields=["-reported_at", "id"],
                name="desk_open_idx",
            ),
        ),
        migrations.RunPython(trigram_indexes, drop_trigram_indexes),
    ]
