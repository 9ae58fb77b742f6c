"""The outbox (issue 5, item 10): saved with the change, delivered once,
retried on a transport failure, never lost by a crash in between; a worker
killed while sending does not strand its message (issue 14, item 6)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, connection, transaction

from spbe.desk.tests.test_actions import complaint, kritis_public  # noqa: F401  (fixture)
from spbe.notify.models import OutboxMessage, OutboxStatus
from spbe.notify.outbox import MAX_ATTEMPTS, deliver_one, deliver_pending, enqueue, message_id_of

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


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


# --- A worker killed while sending (issue 14, item 6) ------------------------------------------------


class Killed(BaseException):
    """SIGKILL as seen from inside the worker: nothing after it runs, no
    ``except Exception`` catches it."""


class DyingBackend(BaseEmailBackend):
    """The worker dies during the send; with ``accepted`` after the mail
    server took the message, else before."""

    accepted = False

    def send_messages(self, messages):
        if self.accepted:
            mail.outbox.extend(messages)
        raise Killed


class DyingAfterAcceptance(DyingBackend):
    accepted = True


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(datetime(2026, 11, 20, 8, 0, tzinfo=UTC), tick=False)
    return time_machine


def test_a_message_whose_worker_was_killed_is_sent_once_its_claim_expires(db, settings, frozen):
    """The bench/kill.py run found 5 of 895 messages left 'sending' for
    good after SIGKILLs of the Celery worker: never delivered."""
    message = enqueue(key="k4", to=["d@x.test"], subject="S", body="B")
    settings.EMAIL_BACKEND = "spbe.notify.tests.test_outbox.DyingBackend"
    with pytest.raises(Killed):
        deliver_one(message.pk)
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENDING
    settings.EMAIL_BACKEND = LOCMEM
    assert deliver_pending() == 0  # the claim still holds: its worker may be alive and sending
    frozen.shift(timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS + 1))
    assert deliver_pending() == 1
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 2)


def test_a_copy_sent_again_after_a_crash_carries_the_same_message_id(db, settings, frozen):
    """Killed after the mail server accepted it, before it was marked sent:
    sent again (at least once), recognisable as the same message."""
    message = enqueue(key="k5", to=["e@x.test"], subject="S", body="B")
    settings.EMAIL_BACKEND = "spbe.notify.tests.test_outbox.DyingAfterAcceptance"
    with pytest.raises(Killed):
        deliver_one(message.pk)
    settings.EMAIL_BACKEND = LOCMEM
    frozen.shift(timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS + 1))
    assert deliver_pending() == 1
    ids = [sent.message()["Message-ID"] for sent in mail.outbox]
    assert ids == [message_id_of(message)] * 2
    assert ids[0].startswith(f"<outbox.{message.pk}.") and ids[0].endswith("@layanan-spbe.local>")


def test_a_message_whose_worker_dies_at_every_attempt_is_given_up(db, settings, frozen):
    message = enqueue(key="k6", to=["f@x.test"], subject="S", body="B")
    settings.EMAIL_BACKEND = "spbe.notify.tests.test_outbox.DyingBackend"
    for _attempt in range(MAX_ATTEMPTS):
        with pytest.raises(Killed):
            deliver_pending()
        frozen.shift(timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS + 1))
    assert deliver_pending() == 0
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, MAX_ATTEMPTS)
    assert message.last_error


@pytest.mark.django_db(transaction=True)
def test_workers_racing_for_one_message_send_it_once(settings):
    """Eight workers at once, each on its own connection (concurrently on
    PostgreSQL; one after another on SQLite's shared in-memory test
    database): one claim wins."""
    settings.EMAIL_BACKEND = LOCMEM
    message = enqueue(key="k7", to=["g@x.test"], subject="S", body="B")
    workers = 8 if connection.vendor == "postgresql" else 1
    barrier, results = threading.Barrier(workers), []

    def work() -> None:
        barrier.wait()
        try:
            results.append(deliver_one(message.pk))
        finally:
            if workers > 1:
                connection.close()

    for _round in range(8 // workers):
        threads = [threading.Thread(target=work) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(results) == [False] * 7 + [True]
    assert len(mail.outbox) == 1
