"""Settings of bench/kill.py and spbe/notify/tests/test_kill.py: the application's own settings (PostgreSQL and
Redis from the environment) with an e-mail backend that keeps every message it accepts, so deliveries can be counted
per outbox message.

``DJANGO_SETTINGS_MODULE=kill_settings`` with ``bench/`` on ``PYTHONPATH``; not for any other use.
"""

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

from spbe.settings import *  # noqa: F403
from spbe.settings import VAR_DIR

EMAIL_BACKEND = "kill_settings.DeliveryLog"
KILL_MAIL_DIR = Path(os.environ.get("KILL_MAIL_DIR", str(VAR_DIR / "kill-mail")))
KILL_MAIL_LATENCY = float(os.environ.get("KILL_MAIL_LATENCY", "0.05"))
# A claimed message whose worker died is taken again after this long (spbe.notify.outbox); short, so the bench
# does not wait the production default.
OUTBOX_CLAIM_SECONDS = int(os.environ.get("OUTBOX_CLAIM_SECONDS", "15"))
# The short kill test of the suite (spbe/notify/tests/test_kill.py) shares the suite's broker: its own queue.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("KILL_QUEUE", "celery")


class DeliveryLog(BaseEmailBackend):
    """A mail server that answers after ``KILL_MAIL_LATENCY`` seconds (the time an SMTP transaction takes) and keeps
    each accepted message as one file. The file appears whole or not at all (written aside, then renamed), as an
    SMTP server either accepts a message or not."""

    def send_messages(self, email_messages) -> int:
        KILL_MAIL_DIR.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            time.sleep(KILL_MAIL_LATENCY)
            name = uuid.uuid4().hex
            part = KILL_MAIL_DIR / f".{name}.part"
            part.write_bytes(message.message().as_bytes())
            part.rename(KILL_MAIL_DIR / f"{name}.eml")
        return len(email_messages)
