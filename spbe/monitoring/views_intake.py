"""Staff pages for what other tools feed into monitoring (O-4): the alert
sources of a Pemda (Alertmanager, Zabbix, …) with their token, and the
node_exporter endpoints that give a component's utilisation, with the
component's last 48 hours.

Who: alert sources belong to the Pemda, so the Koordinator SPBE and
Diskominfo's infrastructure staff (PJ / Administrator Infrastruktur of the
coordinator PD) manage them. Utilisation is seen by whoever sees the
component (``access``) and set up by the infrastructure staff of its PD or
the Koordinator SPBE. Another Pemda's records answer 404; a page the user
has no role for answers 403."""

from __future__ import annotations

import json
import shlex
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from spbe.audit.models import AuditAction
from spbe.audit.record import diff, record, snapshot
from spbe.cmdb.models import Component
from spbe.front.listing import build_listing, render_listing, wants_export, xlsx_response
from spbe.front.pages import form_page
from spbe.monitoring import intake
from spbe.monitoring.choices import AlertSourceKind
from spbe.monitoring.forms_intake import AlertSourceFilterForm, AlertSourceForm, UtilisationTargetForm
from spbe.monitoring.models import AlertSource, UtilisationSample, UtilisationTarget
from spbe.monitoring.utilisation import describe_anomaly
from spbe.org import access
from spbe.org.choices import INFRA_ROLES
from spbe.org.models import Pemda, PerangkatDaerah
from spbe.org.views import staff_required

TARGET_FIELDS = ["url", "cpu_threshold", "memory_threshold", "disk_threshold", "enabled"]
HISTORY_HOURS = 48


# --- Alert sources ----------------------------------------------------------------------------


def source_pemdas(user) -> QuerySet[Pemda]:
    """Pemda whose alert sources the user manages: as Koordinator SPBE, or
    as infrastructure staff of the Pemda's Diskominfo (the coordinator PD)."""
    scope = access.scope_for(user)
    if scope.is_system_admin:
        return Pemda.objects.all()
    infra_pds = [pd for pd, roles in scope.roles_by_pd.items() if roles & INFRA_ROLES]
    diskominfo = PerangkatDaerah.objects.filter(pk__in=infra_pds, is_spbe_coordinator=True).values("pemda_id")
    return Pemda.objects.filter(Q(pk__in=scope.coordinator_pemda_ids) | Q(pk__in=diskominfo))


def source_manager_required(view):
    @wraps(view)
    @staff_required
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not source_pemdas(request.user).exists():
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _sources(user) -> QuerySet[AlertSource]:
    return AlertSource.objects.filter(pemda__in=source_pemdas(user)).select_related("pemda", "default_service")


def _get_source(request: HttpRequest, pk: int) -> AlertSource:
    return get_object_or_404(_sources(request.user), pk=pk)


@source_manager_required
def source_list(request: HttpRequest) -> HttpResponse:
    filters = AlertSourceFilterForm(request.GET or None)
    qs = _sources(request.user).annotate(alert_count=Count("alerts"), last_alert=Max("alerts__last_received_at"))
    if filters.is_valid() and filters.cleaned_data["kind"]:
        qs = qs.filter(kind=filters.cleaned_data["kind"])
    qs, listing = build_listing(
        request, qs, search_fields=["name", "pemda__name", "default_service__code", "default_service__name"],
        sorts={"name": "name", "kind": "kind", "pemda": "pemda__name", "created": "created", "last": "last_alert"},
        default_sort="name",
    )  # fmt: skip
    if wants_export(request):
        headers = [_("Pemda"), _("Nama"), _("Jenis"), _("Layanan bawaan"), _("Peringatan diterima"),
                   _("Peringatan terakhir"), _("Dibuat")]  # fmt: skip
        rows = ([s.pemda.name, s.name, s.get_kind_display(), str(s.default_service or ""), s.alert_count,
                 s.last_alert, s.created] for s in qs)  # fmt: skip
        return xlsx_response("sumber-peringatan", headers, rows, title=_("Sumber peringatan"))
    context = {"listing": listing, "filters": filters, "show_pemda": source_pemdas(request.user).count() > 1}
    return render_listing(request, "monitoring/intake_source_list.html", "monitoring/intake_source_results.html",
                          context)  # fmt: skip


def examples(request: HttpRequest, source: AlertSource, token: str) -> dict[str, str]:
    """Copy-paste configuration for the tool, with the token (shown once)
    or a placeholder."""
    alertmanager_url = request.build_absolute_uri(reverse("api:monitoring-alertmanager"))
    webhook_url = request.build_absolute_uri(reverse("api:monitoring-webhook"))
    service = source.default_service.code if source.default_service else "KODE-LAYANAN"
    alertmanager = f"""route:
  receiver: layanan-spbe
receivers:
  - name: layanan-spbe
    webhook_configs:
      - url: {alertmanager_url}
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: {token}
"""
    rule = f"""# aturan Prometheus: label service = kode layanan di katalog
- alert: SitusLayananMati
  expr: probe_success{{job="blackbox"}} == 0
  for: 3m
  labels:
    service: {service}
    severity: critical   # critical ⇒ dampak Mayor; lainnya Minor
  annotations:
    summary: "{{{{ $labels.instance }}}} tidak menjawab"
"""
    body = json.dumps({
        "id": "4711", "status": "PROBLEM", "name": "Disk /var hampir penuh", "severity": "High", "service": service,
        "started_at": "2026-11-20T15:50:00+07:00", "message": "Sisa 4%",
    }, indent=2)  # fmt: skip
    curl = (
        f"curl -sS -X POST {shlex.quote(webhook_url)} \\\n"
        f"  -H {shlex.quote('Authorization: Bearer ' + token)} \\\n"
        f"  -H 'Content-Type: application/json' \\\n"
        f"  -d {shlex.quote(body)}"
    )
    zabbix = f"""// Zabbix: Media type "Webhook", parameter: url, token, id={{EVENT.ID}}, status={{EVENT.STATUS}},
// name={{EVENT.NAME}}, severity={{EVENT.SEVERITY}}, service={{EVENT.TAGS.service}},
// started_at={{EVENT.DATE}} {{EVENT.TIME}}, message={{ALERT.MESSAGE}}
var p = JSON.parse(value);
var req = new HttpRequest();
req.addHeader('Content-Type: application/json');
req.addHeader('Authorization: Bearer ' + p.token);
var body = {{id: p.id, status: p.status, name: p.name, severity: p.severity, service: p.service,
            started_at: p.started_at, message: p.message}};
var resp = req.post(p.url, JSON.stringify(body));
if (req.getStatus() != 200) {{ throw 'HTTP ' + req.getStatus() + ': ' + resp; }}
return 'OK';
// url = {webhook_url}
"""
    return {"alertmanager": alertmanager, "rule": rule, "curl": curl, "zabbix": zabbix,
            "alertmanager_url": alertmanager_url, "webhook_url": webhook_url}  # fmt: skip


@never_cache
@source_manager_required
def source_create(request: HttpRequest) -> HttpResponse:
    pemdas = source_pemdas(request.user).order_by("name")
    form = AlertSourceForm(request.POST or None, pemdas=pemdas)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        source, token = intake.create_source(
            request.user, pemda=data["pemda"], name=data["name"], kind=data["kind"],
            default_service=data["default_service"],
        )  # fmt: skip
        # the token is in this answer only: never stored, never cached
        context = {"source": source, "token": token, "examples": examples(request, source, token), "created": True}
        return render(request, "monitoring/intake_source_detail.html", context)
    return form_page(request, form, _("Tambah sumber peringatan"), reverse("monitoring_intake:sources"))


@source_manager_required
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = _get_source(request, pk)
    alerts = source.alerts.select_related("service", "ticket").order_by("-last_received_at")[:50]
    context = {"source": source, "alerts": alerts, "examples": examples(request, source, "<TOKEN>"),
               "is_alertmanager": source.kind == AlertSourceKind.ALERTMANAGER}  # fmt: skip
    return render(request, "monitoring/intake_source_detail.html", context)


@source_manager_required
def source_delete(request: HttpRequest, pk: int) -> HttpResponse:
    source = _get_source(request, pk)
    if request.method == "POST":
        intake.delete_source(request.user, source)
        messages.success(request, _("Sumber %(name)s dihapus; tokennya tidak berlaku lagi.") % {"name": source.name})
        return redirect("monitoring_intake:sources")
    return render(request, "monitoring/intake_source_delete.html", {"source": source})


# --- Utilisation -------------------------------------------------------------------------------------


def visible_components(user) -> QuerySet[Component]:
    return access.filter_by_pd(user, Component.objects.select_related("pd", "pemda"), "pd")


def changeable_components(user) -> QuerySet[Component]:
    """Components on which the user may set up utilisation: the PD's
    infrastructure staff, or the Koordinator SPBE of its Pemda."""
    return Component.objects.filter(pd__in=access.workable_pds(user, INFRA_ROLES)).select_related("pd", "pemda")


def _get_component(request: HttpRequest, pk: int, *, for_change: bool = False) -> Component:
    component = get_object_or_404(visible_components(request.user), pk=pk)
    if for_change and not changeable_components(request.user).filter(pk=component.pk).exists():
        raise PermissionDenied
    return component


@staff_required
def target_list(request: HttpRequest) -> HttpResponse:
    qs = UtilisationTarget.objects.filter(component__in=visible_components(request.user)).select_related(
        "component", "component__pd"
    )
    qs, listing = build_listing(
        request, qs, search_fields=["component__name", "url", "component__pd__abbreviation", "last_error"],
        sorts={"component": "component__name", "url": "url", "scraped": "last_scraped_at", "error": "last_error"},
        default_sort="component",
    )  # fmt: skip
    if wants_export(request):
        headers = [_("Komponen"), _("PD"), _("Alamat"), _("Batas CPU (%)"), _("Batas RAM (%)"),
                   _("Batas penyimpanan (%)"), _("Aktif"), _("Terakhir diambil"), _("Galat terakhir")]  # fmt: skip
        rows = ([t.component.name, t.component.pd.abbreviation, t.url, t.cpu_threshold, t.memory_threshold,
                 t.disk_threshold, t.enabled, t.last_scraped_at, t.last_error] for t in qs)  # fmt: skip
        return xlsx_response("sasaran-utilisasi", headers, rows, title=_("Sasaran utilisasi"))
    context = {"listing": listing, "can_create": changeable_components(request.user).exists()}
    return render_listing(request, "monitoring/intake_target_list.html", "monitoring/intake_target_results.html",
                          context)  # fmt: skip


def _save_target(request: HttpRequest, form: UtilisationTargetForm) -> UtilisationTarget:
    before = snapshot(form.instance, TARGET_FIELDS) if form.instance.pk else {}
    target = form.save()
    record(actor=request.user, action=AuditAction.UPDATE if before else AuditAction.CREATE, target=target,
           pemda=target.component.pemda, changes=diff(before, snapshot(target, TARGET_FIELDS)))  # fmt: skip
    return target


@staff_required
def target_create(request: HttpRequest) -> HttpResponse:
    components = changeable_components(request.user)
    if not components.exists():
        raise PermissionDenied
    initial = {}
    if request.GET.get("component", "").isdigit():
        initial["component"] = _get_component(request, int(request.GET["component"]), for_change=True).pk
    form = UtilisationTargetForm(request.POST or None, components=components, initial=initial)
    if request.method == "POST" and form.is_valid():
        target = _save_target(request, form)
        messages.success(request, _("Utilisasi %(name)s akan diambil pada putaran berikutnya.") % {
            "name": target.component.name})  # fmt: skip
        return redirect("monitoring_intake:component", pk=target.component_id)
    return form_page(request, form, _("Tambah sasaran utilisasi"), reverse("monitoring_intake:targets"))


@staff_required
def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    component = _get_component(request, pk, for_change=True)
    target = get_object_or_404(UtilisationTarget, component=component)
    form = UtilisationTargetForm(request.POST or None, instance=target, components=changeable_components(request.user))
    if request.method == "POST" and form.is_valid():
        _save_target(request, form)
        messages.success(request, _("Perubahan disimpan."))
        return redirect("monitoring_intake:component", pk=component.pk)
    title = _("Ubah sasaran utilisasi %(name)s") % {"name": component.name}
    return form_page(request, form, title, reverse("monitoring_intake:component", args=[component.pk]))


@staff_required
def component_utilisation(request: HttpRequest, pk: int) -> HttpResponse:
    """O-4 form item 3 for one component: the last 48 hours, hour by hour,
    anomalies highlighted."""
    component = _get_component(request, pk)
    target = UtilisationTarget.objects.filter(component=component).first()
    since = timezone.now() - timedelta(hours=HISTORY_HOURS)
    samples = list(UtilisationSample.objects.filter(component=component, hour__gte=since).order_by("-hour"))
    for sample in samples:
        entries = [entry for entry in sample.anomalies if isinstance(entry, dict)]
        sample.flagged = {entry.get("metric") for entry in entries}
        sample.anomaly_messages = [describe_anomaly(entry) for entry in entries]
    context = {
        "component": component,
        "target": target,
        "samples": samples,
        "anomaly_hours": sum(1 for s in samples if s.flagged),
        "can_change": changeable_components(request.user).filter(pk=component.pk).exists(),
        "hours": HISTORY_HOURS,
    }
    return render(request, "monitoring/intake_component.html", context)
