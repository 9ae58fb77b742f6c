"""The public status page of a Pemda (O-4: monitor availability and
inform users; P-4 item 11: the current availability, published like the
catalog on a public link). No log-in.

It must stay fast when many citizens open it during an outage: the page is
rendered with a fixed number of queries whatever the number of services,
kept in Django's cache for 30 seconds per Pemda and language, and sent with
``Cache-Control: public, max-age=30`` so a proxy can serve it too. It is a
standalone template: no session, no CSRF token, nothing personal in the
cached HTML. Detected causes are not shown, as they name internal hosts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from spbe.catalog.choices import Lifecycle, ServiceGroup
from spbe.catalog.models import Service
from spbe.change.choices import ReleaseStage
from spbe.change.models import Release
from spbe.continuity.choices import RecoveryKind, RecoveryStatus
from spbe.continuity.models import Recovery
from spbe.monitoring.availability import DayBar, board
from spbe.monitoring.choices import ServiceState
from spbe.monitoring.models import MaintenanceWindow
from spbe.org.models import Pemda

CACHE_SECONDS = 30
BAR_DAYS = 90
PHONE_DAYS = 30  # bars shown on a narrow screen
RECENT_DAYS = 7

# Bootstrap colour and icon of each state (colour is never the only signal:
# every badge carries its label).
STATE_STYLE = {
    ServiceState.UP: ("success", "bi-check-circle-fill"),
    ServiceState.DEGRADED: ("warning", "bi-exclamation-triangle-fill"),
    ServiceState.DOWN: ("danger", "bi-x-octagon-fill"),
    ServiceState.MAINTENANCE: ("info", "bi-tools"),
    ServiceState.UNKNOWN: ("secondary", "bi-dash-circle"),
}


def cache_key(slug: str, language: str) -> str:
    return f"monitoring:status:{slug}:{language}"


def forget(slug: str) -> None:
    """A service changed state: the next visitor sees it now, not after the
    cache's 30 seconds."""
    cache.delete_many([cache_key(slug, code) for code, _name in settings.LANGUAGES])


def public_services(pemda: Pemda):
    """Active public services of the Pemda (group Layanan Publik)."""
    return (
        Service.objects.filter(pd__pemda=pemda, lifecycle=Lifecycle.ACTIVE, group=ServiceGroup.LAYANAN_PUBLIK)
        .select_related("pd")
        .only("pk", "name", "code", "availability_target", "pd__name", "pd__abbreviation")
        .order_by("pd__name", "name")
    )


def status_context(pemda: Pemda, now: datetime | None = None) -> dict:
    """Everything the page shows; times in the Pemda's own zone."""
    now = now or timezone.now()
    zone = ZoneInfo(pemda.time_zone)
    services = list(public_services(pemda))
    rows = board(services, BAR_DAYS, now, zone, RECENT_DAYS)
    for row in rows:
        row.state_label = ServiceState(row.state).label
        row.colour, row.icon = STATE_STYLE[row.state]
        row.labelled_bars = [(bar, bar_label(bar)) for bar in row.bars]
    ids = [s.pk for s in services]
    windows = list(
        MaintenanceWindow.objects.filter(services__in=ids, ends_at__gt=now)
        .distinct()
        .order_by("starts_at")
        .prefetch_related(Prefetch("services", queryset=Service.objects.filter(pk__in=ids).only("pk", "name")))[:20]
    )
    open_rows = [row for row in rows if row.open_outage is not None]
    disasters = declared_disasters(pemda, services)
    releases = list(
        Release.objects.filter(
            stage=ReleaseStage.SUCCEEDED, verified_at__gte=now - timedelta(days=RECENT_DAYS), services__in=ids
        )
        .distinct()
        .order_by("-verified_at")
        .only("title", "version", "announcement", "verified_at")[:10]
    )  # O-6: a successful release is announced to users
    states = {row.state for row in rows}
    if disasters or ServiceState.DOWN in states:
        summary = ("danger", _summary_text("down"))
    elif ServiceState.DEGRADED in states:
        summary = ("warning", _summary_text("degraded"))
    elif ServiceState.MAINTENANCE in states:
        summary = ("info", _summary_text("maintenance"))
    elif ServiceState.UP in states:
        summary = ("success", _summary_text("up"))
    else:
        summary = ("secondary", _summary_text("unknown"))
    recent = sorted(
        ((row.service, outage) for row in rows for outage in row.recent), key=lambda pair: pair[1].started_at,
        reverse=True,
    )  # fmt: skip
    return {
        "pemda": pemda,
        "rows": rows,
        "open_rows": open_rows,
        "disasters": disasters,
        "releases": releases,
        "windows": [(w, w.starts_at <= now) for w in windows],
        "recent": recent,
        "summary": summary,
        "now": now,
        "zone_name": timezone.localtime(now, zone).tzname(),
        "bar_days": BAR_DAYS,
        "phone_days": PHONE_DAYS,
        "old_bars": BAR_DAYS - PHONE_DAYS,
        "recent_days": RECENT_DAYS,
        "cache_seconds": CACHE_SECONDS,
    }


def declared_disasters(pemda: Pemda, services: list[Service]) -> list[Recovery]:
    """Disasters declared and not yet normalised (O-5, step 3 to 5) that
    touch the public services shown, each with those services; two queries."""
    by_id = {service.pk: service for service in services}
    disasters = list(
        Recovery.objects.filter(
            pemda=pemda, kind=RecoveryKind.ACTIVATION, status=RecoveryStatus.RECOVERING, plan__services__in=list(by_id)
        )
        .distinct()
        .order_by("declared_at")
        .prefetch_related(Prefetch("plan__services", queryset=Service.objects.only("pk")))
    )
    for disaster in disasters:
        disaster.public_services = [by_id[s.pk] for s in disaster.plan.services.all() if s.pk in by_id]
    return disasters


def bar_label(bar: DayBar) -> str:
    """What a bar says to a pointer (title) and to a screen reader."""
    day = date_format(bar.day, "j F Y")
    figure = bar.figure
    if figure.percent is None:
        return _("%(day)s: belum ada data") % {"day": day}
    parts = [_("%(day)s: %(percent)s %% tersedia") % {"day": day, "percent": number_format(figure.percent, 3)}]
    if figure.downtime:
        parts.append(_("tidak tersedia %(minutes)d menit") % {"minutes": figure.downtime_minutes})
    if figure.degraded:
        parts.append(_("terganggu sebagian %(minutes)d menit") % {"minutes": figure.degraded_minutes})
    if figure.maintenance:
        parts.append(_("pemeliharaan %(minutes)d menit") % {"minutes": figure.maintenance_minutes})
    return ", ".join(parts)


def _summary_text(kind: str) -> str:
    return {
        "down": _("Ada layanan yang tidak tersedia. Petugas sedang menanganinya."),
        "degraded": _("Sebagian layanan terganggu. Petugas sedang menanganinya."),
        "maintenance": _("Sebagian layanan sedang dalam pemeliharaan terjadwal."),
        "up": _("Semua layanan yang dipantau beroperasi normal."),
        "unknown": _("Layanan belum dipantau."),
    }[kind]


def status_page(request: HttpRequest, slug: str) -> HttpResponse:
    """/status/<pemda>/: each active public service's state, 90 days of
    availability, open incidents and announced maintenance (O-4)."""
    key = cache_key(slug, translation.get_language())
    html = cache.get(key)
    if html is None:
        pemda = get_object_or_404(Pemda, slug=slug)
        with timezone.override(ZoneInfo(pemda.time_zone)):
            html = render_to_string("monitoring/status.html", status_context(pemda))
        cache.set(key, html, CACHE_SECONDS)
    response = HttpResponse(html)
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response
