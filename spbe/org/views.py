"""Pages for Diskominfo to manage PDs, people and roles (S-1). Thin: parse,
ask ``access``, call ``actions``, render."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from spbe.audit.models import AuditEvent
from spbe.audit.record import snapshot
from spbe.front.listing import build_listing, render_listing, wants_export, xlsx_response
from spbe.front.pages import form_page
from spbe.org import access, actions, twofactor
from spbe.org.forms import (
    NewPersonForm,
    PDFilterForm,
    PDForm,
    PemdaForm,
    PersonFilterForm,
    PersonForm,
    RoleAssignmentForm,
)
from spbe.org.models import RoleAssignment, User


def staff_required(view):
    """Internal pages are for people holding a role; a plain Pengguna
    Layanan gets a 403 page, not an empty screen."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not access.scope_for(request.user).is_staff_member:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def manager_required(view):
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not access.can_manage_org(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _history(obj) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(target_type=obj._meta.label_lower, target_id=str(obj.pk)).select_related("actor")[:20]
    )


# --- Pemda -------------------------------------------------------------------------


@manager_required
def pemda_list(request: HttpRequest) -> HttpResponse:
    pemdas = access.managed_pemdas(request.user).annotate(pd_count=Count("pds"))
    return render(
        request,
        "org/pemda_list.html",
        {"pemdas": pemdas, "can_create": access.scope_for(request.user).is_system_admin},
    )


@manager_required
def pemda_create(request: HttpRequest) -> HttpResponse:
    if not access.scope_for(request.user).is_system_admin:
        raise PermissionDenied
    form = PemdaForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        pemda = actions.save_pemda(request.user, form.save(commit=False))
        messages.success(request, _("%(name)s ditambahkan.") % {"name": pemda.name})
        return redirect("org:pemda_list")
    return form_page(request, form, _("Tambah Pemda"), reverse("org:pemda_list"))


@manager_required
def pemda_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pemda = get_object_or_404(access.managed_pemdas(request.user), pk=pk)
    before = snapshot(pemda, actions.PEMDA_FIELDS)
    form = PemdaForm(request.POST or None, request.FILES or None, instance=pemda)
    if request.method == "POST" and form.is_valid():
        actions.save_pemda(request.user, form.save(commit=False), before=before)
        messages.success(request, _("Perubahan disimpan."))
        return redirect("org:pemda_list")
    return form_page(request, form, _("Ubah %(name)s") % {"name": pemda.name}, reverse("org:pemda_list"))


# --- Perangkat Daerah -------------------------------------------------------------


@staff_required
def pd_list(request: HttpRequest) -> HttpResponse:
    filters = PDFilterForm(request.GET or None, actor=request.user)
    qs = access.visible_pds(request.user).annotate(people=Count("role_assignments__user", distinct=True))
    if filters.is_valid():
        data = filters.cleaned_data
        if data["pemda"]:
            qs = qs.filter(pemda=data["pemda"])
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["active"]:
            qs = qs.filter(is_active=data["active"] == "1")
    qs, listing = build_listing(
        request,
        qs,
        search_fields=["name", "abbreviation"],
        sorts={
            "name": "name",
            "abbreviation": "abbreviation",
            "kind": "kind",
            "pemda": "pemda__name",
            "people": "people",
        },
        default_sort="name",
    )
    if wants_export(request):
        rows = (
            (
                pd.pemda.name,
                pd.name,
                pd.abbreviation,
                pd.get_kind_display(),
                pd.is_spbe_coordinator,
                pd.people,
                pd.email,
                pd.phone,
                pd.is_active,
            )
            for pd in qs
        )
        headers = [
            _("Pemda"),
            _("Nama"),
            _("Singkatan"),
            _("Jenis"),
            _("Koordinator SPBE"),
            _("Jumlah orang"),
            _("E-mail"),
            _("Telepon"),
            _("Aktif"),
        ]
        return xlsx_response("perangkat-daerah", headers, rows, title=_("Perangkat Daerah"))
    context = {"listing": listing, "filters": filters, "can_manage": access.can_manage_org(request.user)}
    return render_listing(request, "org/pd_list.html", "org/_pd_results.html", context)


@staff_required
def pd_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pd = access.get_pd(request.user, pk)
    assignments = pd.role_assignments.select_related("user").order_by("role", "user__full_name")
    return render(
        request,
        "org/pd_detail.html",
        {
            "pd": pd,
            "assignments": assignments,
            "history": _history(pd),
            "can_manage": access.can_manage_org(request.user, pd.pemda),
        },
    )


@manager_required
def pd_create(request: HttpRequest) -> HttpResponse:
    form = PDForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        pd = actions.save_pd(request.user, form.save(commit=False))
        messages.success(request, _("Perangkat Daerah %(name)s ditambahkan.") % {"name": pd.name})
        return redirect("org:pd_detail", pk=pd.pk)
    return form_page(request, form, _("Tambah Perangkat Daerah"), reverse("org:pd_list"))


@manager_required
def pd_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pd = access.get_pd(request.user, pk, for_change=True)
    before = snapshot(pd, actions.PD_FIELDS)
    form = PDForm(request.POST or None, instance=pd, actor=request.user)
    if request.method == "POST" and form.is_valid():
        actions.save_pd(request.user, form.save(commit=False), before=before)
        messages.success(request, _("Perubahan disimpan."))
        return redirect("org:pd_detail", pk=pd.pk)
    return form_page(request, form, _("Ubah %(name)s") % {"name": pd.name}, reverse("org:pd_detail", args=[pd.pk]))


# --- People -------------------------------------------------------------------------


@manager_required
def person_list(request: HttpRequest) -> HttpResponse:
    filters = PersonFilterForm(request.GET or None, actor=request.user)
    qs = access.visible_people(request.user).select_related("pemda")
    if filters.is_valid():
        data = filters.cleaned_data
        if data["pd"] or data["role"]:
            holders = RoleAssignment.objects.all()
            if data["pd"]:
                holders = holders.filter(pd=data["pd"])
            if data["role"]:
                holders = holders.filter(role=data["role"])
            qs = qs.filter(pk__in=holders.values("user"))
        if data["active"]:
            qs = qs.filter(is_active=data["active"] == "1")
    qs, listing = build_listing(
        request,
        qs,
        search_fields=["full_name", "email", "nip", "organisation"],
        sorts={"name": "full_name", "email": "email", "pemda": "pemda__name", "joined": "date_joined"},
        default_sort="name",
    )
    page_people = list(listing.page.object_list)
    roles = RoleAssignment.objects.filter(user__in=page_people).select_related("pd")
    by_user: dict[int, list[RoleAssignment]] = {}
    for assignment in roles:
        by_user.setdefault(assignment.user_id, []).append(assignment)
    for person in page_people:
        person.roles_here = by_user.get(person.pk, [])
    if wants_export(request):
        return _people_export(qs)
    context = {"listing": listing, "people": page_people, "filters": filters}
    return render_listing(request, "org/person_list.html", "org/_person_results.html", context)


def _people_export(qs) -> HttpResponse:
    qs = qs.prefetch_related("role_assignments__pd")
    rows = (
        (
            p.full_name,
            p.email,
            p.nip or "",
            p.phone,
            p.pemda.name if p.pemda else "",
            p.organisation,
            "; ".join(str(a) for a in p.role_assignments.all()),
            p.is_active,
        )
        for p in qs
    )
    headers = [
        _("Nama"),
        _("E-mail"),
        _("NIP"),
        _("Telepon"),
        _("Pemda"),
        _("Instansi / perusahaan"),
        _("Peran"),
        _("Aktif"),
    ]
    return xlsx_response("orang-dan-peran", headers, rows, title=_("Orang"))


def _person_page(request: HttpRequest, person: User, role_form: RoleAssignmentForm, status: int = 200) -> HttpResponse:
    assignments = list(person.role_assignments.select_related("pd", "pd__pemda"))
    manageable = set(access.assignable_pds(request.user).values_list("pk", flat=True))
    may_touch_global = access.can_assign_system_admin(request.user)
    for assignment in assignments:
        assignment.can_revoke = assignment.pd_id in manageable if assignment.pd_id else may_touch_global
    context = {
        "person": person,
        "assignments": assignments,
        "role_form": role_form,
        "history": _history(person),
        "can_edit": access.can_edit_person(request.user, person),
        "has_second_factor": twofactor.app_device(person) is not None,
        "can_reset_second_factor": person.pk != request.user.pk,
    }
    return render(request, "org/person_detail.html", context, status=status)


@manager_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.get_person(request.user, pk)
    return _person_page(request, person, RoleAssignmentForm(actor=request.user, person=person))


@manager_required
@require_POST
def person_second_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.get_person(request.user, pk)
    actions.reset_second_factor(request.user, person)
    messages.success(request, _("Verifikasi dua langkah %(name)s diatur ulang.") % {"name": person.full_name})
    return redirect("org:person_detail", pk=person.pk)


@manager_required
def person_create(request: HttpRequest) -> HttpResponse:
    form = NewPersonForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            person = actions.save_person(request.user, form.save(commit=False), password=data["password"])
            if data["first_role"]:
                actions.assign_role(request.user, person, data["first_role"], data["first_role_pd"])
        if not data["password"]:
            _send_set_password_email(request, person)
        messages.success(request, _("%(name)s ditambahkan.") % {"name": person.full_name})
        return redirect("org:person_detail", pk=person.pk)
    return form_page(request, form, _("Tambah orang"), reverse("org:person_list"))


@manager_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.get_person(request.user, pk, for_change=True)
    before = snapshot(person, actions.PERSON_FIELDS)
    form = PersonForm(request.POST or None, instance=person, actor=request.user)
    if request.method == "POST" and form.is_valid():
        actions.save_person(request.user, form.save(commit=False), before=before)
        messages.success(request, _("Perubahan disimpan."))
        return redirect("org:person_detail", pk=person.pk)
    title = _("Ubah %(name)s") % {"name": person.full_name}
    return form_page(request, form, title, reverse("org:person_detail", args=[person.pk]))


def _send_set_password_email(request: HttpRequest, person: User) -> None:
    """A link to choose a first password, through Django's reset view.
    (PasswordResetForm.save() skips people without a usable password, which
    is exactly what a new person is.)"""
    context = {
        "email": person.email,
        "domain": request.get_host(),
        "site_name": "Layanan SPBE",
        "uid": urlsafe_base64_encode(force_bytes(person.pk)),
        "user": person,
        "token": default_token_generator.make_token(person),
        "protocol": "https" if request.is_secure() else "http",
    }
    PasswordResetForm().send_mail(
        "registration/password_reset_subject.txt",
        "registration/password_reset_email.txt",
        context,
        None,
        person.email,
    )


@manager_required
@require_POST
def role_assign(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.get_person(request.user, pk)
    form = RoleAssignmentForm(request.POST, actor=request.user, person=person)
    if form.is_valid():
        data = form.cleaned_data
        actions.assign_role(request.user, person, data["role"], data["pd"], data["note"])
        messages.success(request, _("Peran ditetapkan."))
        return redirect("org:person_detail", pk=person.pk)
    return _person_page(request, person, form, status=400)


@manager_required
@require_POST
def role_revoke(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    person = access.get_person(request.user, pk)
    assignment = get_object_or_404(RoleAssignment, pk=assignment_pk, user=person)
    actions.revoke_role(request.user, assignment)
    messages.success(request, _("Peran %(role)s dicabut.") % {"role": assignment})
    return redirect("org:person_detail", pk=person.pk)
