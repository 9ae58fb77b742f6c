"""Forms of the service desk (O-1, O-2)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spbe.catalog.choices import Lifecycle
from spbe.catalog.models import Service
from spbe.desk.choices import Impact, ReportingMethod, TicketKind, TicketStatus
from spbe.desk.models import Problem, SlaDocument
from spbe.front.forms import StyledFormMixin
from spbe.org import access
from spbe.org.models import PerangkatDaerah, User


def active_services(user):
    services = Service.objects.filter(lifecycle=Lifecycle.ACTIVE)
    return access.filter_by_pd(user, services.select_related("pd__pemda__policy_version", "service_admin"))


class TicketForm(StyledFormMixin, forms.Form):
    """A request or complaint recorded by staff, e.g. received by phone or
    letter earlier: its real reported time starts the clocks."""

    kind = forms.ChoiceField(label=_("Jenis"), choices=TicketKind.choices, initial=TicketKind.COMPLAINT)
    service = forms.ModelChoiceField(label=_("Layanan"), queryset=Service.objects.none())
    impact = forms.ChoiceField(
        label=_("Dampak (untuk aduan)"), required=False, choices=[("", "—"), *Impact.choices],
        help_text=_("Mayor: layanan gagal total. Minor: masih berjalan tetapi lambat atau satu fungsi gagal."),
    )  # fmt: skip
    reporting_method = forms.ChoiceField(label=_("Cara pelaporan"), choices=ReportingMethod.choices)
    lapor_tracking_id = forms.CharField(label=_("Nomor SP4N-LAPOR!"), required=False, max_length=40)
    reported_at = forms.DateTimeField(
        label=_("Waktu dilaporkan"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Isi waktu sebenarnya bila laporan diterima lebih awal (telepon, surat)."),
    )  # fmt: skip
    reporter_name = forms.CharField(label=_("Nama pelapor"), max_length=150)
    reporter_email = forms.EmailField(label=_("E-mail pelapor"), required=False)
    reporter_phone = forms.CharField(label=_("Telepon pelapor"), required=False, max_length=30)
    subject = forms.CharField(label=_("Judul"), max_length=200)
    description = forms.CharField(label=_("Uraian / gejala"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = active_services(actor)
        self.fields["reported_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == TicketKind.COMPLAINT and not data.get("impact"):
            self.add_error("impact", _("Pilih dampak: Mayor atau Minor."))
        if data.get("reporting_method") == ReportingMethod.LAPOR and not data.get("lapor_tracking_id"):
            self.add_error("lapor_tracking_id", _("Isi nomor pelacakan SP4N-LAPOR!."))
        reported_at = data.get("reported_at")
        if reported_at and reported_at > timezone.now():
            self.add_error("reported_at", _("Waktu dilaporkan tidak boleh di masa depan."))
        return data


URGENT = "1-2"


class QueueFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Cari"), required=False)
    pd = forms.ModelChoiceField(label=_("PD"), queryset=PerangkatDaerah.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("Jenis"), required=False, choices=[("", _("Semua jenis")), *TicketKind.choices])
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("Semua status")), ("open", _("Semua terbuka")), *TicketStatus.choices],
    )  # fmt: skip
    priority = forms.ChoiceField(
        label=_("Prioritas"),
        required=False,
        # P1–P2: the urgent complaints the evaluation dashboard counts and links to
        choices=[("", _("Semua")), (URGENT, "P1–P2"), *[(str(p), f"P{p}") for p in range(1, 7)]],
    )
    service = forms.ModelChoiceField(label=_("Layanan"), queryset=Service.objects.none(), required=False)
    assignee = forms.ModelChoiceField(label=_("Petugas"), queryset=User.objects.none(), required=False)
    date_from = forms.DateField(
        label=_("Dilaporkan sejak"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("sampai"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    overdue = forms.BooleanField(label=_("Hanya yang terlampaui"), required=False)
    mine = forms.BooleanField(label=_("Hanya tugas saya"), required=False)

    def __init__(self, *args, actor: User, assignees=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the columns the options show: the whole rows were a tenth of the queue's time.
        self.fields["pd"].queryset = access.visible_pds(actor).select_related(None).only("name", "abbreviation")
        self.fields["pd"].empty_label = _("Semua PD")
        self.fields["service"].queryset = access.filter_by_pd(actor, Service.objects.select_related("pd")).only(
            "name", "pd__abbreviation"
        )
        self.fields["service"].empty_label = _("Semua layanan")
        self.fields["assignee"].queryset = assignees if assignees is not None else User.objects.none()
        self.fields["assignee"].empty_label = _("Semua petugas")
        # Read once: the queue's bulk-assign select lists the same people.
        self.fields["assignee"].choices = list(iter(self.fields["assignee"].choices))  # list() alone runs a COUNT

    @property
    def assignee_options(self) -> list:
        """(id, name) of the people tickets can be assigned to, without the "all" option."""
        return [(value, label) for value, label in self.fields["assignee"].choices if value]


class MessageForm(StyledFormMixin, forms.Form):
    message = forms.CharField(label=_("Pesan"), widget=forms.Textarea(attrs={"rows": 3}))


class AnalysisForm(StyledFormMixin, forms.Form):
    analysis = forms.CharField(label=_("Analisis"), widget=forms.Textarea(attrs={"rows": 3}))
    estimate_due = forms.DateTimeField(
        label=_("Perkiraan selesai"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class EscalateForm(StyledFormMixin, forms.Form):
    level = forms.TypedChoiceField(
        label=_("Tingkat eskalasi"), coerce=int,
        choices=[(1, _("1 — Administrator Layanan dibantu Administrator Infrastruktur dan Aplikasi")),
                 (2, _("2 — PJ Penyedia Layanan dibantu PJ Infrastruktur dan Aplikasi")),
                 (3, _("3 — Pimpinan PD Penyedia Layanan"))],
    )  # fmt: skip
    reason = forms.CharField(label=_("Alasan"), widget=forms.Textarea(attrs={"rows": 2}))


class HandOverForm(StyledFormMixin, forms.Form):
    """O-2: beyond the estimate, to an Administrator Infrastruktur dan Aplikasi."""

    infra_admin = forms.ModelChoiceField(label=_("Administrator infrastruktur"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Alasan"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, infra_admins, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["infra_admin"].queryset = infra_admins


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Alasan"), widget=forms.Textarea(attrs={"rows": 2}))


class UrgencyForm(StyledFormMixin, forms.Form):
    urgency = forms.TypedChoiceField(
        label=_("Tingkat urgensi"), coerce=int,
        choices=[(1, _("1 — tinggi: semua pengguna terdampak, layanan tidak berjalan")),
                 (2, _("2 — sedang: hanya sebagian pengguna")),
                 (3, _("3 — rendah: pengguna belum memahami alur"))],
    )  # fmt: skip


class ResolveForm(StyledFormMixin, forms.Form):
    cause = forms.CharField(label=_("Penyebab"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    solution = forms.CharField(label=_("Penyelesaian"), widget=forms.Textarea(attrs={"rows": 3}))


class PriorityForm(StyledFormMixin, forms.Form):
    priority = forms.TypedChoiceField(
        label=_("Prioritas baru"), coerce=int, choices=[(p, f"P{p}") for p in range(1, 7)]
    )
    reason = forms.CharField(label=_("Alasan perubahan"), max_length=200)


class ProblemForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Problem
        fields = ["title", "status", "root_cause", "workaround", "permanent_fix"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in ("root_cause", "workaround", "permanent_fix")}


class ReviewForm(StyledFormMixin, forms.Form):
    days = forms.IntegerField(label=_("Periode (hari terakhir)"), min_value=1, max_value=366, initial=30)
    minimum = forms.IntegerField(label=_("Minimal jumlah aduan"), min_value=2, max_value=1000, initial=3)


class SlaDocumentForm(StyledFormMixin, forms.ModelForm):
    """E-3 tables in hours; the initial values are the Pemda's pack."""

    response_hours = forms.IntegerField(label=_("Kecepatan respon dalam jam kerja (jam)"), min_value=1, max_value=720)
    resolution_1_hours = forms.IntegerField(
        label=_("Penyelesaian urgensi 1 — tinggi (jam)"), min_value=1, max_value=8760
    )
    resolution_2_hours = forms.IntegerField(
        label=_("Penyelesaian urgensi 2 — sedang (jam)"), min_value=1, max_value=8760
    )
    resolution_3_hours = forms.IntegerField(
        label=_("Penyelesaian urgensi 3 — rendah (jam)"), min_value=1, max_value=8760
    )

    class Meta:
        model = SlaDocument
        fields = ["pd", "title", "vendor", "contract_number", "contract_value", "valid_from", "valid_to", "services"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_to": forms.DateInput(attrs={"type": "date"}),
            "services": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, actor: User, pack=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pd"].queryset = access.workable_pds(actor)
        self.fields["services"].queryset = active_services(actor)
        for name, value in self._initial_targets(pack).items():
            if value is not None:
                self.fields[name].initial = int(value.total_seconds() // 3600)

    def _initial_targets(self, pack) -> dict:
        """The document's own values, or the pack's E-3 tables for a new one."""
        if self.instance.pk:
            doc = self.instance
            return {
                "response_hours": doc.response_target,
                **{f"resolution_{n}_hours": doc.resolution_for(n) for n in (1, 2, 3)},
            }
        if pack is None:
            return {}
        return {
            "response_hours": pack.sla_response,
            **{f"resolution_{n}_hours": pack.sla_resolution.get(n) for n in (1, 2, 3)},
        }

    def clean(self) -> dict:
        data = super().clean()
        pd, services = data.get("pd"), data.get("services") or []
        if pd and any(s.pd.pemda_id != pd.pemda_id for s in services):
            self.add_error("services", _("Semua layanan harus milik Pemda yang sama dengan PD pemegang."))
        targets = {"response_hours": "response_target", "resolution_1_hours": "resolution_1",
                   "resolution_2_hours": "resolution_2", "resolution_3_hours": "resolution_3"}  # fmt: skip
        for name, field in targets.items():
            if data.get(name):
                setattr(self.instance, field, timedelta(hours=data[name]))
        if pd:
            self.instance.pemda = pd.pemda
        return data


class DecisionForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Keputusan"), choices=[("approve", _("Setujui permintaan")), ("reject", _("Tolak permintaan"))]
    )
    reason = forms.CharField(label=_("Alasan / catatan"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AffectedItemsForm(StyledFormMixin, forms.Form):
    components = forms.ModelMultipleChoiceField(label=_("Komponen terdampak"), queryset=None, required=False)
    applications = forms.ModelMultipleChoiceField(label=_("Aplikasi terdampak"), queryset=None, required=False)

    def __init__(self, *args, ticket=None, **kwargs):
        super().__init__(*args, **kwargs)
        from spbe.cmdb.models import Application, Component

        if ticket is None:
            self.fields["components"].queryset = Component.objects.none()
            self.fields["applications"].queryset = Application.objects.none()
        else:  # the ticket's PD and Diskominfo's, and what is linked already (issue 14)
            pds = access.linkable_pds(PerangkatDaerah.objects.filter(pk=ticket.pd_id))
            self.fields["components"].queryset = Component.objects.filter(
                Q(pd__in=pds) | Q(pk__in=ticket.components.values("pk"))
            )
            self.fields["applications"].queryset = Application.objects.filter(
                Q(pd__in=pds) | Q(pk__in=ticket.applications.values("pk"))
            )
        if ticket is not None and not self.is_bound:
            self.initial = {
                "components": list(ticket.components.all()),
                "applications": list(ticket.applications.all()),
            }


class ServiceByPdField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.pd.abbreviation or obj.pd.name} — {obj.name}"


class MoveServiceForm(StyledFormMixin, forms.Form):
    """O-1/O-2: a misfiled ticket goes to the right service, of any PD of
    the ticket's Pemda (``actions.move_to_service`` checks it again)."""

    service = ServiceByPdField(
        label=_("Layanan tujuan (PD — Layanan)"), queryset=Service.objects.none(),
        error_messages={"invalid_choice": _("Pilih layanan aktif lain milik Pemda tiket ini.")},
    )  # fmt: skip
    reason = forms.CharField(
        label=_("Alasan pemindahan"), widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Tuliskan alasan pemindahan.")},
    )  # fmt: skip

    def __init__(self, *args, ticket, **kwargs):
        super().__init__(*args, **kwargs)
        services = Service.objects.filter(lifecycle=Lifecycle.ACTIVE, pd__pemda_id=ticket.pemda_id)
        self.fields["service"].queryset = (
            services.exclude(pk=ticket.service_id)
            .select_related("pd__pemda__policy_version", "service_admin")
            .order_by("pd__name", "name")
        )
