"""Availability reports (O-4, E-2) under /pemantauan/laporan/: the
availability of the services one may see for a month, and the Formulir
Pemantauan dan Pemeliharaan per service and month. Thin: parse, ask
``access`` and ``report``, render."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.audit.models import AuditAction
from spbe.audit.record import diff, record, snapshot
from spbe.front.listing import EXPORT_LIMIT, build_listing, render_listing, wants_export, xlsx_response
from spbe.monitoring import report
from spbe.monitoring.forms_reports import AvailabilityFilterForm, MonitoringReportForm
from spbe.monitoring.models import MonitoringReport
from spbe.org.views import staff_required

REPORT_FIELDS = ["trend", "improvements", "prepared_by"]


@staff_required
def availability_list(request: HttpRequest) -> HttpResponse:
    """The month's availability of every service the user may see, with
    how many met their target (E-2 recap)."""
    latest = timezone.localdate().replace(day=1)  # in the user's Pemda zone (middleware)
    filters = AvailabilityFilterForm(
        request.GET or None, actor=request.user, latest=latest, initial={"bulan": f"{latest:%Y-%m}"}
    )
    qs = report.reportable_services(request.user)
    month = latest
    if filters.is_bound and filters.is_valid():
        month = filters.cleaned_data["bulan"] or latest
        if filters.cleaned_data["pd"]:
            qs = qs.filter(pd=filters.cleaned_data["pd"])
    qs, listing = build_listing(
        request, qs, search_fields=["name", "code", "pd__name", "pd__abbreviation"],
        sorts={"name": "name", "code": "code", "pd": "pd__name", "target": "availability_target"}, default_sort="name",
    )  # fmt: skip
    services = list(qs[:EXPORT_LIMIT])
    figures = report.month_figures(services, month)
    if wants_export(request) and not filters.errors:
        headers = [_("Kode"), _("Layanan"), _("Perangkat Daerah"), _("Pemda"), _("Bulan"), _("Target (%)"),
                   _("Tercapai (%)"), _("Memenuhi target"), _("Tidak tersedia (menit)"),
                   _("Terganggu sebagian (menit)"), _("Pemeliharaan (menit)"), _("Jumlah gangguan"),
                   _("Dipantau sejak")]  # fmt: skip
        rows = report.availability_rows(services, figures, month)
        return xlsx_response(f"ketersediaan-{month:%Y-%m}", headers, rows, title=_("Ketersediaan"))
    for service in listing.page.object_list:
        service.figure = figures[service.pk]
    measured = [f for f in figures.values() if f.met is not None]
    context = {
        "listing": listing, "filters": filters, "month": month, "latest": latest,
        "met_count": sum(1 for f in measured if f.met), "measured_count": len(measured),
        "unmeasured_count": len(figures) - len(measured),
    }  # fmt: skip
    response = render_listing(
        request, "monitoring/reports_availability.html", "monitoring/_reports_availability_results.html", context
    )
    if filters.errors:
        response.status_code = 400
    return response


def _month_or_404(year: int, month: int) -> date:
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise Http404
    return date(year, month, 1)


@staff_required
def service_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The service's formulir of the current month (the catalog links here)."""
    service = get_object_or_404(report.reportable_services(request.user), pk=pk)
    month = report.local_month(service)
    return redirect("monitoring_reports:form", pk=service.pk, year=month.year, month=month.month)


@staff_required
def report_form(request: HttpRequest, pk: int, year: int, month: int) -> HttpResponse:
    """The Formulir Pemantauan dan Pemeliharaan (O-4) of a service and month:
    items 1–4 computed, 5–6 written by the provider, PDF and Excel."""
    service = get_object_or_404(report.reportable_services(request.user), pk=pk)
    month_date = _month_or_404(year, month)
    if month_date > report.local_month(service):
        raise Http404  # a month that has not begun has nothing to report
    formulir = report.build(service, month_date)
    export = request.GET.get("export")
    if export == "pdf":
        from spbe.monitoring.report_export import formulir_pdf

        return formulir_pdf(formulir)
    if export == "xlsx":
        from spbe.monitoring.report_export import formulir_xlsx

        return formulir_xlsx(formulir)

    can_edit = report.can_prepare(request.user, service)
    instance = formulir.report or MonitoringReport(service=service, month=month_date)
    initial = {}
    if not instance.trend:
        initial["trend"] = formulir.prefill_trend()
    if not instance.improvements:
        initial["improvements"] = formulir.prefill_improvements()
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    form = MonitoringReportForm(request.POST or None, instance=instance, initial=initial)
    if request.method == "POST" and form.is_valid():
        before = snapshot(instance, REPORT_FIELDS) if instance.pk else {}
        with transaction.atomic():
            saved = form.save(commit=False)
            saved.prepared_by = request.user
            created = saved.pk is None
            saved.save()
            record(actor=request.user, action=AuditAction.CREATE if created else AuditAction.UPDATE, target=saved,
                   pemda=service.pd.pemda, changes=diff(before, snapshot(saved, REPORT_FIELDS)))  # fmt: skip
        messages.success(request, _("Formulir pemantauan dan pemeliharaan disimpan."))
        return redirect(request.path)
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    month_here = report.local_month(service)
    context = {
        "service": service, "formulir": formulir, "form": form, "can_edit": can_edit,
        "previous": report.add_months(month_date, -1),
        "next": report.add_months(month_date, 1) if month_date < month_here else None,
        "list_url": reverse("monitoring_reports:availability") + f"?bulan={month_date:%Y-%m}",
    }  # fmt: skip
    return render(request, "monitoring/reports_form.html", context, status=400 if form.errors else 200)
