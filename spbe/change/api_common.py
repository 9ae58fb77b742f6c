"""What the change and release APIs share (P-9, O-6): the JSON shape of
an action's refusal, the caller, the staff-only permission, a decision's
comment."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.permissions import BasePermission

from spbe.org import access


def _user(serializer: serializers.Serializer):
    """The signed-in caller; None while the OpenAPI schema is generated."""
    user = getattr(serializer.context.get("request"), "user", None)
    return user if getattr(user, "is_authenticated", False) else None


class IsStaffMember(BasePermission):
    """Like the pages (``staff_required``): a plain Pengguna Layanan has no
    business with transition plans."""

    message = gettext_lazy("Hanya petugas yang dapat memakai API rencana perubahan.")

    def has_permission(self, request, view) -> bool:
        return access.scope_for(request.user).is_staff_member


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Catatan; wajib diisi saat menolak."
    )
