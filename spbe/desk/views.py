"""The agent side of the service desk (O-1, O-2): the queue, recording a
ticket, and handling it on its page. Every change goes through
``spbe.desk.actions``."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from spbe.audit.models import AuditAction
from spbe.audit.record import record, snapshot
from spbe.catalog.choices import Classification
from spbe.catalog.models import Service
from spbe.continuity import queries as continuity
from spbe.desk import actions, problems
from spbe.desk.actions import Reporter
from spbe.desk.choices import OPEN_STATUSES
from spbe.desk.forms import (
    URGENT,
    AffectedItemsForm,
    AnalysisForm,
    DecisionForm,
    EscalateForm,
    HandOverForm,
    MessageForm,
    MoveServiceForm,
    PriorityForm,
    ProblemForm,
    QueueFilterForm,
    ReasonForm,
    ResolveForm,
    ReviewForm,
    SlaDocumentForm,
    TicketForm,
    UrgencyForm,
)
from spbe.desk.models import Problem, SavedView, SlaDocument, Ticket, TicketAttachment
from spbe.front.listing import build_listing, render_listing
from spbe.front.pages import add_action_errors, form_page
from spbe.org import access
from spbe.org.choices import Role
from spbe.org.models import User
from spbe.org.views import staff_required


def visible_tickets(user):
    """Tickets of the PDs the user may see, plus those assigned to them
    (an infra/app administrator of Diskominfo handles escalated ones)."""
    condition = access.pd_condition(user, pemda_field="pemda")  # the ticket's own Pemda column: no join
    if condition is None:
        return Ticket.objects.all()
    return Ticket.objects.filter(condition | Q(service_admin=user) | Q(infra_admin=user))


def search_tickets(qs, text: str):
    """Full-text search of the queue: every word in the number, subject,
    description, reporter or service name. On PostgreSQL each of those
    columns has a trigram index (migration 0004), so the OR below is a
    BitmapOr of index scans; the service names are matched first in the
    small catalog table so no join spoils it."""
    for word in text.split():
        services = list(Service.objects.filter(name__icontains=word).values_list("pk", flat=True)[:500])
        qs = qs.filter(
            Q(number__icontains=word) | Q(subject__icontains=word) | Q(description__icontains=word)
            | Q(reporter_name__icontains=word) | Q(service_id__in=services)
        )  # fmt: skip
    return qs


# What a queue row shows (templatetags/desk.py): loading the whole ticket,
# service and PD rows cost more than rendering them.
QUEUE_COLUMNS = ("number", "kind", "subject", "reporter_name", "priority", "status", "next_due", "reported_at",
                 "service__name", "pd__abbreviation")  # fmt: skip


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    assignees = assignable_admins(request.user).only("full_name", "email")
    filters = QueueFilterForm(request.GET or None, actor=request.user, assignees=assignees)
    qs = visible_tickets(request.user).select_related("service", "pd").only(*QUEUE_COLUMNS)
    if filters.is_valid():
        qs = _filtered(qs, filters.cleaned_data, request.user)
    qs, listing = build_listing(
        request, qs, search_fields=search_tickets,
        sorts={"reported": "reported_at", "priority": "priority", "due": "next_due", "number": "number"},
        default_sort="-reported",
    )  # fmt: skip
    context = {
        "listing": listing,
        "filters": filters,
        "now": timezone.now(),
        "saved_views": SavedView.objects.filter(user=request.user),
    }
    return render_listing(request, "desk/queue.html", "desk/_queue_results.html", context)


def _filtered(qs, data: dict, user):
    if data["status"] == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif data["status"]:
        qs = qs.filter(status=data["status"])
    for name in ("pd", "kind", "service"):
        if data[name]:
            qs = qs.filter(**{name: data[name]})
    if data["priority"] == URGENT:
        qs = qs.filter(priority__in=[1, 2])
    elif data["priority"]:
        qs = qs.filter(priority=data["priority"])
    if data["assignee"]:
        qs = qs.filter(Q(service_admin=data["assignee"]) | Q(infra_admin=data["assignee"]))
    if data["mine"]:
        qs = qs.filter(Q(service_admin=user) | Q(infra_admin=user))
    if data["date_from"]:
        qs = qs.filter(reported_at__date__gte=data["date_from"])
    if data["date_to"]:
        qs = qs.filter(reported_at__date__lte=data["date_to"])
    if data["overdue"]:
        qs = qs.filter(next_due__lt=timezone.now())
    return qs


@staff_required
def create(request: HttpRequest) -> HttpResponse:
    form = TicketForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = actions.open_ticket(
                actor=request.user, service=data["service"], kind=data["kind"],
                reporter=Reporter(data["reporter_name"], data["reporter_email"], data["reporter_phone"]),
                subject=data["subject"], description=data["description"],
                reporting_method=data["reporting_method"], reported_at=data["reported_at"],
                impact=data["impact"], lapor_tracking_id=data["lapor_tracking_id"],
            )  # fmt: skip
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Tiket %(number)s dicatat.") % {"number": ticket.number})
            return redirect("desk:detail", pk=ticket.pk)
    return form_page(request, form, _("Catat permintaan atau aduan"), reverse("desk:queue"))


def _ticket(request: HttpRequest, pk: int) -> Ticket:
    return get_object_or_404(visible_tickets(request.user).select_related("service", "pd", "pemda"), pk=pk)


def _infra_admins(ticket: Ticket):
    return User.objects.filter(
        role_assignments__role=Role.ADMIN_INFRA, role_assignments__pd__pemda=ticket.pemda, is_active=True
    ).distinct()


ACTIONS = {
    "tanggapi": (MessageForm, lambda u, t, d: actions.respond(u, t, d["message"])),
    "analisis": (AnalysisForm, lambda u, t, d: actions.record_analysis(u, t, d["analysis"], d["estimate_due"])),
    "serahkan": (HandOverForm, lambda u, t, d: actions.hand_over(u, t, d["infra_admin"], d["reason"])),
    "eskalasi": (EscalateForm, lambda u, t, d: actions.escalate(u, t, d["level"], d["reason"])),
    "tanya": (MessageForm, lambda u, t, d: actions.wait_for_reporter(u, t, d["message"])),
    "balasan": (MessageForm, lambda u, t, d: actions.reporter_replied(u, t, d["message"])),
    "selesai": (ResolveForm, lambda u, t, d: actions.resolve(u, t, d["solution"], d["cause"])),
    "prioritas": (PriorityForm, lambda u, t, d: actions.set_priority(u, t, d["priority"], d["reason"])),
    "urgensi": (UrgencyForm, lambda u, t, d: actions.classify_urgency(u, t, d["urgency"])),
    "keputusan": (DecisionForm, lambda u, t, d: actions.decide_request(u, t, d["decision"] == "approve", d["reason"])),
    "ci": (AffectedItemsForm, lambda u, t, d: actions.set_affected_items(u, t, d["components"], d["applications"])),
    "drp": (ReasonForm, lambda u, t, d: actions.flag_drp_assessment(u, t, d["reason"])),
    "pindah-layanan": (MoveServiceForm, lambda u, t, d: actions.move_to_service(u, t, d["service"], d["reason"])),
}


LABELS = {
    "tanggapi": gettext_lazy("Tanggapi pelapor"),
    "analisis": gettext_lazy("Catat analisis dan perkiraan"),
    "serahkan": gettext_lazy("Serahkan ke Administrator Infrastruktur (di luar perkiraan)"),
    "eskalasi": gettext_lazy("Eskalasi"),
    "tanya": gettext_lazy("Tanya pelapor (jam dijeda)"),
    "balasan": gettext_lazy("Catat balasan pelapor"),
    "selesai": gettext_lazy("Laporkan penyelesaian"),
    "prioritas": gettext_lazy("Ubah prioritas"),
    "urgensi": gettext_lazy("Tetapkan urgensi (dokumen SLA, E-3)"),
    "keputusan": gettext_lazy("Setujui atau tolak permintaan"),
    "ci": gettext_lazy("Item konfigurasi terdampak"),
    "drp": gettext_lazy("Tandai: aktivasi DRP perlu dinilai (O-5)"),
    "pindah-layanan": gettext_lazy("Pindahkan ke layanan lain"),
}


def _form_kwargs(form_class, ticket: Ticket) -> dict:
    if form_class is HandOverForm:
        return {"infra_admins": _infra_admins(ticket)}
    if form_class in (AffectedItemsForm, MoveServiceForm):
        return {"ticket": ticket}
    return {}


def _forms(ticket: Ticket, bound: dict | None = None) -> list[tuple[str, str, object]]:
    forms = []
    for verb, (form_class, _act) in ACTIONS.items():
        if verb == "urgensi" and (ticket.sla_document_id is None or ticket.urgency is not None):
            continue
        if verb == "keputusan" and ticket.status != "awaiting_approval":
            continue
        if verb == "drp" and (ticket.drp_assessment or ticket.service.classification != Classification.KRITIS):
            continue
        kwargs = _form_kwargs(form_class, ticket)
        forms.append((verb, LABELS[verb], (bound or {}).get(verb) or form_class(prefix=verb, **kwargs)))
    return forms


def _page(request: HttpRequest, ticket: Ticket, bound: dict | None = None, status: int = 200) -> HttpResponse:
    context = {
        "ticket": ticket,
        "timeline": ticket.timeline.select_related("actor"),
        "clocks": actions.ticket_clocks(ticket),
        "forms": _forms(ticket, bound),
        "is_open": ticket.status in OPEN_STATUSES,
        "refused": bool(bound),  # a step refused on a closed ticket is shown with its error
        "now": timezone.now(),
        "continuity": continuity.ticket_panel(request.user, ticket),
    }
    return render(request, "desk/detail.html", context, status=status)


@staff_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _ticket(request, pk))


@staff_required
@require_POST
def act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    if verb not in ACTIONS:
        raise Http404
    ticket = _ticket(request, pk)
    form_class, action = ACTIONS[verb]
    kwargs = _form_kwargs(form_class, ticket)
    form = form_class(request.POST, prefix=verb, **kwargs)
    if form.is_valid():
        try:
            action(request.user, ticket, form.cleaned_data)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # the step does not fit the ticket's state
                for message in error.messages:
                    messages.error(request, message)
                return redirect("desk:detail", pk=ticket.pk)
            add_action_errors(form, error)
        else:
            if not visible_tickets(request.user).filter(pk=ticket.pk).exists():  # moved to another PD's service
                messages.success(request, _("Tiket %(number)s dipindahkan ke %(service)s (%(pd)s).") % {
                    "number": ticket.number, "service": ticket.service.name, "pd": ticket.pd.name})  # fmt: skip
                return redirect("desk:queue")
            messages.success(request, _("Tersimpan di linimasa tiket."))
            return redirect("desk:detail", pk=ticket.pk)
    return _page(request, ticket, {verb: form}, status=400)


# --- O-3 periodic review of disruptions -------------------------------------------------


@staff_required
def problem_review(request: HttpRequest) -> HttpResponse:
    form = ReviewForm(request.GET or None)
    days, minimum = (form.cleaned_data["days"], form.cleaned_data["minimum"]) if form.is_valid() else (30, 3)
    found = problems.recurring(visible_tickets(request.user), days, minimum)
    context = {"form": form, "found": found, "days": days, "problems": _visible_problems(request.user)[:20]}
    return render(request, "desk/review.html", context)


def _visible_problems(user):
    return access.filter_by_pd(user, Problem.objects.select_related("pd", "service", "component"))


@staff_required
@require_POST
def problem_open(request: HttpRequest) -> HttpResponse:
    kind, days = request.POST.get("kind"), int(request.POST.get("days") or 30)
    object_id = request.POST.get("object_id", "")
    since = timezone.now() - timedelta(days=max(1, min(days, 366)))
    complaints = visible_tickets(request.user).filter(kind="complaint", reported_at__gte=since)
    if kind == "service" and object_id.isdigit():
        complaints, target = complaints.filter(service_id=object_id), {"service_id": int(object_id)}
    elif kind == "component" and object_id.isdigit():
        complaints, target = complaints.filter(components__id=object_id).distinct(), {"component_id": int(object_id)}
    else:
        raise Http404
    complaints = list(complaints.select_related("pemda", "pd", "service"))
    if not complaints:
        raise Http404
    subject = complaints[0].service.name if kind == "service" else request.POST.get("label", "")
    title = _("Gangguan berulang: %(what)s") % {"what": subject}
    problem = problems.open_problem(request.user, title=title, complaints=complaints,
                                    service=complaints[0].service if kind == "service" else None,
                                    component=None)  # fmt: skip
    if kind == "component":
        problem.component_id = target["component_id"]
        problem.save(update_fields=["component"])
    messages.success(request, _("Masalah dibuka dengan %(n)d aduan terkait.") % {"n": len(complaints)})
    return redirect("desk:problem", pk=problem.pk)


@staff_required
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_object_or_404(_visible_problems(request.user), pk=pk)
    before = snapshot(problem, problems.PROBLEM_FIELDS)
    form = ProblemForm(request.POST or None, instance=problem)
    if request.method == "POST" and form.is_valid():
        problems.update_problem(request.user, form.save(commit=False), before)
        messages.success(request, _("Perubahan disimpan; penyedia layanan diberi tahu bila status berubah."))
        return redirect("desk:problem", pk=problem.pk)
    context = {"problem": problem, "form": form, "complaints": problem.complaints.select_related("service")}
    return render(request, "desk/problem.html", context, status=400 if form.errors else 200)


# --- Saved views and bulk assignment (issue 5, item 9) -----------------------------------


@staff_required
@require_POST
def save_view(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("name", "").strip()[:80]
    querystring = request.POST.get("querystring", "")[:500]
    if not name:
        messages.error(request, _("Beri nama tampilan."))
    elif SavedView.objects.filter(user=request.user, name=name).exists():
        messages.error(request, _("Anda sudah punya tampilan dengan nama ini."))
    else:
        SavedView.objects.create(user=request.user, name=name, querystring=querystring)
        messages.success(request, _("Tampilan %(name)s disimpan.") % {"name": name})
    return redirect(f"{reverse('desk:queue')}?{querystring}")


@staff_required
@require_POST
def delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(SavedView, pk=pk, user=request.user).delete()
    return redirect("desk:queue")


def assignable_admins(user):
    return User.objects.filter(
        is_active=True, role_assignments__role=Role.ADMIN_LAYANAN, role_assignments__pd__in=access.visible_pds(user)
    ).distinct()


@staff_required
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    admin = assignable_admins(request.user).filter(pk=request.POST.get("assignee") or 0).first()
    ids = [value for value in request.POST.getlist("ticket") if value.isdigit()]
    tickets = list(visible_tickets(request.user).filter(pk__in=ids))
    if admin is None or not tickets:
        messages.error(request, _("Pilih tiket dan petugas yang dituju."))
    else:
        done = actions.assign(request.user, tickets, admin)
        skipped = len(tickets) - done
        messages.success(request, _("%(n)d tiket ditugaskan kepada %(name)s.") % {"n": done, "name": admin.full_name})
        if skipped:
            messages.warning(request, _("%(n)d tiket dilewati: petugas itu tidak bertugas di PD tiket tersebut, "
                                        "atau sudah ditugaskan.") % {"n": skipped})  # fmt: skip
    return redirect(f"{reverse('desk:queue')}?{request.POST.get('querystring', '')}")


@staff_required
def attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """A reporter's screenshot, only for staff who may see the ticket."""
    ticket = _ticket(request, pk)
    item = get_object_or_404(TicketAttachment, pk=attachment_pk, ticket=ticket)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=str(item))


# --- SLA documents (E-3) ----------------------------------------------------------------


def _visible_sla(user):
    return access.filter_by_pd(user, SlaDocument.objects.select_related("pd").prefetch_related("services"))


@staff_required
def sla_list(request: HttpRequest) -> HttpResponse:
    documents = _visible_sla(request.user)
    return render(request, "desk/sla_list.html", {"documents": documents, "today": timezone.localdate()})


@staff_required
def sla_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    document = get_object_or_404(_visible_sla(request.user), pk=pk) if pk else None
    pemda = document.pemda if document else _home_pemda(request.user)
    pack = pemda.policy_version.pack if pemda and pemda.policy_version_id else None
    form = SlaDocumentForm(request.POST or None, instance=document, actor=request.user, pack=pack)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            record(actor=request.user, action=AuditAction.UPDATE if document else AuditAction.CREATE, target=saved,
                   pemda=saved.pemda)  # fmt: skip
        messages.success(request, _("Dokumen SLA disimpan."))
        return redirect("desk:sla_list")
    title = _("Ubah dokumen SLA") if document else _("Dokumen SLA baru")
    return form_page(request, form, title, reverse("desk:sla_list"))


def _home_pemda(user):
    pemdas = access.visible_pemdas(user).select_related("policy_version")
    return pemdas.filter(pk=user.pemda_id).first() or pemdas.first()
