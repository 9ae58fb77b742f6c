"""The shell: dashboard, stage pages, health, metrics and error pages."""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from kombu import Connection

from spbe.front.api import json_error
from spbe.front.metrics import exposition
from spbe.front.models import Heartbeat
from spbe.front.pedoman import STAGES
from spbe.org import access
from spbe.org.choices import Role
from spbe.org.models import RoleAssignment
from spbe.org.views import staff_required

HEARTBEAT_STALE = timedelta(minutes=5)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """A first page per role: what the person holds and where to go next."""
    scope = access.scope_for(request.user)
    assignments = (
        RoleAssignment.objects.filter(user=request.user).select_related("pd", "pd__pemda").order_by("pd__name", "role")
    )
    context = {
        "assignments": assignments,
        "scope": scope,
        "pd_count": access.visible_pds(request.user).count() if scope.is_staff_member else 0,
        "people_count": access.visible_people(request.user).count() if access.can_manage_org(request.user) else 0,
        "board": _evaluation_board(request, scope),
    }
    return render(request, "front/dashboard.html", context)


def _evaluation_board(request: HttpRequest, scope) -> dict | None:
    """The heads of a PD, the PJ roles and the Koordinator SPBE start on
    their services against targets (E-1): the evaluation dashboard."""
    from spbe.evaluation.views_dashboard import dashboard_context

    leads = {Role.PIMPINAN_PD, Role.PJ_PENYEDIA, Role.PJ_INFRA}
    if not scope.coordinator_pemda_ids and not any(roles & leads for roles in scope.roles_by_pd.values()):
        return None
    return dashboard_context(request)


@staff_required
def stage(request: HttpRequest, slug: str) -> HttpResponse:
    """One stage of the Pedoman with its requirements and where each lives:
    only the screens the person may open (issue 14). An internal page: a
    Pengguna Layanan gets a 403."""
    if slug not in STAGES:
        raise Http404
    title, lead, requirements = STAGES[slug]
    requirements = [r for r in requirements if r.shown_to(request.user)]
    return render(request, "front/stage.html", {"title": title, "lead": lead, "requirements": requirements})


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, "ok"
    except Exception as exc:  # any driver error means "down"
        return False, exc.__class__.__name__


def _broker_ok() -> tuple[bool, str]:
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            connect_timeout=2,
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, "ok"
    except Exception as exc:  # any transport error means "down"
        return False, exc.__class__.__name__


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker status for load balancers and monitoring: 503
    when either is down. The scheduler's heartbeat is reported, not judged,
    because a web node may legitimately run without a worker."""
    db_ok, db_detail = _database_ok()
    broker_ok, broker_detail = _broker_ok()
    scheduler = None
    if db_ok:
        beat = Heartbeat.objects.filter(name="scheduler").first()
        if beat is not None:
            age = timezone.now() - beat.seen
            scheduler = {"last_seen": beat.seen.isoformat(), "stale": age > HEARTBEAT_STALE}
    healthy = db_ok and broker_ok
    body = {
        "status": "ok" if healthy else "error",
        "database": db_detail,
        "broker": broker_detail,
        "scheduler": scheduler,
    }
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format. With SPBE_METRICS_TOKEN set a bearer token is
    required; the nginx example also keeps /metrics off the internet."""
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            return json_error(401, _("Token metrik tidak valid."), "unauthorized")
    return HttpResponse(exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def error_404(request: HttpRequest, exception=None) -> HttpResponse:
    if _wants_json(request):
        return json_error(404, _("Tidak ditemukan."), "not_found")
    return render(request, "errors/404.html", status=404)


def error_403(request: HttpRequest, exception=None) -> HttpResponse:
    if _wants_json(request):
        return json_error(403, _("Anda tidak berhak mengakses ini."), "forbidden")
    return render(request, "errors/403.html", status=403)


def error_500(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return json_error(500, _("Terjadi kesalahan pada server. Silakan coba lagi."), "server_error")
    return render(request, "errors/500.html", status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if _wants_json(request):
        return json_error(403, _("Token CSRF tidak valid. Muat ulang halaman lalu coba lagi."), "csrf")
    return render(request, "errors/csrf.html", status=403)
