"""The audit trail page: who changed what, when."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from spbe.audit.models import AuditAction, AuditEvent
from spbe.front.forms import StyledFormMixin
from spbe.front.listing import build_listing, render_listing, wants_export, xlsx_response
from spbe.org import access


class AuditFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=gettext_lazy("Cari"), required=False)
    action = forms.ChoiceField(
        label=gettext_lazy("Tindakan"),
        required=False,
        choices=[("", gettext_lazy("Semua tindakan")), *AuditAction.choices],
    )
    date_from = forms.DateField(
        label=gettext_lazy("Dari tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("Sampai tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def visible_events(user):
    """Administrator Sistem: everything; Koordinator SPBE: its Pemda's."""
    qs = AuditEvent.objects.select_related("actor", "pemda")
    if access.scope_for(user).is_system_admin:
        return qs
    return qs.filter(pemda__in=access.managed_pemdas(user))


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    if not access.can_manage_org(request.user):
        raise PermissionDenied
    filters = AuditFilterForm(request.GET or None)
    qs = visible_events(request.user)
    if filters.is_valid():
        data = filters.cleaned_data
        if data["action"]:
            qs = qs.filter(action=data["action"])
        if data["date_from"]:
            qs = qs.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            qs = qs.filter(at__date__lte=data["date_to"])
    qs, listing = build_listing(
        request,
        qs,
        search_fields=["target_repr", "actor__full_name", "actor__email"],
        sorts={"at": "at", "action": "action", "target": "target_repr"},
        default_sort="-at",
    )
    if wants_export(request):
        rows = (
            (
                e.at,
                e.actor.full_name if e.actor else "",
                e.get_action_display(),
                e.target_repr,
                e.pemda or "",
                e.changes,
                e.ip_address or "",
            )
            for e in qs
        )
        headers = [_("Waktu"), _("Pelaku"), _("Tindakan"), _("Objek"), _("Pemda"), _("Perubahan"), _("Alamat IP")]
        return xlsx_response("jejak-audit", headers, rows, title=_("Jejak audit"))
    context = {"listing": listing, "filters": filters}
    return render_listing(request, "audit/list.html", "audit/_results.html", context)
