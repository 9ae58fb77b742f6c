"""The outbox (issue 5, item 10): saved with the change, delivered once,
retried on a transport failure, never lost by a crash in between."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from spbe.desk.tests.test_actions import complaint, kritis_public  # noqa: F401  (fixture)
from spbe.notify.models import OutboxMessage, OutboxStatus
from spbe.notify.outbox import deliver_one, deliver_pending, enqueue


def test_the_same_key_is_one_message(db):
    first = enqueue(key="k1", to=["a@x.test"], subject="S", body="B")
    again = enqueue(key="k1", to=["a@x.test"], subject="S", body="B")
    assert first == again
    assert OutboxMessage.objects.count() == 1


def test_a_fresh_key_skips_the_lookup_but_stays_unique(
    db, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """``fresh`` (the key names a row of the caller's transaction) saves the
    lookup and its savepoint; the database still refuses a key twice."""
    with django_capture_on_commit_callbacks() as callbacks, django_assert_num_queries(1):
        message = enqueue(key="ticket-1-opened-admin", to=["a@x.test"], subject="S", body="B", fresh=True)
    assert message.pk and len(callbacks) == 1  # delivery is scheduled as for any new message
    with pytest.raises(IntegrityError), transaction.atomic():
        enqueue(key="ticket-1-opened-admin", to=["a@x.test"], subject="S", body="B", fresh=True)
    assert OutboxMessage.objects.count() == 1


def test_a_message_is_delivered_once(db):
    message = enqueue(key="k1", to=["a@x.test", "", "a@x.test"], subject="Halo", body="Isi")
    assert message.to == ["a@x.test"]
    assert deliver_one(message.pk) is True
    assert deliver_one(message.pk) is False
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 1)


def test_a_crash_before_sending_loses_nothing(db, django_capture_on_commit_callbacks):
    """The ticket and its message commit together; if the worker never got the
    task (crash, broker down), the periodic job sends it."""
    with django_capture_on_commit_callbacks(execute=False):  # the callback never runs: "crash"
        enqueue(key="k2", to=["b@x.test"], subject="S", body="B")
    assert mail.outbox == []
    assert deliver_pending() == 1
    assert len(mail.outbox) == 1


def test_a_transport_failure_is_retried_later(db, settings):
    """A real SMTP connection to a port where nothing listens."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    message = enqueue(key="k3", to=["c@x.test"], subject="S", body="B")
    assert deliver_one(message.pk) is False
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    assert message.last_error
    assert message.next_attempt_at > message.created + timedelta(minutes=1)


def test_ticket_events_notify_reporter_and_the_right_people(world, kritis_public):  # noqa: F811
    from spbe.desk import actions

    ticket = complaint(kritis_public, world.tegal_admin)
    keys = set(OutboxMessage.objects.values_list("key", flat=True))
    assert keys == {f"ticket-{ticket.pk}-opened-reporter", f"ticket-{ticket.pk}-opened-admin"}
    actions.escalate(world.tegal_admin, ticket, 1, "Di luar perkiraan")
    escalation = OutboxMessage.objects.get(key=f"ticket-{ticket.pk}-escalation-1")
    assert "admin@tegal.test" in escalation.to  # Administrator Layanan of the PD
    actions.resolve(world.tegal_admin, ticket, "Sudah normal")
    resolved = OutboxMessage.objects.get(key__startswith=f"ticket-{ticket.pk}-resolved")
    assert resolved.to == ["budi@mail.test"]
    assert "Sudah normal" in resolved.body
