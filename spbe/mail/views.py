"""Pages of the e-mail channel (issue 15): mailboxes, their mails, triage.
Thin: parse, ask ``rules``, call ``actions``, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from spbe.desk.views import visible_tickets
from spbe.front.listing import build_listing, render_listing, wants_export, xlsx_response
from spbe.front.pages import add_action_errors
from spbe.mail import actions, rules
from spbe.mail.choices import InboundStatus
from spbe.mail.forms import DismissForm, InboundFilterForm, MailboxFilterForm, MailboxForm, RouteFormSet, TriageForm
from spbe.mail.models import InboundAttachment, InboundMail, Mailbox
from spbe.org.views import staff_required

INBOUND_SEARCH = ["subject", "sender", "sender_name", "body", "ticket__number"]
INBOUND_SORTS = {"received": "received_at", "sender": "sender", "subject": "subject", "status": "status"}


def visible_mailboxes(user):
    return rules.visible(user, Mailbox.objects.select_related("pemda", "pd", "default_service"))


def visible_mails(user):
    return rules.visible(user, InboundMail.objects.select_related("mailbox", "ticket", "service"), "mailbox__")


def _mailbox_or_404(request: HttpRequest, pk: int) -> Mailbox:
    return get_object_or_404(visible_mailboxes(request.user), pk=pk)


@staff_required
def mailbox_list(request: HttpRequest) -> HttpResponse:
    mailboxes = visible_mailboxes(request.user)
    filters = MailboxFilterForm(request.GET or None, mailboxes=mailboxes)
    qs = mailboxes
    if filters.is_valid():
        data = filters.cleaned_data
        if data["pemda"]:
            qs = qs.filter(pemda=data["pemda"])
        if data["pd"]:
            qs = qs.filter(pd=data["pd"])
        if data["active"]:
            qs = qs.filter(is_active=data["active"] == "1")
    qs, listing = build_listing(
        request, qs, search_fields=["name", "address", "code", "host", "pd__name", "pd__abbreviation"],
        sorts={"name": "name", "address": "address", "pd": "pd__name", "polled": "last_polled_at"},
        default_sort="name",
    )  # fmt: skip
    if wants_export(request):
        headers = [_("Pemda"), _("PD"), _("Nama"), _("Alamat"), _("Server"), _("Port"), _("Keamanan"),
                   _("Layanan bawaan"), _("Aktif"), _("Terakhir diperiksa"), _("Galat terakhir")]  # fmt: skip
        rows = ([m.pemda.name, m.pd.name if m.pd else "", m.name, m.address, m.host, m.port, m.get_security_display(),
                 str(m.default_service or ""), m.is_active, m.last_polled_at, m.last_error] for m in qs)  # fmt: skip
        return xlsx_response("kotak-surel", headers, rows, title=_("Kotak surel"))
    triage = visible_mails(request.user).filter(status=InboundStatus.TRIAGE).count()
    context = {"listing": listing, "filters": filters, "can_create": rules.can_create(request.user),
               "triage_count": triage}  # fmt: skip
    return render_listing(request, "mail/mailbox_list.html", "mail/_mailbox_results.html", context)


def _routes_initial(mailbox: Mailbox | None) -> list[dict]:
    if mailbox is None:
        return []
    return [{"address": r.address, "service": r.service_id} for r in mailbox.routes.all()]


def _save_mailbox_from(request: HttpRequest, mailbox: Mailbox | None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = MailboxForm(data, instance=mailbox, actor=request.user)
    services = form.fields["default_service"].queryset
    routes = RouteFormSet(data, prefix="rute", initial=_routes_initial(mailbox), form_kwargs={"services": services})
    status = 200
    if data is not None:
        if form.is_valid() and routes.is_valid():
            pairs = [(row["address"], row["service"]) for row in routes.cleaned_data if row.get("address")]
            try:
                saved = actions.save_mailbox(request.user, form.save(commit=False), pairs)
            except PermissionDenied:
                form.add_error("pd", _("Anda tidak berwenang mengelola kotak surel PD ini."))
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("Kotak surel disimpan. Isi sandinya di server sebagai %(var)s, lalu uji "
                                            "koneksi.") % {"var": saved.password_variable})  # fmt: skip
                return redirect(saved)
        status = 400
    context = {"form": form, "routes": routes, "mailbox": mailbox,
               "cancel_url": mailbox.get_absolute_url() if mailbox else reverse("mail:mailbox_list")}  # fmt: skip
    return render(request, "mail/mailbox_form.html", context, status=status)


@staff_required
def mailbox_create(request: HttpRequest) -> HttpResponse:
    if not rules.can_create(request.user):
        raise PermissionDenied
    return _save_mailbox_from(request, None)


@staff_required
def mailbox_edit(request: HttpRequest, pk: int) -> HttpResponse:
    mailbox = _mailbox_or_404(request, pk)
    if not rules.can_manage(request.user, mailbox):  # the help desk reads and triages, the managers set it up
        raise PermissionDenied
    return _save_mailbox_from(request, mailbox)


def _inbound_listing(request: HttpRequest, qs):
    filters = InboundFilterForm(request.GET or None)
    if filters.is_valid() and filters.cleaned_data["status"]:
        qs = qs.filter(status=filters.cleaned_data["status"])
    qs, listing = build_listing(request, qs, search_fields=INBOUND_SEARCH, sorts=INBOUND_SORTS,
                                default_sort="-received")  # fmt: skip
    return qs, listing, filters


def _inbound_export(qs) -> HttpResponse:
    headers = [_("Kotak surel"), _("Diterima"), _("Pengirim"), _("Subjek"), _("Status"), _("Alasan"), _("Tiket"),
               _("Layanan"), _("Catatan")]  # fmt: skip
    rows = ([m.mailbox.address, m.received_at, m.sender, m.subject, m.get_status_display(), m.get_reason_display(),
             m.ticket.number if m.ticket else "", str(m.service or ""), m.note] for m in qs)  # fmt: skip
    return xlsx_response("surel-masuk", headers, rows, title=_("Surel masuk"))


@staff_required
def mailbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mailbox = _mailbox_or_404(request, pk)
    qs, listing, filters = _inbound_listing(request, visible_mails(request.user).filter(mailbox=mailbox))
    if wants_export(request):
        return _inbound_export(qs)
    context = {
        "mailbox": mailbox, "listing": listing, "filters": filters, "routes": mailbox.routes.all(),
        "password_set": bool(mailbox.password()), "can_manage": rules.can_manage(request.user, mailbox),
    }  # fmt: skip
    return render_listing(request, "mail/mailbox_detail.html", "mail/_inbound_results.html", context)


@staff_required
@require_POST
def mailbox_test(request: HttpRequest, pk: int) -> HttpResponse:
    mailbox = _mailbox_or_404(request, pk)
    ok, message = actions.check_connection(mailbox)
    (messages.success if ok else messages.error)(request, message)
    return redirect(mailbox)


@staff_required
@require_POST
def mailbox_poll(request: HttpRequest, pk: int) -> HttpResponse:
    """Read the mailbox now instead of waiting for the next minute."""
    mailbox = _mailbox_or_404(request, pk)
    result = actions.poll_mailbox(mailbox)
    if result.busy:
        messages.info(request, _("Kotak surel ini sedang dibaca oleh pekerja lain; coba lagi sebentar."))
    elif result.error:
        messages.error(request, result.error)
    else:
        messages.success(request, _("%(n)d surel baru dibaca.") % {"n": result.read - result.skipped})
    return redirect(mailbox)


@staff_required
def triage(request: HttpRequest) -> HttpResponse:
    base = visible_mails(request.user).filter(status=InboundStatus.TRIAGE)
    qs, listing = build_listing(request, base, search_fields=INBOUND_SEARCH, sorts=INBOUND_SORTS,
                                default_sort="received")  # fmt: skip
    if wants_export(request):
        return _inbound_export(qs)
    context = {"listing": listing, "show_mailbox": True, "triage": True}
    return render_listing(request, "mail/triage.html", "mail/_inbound_results.html", context)


def _mail_or_404(request: HttpRequest, pk: int) -> InboundMail:
    return get_object_or_404(visible_mails(request.user), pk=pk)


def _mail_page(request, mail, triage_form=None, dismiss_form=None, status=200) -> HttpResponse:
    waiting = mail.status == InboundStatus.TRIAGE
    context = {
        "mail": mail, "attachments": mail.attachments.all(), "waiting": waiting,
        "triage_form": triage_form or (TriageForm(mailbox=mail.mailbox) if waiting else None),
        "dismiss_form": dismiss_form or (DismissForm() if waiting else None),
    }  # fmt: skip
    return render(request, "mail/inbound_detail.html", context, status=status)


@staff_required
def inbound_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _mail_page(request, _mail_or_404(request, pk))


@staff_required
@require_POST
def inbound_open(request: HttpRequest, pk: int) -> HttpResponse:
    mail = _mail_or_404(request, pk)
    form = TriageForm(request.POST, mailbox=mail.mailbox)
    if form.is_valid():
        data = form.cleaned_data
        try:
            ticket = actions.open_from_triage(request.user, mail, data["service"], data["kind"], data["impact"])
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Tiket %(number)s dibuka dari surel ini.") % {"number": ticket.number})
            if not visible_tickets(request.user).filter(pk=ticket.pk).exists():  # the help desk sent it to a PD
                return redirect("mail:triage")
            return redirect("desk:detail", pk=ticket.pk)
    return _mail_page(request, mail, triage_form=form, status=400)


@staff_required
@require_POST
def inbound_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    mail = _mail_or_404(request, pk)
    form = DismissForm(request.POST)
    if form.is_valid():
        try:
            actions.dismiss(request.user, mail, form.cleaned_data["reason"])
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Surel ditutup tanpa tiket."))
            return redirect("mail:triage")
    return _mail_page(request, mail, dismiss_form=form, status=400)


@staff_required
def attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """A file of a mail waiting for triage; always a download, never shown inline."""
    mail = _mail_or_404(request, pk)
    item = get_object_or_404(InboundAttachment, pk=attachment_pk, mail=mail)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)
