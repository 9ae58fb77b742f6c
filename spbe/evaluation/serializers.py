"""The JSON shapes of the evaluation API (E-2, E-3, E-4): reports with
their computed or frozen figures, chapter analyses, follow-up actions and
the maturity level with its evidence. The rules are the actions'; these
only read, and check the types of what is sent."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from spbe.approvals.models import ApprovalStatus
from spbe.approvals.validators import validate_attachment
from spbe.catalog.models import Service
from spbe.change.api_common import _user
from spbe.continuity.api import NamedChoiceField
from spbe.continuity.models import RecoveryPlan
from spbe.evaluation.actions import carried_actions
from spbe.evaluation.choices import ActionStatus, ActionTarget, Chapter, PeriodKind, ReportScope
from spbe.evaluation.figures import figures_of
from spbe.evaluation.forms import staff_of
from spbe.evaluation.models import ChapterAnalysis, EvaluationReport, FollowUpAction
from spbe.evaluation.rules import missing_analysis
from spbe.evaluation.views import visible_reports
from spbe.org import access
from spbe.org.models import User

ID = {"min_value": 1, "max_value": 2**63 - 1}


# --- follow-up actions ----------------------------------------------------------------------------


class FollowUpActionSerializer(serializers.ModelSerializer):
    """One follow-up action (*tindak lanjut*), what it improves and its evidence."""

    report_title = serializers.CharField(source="report.title", read_only=True)
    pd_name = serializers.CharField(source="pd.name", read_only=True)
    chapter = NamedChoiceField(Chapter, read_only=True)
    owner_name = serializers.CharField(source="owner.get_full_name", read_only=True)
    status = NamedChoiceField(ActionStatus, read_only=True)
    is_overdue = serializers.SerializerMethodField()
    target_kind = NamedChoiceField(ActionTarget, read_only=True)
    target = serializers.SerializerMethodField()
    evidence_file = serializers.SerializerMethodField()
    completed_by = serializers.StringRelatedField(allow_null=True)
    created_by = serializers.StringRelatedField(allow_null=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True, help_text="Halaman tindak lanjut.")

    class Meta:
        model = FollowUpAction
        fields = [
            "id", "report", "report_title", "pd", "pd_name", "chapter", "title", "description", "owner",
            "owner_name", "due_date", "status", "is_overdue", "target_kind", "service", "drp", "policy_version",
            "procedure", "target", "before_version", "after_version", "evidence_note", "evidence_file", "cancel_reason",
            "completed_at", "completed_by", "created_by", "created", "last_updated", "url",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField(help_text="Belum selesai dan lewat tenggat (hari Pemda)."))
    def get_is_overdue(self, action: FollowUpAction) -> bool:
        return action.is_overdue(action.pemda.today())

    @extend_schema_field(serializers.CharField(help_text="Yang diperbaiki: layanan, DRP, versi paket, prosedur."))
    def get_target(self, action: FollowUpAction) -> str:
        return str(action.target or "")

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="Tautan unduh berkas bukti."))
    def get_evidence_file(self, action: FollowUpAction) -> str | None:
        if not action.evidence_file:
            return None
        return reverse("evaluation:action_evidence", args=[action.pk])


class FollowUpActionWriteSerializer(serializers.ModelSerializer):
    """A new follow-up action of a report. Owner, due date and title are
    checked by ``actions.add_action``, so a missing one is said with its
    message, all at once."""

    report = serializers.PrimaryKeyRelatedField(
        queryset=EvaluationReport.objects.none(),
        error_messages={"does_not_exist": gettext_lazy("Laporan evaluasi tidak ditemukan.")},
    )
    chapter = NamedChoiceField(Chapter)
    title = serializers.CharField(max_length=200, allow_blank=True, default="")
    description = serializers.CharField(allow_blank=True, default="")
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True, default=None,
        error_messages={"does_not_exist": gettext_lazy("Pilih penanggung jawab dari staf PD laporan ini.")},
    )  # fmt: skip
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    target_kind = NamedChoiceField(ActionTarget)
    service = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.none(), required=False, allow_null=True, default=None,
        error_messages={"does_not_exist": gettext_lazy("Pilih layanan dari cakupan laporan ini.")},
    )  # fmt: skip
    drp = serializers.PrimaryKeyRelatedField(
        queryset=RecoveryPlan.objects.none(), required=False, allow_null=True, default=None,
        error_messages={"does_not_exist": gettext_lazy("Pilih DRP dari cakupan laporan ini.")},
    )  # fmt: skip
    procedure = serializers.CharField(max_length=200, allow_blank=True, default="")
    before_version = serializers.CharField(
        max_length=200, allow_blank=True, default="", help_text="Kosongkan untuk DRP dan paket kebijakan."
    )

    class Meta:
        model = FollowUpAction
        fields = ["report", "chapter", "title", "description", "owner", "due_date", "target_kind", "service", "drp",
                  "procedure", "before_version"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is None:
            return
        # another PD's service or DRP of the Pemda is refused by the action, with its message
        pemdas = access.visible_pemdas(user)
        self.fields["report"].queryset = visible_reports(user)
        self.fields["service"].queryset = Service.objects.filter(pd__pemda__in=pemdas)
        self.fields["drp"].queryset = RecoveryPlan.objects.filter(pd__pemda__in=pemdas)

    def validate(self, data: dict) -> dict:
        """The owner is one of the report's staff (the page's choices)."""
        owner = data.get("owner")
        if owner is not None and not staff_of(data["report"].pd).filter(pk=owner.pk).exists():
            raise serializers.ValidationError({"owner": [self.fields["owner"].error_messages["does_not_exist"]]})
        return data


class FollowUpCompleteSerializer(serializers.Serializer):
    """Done with evidence (E-4 level 5): a note, a file, or both; JSON or multipart/form-data."""

    evidence_note = serializers.CharField(allow_blank=True, default="", help_text="Bukti penyelesaian.")
    evidence_file = serializers.FileField(
        required=False, allow_null=True, default=None, validators=[validate_attachment],
        help_text="Berkas bukti (multipart/form-data): PDF, DOCX, XLSX, PNG, JPG; maksimal 10 MB.",
    )  # fmt: skip
    after_version = serializers.CharField(
        max_length=200, allow_blank=True, default="", help_text="Kosongkan untuk DRP dan paket kebijakan."
    )


class FollowUpStatusSerializer(serializers.Serializer):
    status = NamedChoiceField(ActionStatus, help_text="Mulai, buka lagi, atau batalkan; selesai lewat `selesai/`.")
    reason = serializers.CharField(
        max_length=500, allow_blank=True, default="", help_text="Alasan pembatalan; wajib bila status `cancelled`."
    )


# --- reports ----------------------------------------------------------------------------------------


class ChapterAnalysisSerializer(serializers.ModelSerializer):
    """The staff's analysis of one chapter (E-2 point 6)."""

    chapter = NamedChoiceField(Chapter)
    chapter_label = serializers.CharField(source="get_chapter_display", read_only=True)
    obstacles = serializers.CharField(allow_blank=True, default="", help_text="Analisis hambatan.")
    improvements = serializers.CharField(allow_blank=True, default="", help_text="Peluang perbaikan.")
    written_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = ChapterAnalysis
        fields = ["chapter", "chapter_label", "obstacles", "improvements", "written_by", "last_updated"]
        read_only_fields = ["written_by", "last_updated"]


class EvaluationReportSerializer(serializers.ModelSerializer):
    """One evaluation report, as the list gives it."""

    pd_name = serializers.CharField(source="pd.name", read_only=True)
    pemda_name = serializers.CharField(source="pemda.name", read_only=True)
    subject_name = serializers.CharField(read_only=True, help_text="PD atau Pemda yang dievaluasi.")
    scope = NamedChoiceField(ReportScope, read_only=True)
    period_kind = NamedChoiceField(PeriodKind, read_only=True)
    status = NamedChoiceField(ApprovalStatus, read_only=True)
    drafted_by = serializers.StringRelatedField(allow_null=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True, help_text="Halaman laporan.")

    class Meta:
        model = EvaluationReport
        fields = [
            "id", "pemda", "pemda_name", "pd", "pd_name", "subject_name", "scope", "period_kind", "period_start",
            "period_end", "title", "status", "revision", "frozen_at", "drafted_by", "created", "last_updated", "url",
        ]  # fmt: skip
        read_only_fields = fields


class EvaluationReportDetailSerializer(EvaluationReportSerializer):
    """A report with every chapter's recap: computed now for a draft, as
    frozen at approval for an approved one (E-2); the analyses, the
    report's follow-up actions and the open ones carried from earlier
    periods, and the chapters whose analysis is still to be written."""

    figures = serializers.SerializerMethodField()
    analyses = ChapterAnalysisSerializer(many=True, read_only=True)
    actions = FollowUpActionSerializer(many=True, read_only=True)
    carried_actions = serializers.SerializerMethodField()
    missing_analysis = serializers.SerializerMethodField()

    class Meta(EvaluationReportSerializer.Meta):
        fields = [*EvaluationReportSerializer.Meta.fields, "introduction", "conclusion", "figures", "analyses",
                  "missing_analysis", "actions", "carried_actions"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_figures(self, report: EvaluationReport) -> dict:
        """The recap of every chapter (docs/evaluation.md explains each figure)."""
        return figures_of(report)

    @extend_schema_field(FollowUpActionSerializer(many=True))
    def get_carried_actions(self, report: EvaluationReport) -> list[dict]:
        carried = carried_actions(report).select_related("pd", "pemda", "service", "drp", "completed_by")
        return FollowUpActionSerializer(carried, many=True).data

    @extend_schema_field(serializers.ListField(child=NamedChoiceField(Chapter)))
    def get_missing_analysis(self, report: EvaluationReport) -> list[str]:
        """Chapters whose analysis of obstacles must still be written before approval."""
        return missing_analysis(report)


class EvaluationReportCreateSerializer(serializers.Serializer):
    """A new draft report: whose (a PD, or with ``scope: "pemda"`` the
    Pemda of that PD) and the period. An empty title takes the standard one."""

    pd = serializers.IntegerField(**ID, help_text="Id PD; untuk laporan Pemda, PD mana pun dari Pemda itu.")
    scope = NamedChoiceField(ReportScope, default=ReportScope.PD)
    period_kind = NamedChoiceField(PeriodKind)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    title = serializers.CharField(max_length=200, allow_blank=True, default="")


class RejectionSerializer(serializers.Serializer):
    comment = serializers.CharField(
        help_text="Alasan penolakan (wajib).",
        error_messages={
            name: gettext_lazy("Tuliskan alasan penolakan agar penyusun dapat memperbaikinya.")
            for name in ("required", "blank", "null")
        },
    )


# --- the maturity level ----------------------------------------------------------------------------


class MaturityQuerySerializer(serializers.Serializer):
    pd = serializers.IntegerField(required=False, **ID)
    pemda = serializers.IntegerField(required=False, **ID)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)


class MaturityEvidenceSerializer(serializers.Serializer):
    label = serializers.CharField()
    url = serializers.CharField(
        allow_blank=True, help_text="Halaman catatan yang membuktikannya; kosong bila tidak ada."
    )


class MaturityCriterionSerializer(serializers.Serializer):
    """One condition of one level of Tabel 14: met or not, its evidence, and what to do."""

    level = serializers.IntegerField(min_value=2, max_value=5)
    key = serializers.CharField()
    title = serializers.CharField()
    met = serializers.BooleanField()
    evidence = MaturityEvidenceSerializer(many=True)
    missing = serializers.CharField(allow_blank=True, help_text="Yang masih kurang, bila belum terpenuhi.")


class MaturityLevelSerializer(serializers.Serializer):
    level = serializers.IntegerField(min_value=1, max_value=5)
    name = serializers.CharField(help_text="Nama tingkat Indeks Pemdi.")
    text = serializers.CharField(allow_blank=True, help_text="Kriteria Tabel 14 dari paket kebijakan.")
    reached = serializers.BooleanField()


class MaturitySerializer(serializers.Serializer):
    """The maturity level (E-4) of a PD, or of the Pemda when ``pd`` is null."""

    pemda = serializers.IntegerField(source="subject.pemda.pk")
    pemda_name = serializers.CharField(source="subject.pemda.name")
    pd = serializers.IntegerField(source="subject.pd.pk", allow_null=True, default=None)
    pd_name = serializers.CharField(source="subject.pd.name", allow_null=True, default=None)
    start = serializers.DateField(source="subject.start")
    end = serializers.DateField(source="subject.end")
    level = serializers.IntegerField(min_value=1, max_value=5)
    name = serializers.CharField(help_text="Nama tingkat Indeks Pemdi (1 Rintisan … 5 Optimum).")
    levels = MaturityLevelSerializer(many=True)
    criteria = MaturityCriterionSerializer(many=True)
    next_missing = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_next_missing(self, result) -> list[str]:
        """Keys of the criteria that stand between this level and the next."""
        return [criterion.key for criterion in result.next_missing]
