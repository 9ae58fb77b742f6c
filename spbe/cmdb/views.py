"""Pages of the configuration database: applications and what they run on
(O-7), infrastructure components, their dependencies and the impact of a
failure (O-2 item 10). Thin: parse, ask ``access``, change through the
audited functions at the bottom, render.

Who sees what follows ``access``: a PD's staff see its own applications and
components, the Koordinator SPBE every one of its Pemda. A related record
outside the user's sight (a Diskominfo server under a Dukcapil application)
is counted, never named."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, TextField
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from spbe.audit.models import AuditEvent
from spbe.audit.record import snapshot, trail
from spbe.catalog.models import OperatingTarget, Service
from spbe.cmdb import actions
from spbe.cmdb.forms import (
    ApplicationFilterForm,
    ApplicationForm,
    ComponentFilterForm,
    ComponentForm,
    DependencyForm,
    RunsOnForm,
    ServiceLinkForm,
)
from spbe.cmdb.impact import Impact, graph_layout, impact_of
from spbe.cmdb.models import (
    Application,
    AppManagementTarget,
    AppNeedsAnalysis,
    Component,
    ComponentDependency,
    ServiceApplication,
)
from spbe.front.listing import build_listing, render_listing, wants_export, xlsx_response
from spbe.front.pages import form_page
from spbe.org import access
from spbe.org.views import staff_required

# Beyond this many boxes a drawing is no longer read; the lists still are.
GRAPH_LIMIT = 150


def visible_applications(user):
    return access.filter_by_pd(user, Application.objects.select_related("pd", "pd__pemda"), "pd")


def visible_components(user):
    return access.filter_by_pd(user, Component.objects.select_related("pd", "pemda"), "pd")


def _visible_services(user):
    return access.filter_by_pd(user, Service.objects.select_related("pd"), "pd")


def _can_change(user, obj) -> bool:
    return access.workable_pds(user).filter(pk=obj.pd_id).exists()


def _get(request: HttpRequest, queryset, pk: int, *, for_change: bool = False):
    """The record if the user may see it (404 otherwise, hiding that it
    exists); for a change, also a PD the user works in (403)."""
    obj = get_object_or_404(queryset, pk=pk)
    if for_change and not _can_change(request.user, obj):
        raise PermissionDenied
    return obj


def _history(obj) -> list[AuditEvent]:
    return trail(obj)


# --- Applications ---------------------------------------------------------------------


@staff_required
def application_list(request: HttpRequest) -> HttpResponse:
    filters = ApplicationFilterForm(request.GET or None, actor=request.user)
    qs = visible_applications(request.user)
    if filters.is_valid():
        for name in ("pd", "hosting", "sdlc_phase"):
            if filters.cleaned_data[name]:
                qs = qs.filter(**{name: filters.cleaned_data[name]})
    qs, listing = build_listing(
        request, qs, search_fields=["name", "description", "technology", "developer", "url", "pd__name",
                                    "pd__abbreviation"],
        sorts={"name": "name", "pd": "pd__name", "hosting": "hosting", "phase": "sdlc_phase", "version": "version",
               "updated": "last_updated"},
        default_sort="name",
    )  # fmt: skip
    if wants_export(request):
        return xlsx_response("aplikasi", *_application_table(request.user, qs), title=_("Aplikasi"))
    context = {"listing": listing, "filters": filters, "can_create": access.workable_pds(request.user).exists()}
    return render_listing(request, "cmdb/application_list.html", "cmdb/_application_results.html", context)


def _application_table(user, qs) -> tuple[list, object]:
    """Every field, plus what each application runs on and which services
    use it (as far as the user may see them)."""
    headers = [_("Pemda"), _("PD pemilik"), _("Nama aplikasi"), _("Deskripsi"), _("Alamat"), _("Teknologi"),
               _("Hosting"), _("Pengembang / vendor"), _("Fase SDLC"), _("Versi"), _("Berjalan di"),
               _("Dipakai oleh layanan"), _("Terakhir diubah")]  # fmt: skip
    components = access.filter_by_pd(user, Component.objects.order_by("name"), "pd")
    qs = qs.prefetch_related(Prefetch("components", queryset=components, to_attr="visible_components"))
    links = ServiceApplication.objects.filter(
        application__in=qs.values("pk"), service__in=_visible_services(user).values("pk")
    ).select_related("service__pd")
    services = defaultdict(list)
    for link in links.order_by("service__name"):
        services[link.application_id].append(str(link.service))

    def rows():
        for app in qs:
            yield [
                app.pd.pemda.name, app.pd.name, app.name, app.description, app.url, app.technology,
                app.get_hosting_display(), app.developer, app.get_sdlc_phase_display(), app.version,
                "; ".join(c.name for c in app.visible_components), "; ".join(services[app.pk]), app.last_updated,
            ]  # fmt: skip

    return headers, rows()


@staff_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _application_page(request, _get(request, visible_applications(request.user), pk))


def _application_page(request: HttpRequest, app: Application, status: int = 200, **forms) -> HttpResponse:
    user = request.user
    runs_on = list(access.filter_by_pd(user, app.components.select_related("pd"), "pd").order_by("name"))
    linked_ids = set(ServiceApplication.objects.filter(application=app).values_list("service_id", flat=True))
    services = list(_visible_services(user).filter(pk__in=linked_ids).order_by("name"))
    can_change = _can_change(user, app)
    if can_change:
        forms.setdefault("runs_on_form", RunsOnForm(actor=user, application=app))
        forms.setdefault("service_form", ServiceLinkForm(actor=user, application=app, linked_ids=linked_ids))
    planning = [
        ("P-8", _("Target pengoperasian layanan"), OperatingTarget.planning_slug, list(app.operating_targets.all())),
        ("P-10", _("Target pengelolaan aplikasi"), AppManagementTarget.planning_slug,
         list(app.management_targets.all())),
        ("P-11", _("Analisis kebutuhan aplikasi"), AppNeedsAnalysis.planning_slug,
         list(access.filter_by_pd(user, app.needs_analyses.all(), "pd"))),
    ]  # fmt: skip
    context = {
        "app": app,
        "runs_on": runs_on,
        "runs_on_hidden": app.components.count() - len(runs_on),
        "services": services,
        "services_hidden": len(linked_ids) - len(services),
        "planning": planning,
        "can_change": can_change,
        # the audit trail is the coordinator's to read (docs/access.md)
        "history": _history(app) if access.can_manage_org(user, app.pd.pemda) else None,
        **forms,
    }
    return render(request, "cmdb/application_detail.html", context, status=status)


@staff_required
def application_create(request: HttpRequest) -> HttpResponse:
    form = ApplicationForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        app = actions.save(request.user, form, actions.APPLICATION_FIELDS)
        if app is not None:
            messages.success(request, _("Aplikasi %(name)s ditambahkan.") % {"name": app.name})
            return redirect("cmdb:application_detail", pk=app.pk)
    return form_page(request, form, _("Tambah aplikasi"), reverse("cmdb:application_list"))


@staff_required
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    app = _get(request, visible_applications(request.user), pk, for_change=True)
    before, title = snapshot(app, actions.APPLICATION_FIELDS), _("Ubah %(name)s") % {"name": app.name}
    form = ApplicationForm(request.POST or None, instance=app, actor=request.user)
    if (
        request.method == "POST"
        and form.is_valid()
        and actions.save(request.user, form, actions.APPLICATION_FIELDS, before=before)
    ):
        messages.success(request, _("Perubahan disimpan."))
        return redirect("cmdb:application_detail", pk=app.pk)
    return form_page(request, form, title, reverse("cmdb:application_detail", args=[app.pk]))


@staff_required
@require_POST
def application_component_add(request: HttpRequest, pk: int) -> HttpResponse:
    app = _get(request, visible_applications(request.user), pk, for_change=True)
    form = RunsOnForm(request.POST, actor=request.user, application=app)
    if not form.is_valid():
        return _application_page(request, app, status=400, runs_on_form=form)
    component = form.cleaned_data["component"]
    actions.change_runs_on(request.user, app, component, add=True)
    messages.success(request, _("%(app)s kini tercatat berjalan di %(c)s.") % {"app": app.name, "c": component.name})
    return redirect("cmdb:application_detail", pk=app.pk)


@staff_required
@require_POST
def application_component_remove(request: HttpRequest, pk: int, component_pk: int) -> HttpResponse:
    app = _get(request, visible_applications(request.user), pk, for_change=True)
    component = get_object_or_404(access.filter_by_pd(request.user, app.components.all(), "pd"), pk=component_pk)
    actions.change_runs_on(request.user, app, component, add=False)
    messages.success(request, _("%(c)s dilepas dari %(app)s.") % {"app": app.name, "c": component.name})
    return redirect("cmdb:application_detail", pk=app.pk)


@staff_required
@require_POST
def application_service_add(request: HttpRequest, pk: int) -> HttpResponse:
    app = _get(request, visible_applications(request.user), pk, for_change=True)
    linked_ids = set(ServiceApplication.objects.filter(application=app).values_list("service_id", flat=True))
    form = ServiceLinkForm(request.POST, actor=request.user, application=app, linked_ids=linked_ids)
    if not form.is_valid():
        return _application_page(request, app, status=400, service_form=form)
    service = form.cleaned_data["service"]
    actions.change_service_link(request.user, app, service, add=True)
    messages.success(request, _("%(s)s kini tercatat memakai %(app)s.") % {"app": app.name, "s": service.name})
    return redirect("cmdb:application_detail", pk=app.pk)


@staff_required
@require_POST
def application_service_remove(request: HttpRequest, pk: int, service_pk: int) -> HttpResponse:
    app = _get(request, visible_applications(request.user), pk, for_change=True)
    linked = ServiceApplication.objects.filter(application=app).values("service_id")
    service = get_object_or_404(_visible_services(request.user).filter(pk__in=linked), pk=service_pk)
    actions.change_service_link(request.user, app, service, add=False)
    messages.success(request, _("%(s)s tidak lagi tercatat memakai %(app)s.") % {"app": app.name, "s": service.name})
    return redirect("cmdb:application_detail", pk=app.pk)


# --- Components ---------------------------------------------------------------------------


@staff_required
def component_list(request: HttpRequest) -> HttpResponse:
    filters = ComponentFilterForm(request.GET or None, actor=request.user)
    # attributes searched as text, so that an IP address or a host name finds its component
    qs = visible_components(request.user).annotate(attributes_text=Cast("attributes", TextField()))
    if filters.is_valid():
        for name in ("kind", "pd"):
            if filters.cleaned_data[name]:
                qs = qs.filter(**{name: filters.cleaned_data[name]})
    qs, listing = build_listing(
        request, qs, search_fields=["name", "location", "attributes_text", "pd__name", "pd__abbreviation"],
        sorts={"name": "name", "kind": "kind", "pd": "pd__name", "location": "location", "updated": "last_updated"},
        default_sort="name",
    )  # fmt: skip
    if wants_export(request):
        return xlsx_response("komponen-infrastruktur", *_component_table(request.user, qs), title=_("Komponen"))
    context = {"listing": listing, "filters": filters, "can_create": access.workable_pds(request.user).exists()}
    return render_listing(request, "cmdb/component_list.html", "cmdb/_component_results.html", context)


def _component_table(user, qs) -> tuple[list, object]:
    headers = [_("Pemda"), _("PD pengelola"), _("Nama"), _("Jenis"), _("Lokasi"), _("Atribut"),
               _("Bergantung pada"), _("Terakhir diubah")]  # fmt: skip
    targets = access.filter_by_pd(user, Component.objects.order_by("name"), "pd")
    qs = qs.prefetch_related(Prefetch("depends_on", queryset=targets, to_attr="visible_depends_on"))

    def rows():
        for c in qs:
            yield [
                c.pemda.name, c.pd.name, c.name, c.get_kind_display(), c.location,
                actions.attributes_text(c.attributes), "; ".join(t.name for t in c.visible_depends_on),
                c.last_updated,
            ]  # fmt: skip

    return headers, rows()


@staff_required
def component_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _component_page(request, _get(request, visible_components(request.user), pk))


def _component_page(request: HttpRequest, component: Component, status: int = 200, **forms) -> HttpResponse:
    user = request.user
    depends_on_ids = ComponentDependency.objects.filter(component=component).values_list("depends_on", flat=True)
    dependent_ids = ComponentDependency.objects.filter(depends_on=component).values_list("component", flat=True)
    depends_on = list(visible_components(user).filter(pk__in=depends_on_ids).order_by("name"))
    dependents = list(visible_components(user).filter(pk__in=dependent_ids).order_by("name"))
    applications = list(visible_applications(user).filter(components=component).order_by("name"))
    can_change = _can_change(user, component)
    if can_change:
        forms.setdefault("dependency_form", DependencyForm(actor=user, component=component))
    context = {
        "component": component,
        "depends_on": depends_on,
        "depends_on_hidden": len(depends_on_ids) - len(depends_on),
        "dependents": dependents,
        "dependents_hidden": len(dependent_ids) - len(dependents),
        "applications": applications,
        "applications_hidden": component.applications.count() - len(applications),
        "impact": impact_of(component),
        "can_change": can_change,
        "history": _history(component) if access.can_manage_org(user, component.pemda) else None,
        **forms,
    }
    return render(request, "cmdb/component_detail.html", context, status=status)


@staff_required
def component_create(request: HttpRequest) -> HttpResponse:
    form = ComponentForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        component = actions.save(request.user, form, actions.COMPONENT_FIELDS)
        if component is not None:
            messages.success(request, _("Komponen %(name)s ditambahkan.") % {"name": component.name})
            return redirect("cmdb:component_detail", pk=component.pk)
    return form_page(request, form, _("Tambah komponen infrastruktur"), reverse("cmdb:component_list"))


@staff_required
def component_edit(request: HttpRequest, pk: int) -> HttpResponse:
    component = _get(request, visible_components(request.user), pk, for_change=True)
    before, title = actions.component_snapshot(component), _("Ubah %(name)s") % {"name": component.name}
    form = ComponentForm(request.POST or None, instance=component, actor=request.user)
    if (
        request.method == "POST"
        and form.is_valid()
        and actions.save(request.user, form, actions.COMPONENT_FIELDS, before=before)
    ):
        messages.success(request, _("Perubahan disimpan."))
        return redirect("cmdb:component_detail", pk=component.pk)
    return form_page(request, form, title, reverse("cmdb:component_detail", args=[component.pk]))


@staff_required
@require_POST
def component_dependency_add(request: HttpRequest, pk: int) -> HttpResponse:
    component = _get(request, visible_components(request.user), pk, for_change=True)
    form = DependencyForm(request.POST, actor=request.user, component=component)
    if form.is_valid():
        target = form.cleaned_data["depends_on"]
        try:
            actions.add_dependency(request.user, component, target)
        except ValidationError as error:
            form.add_error("depends_on", error)
        else:
            messages.success(request, _("%(a)s kini bergantung pada %(b)s.") % {"a": component.name, "b": target.name})
            return redirect("cmdb:component_detail", pk=component.pk)
    return _component_page(request, component, status=400, dependency_form=form)


@staff_required
@require_POST
def component_dependency_remove(request: HttpRequest, pk: int, depends_on_pk: int) -> HttpResponse:
    component = _get(request, visible_components(request.user), pk, for_change=True)
    link = get_object_or_404(
        ComponentDependency.objects.select_related("depends_on"),
        component=component,
        depends_on__in=visible_components(request.user).values("pk"),
        depends_on_id=depends_on_pk,
    )
    actions.remove_dependency(request.user, link)
    messages.success(
        request, _("%(a)s tidak lagi bergantung pada %(b)s.") % {"a": component.name, "b": link.depends_on.name}
    )
    return redirect("cmdb:component_detail", pk=component.pk)


# --- Impact analysis (O-2 item 10) ------------------------------------------------------------


@dataclass(frozen=True)
class _Unnamed:
    """A node outside the user's sight: kept in the drawing so that the chain
    stays whole, but without its name."""

    pk: int
    label: str

    def __str__(self) -> str:
        return self.label


def _masked(user, impact: Impact) -> tuple[Impact, dict[str, list], dict[str, int]]:
    """The impact with what the user may not see replaced by unnamed nodes,
    the items the user may see, and how many of each kind were hidden. Three
    queries, whatever the size."""
    kinds = (
        ("components", Component, _("Komponen PD lain")),
        ("applications", Application, _("Aplikasi PD lain")),
        ("services", Service, _("Layanan PD lain")),
    )
    masked, shown, hidden = {}, {}, {}
    for attr, model, label in kinds:
        items = getattr(impact, attr)
        ids = access.filter_by_pd(user, model.objects.filter(pk__in=[i.pk for i in items]), "pd")
        visible = set(ids.values_list("pk", flat=True))
        masked[attr] = [i if i.pk in visible else _Unnamed(i.pk, label) for i in items]
        shown[attr] = [i for i in items if i.pk in visible]
        hidden[attr] = len(items) - len(shown[attr])
    return replace(impact, **masked), shown, hidden


@staff_required
def component_impact(request: HttpRequest, pk: int) -> HttpResponse:
    component = _get(request, visible_components(request.user), pk)
    impact, shown, hidden = _masked(request.user, impact_of(component))
    size = 1 + len(impact.components) + len(impact.applications) + len(impact.services)
    layout = None
    if size <= GRAPH_LIMIT:
        layout = graph_layout(impact)
        _link_nodes(layout, impact)
    context = {"component": component, "impact": impact, "shown": shown, "hidden": hidden, "layout": layout,
               "size": size, "graph_limit": GRAPH_LIMIT}  # fmt: skip
    return render(request, "cmdb/component_impact.html", context)


def _link_nodes(layout: dict, impact: Impact) -> None:
    """Each named node links to its page; services to the catalog."""
    urls = {"root": "cmdb:component_detail", "c": "cmdb:component_detail", "a": "cmdb:application_detail",
            "s": "catalog:service_detail"}  # fmt: skip
    named = {f"c{impact.component.pk}"}
    named.update(f"c{c.pk}" for c in impact.components if not isinstance(c, _Unnamed))
    named.update(f"a{a.pk}" for a in impact.applications if not isinstance(a, _Unnamed))
    named.update(f"s{s.pk}" for s in impact.services if not isinstance(s, _Unnamed))
    for node in layout["nodes"]:
        node["url"] = reverse(urls[node["kind"]], args=[node["key"][1:]]) if node["key"] in named else ""
