"""Who sees and manages chat channels, on top of ``spbe.org.access``
(docs/access.md, docs/channels.md):

* a channel of the whole Pemda (no PD) is Diskominfo's: seen by the
  structural roles of the Pemda's Diskominfo, managed by the Koordinator SPBE;
* a PD's channel is seen by that PD's staff and managed by its Pimpinan PD
  and PJ Penyedia Layanan (the owners of its services), and the Koordinator;
* the staff of the PD whose service receives the chats (the default
  service) see the channel too: they handle its tickets and its failed replies;
* the Administrator Sistem sees and manages every channel; nobody sees
  another Pemda's channels.

Anyone who sees a channel may send a failed reply again; only managers
change the channel or test its connection."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from spbe.chat.models import ChatChannel
from spbe.org import access
from spbe.org.choices import STRUCTURAL_ROLES, Role
from spbe.org.models import Pemda, PerangkatDaerah

PD_MANAGERS = frozenset({Role.PIMPINAN_PD, Role.PJ_PENYEDIA})


def _pd_ids(user, roles=STRUCTURAL_ROLES) -> list[int]:
    return [pd for pd, held in access.scope_for(user).roles_by_pd.items() if held & roles]


def visible_channels(user) -> QuerySet[ChatChannel]:
    scope = access.scope_for(user)
    qs = ChatChannel.objects.select_related("pemda", "pd", "default_service")
    if scope.is_system_admin:
        return qs
    pd_ids = _pd_ids(user)
    diskominfo_of = PerangkatDaerah.objects.filter(pk__in=pd_ids, is_spbe_coordinator=True).values("pemda_id")
    return qs.filter(
        Q(pemda_id__in=scope.coordinator_pemda_ids) | Q(pd_id__in=pd_ids) | Q(default_service__pd_id__in=pd_ids)
        | Q(pd__isnull=True, pemda_id__in=diskominfo_of)
    )  # fmt: skip


def can_manage(user, pemda: Pemda | int, pd: PerangkatDaerah | None = None) -> bool:
    scope = access.scope_for(user)
    pemda_id = getattr(pemda, "pk", pemda)
    if scope.is_system_admin or pemda_id in scope.coordinator_pemda_ids:
        return True
    return pd is not None and bool(scope.roles_in(pd.pk) & PD_MANAGERS)


def can_manage_channel(user, channel: ChatChannel) -> bool:
    return can_manage(user, channel.pemda_id, channel.pd)


def manageable_pemdas(user) -> QuerySet[Pemda]:
    scope = access.scope_for(user)
    if scope.is_system_admin:
        return Pemda.objects.all()
    pd_pemdas = PerangkatDaerah.objects.filter(pk__in=_pd_ids(user, PD_MANAGERS)).values("pemda_id")
    return Pemda.objects.filter(Q(pk__in=scope.coordinator_pemda_ids) | Q(pk__in=pd_pemdas))


def manageable_pds(user) -> QuerySet[PerangkatDaerah]:
    """PDs the person may give a channel: every PD of a Pemda they
    coordinate, or those they lead."""
    scope = access.scope_for(user)
    qs = PerangkatDaerah.objects.filter(is_active=True).select_related("pemda")
    if scope.is_system_admin:
        return qs
    return qs.filter(Q(pemda_id__in=scope.coordinator_pemda_ids) | Q(pk__in=_pd_ids(user, PD_MANAGERS)))


def may_create(user) -> bool:
    scope = access.scope_for(user)
    return scope.is_system_admin or bool(scope.coordinator_pemda_ids) or bool(_pd_ids(user, PD_MANAGERS))
