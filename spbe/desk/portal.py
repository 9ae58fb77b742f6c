"""The portal for citizens and civil servants (issue 5, item 8): pick a
service, report a complaint or make a request (signed in, or verified by
e-mail), attach a screenshot, follow the ticket, reply, confirm and rate.

A reporter reaches a ticket either signed in as its reporter or through the
signed link in the e-mails (no account needed)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from spbe.approvals.validators import validate_attachment
from spbe.catalog.choices import Lifecycle
from spbe.catalog.models import Service
from spbe.desk import actions
from spbe.desk.actions import Reporter
from spbe.desk.choices import ReportingMethod, TicketKind, TicketStatus, TimelineKind
from spbe.desk.models import PendingReport, Ticket
from spbe.desk.notifications import TICKET_LINK_SALT as _SALT
from spbe.desk.notifications import ticket_link
from spbe.front import ratelimit
from spbe.front.forms import StyledFormMixin
from spbe.notify.outbox import enqueue
from spbe.org.models import Pemda

VERIFY_HOURS = 24


class ReportForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Apa yang ingin Anda sampaikan?"),
        choices=[(TicketKind.COMPLAINT, gettext_lazy("Ada gangguan (aduan)")),
                 (TicketKind.REQUEST, gettext_lazy("Saya butuh layanan (permintaan)"))],
        widget=forms.RadioSelect,
    )  # fmt: skip
    total_failure = forms.ChoiceField(
        label=gettext_lazy("Apakah layanan sama sekali tidak bisa diakses?"), required=False,
        choices=[("yes", gettext_lazy("Ya, sama sekali tidak bisa")),
                 ("no", gettext_lazy("Tidak, hanya lambat atau sebagian"))],
        widget=forms.RadioSelect, help_text=gettext_lazy("Untuk aduan. Ini menentukan prioritas penanganan."),
    )  # fmt: skip
    subject = forms.CharField(label=gettext_lazy("Judul singkat"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Ceritakan yang terjadi"), widget=forms.Textarea(attrs={"rows": 4})
    )
    screenshot = forms.FileField(
        label=gettext_lazy("Tangkapan layar (opsional)"), required=False, validators=[validate_attachment],
        help_text=gettext_lazy("PNG, JPG, atau PDF; maksimal 10 MB."),
    )  # fmt: skip
    name = forms.CharField(label=gettext_lazy("Nama Anda"), max_length=150)
    email = forms.EmailField(
        label=gettext_lazy("E-mail"), help_text=gettext_lazy("Tautan untuk memantau laporan dikirim ke sini.")
    )
    phone = forms.CharField(label=gettext_lazy("Telepon (opsional)"), required=False, max_length=30)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == TicketKind.COMPLAINT and not data.get("total_failure"):
            self.add_error("total_failure", _("Pilih salah satu agar prioritasnya tepat."))
        return data


def _active_service(slug: str, pk: int) -> Service:
    return get_object_or_404(
        Service.objects.select_related("pd__pemda__policy_version"), pk=pk, pd__pemda__slug=slug,
        lifecycle=Lifecycle.ACTIVE,
    )  # fmt: skip


def home(request: HttpRequest, slug: str) -> HttpResponse:
    pemda = get_object_or_404(Pemda, slug=slug)
    services = Service.objects.filter(pd__pemda=pemda, lifecycle=Lifecycle.ACTIVE).select_related("pd")
    return render(request, "desk/portal/home.html", {"pemda": pemda, "services": services.order_by("name")})


def report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    service = _active_service(slug, pk)
    user = request.user if request.user.is_authenticated else None
    initial = {"name": user.full_name, "email": user.email, "phone": user.phone} if user else {}
    form = ReportForm(request.POST or None, request.FILES or None, initial={"kind": TicketKind.COMPLAINT, **initial})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        email = "" if user is not None else data["email"]  # only a stranger's report sends a verification e-mail
        wait = ratelimit.retry_after(request, "portal-report", ratelimit.PORTAL_REPORT_PER_IP, email,
                                     ratelimit.PORTAL_REPORT_PER_EMAIL)  # fmt: skip
        if wait:
            form.add_error(None, ratelimit.refusal(wait))
            response = render(request, "desk/portal/report.html", {"form": form, "service": service}, status=429)
            response["Retry-After"] = str(wait)
            return response
        if user is not None:
            ticket = _open(service, data, user)
            messages.success(request, _("Laporan Anda tercatat dengan nomor %(number)s.") % {"number": ticket.number})
            return redirect("portal:ticket", number=ticket.number)
        _pending(service, data)
        return render(request, "desk/portal/check_email.html", {"email": data["email"], "service": service})
    return render(request, "desk/portal/report.html", {"form": form, "service": service},
                  status=400 if form.errors else 200)  # fmt: skip


def _open(service: Service, data: dict, user=None, screenshot=None) -> Ticket:
    kind = data["kind"]
    upload = screenshot or data.get("screenshot")
    return actions.open_ticket(
        actor=user, service=service, kind=kind, reporter=Reporter(data["name"], data["email"], data["phone"], user),
        subject=data["subject"], description=data["description"], reporting_method=ReportingMethod.PORTAL,
        impact=("mayor" if data.get("total_failure") == "yes" else "minor") if kind == TicketKind.COMPLAINT else "",
        attachments=[upload] if upload else [],
    )  # fmt: skip


def _pending(service: Service, data: dict) -> PendingReport:
    fields = {k: v for k, v in data.items() if k != "screenshot"}
    pending = PendingReport.objects.create(
        service=service, token=secrets.token_urlsafe(32), email=data["email"], data=fields,
        screenshot=data.get("screenshot") or "",
    )  # fmt: skip
    link = f"{settings.SITE_URL}{reverse('portal:verify', args=[pending.token])}"
    enqueue(
        key=f"portal-verify-{pending.pk}", to=[pending.email], pemda=service.pd.pemda,
        subject=_("Konfirmasi laporan Anda ke %(pd)s") % {"pd": service.pd.name},
        body=_("Buka tautan ini dalam %(hours)d jam untuk mengirim laporan Anda:\n%(link)s\n\nAbaikan bila Anda tidak "
               "merasa membuat laporan.") % {"hours": VERIFY_HOURS, "link": link},
    )  # fmt: skip
    return pending


def verify(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the verification e-mail: opens the ticket, once."""
    wait = ratelimit.retry_after(request, "portal-verify", ratelimit.PORTAL_VERIFY_PER_IP)
    if wait:
        return _notice(request, _("Terlalu banyak permintaan"), ratelimit.refusal(wait), 429)
    with transaction.atomic():
        pending = PendingReport.objects.select_for_update().filter(token=token).select_related("service").first()
        if pending is None:
            return _notice(request, _("Tautan tidak dikenal"), _("Periksa kembali tautan di e-mail Anda."), 404)
        if pending.used_at is not None:
            text = _("Laporan ini sudah terkirim sebelumnya. Pantau melalui tautan di e-mail kedua kami.")
            return _notice(request, _("Tautan sudah dipakai"), text, 400)
        if timezone.now() - pending.created > timedelta(hours=VERIFY_HOURS):
            text = _("Tautan berlaku %(hours)d jam. Silakan kirim laporan lagi.") % {"hours": VERIFY_HOURS}
            return _notice(request, _("Tautan kedaluwarsa"), text, 410)
        try:
            ticket = _open(pending.service, pending.data, screenshot=pending.screenshot or None)
        except ValidationError as error:
            return _notice(request, _("Laporan tidak dapat dikirim"), " ".join(error.messages), 400)
        pending.used_at, pending.ticket = timezone.now(), ticket
        pending.save(update_fields=["used_at", "ticket"])
    messages.success(
        request, _("Terima kasih. Laporan Anda tercatat dengan nomor %(number)s.") % {"number": ticket.number}
    )
    return redirect(ticket_link(ticket).removeprefix(settings.SITE_URL))


def _notice(request: HttpRequest, title: str, text: str, status: int) -> HttpResponse:
    return render(request, "desk/portal/notice.html", {"title": title, "text": text}, status=status)


def _reporter_ticket(request: HttpRequest, number: str) -> tuple[Ticket, str]:
    """The ticket if the visitor is its reporter (signed in) or holds its link."""
    ticket = get_object_or_404(Ticket.objects.select_related("service", "pd__pemda"), number=number)
    token = request.GET.get("t") or request.POST.get("t") or ""
    if request.user.is_authenticated and ticket.reporter_id == request.user.pk:
        return ticket, token
    try:
        if signing.loads(token, salt=_SALT) == number:
            return ticket, token
    except signing.BadSignature:
        pass
    raise Http404


class FollowUpForm(StyledFormMixin, forms.Form):
    message = forms.CharField(label=gettext_lazy("Pesan Anda"), widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmForm(StyledFormMixin, forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=gettext_lazy("Seberapa puas Anda?"), coerce=int, widget=forms.RadioSelect,
        choices=[(5, "5 — sangat puas"), (4, "4"), (3, "3"), (2, "2"), (1, "1 — sangat tidak puas")],
    )  # fmt: skip
    suggestion = forms.CharField(label=gettext_lazy("Saran (opsional)"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip


def ticket_page(request: HttpRequest, number: str) -> HttpResponse:
    ticket, token = _reporter_ticket(request, number)
    timezone.activate(ticket.pd.pemda.time_zone)  # the reporter may have no account: show the service's zone
    context = {
        "ticket": ticket, "token": token,
        "timeline": ticket.timeline.filter(public=True).select_related("actor"),
        "follow_up": FollowUpForm(), "confirm_form": ConfirmForm(),
    }  # fmt: skip
    return render(request, "desk/portal/ticket.html", context)


@require_POST
def ticket_act(request: HttpRequest, number: str, verb: str) -> HttpResponse:
    ticket, token = _reporter_ticket(request, number)
    actor = request.user if request.user.is_authenticated else None
    try:
        if verb == "balas":
            form = FollowUpForm(request.POST)
            if form.is_valid():
                message = form.cleaned_data["message"]
                if ticket.status == TicketStatus.WAITING_REPORTER:
                    actions.reporter_replied(actor, ticket, message)
                else:
                    actions.note(ticket, TimelineKind.REPLIED, actor, message)
        elif verb == "konfirmasi":
            form = ConfirmForm(request.POST)
            if form.is_valid():
                actions.confirm(actor, ticket, form.cleaned_data["satisfaction"], form.cleaned_data["suggestion"])
        elif verb == "buka-lagi":
            form = FollowUpForm(request.POST)
            if form.is_valid():
                actions.reopen(actor, ticket, form.cleaned_data["message"])
        else:
            raise Http404
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if form.is_valid():
            messages.success(request, _("Terima kasih, sudah kami catat."))
        else:
            messages.error(request, _("Lengkapi isian terlebih dahulu."))
    return redirect(f"{reverse('portal:ticket', args=[ticket.number])}?t={token}")


@login_required
def my_tickets(request: HttpRequest) -> HttpResponse:
    tickets = Ticket.objects.filter(reporter=request.user).select_related("service").order_by("-reported_at")[:100]
    return render(request, "desk/portal/mine.html", {"tickets": tickets})
