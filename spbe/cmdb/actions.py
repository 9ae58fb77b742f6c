"""State changes of the configuration database; each one writes the audit
trail in the same transaction (house style: views never .save() directly)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from spbe.audit.models import AuditAction
from spbe.audit.record import diff, record, snapshot
from spbe.catalog.models import Service
from spbe.cmdb.models import (
    Application,
    Component,
    ComponentDependency,
    ServiceApplication,
    validate_dependency,
)
from spbe.org.models import Pemda

APPLICATION_FIELDS = ["pd", "name", "description", "url", "technology", "hosting", "developer", "sdlc_phase", "version"]
COMPONENT_FIELDS = ["pd", "name", "kind", "location", "attributes"]
# Beyond this many boxes a drawing is no longer read; the lists still are.
GRAPH_LIMIT = 150


def attributes_text(attributes: dict) -> str:
    return "; ".join(f"{key}: {value}" for key, value in attributes.items())


def component_snapshot(component: Component) -> dict:
    values = snapshot(component, COMPONENT_FIELDS)
    values["attributes"] = attributes_text(component.attributes)
    return values


def save(actor, form, fields: list[str], before: dict | None = None):
    """Save a create/edit form and record it; None (with the reason on the
    form) when a concurrent save took the name first."""
    try:
        with transaction.atomic():
            obj = form.save()
            after = component_snapshot(obj) if isinstance(obj, Component) else snapshot(obj, fields)
            record(
                actor=actor, action=AuditAction.CREATE if before is None else AuditAction.UPDATE, target=obj,
                pemda=obj.pd.pemda, changes=diff(before or {}, after),
            )  # fmt: skip
    except IntegrityError:
        form.add_error("name", _("Nama ini baru saja dipakai data lain. Pilih nama lain."))
        return None
    return obj


def change_runs_on(actor, app: Application, component: Component, *, add: bool) -> None:
    with transaction.atomic():
        if add:
            app.components.add(component)
        else:
            app.components.remove(component)
        change = [None, str(component)] if add else [str(component), None]
        record(actor=actor, action=AuditAction.UPDATE, target=app, pemda=app.pd.pemda, changes={"components": change})


def change_service_link(actor, app: Application, service: Service, *, add: bool) -> None:
    with transaction.atomic():
        if add:
            ServiceApplication.objects.get_or_create(application=app, service=service)
        else:
            ServiceApplication.objects.filter(application=app, service=service).delete()
        change = [None, str(service)] if add else [str(service), None]
        record(actor=actor, action=AuditAction.UPDATE, target=app, pemda=app.pd.pemda, changes={"services": change})


def add_dependency(actor, component: Component, target: Component) -> None:
    """Checked again inside the transaction, with the Pemda's row locked on
    PostgreSQL, so that two people cannot close a loop between them."""
    with transaction.atomic():
        Pemda.objects.select_for_update().get(pk=component.pemda_id)
        validate_dependency(component, target)
        if ComponentDependency.objects.filter(component=component, depends_on=target).exists():
            return
        ComponentDependency.objects.create(component=component, depends_on=target)
        record(
            actor=actor, action=AuditAction.UPDATE, target=component, pemda=component.pemda,
            changes={"depends_on": [None, str(target)]},
        )  # fmt: skip


def remove_dependency(actor, link: ComponentDependency) -> None:
    with transaction.atomic():
        component = link.component
        link.delete()
        record(
            actor=actor, action=AuditAction.UPDATE, target=component, pemda=component.pemda,
            changes={"depends_on": [str(link.depends_on), None]},
        )  # fmt: skip
