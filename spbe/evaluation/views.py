"""Pages of the evaluation stage (E-1 … E-4): reports and their chapters,
follow-up actions, the maturity level. Thin: parse, check, call
``actions``, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from spbe.approvals import actions as approvals
from spbe.approvals.models import ApprovalStatus
from spbe.evaluation import actions, maturity
from spbe.evaluation.choices import OPEN_ACTION_STATUSES, Chapter, ReportScope
from spbe.evaluation.figures import figures_of
from spbe.evaluation.forms import (
    ActionFilterForm,
    ActionForm,
    AnalysisForm,
    CompleteForm,
    MaturityForm,
    ReportFilterForm,
    ReportForm,
    ReportTextForm,
    StatusForm,
)
from spbe.evaluation.models import PEMDA_REPORT_ROLES, EvaluationReport, FollowUpAction
from spbe.evaluation.presenting import chapters_of, facts_text
from spbe.evaluation.rules import missing_analysis, required_chapters
from spbe.front.listing import build_listing, render_listing, wants_export, xlsx_response
from spbe.front.pages import add_action_errors, form_page
from spbe.org import access
from spbe.org.models import PerangkatDaerah
from spbe.org.views import staff_required


def visible_reports(user):
    """A PD's staff see its reports, the Koordinator SPBE every report of the
    Pemda (S-1). The Pemda's report, kept at Diskominfo, shows every PD's
    figures: Diskominfo's leaders see it, not its administrators or vendors."""
    qs = EvaluationReport.objects.select_related("pd", "pemda")
    return access.filter_by_pd(user, qs.filter(scope=ReportScope.PD)) | access.filter_by_pd(
        user, qs.filter(scope=ReportScope.PEMDA), roles=PEMDA_REPORT_ROLES
    )


def visible_actions(user):
    """The readers of the action's report, and the action's owner even from
    another PD (an action of the Pemda's report is owned by any PD's staff)."""
    qs = FollowUpAction.objects.select_related("pd", "owner", "report")
    return qs.filter(Q(report__in=visible_reports(user)) | Q(owner_id=user.pk))


def _report_or_404(request: HttpRequest, pk: int) -> EvaluationReport:
    return get_object_or_404(visible_reports(request.user), pk=pk)


def _action_or_404(request: HttpRequest, pk: int) -> FollowUpAction:
    return get_object_or_404(visible_actions(request.user), pk=pk)


# --- reports ---------------------------------------------------------------------------------------


@staff_required
def report_list(request: HttpRequest) -> HttpResponse:
    pds = PerangkatDaerah.objects.filter(pk__in=visible_reports(request.user).values("pd"))
    filters = ReportFilterForm(request.GET or None, pds=pds)
    qs = visible_reports(request.user)
    if filters.is_valid():
        data = filters.cleaned_data
        if data["pd"]:
            qs = qs.filter(pd=data["pd"])
        if data["scope"]:
            qs = qs.filter(scope=data["scope"])
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["year"]:
            qs = qs.filter(period_start__year__lte=data["year"], period_end__year__gte=data["year"])
    qs, listing = build_listing(
        request,
        qs,
        search_fields=["title", "pd__name", "pd__abbreviation"],
        sorts={"period": "period_end", "title": "title", "pd": "pd__name", "status": "status"},
        default_sort="-period",
    )
    if wants_export(request):
        headers = [
            _("Judul"),
            _("PD"),
            _("Cakupan"),
            _("Periode mulai"),
            _("Periode sampai"),
            _("Status"),
            _("Angka dibekukan"),
        ]
        rows = (
            [
                r.title,
                r.pd.name,
                r.get_scope_display(),
                r.period_start,
                r.period_end,
                r.get_status_display(),
                r.frozen_at,
            ]
            for r in qs
        )
        return xlsx_response("laporan-evaluasi", headers, rows, title=_("Laporan evaluasi"))
    context = {"listing": listing, "filters": filters, "can_create": access.workable_pds(request.user).exists()}
    return render_listing(request, "evaluation/report_list.html", "evaluation/_report_results.html", context)


@staff_required
def report_create(request: HttpRequest) -> HttpResponse:
    pds = access.workable_pds(request.user)
    coordinator = any(actions.can_draft(request.user, pd, ReportScope.PEMDA) for pd in pds if pd.is_spbe_coordinator)
    form = ReportForm(
        request.POST or None,
        pds=pds,
        coordinator=coordinator,
        initial={"pd": request.GET.get("pd")} if request.GET.get("pd", "").isdigit() else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        period = actions.Period(data["period_kind"], data["period_start"], data["period_end"])
        try:
            report = actions.open_report(
                request.user, pd=data["pd"], scope=data["scope"], period=period, title=data["title"]
            )
        except PermissionDenied:
            form.add_error("pd", _("Anda tidak dapat menyusun laporan untuk PD ini."))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Laporan dibuat. Angka setiap bab dihitung dari catatan aplikasi."))
            return redirect(report)
    return form_page(
        request,
        form,
        _("Buat laporan evaluasi"),
        reverse("evaluation:report_list"),
        template="evaluation/report_form.html",
    )


@staff_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    return render(request, "evaluation/report_detail.html", _report_context(request, report))


def _report_context(request: HttpRequest, report: EvaluationReport, **forms) -> dict:
    figures = figures_of(report)
    editable = approvals.can_edit(request.user, report)
    analyses = {a.chapter: a for a in report.analyses.all()}
    report_actions = list(report.actions.select_related("owner", "service", "drp"))
    required = required_chapters(report, figures)
    missing = missing_analysis(report, analyses.values(), required)
    chapters = chapters_of(report, figures)
    for chapter in chapters:
        key = chapter["key"]
        analysis = analyses.get(key)
        chapter["analysis"] = analysis
        chapter["required"] = key in required
        chapter["missing"] = key in missing
        chapter["actions"] = [a for a in report_actions if a.chapter == key]
        if editable:
            bound = forms.get("analysis_form") if forms.get("analysis_chapter") == key else None
            chapter["form"] = bound or AnalysisForm(
                initial={
                    "obstacles": getattr(analysis, "obstacles", "") or facts_text(chapter),
                    "improvements": getattr(analysis, "improvements", ""),
                },
                prefix=key,
            )
    return {
        "report": report,
        "figures": figures,
        "chapters": chapters,
        "editable": editable,
        "can_submit": editable,
        "approver_role": approvals.approver_role_for(request.user, report),
        "can_revise": report.status == ApprovalStatus.APPROVED
        and actions.can_draft(request.user, report.pd, report.scope),
        "decisions": list(approvals.history(report)),
        "carried": list(actions.carried_actions(report)),
        "timeline": report.timeline.select_related("actor"),
        "missing": [Chapter(c).label for c in missing],
        "today": report.pemda.today(),
    }


@staff_required
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    if not approvals.can_edit(request.user, report):
        raise PermissionDenied
    form = ReportTextForm(request.POST or None, instance=EvaluationReport.objects.get(pk=report.pk))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_report(request.user, report, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Pendahuluan dan penutup disimpan."))
            return redirect(report)
    return form_page(request, form, _("Ubah pendahuluan dan penutup"), report.get_absolute_url())


@staff_required
@require_POST
def analysis_save(request: HttpRequest, pk: int, chapter: str) -> HttpResponse:
    report = _report_or_404(request, pk)
    if chapter not in Chapter.values:
        raise Http404
    form = AnalysisForm(request.POST, prefix=chapter)
    if form.is_valid():
        try:
            actions.write_analysis(
                request.user,
                report,
                chapter,
                obstacles=form.cleaned_data["obstacles"],
                improvements=form.cleaned_data["improvements"],
            )
        except PermissionDenied:
            raise
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Analisis bab %(chapter)s disimpan.") % {"chapter": Chapter(chapter).label})
            return redirect(f"{report.get_absolute_url()}#bab-{chapter}")
    context = _report_context(request, report, analysis_form=form, analysis_chapter=chapter)
    return render(request, "evaluation/report_detail.html", context, status=400)


@staff_required
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    if not approvals.can_edit(request.user, report):
        raise PermissionDenied
    chapter = request.GET.get("bab", "")
    form = ActionForm(
        request.POST or None, report=report, initial={"chapter": chapter} if chapter in Chapter.values else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_action(request.user, report, form.save(commit=False))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Tindak lanjut dicatat."))
            return redirect(f"{report.get_absolute_url()}#bab-{form.cleaned_data['chapter']}")
    return form_page(
        request, form, _("Tambah tindak lanjut: %(title)s") % {"title": report.title}, report.get_absolute_url()
    )


DECISIONS = {"ajukan": "submit", "setujui": "approve", "tolak": "reject", "revisi": "revise"}


@staff_required
@require_POST
def report_decide(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """Submit, approve, reject or revise; a refusal is said on the page."""
    if verb not in DECISIONS:
        raise Http404
    report = _report_or_404(request, pk)
    comment = request.POST.get("comment", "")
    try:
        if verb in ("setujui", "tolak"):
            getattr(actions, DECISIONS[verb])(request.user, report, comment)
        else:
            getattr(actions, DECISIONS[verb])(request.user, report)
    except PermissionDenied:
        messages.error(request, _("Anda tidak berhak mengambil langkah ini atas laporan ini."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        done = {
            "ajukan": _("Laporan diajukan untuk persetujuan."),
            "setujui": _("Laporan disetujui; angka laporan dibekukan."),
            "tolak": _("Laporan dikembalikan kepada penyusun."),
            "revisi": _("Revisi dimulai; angka dihitung ulang sampai disetujui kembali."),
        }
        messages.success(request, done[verb])
    return redirect(report)


@staff_required
def report_document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    from spbe.evaluation.export import report_document as build

    return build(_report_or_404(request, pk), fmt)


# --- follow-up actions -------------------------------------------------------------------------------


@staff_required
def action_list(request: HttpRequest) -> HttpResponse:
    pds = PerangkatDaerah.objects.filter(pk__in=visible_actions(request.user).values("pd"))
    filters = ActionFilterForm(request.GET or None, pds=pds)
    qs = visible_actions(request.user)
    today = timezone.localdate()  # the list spans Pemda; a day's difference of zone is tolerated here
    if filters.is_valid():
        data = filters.cleaned_data
        if data["pd"]:
            qs = qs.filter(pd=data["pd"])
        if data["status"] == "open_any":
            qs = qs.filter(status__in=OPEN_ACTION_STATUSES)
        elif data["status"]:
            qs = qs.filter(status=data["status"])
        if data["chapter"]:
            qs = qs.filter(chapter=data["chapter"])
        if data["overdue"]:
            qs = qs.filter(status__in=OPEN_ACTION_STATUSES, due_date__lt=today)
        if data["mine"]:
            qs = qs.filter(owner=request.user)
    qs, listing = build_listing(
        request,
        qs,
        search_fields=["title", "description", "owner__full_name", "pd__name", "report__title"],
        sorts={"due": "due_date", "title": "title", "pd": "pd__name", "status": "status"},
        default_sort="due",
    )
    if wants_export(request):
        headers = [
            _("Tindak lanjut"),
            _("PD"),
            _("Bab"),
            _("Penanggung jawab"),
            _("Tenggat"),
            _("Status"),
            _("Yang diperbaiki"),
            _("Versi sebelum"),
            _("Versi sesudah"),
            _("Bukti"),
            _("Laporan"),
        ]
        rows = (
            [
                a.title,
                a.pd.name,
                a.get_chapter_display(),
                a.owner.get_full_name(),
                a.due_date,
                a.get_status_display(),
                str(a.target or ""),
                a.before_version,
                a.after_version,
                a.evidence_note,
                a.report.title,
            ]
            for a in qs
        )
        return xlsx_response("tindak-lanjut", headers, rows, title=_("Tindak lanjut evaluasi"))
    for action in listing.page.object_list:
        action.overdue = action.is_overdue(today)
    return render_listing(
        request,
        "evaluation/action_list.html",
        "evaluation/_action_results.html",
        {"listing": listing, "filters": filters},
    )


@staff_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action_or_404(request, pk)
    may = actions.can_follow_up(request.user, action)
    complete_form = status_form = None
    if may and action.is_open:
        complete_form = CompleteForm(request.POST or None, request.FILES or None)
        status_form = StatusForm(initial={"status": action.status})
        if request.method == "POST" and complete_form.is_valid():
            try:
                actions.complete_action(request.user, action, **complete_form.cleaned_data)
            except ValidationError as error:
                add_action_errors(complete_form, error)
            else:
                messages.success(request, _("Tindak lanjut selesai. Tingkat kematangan dihitung ulang."))
                return redirect(action)
    elif request.method == "POST":
        raise PermissionDenied
    context = {
        "action": action,
        "complete_form": complete_form,
        "status_form": status_form,
        "overdue": action.is_overdue(action.pemda.today()),
        # an owner from another PD sees the action, not necessarily its report
        "report_visible": visible_reports(request.user).filter(pk=action.report_id).exists(),
    }
    status = 400 if complete_form is not None and complete_form.errors else 200
    return render(request, "evaluation/action_detail.html", context, status=status)


@staff_required
@require_POST
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action_or_404(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pilih status yang tersedia."))
        return redirect(action)
    try:
        actions.set_action_status(request.user, action, form.cleaned_data["status"], form.cleaned_data["reason"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Status tindak lanjut diubah."))
    return redirect(action)


@staff_required
def action_evidence(request: HttpRequest, pk: int) -> FileResponse:
    action = _action_or_404(request, pk)
    if not action.evidence_file:
        raise Http404
    name = action.evidence_file.name.rsplit("/", 1)[-1]
    return FileResponse(action.evidence_file.open("rb"), as_attachment=True, filename=name)


# --- the maturity level --------------------------------------------------------------------------------


def maturity_subject(request: HttpRequest):
    """The PD (or the Pemda) and period the maturity page asks about, and
    the form that chose them; a PD the person may not see is not found."""
    scope = access.scope_for(request.user)
    pds = access.visible_pds(request.user).filter(is_active=True).order_by("pemda__name", "name")
    pemda_wide = bool(scope.coordinator_pemda_ids) or scope.is_system_admin
    form = MaturityForm(request.GET or None, pds=pds, pemda_wide=pemda_wide)
    if request.GET and not form.is_valid():
        return form, None, None, None, None
    data = form.cleaned_data if request.GET else {}
    pd = data.get("pd")
    if pd is None and not pemda_wide:
        pd = pds.first()
        if pd is None:
            raise Http404
    pemda = pd.pemda if pd is not None else _home_pemda(request.user, scope)
    today = pemda.today()
    default_start, default_end = maturity.default_period(today)
    start, end = data.get("start") or default_start, data.get("end") or default_end
    if not request.GET:  # show what was assumed
        form.initial.update({"pd": pd, "start": start, "end": end})
    return form, pemda, pd, start, end


def _home_pemda(user, scope):
    pemdas = (
        access.visible_pemdas(user).filter(pk__in=scope.coordinator_pemda_ids)
        if not scope.is_system_admin
        else access.visible_pemdas(user)
    )
    pemda = (pemdas.filter(pk=user.pemda_id).first() if user.pemda_id else None) or pemdas.order_by("name").first()
    if pemda is None:
        raise Http404
    return pemda


@staff_required
def maturity_page(request: HttpRequest) -> HttpResponse:
    form, pemda, pd, start, end = maturity_subject(request)
    if pemda is None:
        return render(request, "evaluation/maturity.html", {"form": form}, status=400)
    result = maturity.assess(pemda, pd, start=start, end=end, today=pemda.today())
    context = {
        "form": form,
        "result": result,
        "pemda": pemda,
        "pd": pd,
        "start": start,
        "end": end,
        "query": request.GET.urlencode(),
    }
    return render(request, "evaluation/maturity.html", context)


@staff_required
def evidence_pack(request: HttpRequest) -> HttpResponse:
    """The bukti dukung ZIP of the PD (or the Pemda) the maturity page shows."""
    from spbe.evaluation.evidence import evidence_response

    _form, pemda, pd, start, end = maturity_subject(request)
    if pemda is None:
        raise Http404
    return evidence_response(pemda, pd, start=start, end=end)
