"""The audit trail: who changed what, when (issue 2, item 6)."""

import contextlib
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("Dibuat")
    UPDATE = "update", _("Diubah")
    DELETE = "delete", _("Dihapus")
    ROLE_ASSIGN = "role_assign", _("Peran ditetapkan")
    ROLE_REVOKE = "role_revoke", _("Peran dicabut")
    LOGIN = "login", _("Masuk")
    LOGOUT = "logout", _("Keluar")


class AuditEvent(models.Model):
    """One recorded change. Rows are only ever added, never edited."""

    at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pelaku"),
    )
    # Scopes the trail: a Koordinator SPBE reads only its own Pemda's events.
    pemda = models.ForeignKey(
        "org.Pemda", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("Pemda")
    )
    action = models.CharField(_("tindakan"), max_length=20, choices=AuditAction.choices)
    target_type = models.CharField(_("jenis objek"), max_length=60)
    target_id = models.CharField(_("ID objek"), max_length=40, blank=True)
    target_repr = models.CharField(_("objek"), max_length=250)
    changes = models.JSONField(_("perubahan"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("peristiwa audit")
        verbose_name_plural = _("jejak audit")
        ordering = ["-at", "-id"]
        indexes = [
            # the audit page: newest events of one Pemda
            models.Index(fields=["pemda", "-at"], name="audit_pemda_at_idx"),
            # the history box on an object's page
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.target_repr}"

    def readable_changes(self) -> list[tuple[str, Any, Any]]:
        """(label, old, new) with the field's Indonesian name and Ya/Tidak
        for yes/no values, for people reading the trail."""
        try:
            model = apps.get_model(self.target_type)
        except (LookupError, ValueError):
            model = None
        rows = []
        for name, change in self.changes.items():
            # [old, new] as ``diff`` writes it; a bare value (what was created) reads as new
            old, new = change if isinstance(change, list) and len(change) == 2 else (None, change)
            label = name
            if model is not None:
                with contextlib.suppress(FieldDoesNotExist):
                    # a reverse relation (a project's "phases") has no verbose name: its own name then
                    label = str(getattr(model._meta.get_field(name), "verbose_name", name))
            rows.append((label, _readable(old), _readable(new)))
        return rows


def _readable(value: Any) -> Any:
    if isinstance(value, bool):
        return _("Ya") if value else _("Tidak")
    return value
