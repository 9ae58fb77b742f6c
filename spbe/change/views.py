"""Pages of service transition plans (P-9): the list, a plan with what it
touches and its risks, and the form. Thin: parse, call ``actions``, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from spbe.approvals import actions as approvals
from spbe.approvals.views import panel
from spbe.audit.record import trail
from spbe.change import actions
from spbe.change.forms import ChangeFilterForm, ChangePlanForm, RiskFormSet, filled_risks
from spbe.change.impact import impact_of_change
from spbe.change.models import ChangePlan
from spbe.continuity import rules
from spbe.desk.views import visible_tickets
from spbe.front.listing import build_listing, render_listing, wants_export, xlsx_response
from spbe.front.pages import add_action_errors
from spbe.org import access
from spbe.org.models import PerangkatDaerah
from spbe.org.views import staff_required


def visible_plans(user):
    """The PD's staff and the coordinator, and Diskominfo's infrastructure
    roles, who draft the releases that carry a change out (as for DRPs)."""
    return rules.visible(user, ChangePlan.objects.select_related("pd", "request"))


@staff_required
def plan_list(request: HttpRequest) -> HttpResponse:
    pds = PerangkatDaerah.objects.filter(pk__in=visible_plans(request.user).values("pd"))
    filters = ChangeFilterForm(request.GET or None, pds=pds)
    qs = visible_plans(request.user)
    if filters.is_valid():
        for name in ("pd", "kind", "status"):
            if filters.cleaned_data[name]:
                qs = qs.filter(**{name: filters.cleaned_data[name]})
    qs, listing = build_listing(
        request, qs, search_fields=["title", "reason", "pd__name", "pd__abbreviation"],
        sorts={"start": "planned_start", "title": "title", "pd": "pd__name", "updated": "last_updated"},
        default_sort="-start",
    )  # fmt: skip
    if wants_export(request):
        headers = [_("PD"), _("Judul"), _("Jenis"), _("Asal"), _("Status"), _("Rencana mulai"), _("Rencana selesai"),
                   _("Layanan"), _("Ukuran keberhasilan")]  # fmt: skip
        rows = ([p.pd.name, p.title, p.get_kind_display(), p.get_origin_display(), p.get_status_display(),
                 p.planned_start, p.planned_end, ", ".join(s.name for s in p.services.all()), p.success_measure]
                for p in qs.prefetch_related("services"))  # fmt: skip
        return xlsx_response("rencana-perubahan", headers, rows, title=_("Rencana perubahan"))
    context = {"listing": listing, "filters": filters, "can_create": access.workable_pds(request.user).exists()}
    return render_listing(request, "change/plan_list.html", "change/_plan_results.html", context)


def _form_page(request, plan, form, risks, status=200):
    context = {"form": form, "risks": risks, "plan": plan,
               "cancel_url": plan.get_absolute_url() if plan else reverse("change:plan_list")}  # fmt: skip
    return render(request, "change/plan_form.html", context, status=status)


def _initial_from_request(request: HttpRequest) -> dict:
    """A plan drafted from a user's request (O-1) starts with it."""
    ticket_id = request.GET.get("permintaan", "")
    if not ticket_id:
        return {}
    if not (ticket_id.isascii() and ticket_id.isdigit()):
        raise Http404
    ticket = get_object_or_404(visible_tickets(request.user).filter(kind="request"), pk=ticket_id)
    return {"pd": ticket.pd_id, "origin": "user_request", "request": ticket.pk, "title": ticket.subject,
            "reason": ticket.description}  # fmt: skip


def _save_from(request: HttpRequest, plan: ChangePlan | None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    initial_risks = [dict(description=r.description, likelihood=r.likelihood, impact=r.impact,
                          mitigation=r.mitigation) for r in plan.risks.all()] if plan else []  # fmt: skip
    form = ChangePlanForm(
        data, instance=plan, actor=request.user, initial=None if plan else _initial_from_request(request)
    )
    risks = RiskFormSet(data, prefix="risiko", initial=initial_risks)
    if data is None:
        return _form_page(request, plan, form, risks)
    if form.is_valid() and risks.is_valid():
        scope = actions.ChangeScope(list(form.cleaned_data["services"]), list(form.cleaned_data["applications"]),
                                    list(form.cleaned_data["components"]))  # fmt: skip
        try:
            saved = actions.save_plan(request.user, form.save(commit=False), scope, filled_risks(risks))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Rencana perubahan disimpan sebagai draf. Ajukan kepada Pimpinan PD bila "
                                        "lengkap."))  # fmt: skip
            return redirect(saved)
    return _form_page(request, plan, form, risks, status=400)


@staff_required
def plan_create(request: HttpRequest) -> HttpResponse:
    if not access.workable_pds(request.user).exists():
        raise PermissionDenied
    return _save_from(request, None)


@staff_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(visible_plans(request.user), pk=pk)
    if not approvals.can_edit(request.user, plan):
        messages.error(request, _("Rencana yang diajukan atau disetujui diubah melalui revisi baru."))
        return redirect(plan)
    return _save_from(request, plan)


@staff_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(visible_plans(request.user), pk=pk)
    context = {
        "plan": plan,
        "impact": impact_of_change(plan),
        "risks": plan.risks.all(),
        "can_edit": approvals.can_edit(request.user, plan),
        "history": trail(plan),
        "can_release": rules.operable_pds(request.user).filter(pk=plan.pd_id).exists(),
        **panel(request, plan),
    }
    return render(request, "change/plan_detail.html", context)
