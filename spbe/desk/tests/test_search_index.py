"""The trigram indexes of the queue's search (migration desk/0006): where the
database user may not create the pg_trgm extension, the migration goes on
without them and says so, and the search still finds tickets (docs/deploy.md)."""

from importlib import import_module
from types import SimpleNamespace
from uuid import uuid4

from django.apps import apps
from django.db import connection
from django.urls import reverse

from spbe.desk.tests.test_actions import complaint, kritis_public  # noqa: F401  (fixture)

migration = import_module("spbe.desk.migrations.0006_ticket_next_due")


def trigram_indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'desk_ticket' AND indexname LIKE '%_trgm'")
        return {row[0] for row in cursor.fetchall()}


def test_without_pg_trgm_the_migration_goes_on_and_the_search_still_works(world, kritis_public, login, capsys):  # noqa: F811
    ticket = complaint(kritis_public, world.tegal_admin, subject="Printer macet di loket")
    if connection.vendor == "postgresql":
        assert trigram_indexes() == {f"desk_ticket_{column}_trgm" for column in migration.SEARCHED}
        role = f"spbe_no_extension_{uuid4().hex[:8]}"
        with connection.cursor() as cursor:  # all of it undone with the test's transaction
            cursor.execute("DROP EXTENSION pg_trgm CASCADE")
            cursor.execute(f"CREATE ROLE {role} NOLOGIN")
            cursor.execute(f"SET ROLE {role}")  # a user who may not create extensions
        try:
            with connection.schema_editor() as editor:
                migration.trigram_indexes(apps, editor)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET ROLE")
        assert "pg_trgm unavailable" in capsys.readouterr().err
        assert trigram_indexes() == set()
    else:  # SQLite has no such indexes: the step does nothing
        migration.trigram_indexes(apps, SimpleNamespace(connection=connection))
        assert capsys.readouterr().err == ""
    page = login(world.tegal_admin).get(reverse("desk:queue"), {"q": "macet loket"}).content.decode()
    assert ticket.number in page
