"""Who sees, manages and triages mailboxes (issue 15), on top of
``spbe.org.access``. A Pemda-wide mailbox (no PD) is the Koordinator
SPBE's; a PD's mailbox is also its Administrator Layanan's and its
Pimpinan PD's. The same people read its mails and triage them, and so
does the Pemda's help desk, the Administrator Layanan of Diskominfo (the
SPBE coordinator PD), for the Pemda-wide mailboxes it answers — without
changing their settings. The mails hold citizens' names, addresses and
complaints, so nobody else sees them (tickets opened from them are seen
on the desk as any ticket)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from spbe.catalog.choices import Lifecycle
from spbe.catalog.models import Service
from spbe.org import access
from spbe.org.choices import Role
from spbe.org.models import Pemda, PerangkatDaerah

MANAGER_ROLES = frozenset({Role.ADMIN_LAYANAN, Role.PIMPINAN_PD})


def help_desk_pemdas(user) -> set[int]:
    """Pemdas whose Diskominfo (the SPBE coordinator PD) the person serves
    as Administrator Layanan: they answer the Pemda-wide mailboxes."""
    scope = access.scope_for(user)
    pds = [pd for pd, roles in scope.roles_by_pd.items() if Role.ADMIN_LAYANAN in roles]
    if not pds:
        return set()
    return set(PerangkatDaerah.objects.filter(pk__in=pds, is_spbe_coordinator=True).values_list("pemda_id", flat=True))


def _condition(user, prefix: str = "") -> Q | None:
    """None: everything (Administrator Sistem)."""
    scope = access.scope_for(user)
    if scope.is_system_admin:
        return None
    pds = [pd for pd, roles in scope.roles_by_pd.items() if roles & MANAGER_ROLES]
    condition = Q(**{f"{prefix}pemda_id__in": scope.coordinator_pemda_ids}) | Q(**{f"{prefix}pd_id__in": pds})
    help_desk = help_desk_pemdas(user)
    if help_desk:
        condition |= Q(**{f"{prefix}pemda_id__in": help_desk, f"{prefix}pd__isnull": True})
    return condition


def visible(user, qs: QuerySet, prefix: str = "") -> QuerySet:
    condition = _condition(user, prefix)
    return qs if condition is None else qs.filter(condition)


def can_manage(user, mailbox) -> bool:
    scope = access.scope_for(user)
    if scope.is_system_admin or mailbox.pemda_id in scope.coordinator_pemda_ids:
        return True
    return mailbox.pd_id is not None and bool(scope.roles_in(mailbox.pd_id) & MANAGER_ROLES)


def can_triage(user, mailbox) -> bool:
    """Open a ticket from a mail of the mailbox, or close the mail."""
    if can_manage(user, mailbox):
        return True
    return mailbox.pd_id is None and mailbox.pemda_id in help_desk_pemdas(user)


def creatable_pemdas(user) -> QuerySet[Pemda]:
    """Pemdas for which the user may set up a Pemda-wide mailbox."""
    return access.managed_pemdas(user)


def creatable_pds(user) -> QuerySet[PerangkatDaerah]:
    """PDs for which the user may set up a PD mailbox."""
    return access.workable_pds(user, MANAGER_ROLES)


def can_create(user) -> bool:
    return creatable_pemdas(user).exists() or creatable_pds(user).exists()


def services_for(mailbox) -> QuerySet[Service]:
    """Services a mail of this mailbox may open a ticket on: the PD's, or
    any PD's of the Pemda for a Pemda-wide mailbox. Active only."""
    qs = Service.objects.filter(lifecycle=Lifecycle.ACTIVE).select_related("pd")
    if mailbox.pd_id:
        return qs.filter(pd_id=mailbox.pd_id)
    return qs.filter(pd__pemda_id=mailbox.pemda_id)
