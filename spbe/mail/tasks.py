"""Celery tasks of the e-mail channel (beat entry ``mail-poll``, every minute)."""

from celery import shared_task

from spbe.mail import actions


@shared_task(ignore_result=True)
def poll_mailboxes() -> dict:
    """Read every active mailbox; a mailbox another worker is reading is skipped."""
    return {code: {"read": r.read, "skipped": r.skipped, "error": r.error, "busy": r.busy}
            for code, r in actions.poll_all().items()}  # fmt: skip
