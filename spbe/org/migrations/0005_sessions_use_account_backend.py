"""Sessions opened before AccountBackend replaced Django's ModelBackend name
the old backend; Django would sign those people out on the next request and
lose any form they were about to send. Their sessions are moved over."""

from django.db import migrations
from django.utils import timezone

OLD = "django.contrib.auth.backends.ModelBackend"
NEW = "spbe.org.backends.AccountBackend"
BACKEND_KEY = "_auth_user_backend"


def _move(apps, source: str, target: str) -> None:
    from django.contrib.sessions.backends.db import SessionStore

    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = store.decode(session.session_data)
        if data.get(BACKEND_KEY) == source:
            data[BACKEND_KEY] = target
            session.session_data = store.encode(data)
            session.save(update_fields=["session_data"])


def forwards(apps, schema_editor):
    _move(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _move(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0004_pemda_calendar_revision"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
