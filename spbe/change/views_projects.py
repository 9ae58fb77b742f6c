"""Pages of application projects (O-7): the list, the form with its phase
plan, and a project's page with its approval, phases and gates, and the
application's performance against its P-10 target. Thin: parse, call
``actions_projects``, render."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from spbe.approvals import actions as approvals
from spbe.approvals.models import ApprovalStatus
from spbe.approvals.views import panel
from spbe.audit.record import trail
from spbe.change import actions_projects as actions
from spbe.change.forms_projects import (
    AppProjectForm,
    DayForm,
    PhaseFormSet,
    ProjectFilterForm,
    filled_phases,
    phase_initial,
)
from spbe.change.models_projects import AppProject, Phase
from spbe.front.listing import build_listing, render_listing, wants_export, xlsx_response
from spbe.front.pages import add_action_errors, is_id
from spbe.org import access
from spbe.org.models import PerangkatDaerah
from spbe.org.views import staff_required


def visible_projects(user):
    """The application PD's staff and the Pemda's coordinator."""
    return access.filter_by_pd(user, AppProject.objects.select_related("pd__pemda", "application"))


@staff_required
def project_list(request: HttpRequest) -> HttpResponse:
    pds = PerangkatDaerah.objects.filter(pk__in=visible_projects(request.user).values("pd"))
    filters = ProjectFilterForm(request.GET or None, pds=pds)
    qs = visible_projects(request.user)
    if filters.is_valid():
        for name in ("pd", "method", "sourcing", "status"):
            if filters.cleaned_data[name]:
                qs = qs.filter(**{name: filters.cleaned_data[name]})
    qs, listing = build_listing(
        request, qs, search_fields=["title", "goal", "vendor", "contract_number", "application__name", "pd__name",
                                    "pd__abbreviation"],
        sorts={"title": "title", "application": "application__name", "pd": "pd__name", "updated": "last_updated",
               "created": "created"},
        default_sort="-updated",
    )  # fmt: skip
    if wants_export(request):
        headers = [_("PD"), _("Aplikasi"), _("Proyek"), _("Metode SDLC"), _("Pelaksana"), _("Vendor"),
                   _("Nomor kontrak"), _("Persetujuan"), _("Fase"), _("Terakhir diubah")]  # fmt: skip
        rows = ([p.pd.name, p.application.name, p.title, p.get_method_display(), p.get_sourcing_display(), p.vendor,
                 p.contract_number, p.get_status_display(),
                 "; ".join(f"{ph.get_phase_display()}: {ph.get_status_display()}" for ph in p.phases.all()),
                 p.last_updated] for p in qs.prefetch_related("phases"))  # fmt: skip
        return xlsx_response("proyek-aplikasi", headers, rows, title=_("Proyek aplikasi"))
    context = {"listing": listing, "filters": filters, "can_create": access.workable_pds(request.user).exists()}
    return render_listing(request, "change/project_list.html", "change/_project_results.html", context)


def _form_page(request, project, form, phases, status=200):
    context = {"form": form, "phases": phases, "project": project,
               "cancel_url": project.get_absolute_url() if project else reverse("change:project_list")}  # fmt: skip
    return render(request, "change/project_form.html", context, status=status)


def _add_errors(form, phases, error: ValidationError) -> None:
    """A phase's error next to its field in its row; the rest on the form."""
    if not hasattr(error, "error_dict"):
        add_action_errors(form, error)
        return
    rows = {actions.phase_key(row.phase, ""): row for row in phases.forms}
    rest = {}
    for key, messages_ in error.message_dict.items():
        prefix, _dot, name = key.rpartition(".")
        row = rows.get(f"{prefix}.")
        if row is not None and name in row.fields:
            for message in messages_:
                row.add_error(name, message)
        else:
            rest[key] = messages_
    if rest:
        add_action_errors(form, ValidationError(rest))


def _save_from(request: HttpRequest, project: AppProject | None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    initial = None
    if project is None and is_id(request.GET.get("aplikasi", "")):
        initial = {"application": int(request.GET["aplikasi"])}
    form = AppProjectForm(data, instance=project, actor=request.user, initial=initial)
    phases = PhaseFormSet(data, prefix="fase", initial=phase_initial(project))
    if data is None:
        return _form_page(request, project, form, phases)
    if form.is_valid() and phases.is_valid():
        try:
            saved = actions.save_project(request.user, form.save(commit=False), filled_phases(phases))
        except ValidationError as error:
            _add_errors(form, phases, error)
        else:
            messages.success(request, _("Proyek disimpan sebagai draf. Ajukan kepada Koordinator SPBE bila keempat "
                                        "fase sudah direncanakan."))  # fmt: skip
            return redirect(saved)
    return _form_page(request, project, form, phases, status=400)


@staff_required
def project_create(request: HttpRequest) -> HttpResponse:
    if not access.workable_pds(request.user).exists():
        raise PermissionDenied
    return _save_from(request, None)


@staff_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(visible_projects(request.user), pk=pk)
    if not approvals.can_edit(request.user, project):
        messages.error(request, _("Proyek yang diajukan atau disetujui diubah melalui revisi baru."))
        return redirect(project)
    return _save_from(request, project)


def _page(request: HttpRequest, project: AppProject, bound: dict | None = None, status: int = 200) -> HttpResponse:
    phases = list(project.phases.select_related("gate_approved_by"))
    may_manage = actions.can_manage(request.user, project)
    rows = []
    for phase in phases:
        offered = []
        if may_manage and phase.actual_start is None and (
            phase.phase == Phase.DESIGN or project.status == ApprovalStatus.APPROVED
        ):  # fmt: skip
            offered.append("mulai")
        if may_manage and phase.actual_start and not phase.actual_end and not phase.gate_pending:
            offered.append("selesai")
        forms = {verb: (bound or {}).get((phase.pk, verb)) or DayForm(prefix=f"{verb}-{phase.pk}") for verb in offered}
        rows.append({"phase": phase, "forms": forms, "can_approve_gate": actions.can_approve_gate(request.user, phase)})
    context = {
        "project": project,
        "phases": rows,
        "performance": actions.performance(project),
        "can_edit": approvals.can_edit(request.user, project),
        "history": trail(project),
        **panel(request, project),
    }
    return render(request, "change/project_detail.html", context, status=status)


@staff_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(visible_projects(request.user), pk=pk)
    with timezone.override(ZoneInfo(project.pd.pemda.time_zone)):
        return _page(request, project)


STEPS = {
    "mulai": (actions.start_phase, _("Fase dicatat dimulai.")),
    "selesai": (actions.complete_phase, _("Fase dicatat selesai.")),
}


@staff_required
@require_POST
def project_phase_step(request: HttpRequest, pk: int, phase: int, verb: str) -> HttpResponse:
    project = get_object_or_404(visible_projects(request.user), pk=pk)
    phase = get_object_or_404(project.phases, pk=phase)
    if verb != "setujui-gerbang" and verb not in STEPS:
        raise Http404
    try:
        if verb == "setujui-gerbang":
            actions.approve_gate(request.user, phase)
            messages.success(request, _("Gerbang fase disetujui."))
            return redirect(project)
        act, done = STEPS[verb]
        form = DayForm(request.POST, prefix=f"{verb}-{phase.pk}")
        if form.is_valid():
            act(request.user, phase, form.cleaned_data["on"])
            messages.success(request, done)
            return redirect(project)
    except PermissionDenied:
        messages.error(request, _("Anda tidak berhak mencatat langkah ini."))
        return redirect(project)
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                messages.error(request, message)
            return redirect(project)
        form.add_error("on", error.message_dict.get("on") or error.message_dict.get("at"))
    with timezone.override(ZoneInfo(project.pd.pemda.time_zone)):
        return _page(request, project, {(phase.pk, verb): form}, status=400)
