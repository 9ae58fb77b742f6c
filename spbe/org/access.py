"""The one place that decides who may see and change what (S-1).

Every view and API endpoint asks this module; nothing else filters by PD.

Rules (documented in docs/access.md):

* **Administrator Sistem** sees and manages everything, in every Pemda.
* **Koordinator SPBE** (Diskominfo) sees every PD of its Pemda and manages
  the Pemda's PDs, people and roles.
* A **structural role** (Pimpinan, PJ, Administrator) in a PD sees that PD's
  data, and only that PD's, unless a later rule for a domain says otherwise.
* Everyone else is a **Pengguna Layanan**: no internal data, only the portal.
* Nobody sees another Pemda's data except the Administrator Sistem.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404

from spbe.org.choices import STRUCTURAL_ROLES, Role
from spbe.org.models import Pemda, PerangkatDaerah, RoleAssignment, User


@dataclass(frozen=True)
class Scope:
    """What one user may reach, computed once per request from their roles."""

    is_system_admin: bool = False
    coordinator_pemda_ids: frozenset[int] = frozenset()
    roles_by_pd: dict[int, frozenset[str]] = field(default_factory=dict)
    pemda_ids: frozenset[int] = frozenset()  # every Pemda the user holds a role in

    @property
    def is_staff_member(self) -> bool:
        """Holds any role at all (as opposed to a plain Pengguna Layanan)."""
        return self.is_system_admin or bool(self.roles_by_pd)

    def roles_in(self, pd_id: int) -> frozenset[str]:
        return self.roles_by_pd.get(pd_id, frozenset())


_ANONYMOUS = Scope()


def scope_for(user) -> Scope:
    """The user's scope, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return _ANONYMOUS
    cached = getattr(user, "_spbe_scope", None)
    if cached is not None:
        return cached
    roles: dict[int, set[str]] = {}
    pemda_ids: set[int] = set()
    coordinator: set[int] = set()
    system_admin = user.is_superuser
    rows = RoleAssignment.objects.filter(user=user).values_list("role", "pd_id", "pd__pemda_id")
    for role, pd_id, pemda_id in rows:
        if role == Role.ADMIN_SISTEM:
            system_admin = True
            continue
        roles.setdefault(pd_id, set()).add(role)
        pemda_ids.add(pemda_id)
        if role == Role.KOORDINATOR_SPBE:
            coordinator.add(pemda_id)
    scope = Scope(
        is_system_admin=system_admin,
        coordinator_pemda_ids=frozenset(coordinator),
        roles_by_pd={pd: frozenset(r) for pd, r in roles.items()},
        pemda_ids=frozenset(pemda_ids),
    )
    user._spbe_scope = scope
    return scope


def forget_scope(user) -> None:
    """Drop the cached scope after the user's roles changed."""
    user.__dict__.pop("_spbe_scope", None)


# --- Pemda and PD -------------------------------------------------------------


def visible_pemdas(user) -> QuerySet[Pemda]:
    scope = scope_for(user)
    if scope.is_system_admin:
        return Pemda.objects.all()
    return Pemda.objects.filter(pk__in=scope.pemda_ids)


def managed_pemdas(user) -> QuerySet[Pemda]:
    """Pemda whose PDs, people and roles the user may change."""
    scope = scope_for(user)
    if scope.is_system_admin:
        return Pemda.objects.all()
    return Pemda.objects.filter(pk__in=scope.coordinator_pemda_ids)


def can_manage_org(user, pemda: Pemda | None = None) -> bool:
    scope = scope_for(user)
    if scope.is_system_admin:
        return True
    if pemda is None:
        return bool(scope.coordinator_pemda_ids)
    return pemda.pk in scope.coordinator_pemda_ids


def visible_pds(user) -> QuerySet[PerangkatDaerah]:
    scope = scope_for(user)
    qs = PerangkatDaerah.objects.select_related("pemda")
    if scope.is_system_admin:
        return qs
    return qs.filter(Q(pemda_id__in=scope.coordinator_pemda_ids) | Q(pk__in=scope.roles_by_pd.keys()))


def workable_pds(user, roles: frozenset[str] = STRUCTURAL_ROLES) -> QuerySet[PerangkatDaerah]:
    """Active PDs in which the user may draft records: where they hold one of
    ``roles``, or every PD of a Pemda they coordinate."""
    scope = scope_for(user)
    qs = PerangkatDaerah.objects.filter(is_active=True).select_related("pemda")
    if scope.is_system_admin:
        return qs
    pd_ids = [pd for pd, held in scope.roles_by_pd.items() if held & roles]
    return qs.filter(Q(pemda_id__in=scope.coordinator_pemda_ids) | Q(pk__in=pd_ids))


def get_pd(user, pk: int, *, for_change: bool = False) -> PerangkatDaerah:
    """The PD if the user may see it (or change it); otherwise 404, so that
    the existence of another PD's records is not revealed."""
    qs = visible_pds(user)
    if for_change:
        qs = qs.filter(pemda__in=managed_pemdas(user))
    try:
        return qs.get(pk=pk)
    except PerangkatDaerah.DoesNotExist:
        raise Http404 from None


def linkable_pds(pds: QuerySet[PerangkatDaerah]) -> QuerySet[PerangkatDaerah]:
    """PDs whose configuration items a record of ``pds`` may name in its
    pickers (a ticket's affected items, a change's scope): those PDs and
    their Pemda's Diskominfo, the shared data centre. Another PD's items are
    not named (docs/decisions.md, CMDB visibility; issue 14)."""
    return PerangkatDaerah.objects.filter(
        Q(pk__in=pds.values("pk")) | Q(pemda_id__in=pds.values("pemda_id"), is_spbe_coordinator=True)
    )


def pd_condition(
    user, pd_field: str = "pd", roles: frozenset[str] = STRUCTURAL_ROLES, pemda_field: str | None = None
) -> Q | None:
    """The filter behind ``filter_by_pd``, to combine with other conditions;
    None means "everything" (Administrator Sistem). ``pemda_field`` names a
    Pemda column on the row itself, which spares a join on large tables."""
    scope = scope_for(user)
    if scope.is_system_admin:
        return None
    pd_ids = [pd for pd, held in scope.roles_by_pd.items() if held & roles]
    pemda_lookup = f"{pemda_field}_id__in" if pemda_field else f"{pd_field}__pemda_id__in"
    return Q(**{pemda_lookup: scope.coordinator_pemda_ids}) | Q(**{f"{pd_field}_id__in": pd_ids})


def filter_by_pd(user, qs: QuerySet, pd_field: str = "pd", roles: frozenset[str] = STRUCTURAL_ROLES) -> QuerySet:
    """Restrict any PD-owned queryset (services, tickets, …) to what the user
    may see. ``roles`` narrows which roles in a PD give sight of the rows."""
    condition = pd_condition(user, pd_field, roles)
    return qs if condition is None else qs.filter(condition)


def has_role(user, role: Role, pd: PerangkatDaerah | None = None) -> bool:
    scope = scope_for(user)
    if pd is not None:
        return role in scope.roles_in(pd.pk)
    return any(role in held for held in scope.roles_by_pd.values())


# --- People -----------------------------------------------------------------------


def visible_people(user) -> QuerySet[User]:
    """People a Koordinator SPBE may see: those of its Pemda, or holding a
    role in one of its PDs (e.g. a vendor who serves several Pemda)."""
    scope = scope_for(user)
    if scope.is_system_admin:
        return User.objects.all()
    if not scope.coordinator_pemda_ids:
        return User.objects.filter(pk=user.pk) if user.is_authenticated else User.objects.none()
    pemdas = scope.coordinator_pemda_ids
    return User.objects.filter(
        Q(pemda_id__in=pemdas) | Q(role_assignments__pd__pemda_id__in=pemdas) | Q(pk=user.pk)
    ).distinct()


def get_person(user, pk: int, *, for_change: bool = False) -> User:
    """A person the user may see; for_change also requires that the person
    belongs to a Pemda the user manages (profiles are edited by their home
    Pemda only)."""
    try:
        person = visible_people(user).get(pk=pk)
    except User.DoesNotExist:
        raise Http404 from None
    if for_change and not can_edit_person(user, person):
        raise Http404
    return person


def can_edit_person(user, person: User) -> bool:
    """Profiles are edited by their home Pemda's coordinator (or a system
    administrator); other Pemda may only give the person roles."""
    scope = scope_for(user)
    return scope.is_system_admin or person.pemda_id in scope.coordinator_pemda_ids


def assignable_pds(user) -> QuerySet[PerangkatDaerah]:
    """PDs in which the user may give or take roles."""
    return PerangkatDaerah.objects.filter(pemda__in=managed_pemdas(user), is_active=True).select_related("pemda")


def can_assign_system_admin(user) -> bool:
    return scope_for(user).is_system_admin
