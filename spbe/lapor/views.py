"""Pages of the SP4N-LAPOR! channel (Pedoman C): the LAPOR! tickets with
their two deadlines, the import in two steps (upload → preview → confirm),
the import history, the follow-up export and the template. Thin: parse,
ask ``rules``, call ``actions``, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from spbe.front.listing import build_listing, render_listing
from spbe.front.pages import add_action_errors
from spbe.lapor import actions, export, queries, rules
from spbe.lapor.choices import FileFormat, ImportStatus, RowOutcome
from spbe.lapor.export import clock_state, clocks_of
from spbe.lapor.forms import FilterForm, ImportForm
from spbe.lapor.models import LaporImport
from spbe.org import access
from spbe.org.models import PerangkatDaerah
from spbe.org.views import staff_required


def _pds(user):
    return PerangkatDaerah.objects.filter(pk__in=rules.lapor_tickets(user).values("pd")).order_by("name")


@staff_required
def overview(request: HttpRequest) -> HttpResponse:
    """The LAPOR! tickets the person sees, with the verification and
    follow-up deadlines (due / met / breached); ``?export=xlsx|csv`` gives
    the follow-up file of the filtered tickets, to upload back to LAPOR!."""
    filters = FilterForm(request.GET or None, pds=_pds(request.user))
    qs = rules.lapor_tickets(request.user).select_related("pd", "service")
    if filters.is_valid():
        qs = queries.filtered(qs, filters.cleaned_data)
    qs, listing = build_listing(
        request, qs, search_fields=queries.search,
        sorts={"reported": "reported_at", "number": "number", "tracking": "lapor_tracking_id", "status": "status"},
        default_sort="-reported",
    )  # fmt: skip
    wanted = request.GET.get("export")
    if wanted in FileFormat.values:
        return export.follow_up_file(qs, wanted)
    now = timezone.now()
    page = listing.page
    tickets = list(page.object_list)
    export.prefetch_lapor_clocks(tickets)
    for ticket in tickets:
        clocks = clocks_of(ticket)
        ticket.verification = clocks.get("lapor_verification")
        ticket.follow_up = clocks.get("lapor_follow_up")
        ticket.verification_state = clock_state(ticket.verification, now)
        ticket.follow_up_state = clock_state(ticket.follow_up, now)
    context = {
        "listing": listing, "tickets": tickets, "filters": filters,
        "can_import": rules.importable_pds(request.user).exists(),
    }  # fmt: skip
    return render_listing(request, "lapor/overview.html", "lapor/_results.html", context)


@staff_required
def import_start(request: HttpRequest) -> HttpResponse:
    """Step 1: upload a file exported from LAPOR! and choose the default service."""
    if not rules.importable_pds(request.user).exists():
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            lapor_import = actions.preview_import(request.user, form.cleaned_data["file"], form.cleaned_data["service"])
        except ValidationError as error:
            add_action_errors(form, _file_errors(error))
        else:
            return redirect(lapor_import)
    context = {"form": form, "columns": _guide()}
    return render(request, "lapor/import_form.html", context, status=400 if form.errors else 200)


def _file_errors(error: ValidationError) -> ValidationError:
    """A file-level refusal belongs next to the file field."""
    if hasattr(error, "error_dict"):
        return error
    return ValidationError({"file": error.messages})


def _guide():
    from spbe.lapor.fileformat import COLUMNS

    return [(c.header, c.required, ", ".join(c.aliases), c.help) for c in COLUMNS]


def _import_or_404(request: HttpRequest, pk: int) -> LaporImport:
    return get_object_or_404(rules.visible_imports(request.user), pk=pk)


@staff_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview (before the confirmation) or the outcome of each row."""
    lapor_import = _import_or_404(request, pk)
    rows = lapor_import.rows.select_related("ticket")
    counts = {outcome: 0 for outcome in RowOutcome.values}
    for outcome in rows.values_list("outcome", flat=True):
        counts[outcome] += 1
    context = {
        "item": lapor_import, "rows": rows, "counts": counts,
        "can_import": rules.can_import(request.user, lapor_import.pd),
        "is_preview": lapor_import.status == ImportStatus.PREVIEW,
    }  # fmt: skip
    return render(request, "lapor/import_detail.html", context)


@staff_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    lapor_import = _import_or_404(request, pk)
    try:
        done = actions.confirm_import(request.user, lapor_import)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Impor selesai: %(created)d tiket dibuat, %(skipped)d dilewati, %(errors)d galat.")
                         % {"created": done.created_count, "skipped": done.skipped_count,
                            "errors": done.error_count})  # fmt: skip
    return redirect(lapor_import)


@staff_required
@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    lapor_import = _import_or_404(request, pk)
    try:
        actions.cancel_import(request.user, lapor_import)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Impor dibatalkan; tidak ada tiket yang dibuat."))
    return redirect(lapor_import)


@staff_required
def import_file(request: HttpRequest, pk: int) -> FileResponse:
    """The file as uploaded, for those who may import into its PD (it holds
    reporters' names and contacts)."""
    lapor_import = _import_or_404(request, pk)
    if not rules.can_import(request.user, lapor_import.pd):
        raise PermissionDenied
    try:
        handle = lapor_import.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=lapor_import.original_name)


@staff_required
def import_history(request: HttpRequest) -> HttpResponse:
    qs = rules.visible_imports(request.user)
    qs, listing = build_listing(
        request, qs, search_fields=["original_name", "pd__name", "default_service__name", "uploaded_by__full_name"],
        sorts={"created": "created", "pd": "pd__name", "rows": "total_rows"}, default_sort="-created",
    )  # fmt: skip
    context = {"listing": listing, "can_import": rules.importable_pds(request.user).exists()}
    return render_listing(request, "lapor/import_history.html", "lapor/_history_results.html", context)


@staff_required
def template_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The empty import file with its column headers and an example row."""
    if fmt not in FileFormat.values:
        raise Http404
    if not access.scope_for(request.user).is_staff_member:
        raise PermissionDenied
    return export.template_file(fmt)
