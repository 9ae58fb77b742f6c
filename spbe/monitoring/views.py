"""Staff pages of monitoring (O-4): the checks with their live state, one
check with its recent results, maintenance windows; and the heartbeat
ping that jobs call (authenticated by the check's secret token)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from spbe.front.listing import build_listing, render_listing
from spbe.front.pages import form_page
from spbe.monitoring import actions
from spbe.monitoring.forms import MONITOR_ROLES, CheckFilterForm, CheckForm, MaintenanceForm
from spbe.monitoring.models import Check, CheckResult, CheckRollup, MaintenanceWindow, Outage
from spbe.org import access
from spbe.org.views import staff_required

CHECK_TEMPLATE = "monitoring/check_form.html"  # shows only the fields of the chosen kind


def visible_checks(user):
    return access.filter_by_pd(user, Check.objects.all())


def _can_manage(user, pd) -> bool:
    return access.workable_pds(user, MONITOR_ROLES).filter(pk=pd.pk).exists()


@staff_required
def check_list(request: HttpRequest) -> HttpResponse:
    filters = CheckFilterForm(request.GET or None)
    qs = visible_checks(request.user).select_related("pd", "service", "application", "component")
    if filters.is_valid():
        for name in ("status", "kind"):
            if filters.cleaned_data[name]:
                qs = qs.filter(**{name: filters.cleaned_data[name]})
    qs, listing = build_listing(
        request, qs, search_fields=["name", "target", "service__name", "application__name", "component__name"],
        sorts={"name": "name", "status": "status", "last": "last_run_at", "latency": "last_latency_ms"},
        default_sort="name",
    )  # fmt: skip
    context = {
        "listing": listing,
        "filters": filters,
        "can_create": access.workable_pds(request.user, MONITOR_ROLES).exists(),
        "open_outages": Outage.objects.filter(ended_at__isnull=True, service__pd__in=access.visible_pds(request.user))
        .select_related("service", "ticket")
        .order_by("-started_at")[:20],
    }
    return render_listing(request, "monitoring/check_list.html", "monitoring/_check_results.html", context)


def _get_check(request: HttpRequest, pk: int, *, for_change: bool = False) -> Check:
    check = get_object_or_404(visible_checks(request.user).select_related("pd", "service"), pk=pk)
    if for_change and not _can_manage(request.user, check.pd):
        raise Http404
    return check


@staff_required
def check_create(request: HttpRequest) -> HttpResponse:
    if not access.workable_pds(request.user, MONITOR_ROLES).exists():
        raise Http404
    form = CheckForm(request.POST or None, actor=request.user, initial=request.GET.dict() or None)
    if request.method == "POST" and form.is_valid():
        check = actions.save_check(request.user, form)
        messages.success(request, _("Pemeriksaan “%(name)s” ditambahkan.") % {"name": check.name})
        return redirect("monitoring:check_detail", pk=check.pk)
    return form_page(request, form, _("Tambah pemeriksaan"), reverse("monitoring:checks"), CHECK_TEMPLATE)


@staff_required
def check_edit(request: HttpRequest, pk: int) -> HttpResponse:
    check = _get_check(request, pk, for_change=True)
    form = CheckForm(request.POST or None, instance=check, actor=request.user)
    if request.method == "POST" and form.is_valid():
        check = actions.save_check(request.user, form)
        messages.success(request, _("Perubahan disimpan."))
        return redirect("monitoring:check_detail", pk=check.pk)
    return form_page(request, form, _("Ubah %(name)s") % {"name": check.name},
                     reverse("monitoring:check_detail", args=[check.pk]), CHECK_TEMPLATE)  # fmt: skip


@staff_required
def check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check = _get_check(request, pk)
    since = timezone.now() - timedelta(hours=24)
    day = CheckRollup.objects.filter(check_ref=check, granularity="hour", start__gte=since)
    total = sum(r.total for r in day)
    context = {
        "check": check,
        "results": CheckResult.objects.filter(check_ref=check).order_by("-at")[:50],
        "uptime_24h": round(100 * sum(r.ok for r in day) / total, 2) if total else None,
        "can_manage": _can_manage(request.user, check.pd),
        "ping_url": request.build_absolute_uri(reverse("monitoring:ping", args=[check.heartbeat_token])),
    }
    return render(request, "monitoring/check_detail.html", context)


@csrf_exempt
@require_http_methods(["GET", "POST", "HEAD"])
def ping(request: HttpRequest, token: str) -> JsonResponse:
    """A job (e.g. the nightly backup) says it ran. The token is the secret;
    no session. Answered in JSON, also when the token is unknown."""
    if not actions.record_ping(token, timezone.now()):
        return JsonResponse({"ok": False, "detail": _("Token detak tidak dikenal.")}, status=404)
    return JsonResponse({"ok": True})


def visible_windows(user):
    pds = access.visible_pds(user)
    return MaintenanceWindow.objects.filter(Q(services__pd__in=pds)).distinct()


@staff_required
def maintenance_list(request: HttpRequest) -> HttpResponse:
    qs = visible_windows(request.user).prefetch_related("services")
    qs, listing = build_listing(request, qs, search_fields=["title", "description"],
                                sorts={"starts": "starts_at", "title": "title"}, default_sort="-starts")  # fmt: skip
    context = {"listing": listing, "now": timezone.now(),
               "can_create": access.workable_pds(request.user, MONITOR_ROLES).exists()}  # fmt: skip
    return render_listing(request, "monitoring/maintenance_list.html", "monitoring/_maintenance_results.html", context)


@staff_required
def maintenance_create(request: HttpRequest) -> HttpResponse:
    if not access.workable_pds(request.user, MONITOR_ROLES).exists():
        raise Http404
    form = MaintenanceForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        actions.schedule_maintenance(request.user, form)
        messages.success(request, _("Jadwal pemeliharaan disimpan dan diumumkan di halaman status."))
        return redirect("monitoring:maintenance")
    return form_page(request, form, _("Jadwalkan pemeliharaan"), reverse("monitoring:maintenance"))
