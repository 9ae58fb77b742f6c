"""Pages of recovery (O-5, P-5): DRPs, activations and drills, the seven
steps, the continuity overview. Thin: parse, ask ``rules``, call
``actions``, render."""

from __future__ import annotations

from functools import wraps
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from spbe.approvals.models import ApprovalStatus
from spbe.approvals.views import panel
from spbe.catalog.models import Service
from spbe.cmdb.models import ServiceApplication
from spbe.continuity import actions, export, queries, rules
from spbe.continuity.choices import RecoveryKind, RecoveryStatus, Step
from spbe.continuity.forms import (
    ActivationForm,
    CancelForm,
    ContactFormSet,
    DrillForm,
    PlanFilterForm,
    PlanForm,
    ProcedureFormSet,
    RecoveryFilterForm,
    StepForm,
    filled_rows,
)
from spbe.continuity.models import Recovery, RecoveryPlan, StepEvidence
from spbe.desk.models import Ticket
from spbe.desk.views import visible_tickets
from spbe.front.listing import build_listing, render_listing, wants_export, xlsx_response
from spbe.front.pages import add_action_errors, form_page, is_id
from spbe.monitoring.outages import components_under
from spbe.org.models import PerangkatDaerah
from spbe.org.views import staff_required


def visible_plans(user):
    return rules.visible(user, RecoveryPlan.objects.select_related("pd", "pd__pemda"))


def flagged_complaints(user):
    """Complaints flagged for DRP assessment that the person may take up:
    those they see on the desk, and, for whoever runs the PD's DRPs (often
    Diskominfo's infrastructure team), every flagged one of that PD."""
    flagged = Ticket.objects.filter(drp_assessment=True)
    return visible_tickets(user).filter(drp_assessment=True) | rules.visible(user, flagged).filter(
        pd__in=rules.operable_pds(user)
    )


def visible_recoveries(user):
    return rules.visible(user, Recovery.objects.select_related("pd", "plan"))


# --- DRPs ---------------------------------------------------------------------------------------


@staff_required
def plan_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    pds = PerangkatDaerah.objects.filter(pk__in=visible_plans(request.user).values("pd"))
    filters = PlanFilterForm(request.GET or None, pds=pds)
    qs = queries.with_last_drill(visible_plans(request.user)).select_related("pd__pemda__policy_version")
    qs = qs.prefetch_related("services")
    if filters.is_valid():
        qs = _filtered_plans(qs, filters.cleaned_data, today)
    qs, listing = build_listing(
        request, qs, search_fields=["title", "services__name", "services__code", "pd__name", "pd__abbreviation"],
        sorts={"title": "title", "pd": "pd__name", "review": "review_due", "updated": "last_updated",
               "version": "revision"},
        default_sort="title",
    )  # fmt: skip
    if wants_export(request):
        return xlsx_response("drp", *_plan_table(qs.distinct(), today), title=_("DRP"))
    for plan in listing.page.object_list:
        plan.drill_due = plan.is_current and queries.drill_due(plan, today)
        plan.overdue = queries.review_overdue(plan, today)
    context = {"listing": listing, "filters": filters, "can_create": rules.operable_pds(request.user).exists()}
    return render_listing(request, "continuity/plan_list.html", "continuity/_plan_results.html", context)


def _filtered_plans(qs, data: dict, today):
    if data["pd"]:
        qs = qs.filter(pd=data["pd"])
    if data["service"]:
        qs = qs.filter(services=data["service"])
    if data["classification"]:
        qs = qs.filter(services__classification=data["classification"])
    status = data["status"]
    if status == "current":
        qs = qs.in_force()
    elif status == "superseded":
        qs = qs.filter(superseded_at__isnull=False)
    elif status:
        qs = qs.filter(status=status)
    if data["review_overdue"]:
        qs = qs.in_force().filter(review_due__lt=today)
    if data["never_drilled"]:
        qs = qs.filter(last_drill_at__isnull=True)
    return qs.distinct()


def _plan_table(qs, today) -> tuple[list, object]:
    headers = [_("PD"), _("Judul DRP"), _("Versi"), _("Status"), _("Layanan"), _("RPO"), _("RTO"),
               _("Lokasi pemulihan"), _("Metode pencadangan"), _("Frekuensi"), _("Disetujui"), _("Reviu berikutnya"),
               _("Uji coba terakhir"), _("Uji coba perlu")]  # fmt: skip

    def rows():
        for plan in qs:
            status = _("Digantikan") if plan.superseded_at else plan.get_status_display()
            yield [plan.pd.name, plan.title, plan.revision, status, ", ".join(s.name for s in plan.services.all()),
                   f"{plan.rpo_value} {plan.get_rpo_unit_display()}", f"{plan.rto_value} {plan.get_rto_unit_display()}",
                   plan.get_recovery_site_display(), plan.backup_method, plan.backup_frequency, plan.approved_at,
                   plan.review_due, plan.last_drill_at, plan.is_current and queries.drill_due(plan, today)]  # fmt: skip

    return headers, rows()


def _plan_or_404(request: HttpRequest, pk: int) -> RecoveryPlan:
    return get_object_or_404(visible_plans(request.user), pk=pk)


def _scope_of(user, service_ids: list[str], pd_id: str | None) -> dict:
    """A new DRP for a service starts from what is known of it: its PD, its
    own RPO and RTO, the applications it uses and the CMDB components under
    them (O-5 item 1, P-5)."""
    ids = [int(pk) for pk in service_ids if is_id(pk)]
    services = list(Service.objects.filter(pk__in=ids, pd__in=rules.operable_pds(user)))
    if not services:
        return {"pd": pd_id}
    first = services[0]
    apps = ServiceApplication.objects.filter(service__in=services).values_list("application_id", flat=True)
    components = set().union(*(components_under(service) for service in services))
    return {
        "pd": first.pd_id, "title": _("DRP %(service)s") % {"service": first.name},
        "services": [s.pk for s in services], "applications": list(apps), "components": sorted(components),
        "rpo_value": first.rpo_value, "rpo_unit": first.rpo_unit, "rto_value": first.rto_value,
        "rto_unit": first.rto_unit,
    }  # fmt: skip


def _plan_page(request: HttpRequest, plan: RecoveryPlan | None, form, contacts, steps, status: int = 200):
    context = {"form": form, "contacts": contacts, "steps": steps, "plan": plan,
               "cancel_url": plan.get_absolute_url() if plan else reverse("continuity:plan_list")}  # fmt: skip
    return render(request, "continuity/plan_form.html", context, status=status)


def _save_plan_from(request: HttpRequest, plan: RecoveryPlan | None) -> HttpResponse:
    initial_contacts = [dict(name=c.name, role=c.role, phone=c.phone, email=c.email) for c in plan.contacts.all()] \
        if plan else []  # fmt: skip
    initial_steps = [dict(action=s.action, owner=s.owner, expected_minutes=s.expected_minutes)
                     for s in plan.steps.all()] if plan else []  # fmt: skip
    data = request.POST if request.method == "POST" else None
    initial = None if plan else _scope_of(request.user, request.GET.getlist("service"), request.GET.get("pd"))
    form = PlanForm(data, instance=plan, actor=request.user, initial=initial)
    contacts = ContactFormSet(data, prefix="kontak", initial=initial_contacts)
    steps = ProcedureFormSet(data, prefix="langkah", initial=initial_steps)
    if data is None:
        return _plan_page(request, plan, form, contacts, steps)
    if form.is_valid() and contacts.is_valid() and steps.is_valid():
        scope = actions.PlanScope(list(form.cleaned_data["services"]), list(form.cleaned_data["applications"]),
                                  list(form.cleaned_data["components"]))  # fmt: skip
        try:
            saved = actions.save_plan(request.user, form.save(commit=False), scope, filled_rows(contacts),
                                      filled_rows(steps))  # fmt: skip
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            if "tambah_baris" in request.POST:
                messages.success(request, _("Tersimpan. Dua baris kosong ditambahkan."))
                return redirect("continuity:plan_edit", pk=saved.pk)
            messages.success(request, _("DRP disimpan sebagai draf. Ajukan kepada PJ Penyedia Layanan bila lengkap."))
            return redirect(saved)
    return _plan_page(request, plan, form, contacts, steps, status=400)


@staff_required
def plan_create(request: HttpRequest) -> HttpResponse:
    if not rules.operable_pds(request.user).exists():
        raise PermissionDenied
    return _save_plan_from(request, None)


@staff_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    if not rules.can_operate(request.user, plan.pd):
        raise PermissionDenied
    if not plan.is_editable:
        messages.error(request, _("DRP yang diajukan atau disetujui tidak dapat diubah; buat revisi."))
        return redirect(plan)
    return _save_plan_from(request, plan)


@staff_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    today = timezone.localdate()
    plan_with_drill = queries.with_last_drill(RecoveryPlan.objects.filter(pk=plan.pk)).get()
    versions = visible_plans(request.user).filter(series=plan.series).order_by("-revision")
    services = list(plan.services.select_related("pd"))
    context = {
        "plan": plan,
        "services": [(s, actions.service_targets(s)) for s in services],
        "contacts": plan.contacts.all(),
        "steps": plan.steps.all(),
        "versions": versions,
        "recoveries": plan.recoveries.order_by("-opened_at"),
        "last_drill_at": plan_with_drill.last_drill_at,
        "drill_due": plan.is_current and queries.drill_due(plan_with_drill, today),
        "review_overdue": queries.review_overdue(plan, today),
        "can_operate": rules.can_operate(request.user, plan.pd),
        "pending_revision": plan.later_versions.exclude(status=ApprovalStatus.APPROVED).first(),
        **panel(request, plan),
    }
    return render(request, "continuity/plan_detail.html", context)


@staff_required
@require_POST
def plan_revise(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    try:
        revision = actions.revise_plan(request.user, plan)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(plan)
    messages.success(request, _("Revisi %(plan)s dibuka sebagai draf; versi lama tetap berlaku sampai revisi "
                                "disetujui.") % {"plan": revision})  # fmt: skip
    return redirect("continuity:plan_edit", pk=revision.pk)


@staff_required
def plan_document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The DRP as an editable DOCX or a PDF, with the Pemda's letterhead and
    the signature blocks."""
    plan = _plan_or_404(request, pk)
    with timezone.override(ZoneInfo(plan.pd.pemda.time_zone)):
        return export.plan_response(plan, fmt)


# --- Activations and drills --------------------------------------------------------------------


@staff_required
def recovery_list(request: HttpRequest) -> HttpResponse:
    pds = PerangkatDaerah.objects.filter(pk__in=visible_recoveries(request.user).values("pd"))
    filters = RecoveryFilterForm(request.GET or None, pds=pds)
    qs = visible_recoveries(request.user)
    if filters.is_valid():
        for name in ("pd", "kind", "status"):
            if filters.cleaned_data[name]:
                qs = qs.filter(**{name: filters.cleaned_data[name]})
    qs, listing = build_listing(
        request, qs, search_fields=["title", "plan__title", "pd__name", "scenario"],
        sorts={"opened": "opened_at", "title": "title", "pd": "pd__name", "declared": "declared_at"},
        default_sort="-opened",
    )  # fmt: skip
    if wants_export(request):
        return xlsx_response("pemulihan", *_recovery_table(qs), title=_("Pemulihan"))
    context = {"listing": listing, "filters": filters, "can_create": rules.operable_pds(request.user).exists()}
    return render_listing(request, "continuity/recovery_list.html", "continuity/_recovery_results.html", context)


def _recovery_table(qs) -> tuple[list, object]:
    headers = [_("PD"), _("Jenis"), _("Judul"), _("DRP"), _("Status"), _("Awal gangguan"), _("Bencana dinyatakan"),
               _("Normal kembali"), _("Target RTO (jam)"), _("RTO tercapai (jam)"), _("RTO terpenuhi"),
               _("Target RPO (jam)"), _("RPO tercapai (jam)"), _("RPO terpenuhi")]  # fmt: skip

    def hours(value):
        return None if value is None else round(value.total_seconds() / 3600, 2)

    def rows():
        for r in qs:
            yield [r.pd.name, r.get_kind_display(), r.title, str(r.plan), r.get_status_display(),
                   r.disruption_started_at, r.declared_at, r.normalised_at, hours(r.rto_target), hours(r.rto_achieved),
                   r.rto_met, hours(r.rpo_target), hours(r.rpo_achieved), r.rpo_met]  # fmt: skip

    return headers, rows()


def _no_current_plan(request: HttpRequest) -> HttpResponse:
    """Activations and drills need an approved DRP in force the person may run."""
    if not rules.operable_pds(request.user).exists():
        raise PermissionDenied
    messages.info(request, _("Belum ada DRP yang berlaku untuk PD Anda. Susun DRP dan minta persetujuan PJ Penyedia "
                             "Layanan lebih dulu."))  # fmt: skip
    return redirect("continuity:plan_list")


@staff_required
def activation_create(request: HttpRequest) -> HttpResponse:
    """By hand, or from a complaint flagged for DRP assessment (?aduan=<id>)."""
    ticket = None
    ticket_id = request.GET.get("aduan") or request.POST.get("aduan")
    if ticket_id is not None and not is_id(ticket_id):
        raise Http404
    if ticket_id:
        ticket = get_object_or_404(flagged_complaints(request.user), pk=ticket_id)
    initial = request.GET.dict()
    if ticket is not None:
        plan = actions.current_plan_for(ticket.service)
        initial = {"plan": plan.pk if plan else None, "title": ticket.subject}
    form = ActivationForm(request.POST or None, actor=request.user, initial=initial)
    if not form.fields["plan"].queryset.exists():
        return _no_current_plan(request)
    if request.method == "POST" and form.is_valid():
        try:
            recovery = actions.open_activation(request.user, form.cleaned_data["plan"], form.cleaned_data["title"],
                                               ticket)  # fmt: skip
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Penilaian aktivasi DRP dibuka. Catat langkah 1."))
            return redirect(recovery)
    context = {"form": form, "title": _("Nilai aktivasi DRP"), "ticket": ticket,
               "cancel_url": reverse("continuity:recovery_list")}  # fmt: skip
    return render(request, "continuity/activation_form.html", context, status=400 if form.errors else 200)


@staff_required
def drill_create(request: HttpRequest) -> HttpResponse:
    form = DrillForm(request.POST or None, actor=request.user, initial=request.GET.dict() or None)
    if not form.fields["plan"].queryset.exists():
        return _no_current_plan(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            drill = actions.plan_drill(request.user, data["plan"], title=data["title"],
                                       scheduled_for=data["scheduled_for"], scenario=data["scenario"],
                                       participants=data["participants"])  # fmt: skip
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Uji coba DRP dijadwalkan."))
            return redirect(drill)
    return form_page(request, form, _("Jadwalkan uji coba DRP"), reverse("continuity:recovery_list"))


def _recovery_or_404(request: HttpRequest, pk: int) -> Recovery:
    return get_object_or_404(visible_recoveries(request.user).select_related("plan__backup_check", "ticket"), pk=pk)


def _recovery_page(request: HttpRequest, recovery: Recovery, step_form=None, status: int = 200) -> HttpResponse:
    can_operate = rules.can_operate(request.user, recovery.pd)
    next_step = recovery.next_step if recovery.is_open and recovery.next_step <= Step.RATIFY else None
    if step_form is None and next_step and can_operate:
        step_form = StepForm(prefix="langkah", number=next_step, kind=recovery.kind)
    steps = {step.number: step for step in recovery.steps.select_related("actor").prefetch_related("evidence")}
    context = {
        "recovery": recovery,
        "steps": [(number, label, steps.get(number)) for number, label in Step.choices],
        "next_step": next_step,
        "next_label": Step(next_step).label if next_step else "",
        "step_form": step_form if can_operate else None,
        "can_operate": can_operate,
        "timeline": recovery.timeline.select_related("actor"),
        "rto": queries.live_rto(recovery),
        "complaints": recovery.complaints.all(),
        "outages": recovery.outages.select_related("service"),
        "cancel_form": CancelForm(prefix="batal")
        if recovery.status == RecoveryStatus.PLANNED and can_operate
        else None,
        "is_drill": recovery.kind == RecoveryKind.DRILL,
    }
    return render(request, "continuity/recovery_detail.html", context, status=status)


def in_pemda_zone(view):
    """Recovery times are typed and shown in the Pemda's own zone, whoever
    opens the page (an Administrator Sistem in WIB on a WITA Pemda)."""

    @wraps(view)
    def wrapper(request: HttpRequest, pk: int, *args, **kwargs):
        recovery = _recovery_or_404(request, pk)
        with timezone.override(ZoneInfo(recovery.pemda.time_zone)):
            return view(request, recovery, *args, **kwargs)

    return wrapper


@staff_required
@in_pemda_zone
def recovery_detail(request: HttpRequest, recovery: Recovery) -> HttpResponse:
    return _recovery_page(request, recovery)


@staff_required
@in_pemda_zone
def recovery_clock(request: HttpRequest, recovery: Recovery) -> HttpResponse:
    """The live RTO clock, refreshed by htmx while the recovery runs."""
    return render(request, "continuity/_rto_clock.html", {"recovery": recovery, "rto": queries.live_rto(recovery)})


@staff_required
@require_POST
@in_pemda_zone
def recovery_step(request: HttpRequest, recovery: Recovery, number: int) -> HttpResponse:
    if not rules.can_operate(request.user, recovery.pd):
        raise PermissionDenied
    if number not in Step.values:
        raise Http404
    form = StepForm(request.POST, request.FILES, prefix="langkah", number=number, kind=recovery.kind)
    if form.is_valid():
        data = form.cleaned_data
        step = actions.StepInput(number=number, **{k: v for k, v in data.items() if v is not None})
        try:
            actions.record_step(request.user, recovery, step)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # out of order, or the recovery is closed
                for message in error.messages:
                    messages.error(request, message)
                return redirect(recovery)
            add_action_errors(form, error)
        else:
            messages.success(request, _("Langkah %(n)d dicatat.") % {"n": number})
            return redirect(recovery)
    return _recovery_page(request, recovery, form, status=400)


@staff_required
@require_POST
def drill_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    recovery = _recovery_or_404(request, pk)
    form = CancelForm(request.POST, prefix="batal")
    try:
        actions.cancel_drill(request.user, recovery, form.data.get("batal-reason", ""))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Uji coba dibatalkan."))
    return redirect(recovery)


@staff_required
def evidence(request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    """Evidence is served through this check, never as public media."""
    recovery = _recovery_or_404(request, pk)
    item = get_object_or_404(StepEvidence, pk=evidence_pk, step__recovery=recovery)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=str(item))


# --- Overview --------------------------------------------------------------------------------------


@staff_required
def overview(request: HttpRequest) -> HttpResponse:
    """The Koordinator SPBE's page (also useful to each PD for its own):
    kritis services without an approved DRP, overdue reviews, drills due,
    activations of the last twelve months with RTO/RPO met or not."""
    services = rules.visible(request.user, Service.objects.all())
    summary = queries.overview(visible_plans(request.user), services, visible_recoveries(request.user),
                               flagged_complaints(request.user))  # fmt: skip
    return render(request, "continuity/overview.html", {"overview": summary})
