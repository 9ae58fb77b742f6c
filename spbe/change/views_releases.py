"""Pages of releases (O-6): the list, the release plan form, and a
release's page with its approval, verification and timeline. Thin: parse,
call ``actions``, render."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from spbe.approvals import actions as approvals
from spbe.approvals.views import panel
from spbe.change import actions
from spbe.change.choices import ReleaseStage
from spbe.change.forms import ManualVerificationForm, ProblemForm, ReleaseFilterForm, ReleaseForm, TextForm
from spbe.change.models import ChangePlan, Release
from spbe.continuity import rules
from spbe.front.listing import build_listing, render_listing, wants_export, xlsx_response
from spbe.front.pages import add_action_errors, form_page, is_id
from spbe.org.models import PerangkatDaerah
from spbe.org.views import staff_required


def visible_releases(user):
    return rules.visible(user, Release.objects.select_related("pd__pemda", "application", "change_plan"))


@staff_required
def release_list(request: HttpRequest) -> HttpResponse:
    pds = PerangkatDaerah.objects.filter(pk__in=visible_releases(request.user).values("pd"))
    filters = ReleaseFilterForm(request.GET or None, pds=pds)
    qs = visible_releases(request.user)
    if filters.is_valid():
        for name in ("pd", "stage", "status"):
            if filters.cleaned_data[name]:
                qs = qs.filter(**{name: filters.cleaned_data[name]})
    qs, listing = build_listing(
        request, qs, search_fields=["title", "version", "description", "application__name", "pd__name"],
        sorts={"window": "window_start", "title": "title", "pd": "pd__name"}, default_sort="-window",
    )  # fmt: skip
    if wants_export(request):
        headers = [_("PD"), _("Rilis"), _("Versi"), _("Dasar"), _("Persetujuan"), _("Tahap"), _("Jendela mulai"),
                   _("Jendela selesai"), _("Diverifikasi"), _("Hasil verifikasi")]  # fmt: skip
        rows = ([r.pd.name, r.title, r.version, r.get_basis_display(), r.get_status_display(), r.get_stage_display(),
                 r.window_start, r.window_end, r.verified_at, r.verification_note] for r in qs)  # fmt: skip
        return xlsx_response("rilis", headers, rows, title=_("Rilis"))
    context = {"listing": listing, "filters": filters, "can_create": rules.operable_pds(request.user).exists()}
    return render_listing(request, "change/release_list.html", "change/_release_results.html", context)


def _save_from(request: HttpRequest, release: Release | None) -> HttpResponse:
    initial = None
    if release is None and is_id(request.GET.get("perubahan", "")):
        plan = get_object_or_404(ChangePlan.objects.filter(pd__in=rules.operable_pds(request.user)),
                                 pk=request.GET["perubahan"])  # fmt: skip
        initial = {"pd": plan.pd_id, "basis": "change", "change_plan": plan.pk, "title": plan.title,
                   "services": [s.pk for s in plan.services.all()], "announcement": plan.user_notice}  # fmt: skip
    form = ReleaseForm(request.POST or None, instance=release, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.save_release(request.user, form.save(commit=False), list(form.cleaned_data["services"]))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Rencana rilis disimpan sebagai draf. Ajukan kepada PJ Penyedia Layanan."))
            return redirect(saved)
    title = _("Ubah rencana rilis") if release else _("Susun rencana rilis")
    return form_page(request, form, title, release.get_absolute_url() if release else reverse("change:release_list"))


@staff_required
def release_create(request: HttpRequest) -> HttpResponse:
    if not rules.operable_pds(request.user).exists():
        raise PermissionDenied
    with timezone.override(timezone.get_current_timezone()):
        return _save_from(request, None)


@staff_required
def release_edit(request: HttpRequest, pk: int) -> HttpResponse:
    release = get_object_or_404(visible_releases(request.user), pk=pk)
    if not approvals.can_edit(request.user, release):
        messages.error(request, _("Rencana rilis yang diajukan atau disetujui tidak dapat diubah."))
        return redirect(release)
    with timezone.override(ZoneInfo(release.pd.pemda.time_zone)):
        return _save_from(request, release)


def _text(prefix: str, label):
    return lambda data=None: TextForm(data, prefix=prefix, label=label)


# verb -> (the form, given the POST or nothing; the action; the label of its box)
STEPS = {
    "uji": (_text("uji", gettext_lazy("Hasil pengujian")),
            lambda u, r, d: actions.record_tests(u, r, d["text"]), gettext_lazy("Catat hasil pengujian")),
    "masalah": (lambda data=None: ProblemForm(data, prefix="masalah"),
                lambda u, r, d: actions.record_problem(u, r, d["description"], d["open_complaint"]),
                gettext_lazy("Catat masalah yang ditemui")),
    "verifikasi": (lambda data=None: ManualVerificationForm(data, prefix="verifikasi"),
                   lambda u, r, d: actions.verify_by_hand(u, r, d["passed"], d["note"]),
                   gettext_lazy("Verifikasi manual")),
    "rollback": (_text("rollback", gettext_lazy("Apa yang dikembalikan dan hasilnya")),
                 lambda u, r, d: actions.record_rollback(u, r, d["text"]),
                 gettext_lazy("Catat pengembalian (rollback)")),
    "umpan-balik": (_text("umpan-balik", gettext_lazy("Umpan balik")),
                    lambda u, r, d: actions.record_feedback(u, r, d["text"]), gettext_lazy("Umpan balik penyedia")),
}  # fmt: skip


def _offered(release: Release) -> list[str]:
    """The steps that fit the release's stage."""
    if release.status != "approved":
        return []
    verbs = ["uji", "masalah"]
    if release.stage == ReleaseStage.MANUAL:
        verbs.append("verifikasi")
    if release.stage == ReleaseStage.FAILED:
        verbs.append("rollback")
    if release.stage in (ReleaseStage.SUCCEEDED, ReleaseStage.FAILED, ReleaseStage.ROLLED_BACK):
        verbs.append("umpan-balik")
    return verbs


def _page(request: HttpRequest, release: Release, bound: dict | None = None, status: int = 200) -> HttpResponse:
    forms = [(verb, STEPS[verb][2], (bound or {}).get(verb) or STEPS[verb][0]()) for verb in _offered(release)]
    context = {
        "release": release,
        "forms": forms,
        "watched": list(actions.watched_checks(release)),
        "timeline": release.timeline.select_related("actor"),
        "problems": release.problems.select_related("ticket"),
        "can_edit": approvals.can_edit(request.user, release),
        **panel(request, release),
    }
    return render(request, "change/release_detail.html", context, status=status)


@staff_required
def release_detail(request: HttpRequest, pk: int) -> HttpResponse:
    release = get_object_or_404(visible_releases(request.user), pk=pk)
    with timezone.override(ZoneInfo(release.pd.pemda.time_zone)):
        return _page(request, release)


@staff_required
@require_POST
def release_step(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    release = get_object_or_404(visible_releases(request.user), pk=pk)
    if verb not in STEPS:
        raise Http404
    make, act, _label = STEPS[verb]
    form = make(request.POST)
    if form.is_valid():
        try:
            act(request.user, release, form.cleaned_data)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                for message in error.messages:
                    messages.error(request, message)
                return redirect(release)
            add_action_errors(form, error)
        else:
            messages.success(request, _("Tersimpan di linimasa rilis."))
            return redirect(release)
    with timezone.override(ZoneInfo(release.pd.pemda.time_zone)):
        return _page(request, release, {verb: form}, status=400)
