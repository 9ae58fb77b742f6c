"""Catalog pages (P-4, P-5): the internal catalog, a service's page, the
public catalog of a Pemda, and the planning records P-6 … P-11."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from spbe.approvals import actions as approval_actions
from spbe.approvals.views import panel
from spbe.audit.models import AuditAction
from spbe.audit.record import record
from spbe.catalog import actions as catalog_actions
from spbe.catalog import io as catalog_io
from spbe.catalog.choices import Lifecycle
from spbe.catalog.forms import (
    AppManagementTargetForm,
    AppNeedsAnalysisForm,
    InfraPolicyForm,
    OperatingTargetForm,
    ServiceFilterForm,
    ServiceForm,
    ServiceNeedsForm,
)
from spbe.catalog.models import InfraPolicy, OperatingTarget, Service, ServiceNeeds
from spbe.cmdb.choices import PRINCIPLES
from spbe.cmdb.models import AppManagementTarget, AppNeedsAnalysis, ServiceApplication
from spbe.continuity.queries import service_continuity
from spbe.front.listing import build_listing, render_listing, wants_export
from spbe.front.pages import form_page
from spbe.org import access
from spbe.org.choices import Role
from spbe.org.models import Pemda
from spbe.org.views import staff_required


def visible_services(user):
    return access.filter_by_pd(user, Service.objects.select_related("pd", "pd__pemda"))


# --- Services -----------------------------------------------------------------------


@staff_required
def service_list(request: HttpRequest) -> HttpResponse:
    filters = ServiceFilterForm(request.GET or None, actor=request.user)
    qs = visible_services(request.user)
    if filters.is_valid():
        for name in ("pd", "group", "classification", "lifecycle"):
            if filters.cleaned_data[name]:
                qs = qs.filter(**{name: filters.cleaned_data[name]})
    qs, listing = build_listing(
        request, qs, search_fields=["name", "code", "description", "pd__name", "pd__abbreviation"],
        sorts={"name": "name", "code": "code", "pd": "pd__name", "classification": "classification",
               "lifecycle": "lifecycle", "updated": "last_updated"},
        default_sort="name",
    )  # fmt: skip
    export = request.GET.get("export")
    if wants_export(request):
        return catalog_io.catalog_xlsx(qs, request.user)
    if export == "pdf":
        return catalog_io.catalog_pdf(qs, _("Katalog Layanan SPBE"))
    context = {"listing": listing, "filters": filters, "can_create": access.workable_pds(request.user).exists()}
    return render_listing(request, "catalog/service_list.html", "catalog/_service_results.html", context)


def _service_or_404(request: HttpRequest, pk: int) -> Service:
    return get_object_or_404(visible_services(request.user), pk=pk)


@staff_required
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    service = _service_or_404(request, pk)
    apps = ServiceApplication.objects.filter(service=service).select_related("application", "application__pd")
    context = {
        "service": service,
        "pack_target": service.pack_target(),
        "applications": [link.application for link in apps],
        "needs": service.needs.all(),
        "continuity": service_continuity(service),
        **panel(request, service),
    }
    return render(request, "catalog/service_detail.html", context)


@staff_required
def service_create(request: HttpRequest) -> HttpResponse:
    form = ServiceForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        service = catalog_actions.save_service(request.user, form)
        messages.success(request, _("Layanan %(name)s disimpan sebagai draf.") % {"name": service.name})
        return redirect(service)
    return form_page(request, form, _("Tambah layanan"), reverse("catalog:service_list"))


@staff_required
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    service = _service_or_404(request, pk)
    if not approval_actions.can_edit(request.user, service):
        messages.error(request, _("Layanan yang sudah diajukan atau disetujui diubah melalui revisi baru."))
        return redirect(service)
    form = ServiceForm(request.POST or None, instance=service, actor=request.user)
    if request.method == "POST" and form.is_valid():
        catalog_actions.save_service(request.user, form)
        messages.success(request, _("Perubahan disimpan."))
        return redirect(service)
    title = _("Ubah %(name)s") % {"name": service.name}
    return form_page(request, form, title, service.get_absolute_url())


@staff_required
@require_POST
def service_retire(request: HttpRequest, pk: int) -> HttpResponse:
    """Retiring a service is the PJ Penyedia Layanan's decision (S-1)."""
    service = catalog_actions.retire_service(request.user, _service_or_404(request, pk))
    messages.success(request, _("Layanan dihentikan dan tidak lagi tampil di katalog publik."))
    return redirect(service)


# --- Public catalog ----------------------------------------------------------------------


@cache_control(public=True, max_age=300)
def public_catalog(request: HttpRequest, slug: str) -> HttpResponse:
    """P-4: what each active service is, how to reach it, help contact and
    hours, targets and current availability. No log-in (Tegal publishes its
    catalog on a public link)."""
    pemda = get_object_or_404(Pemda.objects.select_related("policy_version"), slug=slug)
    services = Service.objects.filter(pd__pemda=pemda, lifecycle=Lifecycle.ACTIVE).select_related("pd")
    query = request.GET.get("q", "").strip()
    if query:
        from spbe.front.listing import search

        services = search(services, query, ["name", "description", "pd__name"])
    services = list(services.order_by("pd__name", "name"))
    for service in services:
        service.pd.pemda = pemda  # spare a query per row in user_service_target
    return render(request, "catalog/public.html", {"pemda": pemda, "services": services, "query": query})


# --- Planning records P-6 … P-11 ---------------------------------------------------------

PLANNING = {
    "kebutuhan-layanan": (ServiceNeeds, ServiceNeedsForm, gettext_lazy("Daftar kebutuhan layanan")),
    "kebijakan-infrastruktur": (InfraPolicy, InfraPolicyForm, gettext_lazy("Kebijakan dan rencana infrastruktur")),
    "target-pengoperasian": (OperatingTarget, OperatingTargetForm, gettext_lazy("Target pengoperasian layanan")),
    "target-pengelolaan-aplikasi": (
        AppManagementTarget,
        AppManagementTargetForm,
        gettext_lazy("Target pengelolaan aplikasi"),
    ),
    "analisis-kebutuhan-aplikasi": (
        AppNeedsAnalysis,
        AppNeedsAnalysisForm,
        gettext_lazy("Analisis kebutuhan aplikasi"),
    ),
}


def _planning(kind: str):
    if kind not in PLANNING:
        raise Http404
    return PLANNING[kind]


def visible_records(user, model):
    return access.filter_by_pd(user, model.objects.all(), pd_field=model.pd_path)


@staff_required
def planning_list(request: HttpRequest, kind: str) -> HttpResponse:
    model, _form, title = _planning(kind)
    qs = visible_records(request.user, model)
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    qs, listing = build_listing(
        request, qs, search_fields=[], sorts={"updated": "last_updated"}, default_sort="-updated"
    )
    context = {"listing": listing, "kind": kind, "title": title, "model": model, "status": status,
               "inbox": approval_actions.awaiting(request.user)}  # fmt: skip
    return render(request, "catalog/planning_list.html", context)


@staff_required
def planning_create(request: HttpRequest, kind: str) -> HttpResponse:
    _model, form_class, title = _planning(kind)
    form = form_class(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            obj = form.save(commit=False)
            obj.drafted_by = request.user
            obj.save()
            record(actor=request.user, action=AuditAction.CREATE, target=obj, pemda=obj.owner_pd().pemda)
        messages.success(request, _("Draf disimpan. Ajukan untuk persetujuan bila sudah lengkap."))
        return redirect(obj)
    return form_page(request, form, title, reverse("catalog:planning_list", args=[kind]))


def _planning_record(request: HttpRequest, kind: str, pk: int):
    model, form_class, title = _planning(kind)
    obj = get_object_or_404(model, pk=pk)
    if not approval_actions.can_view(request.user, obj):
        raise Http404
    return obj, form_class, title


@staff_required
def planning_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    obj, form_class, title = _planning_record(request, kind, pk)
    fields = [(form_class.base_fields[n].label, _display(obj, n)) for n in form_class.Meta.fields]
    labels = dict(PRINCIPLES)
    for key, value in getattr(obj, "principles", {}).items():
        fields.append((_("Prinsip %(name)s") % {"name": labels.get(key, key)}, value))
    can_confirm = (
        isinstance(obj, ServiceNeeds) and obj.is_editable and obj.technology_confirmed_by_id is None
        and access.has_role(request.user, Role.ADMIN_INFRA)
    )  # fmt: skip
    context = {"obj": obj, "kind": kind, "title": title, "fields": fields, "can_confirm": can_confirm,
               **panel(request, obj)}  # fmt: skip
    return render(request, "catalog/planning_detail.html", context)


def _display(obj, name: str):
    getter = getattr(obj, f"get_{name}_display", None)
    return getter() if callable(getter) else getattr(obj, name)


@staff_required
def planning_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    obj, form_class, title = _planning_record(request, kind, pk)
    if not approval_actions.can_edit(request.user, obj):
        messages.error(request, _("Dokumen yang sudah diajukan atau disetujui diubah melalui revisi baru."))
        return redirect(obj)
    form = form_class(request.POST or None, instance=obj, actor=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            record(actor=request.user, action=AuditAction.UPDATE, target=obj, pemda=obj.owner_pd().pemda)
        messages.success(request, _("Perubahan disimpan."))
        return redirect(obj)
    return form_page(request, form, title, obj.get_absolute_url())


@staff_required
@require_POST
def confirm_technology(request: HttpRequest, pk: int) -> HttpResponse:
    """P-6: the Administrator Infrastruktur dan Aplikasi confirms the
    technology and maintenance mechanism."""
    needs = get_object_or_404(ServiceNeeds, pk=pk)
    if not approval_actions.can_view(request.user, needs) or not access.has_role(request.user, Role.ADMIN_INFRA):
        raise Http404
    needs.technology_confirmed_by = request.user
    needs.save(update_fields=["technology_confirmed_by", "last_updated"])
    record(actor=request.user, action=AuditAction.UPDATE, target=needs, pemda=needs.owner_pd().pemda,
           changes={"technology_confirmed_by": [None, request.user.full_name]})  # fmt: skip
    messages.success(request, _("Teknologi dikonfirmasi."))
    return redirect(needs)
