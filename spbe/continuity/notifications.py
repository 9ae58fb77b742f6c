"""Who hears about a disaster (O-5): the Pimpinan PD and the PJ roles of
the owning PD, through the outbox, in the same transaction as the step."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from spbe.front.templatetags.spbe import duration
from spbe.notify.outbox import enqueue
from spbe.org.choices import Role
from spbe.org.models import User

DISASTER_ROLES = (Role.PIMPINAN_PD, Role.PJ_PENYEDIA, Role.PJ_INFRA)


def _local(recovery) -> str:
    local = recovery.declared_at.astimezone(ZoneInfo(recovery.pemda.time_zone))
    return f"{local:%d-%m-%Y %H:%M} {local.tzname()}"


def disaster_declared(recovery) -> None:
    emails = User.objects.filter(
        is_active=True, role_assignments__role__in=DISASTER_ROLES, role_assignments__pd=recovery.pd
    ).values_list("email", flat=True)
    services = ", ".join(s.name for s in recovery.plan.services.all())
    enqueue(
        key=f"recovery-{recovery.pk}-declared", to=list(emails), pemda=recovery.pemda,
        subject=_("[Bencana] %(title)s: DRP diaktifkan") % {"title": recovery.title},
        body=_(
            "Kondisi bencana dinyatakan pada %(when)s.\nLayanan: %(services)s\nDRP: %(plan)s\n"
            "Target RTO: %(rto)s.\nIkuti pemulihan di:\n%(link)s"
        ) % {
            "when": _local(recovery), "services": services, "plan": recovery.plan, "rto": duration(recovery.rto_target),
            "link": f"{settings.SITE_URL}{recovery.get_absolute_url()}",
        },
    )  # fmt: skip
