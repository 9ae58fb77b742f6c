"""Who drafts, runs and sees recovery records (O-5), on top of
``spbe.org.access``: the DRP is the infrastructure managers' document, so
besides the owner PD's staff and the Koordinator SPBE, the infrastructure
roles of the Pemda's Diskominfo (who usually run the data centre) draft and
walk it. Nobody else sees a PD's DRP."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from spbe.org import access
from spbe.org.choices import INFRA_ROLES
from spbe.org.models import PerangkatDaerah


def _diskominfo_infra_pemdas(user) -> set[int]:
    """Pemdas whose Diskominfo the user serves in an infrastructure role."""
    scope = access.scope_for(user)
    pd_ids = [pd for pd, roles in scope.roles_by_pd.items() if roles & INFRA_ROLES]
    if not pd_ids:
        return set()
    coordinators = PerangkatDaerah.objects.filter(pk__in=pd_ids, is_spbe_coordinator=True)
    return set(coordinators.values_list("pemda_id", flat=True))


def visible(user, qs: QuerySet, pd_field: str = "pd") -> QuerySet:
    """Rows of the PDs the user may see, plus every PD of a Pemda whose
    Diskominfo infrastructure team the user belongs to."""
    condition = access.pd_condition(user, pd_field)
    if condition is None:
        return qs
    pemdas = _diskominfo_infra_pemdas(user)
    if pemdas:
        condition |= Q(**{f"{pd_field}__pemda_id__in": pemdas})
    return qs.filter(condition)


def can_operate(user, pd: PerangkatDaerah) -> bool:
    """Open and walk activations and drills of the PD's DRPs: its
    infrastructure roles, Diskominfo's, the coordinator, the system admin."""
    scope = access.scope_for(user)
    if scope.is_system_admin or pd.pemda_id in scope.coordinator_pemda_ids:
        return True
    return bool(scope.roles_in(pd.pk) & INFRA_ROLES) or pd.pemda_id in _diskominfo_infra_pemdas(user)


def operable_pds(user) -> QuerySet[PerangkatDaerah]:
    """PDs whose DRPs the user may draft and whose recoveries they may run."""
    scope = access.scope_for(user)
    qs = PerangkatDaerah.objects.filter(is_active=True).select_related("pemda")
    if scope.is_system_admin:
        return qs
    own = [pd for pd, roles in scope.roles_by_pd.items() if roles & INFRA_ROLES]
    pemdas = scope.coordinator_pemda_ids | _diskominfo_infra_pemdas(user)
    return qs.filter(Q(pemda_id__in=pemdas) | Q(pk__in=own))
