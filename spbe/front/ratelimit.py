"""Rate limits on the public forms that send e-mail or guess secrets
(issue 14): the portal's report form (its verification e-mail), the
verification link, and password reset. Fixed windows, counted in the
database (``RateCounter``) per client address and, where a form names an
e-mail address, per address too, so nobody can flood a stranger's inbox.

A government office often shares one public address, so the limits per
address are generous; the per-e-mail ones are tight.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from axes.helpers import get_client_ip_address
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.front.models import RateCounter


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


PORTAL_REPORT_PER_IP = Limit(20, 3600)
PORTAL_REPORT_PER_EMAIL = Limit(5, 3600)
PORTAL_VERIFY_PER_IP = Limit(30, 600)
PASSWORD_RESET_PER_IP = Limit(10, 3600)
PASSWORD_RESET_PER_EMAIL = Limit(3, 3600)


def _hit(key: str, limit: Limit) -> int:
    """Counts one request; the seconds to wait if this one is over the limit, else 0."""
    now = timezone.now()
    window = int(now.timestamp()) // limit.seconds
    key = f"{key}:{window}"
    expires = datetime.fromtimestamp((window + 1) * limit.seconds, tz=UTC)
    with transaction.atomic():
        RateCounter.objects.filter(expires__lt=now).delete()
        updated = RateCounter.objects.filter(key=key).update(count=F("count") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, count=1, expires=expires)
            except IntegrityError:  # another worker created it meanwhile
                RateCounter.objects.filter(key=key).update(count=F("count") + 1)
        count = RateCounter.objects.values_list("count", flat=True).get(key=key)
    return max(1, int((expires - now).total_seconds())) if count > limit.count else 0


def retry_after(
    request: HttpRequest, scope: str, per_ip: Limit, email: str = "", per_email: Limit | None = None
) -> int:
    """Seconds the client must wait before ``scope`` is allowed again, or 0.
    Every call counts, so a client that keeps trying stays refused."""
    wait = _hit(f"{scope}:ip:{get_client_ip_address(request) or '-'}", per_ip)
    if email and per_email is not None:
        digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]  # no address kept in clear
        wait = max(wait, _hit(f"{scope}:mail:{digest}", per_email))
    return wait


def refusal(seconds: int) -> str:
    return _("Terlalu banyak permintaan dari Anda. Data Anda belum terkirim; coba lagi dalam %(minutes)d menit.") % {
        "minutes": max(1, (seconds + 59) // 60)
    }
