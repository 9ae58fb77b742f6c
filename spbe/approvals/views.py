"""Generic pages of the approval mechanism: the inbox, the decisions and the
attachments of any approvable record."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from spbe.approvals import actions
from spbe.approvals.models import Approvable, Attachment
from spbe.catalog.forms import AttachmentForm
from spbe.org.views import staff_required

DECISIONS = {
    "ajukan": (actions.submit, _("Diajukan untuk persetujuan.")),
    "setujui": (actions.approve, _("Disetujui.")),
    "tolak": (actions.reject, _("Ditolak; penyusun dapat memperbaiki dan mengajukan lagi.")),
    "revisi": (actions.revise, _("Revisi baru dibuka; ubah lalu ajukan lagi.")),
}


def get_record(request: HttpRequest, type_id: int, pk: int) -> Approvable:
    try:
        model = ContentType.objects.get_for_id(type_id).model_class()
    except ContentType.DoesNotExist:
        raise Http404 from None
    if model is None or not issubclass(model, Approvable) or model.decided_on_own_page:
        raise Http404
    record = get_object_or_404(model, pk=pk)
    if not actions.can_view(request.user, record):
        raise Http404
    return record


def panel(request: HttpRequest, record: Approvable) -> dict:
    """What the approval box on a record's page shows and offers."""
    content_type = ContentType.objects.get_for_model(record)
    return {
        "record": record,
        "type_id": content_type.pk,
        "can_edit": actions.can_edit(request.user, record),
        "approver_role": actions.approver_role_for(request.user, record),
        "decisions": list(actions.history(record)),
        "attachments": Attachment.objects.filter(content_type=content_type, object_id=record.pk),
        "attachment_form": AttachmentForm(),
    }


@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Everything waiting for this person's decision."""
    return render(request, "approvals/inbox.html", {"records": actions.awaiting(request.user)})


@login_required
@require_POST
def decide(request: HttpRequest, type_id: int, pk: int, verb: str) -> HttpResponse:
    if verb not in DECISIONS:
        raise Http404
    record = get_record(request, type_id, pk)
    action, done = DECISIONS[verb]
    comment = request.POST.get("comment", "")
    try:
        if verb in ("setujui", "tolak"):
            action(request.user, record, comment)
        else:
            action(request.user, record)
    except PermissionDenied:
        messages.error(request, _("Anda tidak berhak mengambil keputusan ini atas dokumen ini."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect(record.get_absolute_url())


@login_required
@require_POST
def attach(request: HttpRequest, type_id: int, pk: int) -> HttpResponse:
    record = get_record(request, type_id, pk)
    if not actions.can_edit(request.user, record):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        attachment = Attachment(
            content_type=ContentType.objects.get_for_model(record), object_id=record.pk, file=upload,
            title=form.cleaned_data["title"], size=upload.size, uploaded_by=request.user,
        )  # fmt: skip
        try:
            attachment.full_clean()
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            with transaction.atomic():
                attachment.save()
            messages.success(request, _("Lampiran %(title)s diunggah.") % {"title": attachment.title})
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(record.get_absolute_url())


@login_required
def download(request: HttpRequest, attachment_pk: int) -> FileResponse:
    """Attachments are served through this check, never as public media."""
    attachment = get_object_or_404(Attachment, pk=attachment_pk)
    record = attachment.record
    if record is None or not actions.can_view(request.user, record):
        raise Http404
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.file.name.rsplit("/", 1)[-1]
    )
