"""Who imports and who reads SP4N-LAPOR! reports (Pedoman C, O-1, O-2), on
top of ``spbe.org.access`` (docs/access.md):

* an **Administrator Layanan** imports into the services of its PD (the
  role that records and follows up complaints, O-2);
* the **Koordinator SPBE** into any PD of its Pemda (Diskominfo usually
  holds the Pemda's LAPOR! admin account), the **Administrator Sistem**
  anywhere;
* everyone who sees the PD's tickets on the desk (Pimpinan PD, PJ, the
  administrators) reads the LAPOR! list, the import history and exports
  the follow-up."""

from __future__ import annotations

from django.db.models import QuerySet

from spbe.catalog.choices import Lifecycle
from spbe.catalog.models import Service
from spbe.desk.choices import ReportingMethod
from spbe.org import access
from spbe.org.choices import Role
from spbe.org.models import PerangkatDaerah

IMPORT_ROLES = frozenset({Role.ADMIN_LAYANAN})


def importable_pds(user) -> QuerySet[PerangkatDaerah]:
    return access.workable_pds(user, roles=IMPORT_ROLES)


def can_import(user, pd: PerangkatDaerah) -> bool:
    return importable_pds(user).filter(pk=pd.pk).exists()


def importable_services(user) -> QuerySet[Service]:
    """Active services of the PDs the user may import into."""
    services = Service.objects.filter(lifecycle=Lifecycle.ACTIVE, pd__in=importable_pds(user))
    return services.select_related("pd__pemda__policy_version", "service_admin").order_by("pd__name", "name")


def lapor_tickets(user):
    """The LAPOR! tickets the user sees on the desk."""
    from spbe.desk.views import visible_tickets

    return visible_tickets(user).filter(reporting_method=ReportingMethod.LAPOR)


def visible_imports(user):
    from spbe.lapor.models import LaporImport

    return access.filter_by_pd(user, LaporImport.objects.select_related("pd", "default_service", "uploaded_by"))


def can_read(user) -> bool:
    return access.scope_for(user).is_staff_member
