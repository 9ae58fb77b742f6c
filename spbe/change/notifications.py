"""Who hears about a release (O-6): the provider (PJ Penyedia Layanan of
the PD) is told the result, through the outbox."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from spbe.notify.outbox import enqueue
from spbe.org.choices import Role
from spbe.org.models import User


def release_concluded(release) -> None:
    emails = User.objects.filter(
        is_active=True, role_assignments__role=Role.PJ_PENYEDIA, role_assignments__pd=release.pd
    ).values_list("email", flat=True)
    result = release.get_stage_display()
    enqueue(
        key=f"release-{release.pk}-{release.stage}", to=list(emails), pemda=release.pd.pemda,
        subject=_("[Rilis] %(release)s: %(result)s") % {"release": release, "result": result},
        body=_("Hasil rilis: %(result)s\n%(note)s\nBeri umpan balik di:\n%(link)s") % {
            "result": result, "note": release.verification_note,
            "link": f"{settings.SITE_URL}{release.get_absolute_url()}",
        },
    )  # fmt: skip
