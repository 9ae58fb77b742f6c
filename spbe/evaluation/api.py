"""REST API of the evaluation stage (issue 13; E-2, E-3, E-4): evaluation
reports with their figures, chapter analyses and approval, follow-up
actions completed with evidence, and the maturity level with its evidence,
with the same permissions (``spbe.org.access``, the pages' querysets) and
the same action functions as the pages.

Another PD's or another Pemda's report or action is not found (404), so its
existence is not revealed; a person who may see a record but not do what
they ask gets 403; bad input is a 400 naming the field with the action's
message. Evidence of a completed action may come as multipart/form-data."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q
from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from spbe.approvals import api as approval_api
from spbe.approvals.models import ApprovalStatus
from spbe.change import api_common
from spbe.change.api_common import DecisionSerializer
from spbe.continuity.api import _filters
from spbe.evaluation import actions, maturity
from spbe.evaluation.choices import OPEN_ACTION_STATUSES, ActionStatus, ReportScope
from spbe.evaluation.models import ChapterAnalysis, EvaluationReport, FollowUpAction
from spbe.evaluation.serializers import (
    ID,
    ChapterAnalysisSerializer,
    EvaluationReportCreateSerializer,
    EvaluationReportDetailSerializer,
    EvaluationReportSerializer,
    FollowUpActionSerializer,
    FollowUpActionWriteSerializer,
    FollowUpCompleteSerializer,
    FollowUpStatusSerializer,
    MaturityQuerySerializer,
    MaturitySerializer,
    RejectionSerializer,
)
from spbe.evaluation.views import visible_actions, visible_reports
from spbe.front.api import error_response
from spbe.org import access
from spbe.org.choices import TimeZone

ACTION_RELATED = ("pd", "pemda", "owner", "report", "service", "drp", "policy_version", "completed_by", "created_by")


class IsStaffMember(api_common.IsStaffMember):
    """Like the pages (``staff_required``): a plain Pengguna Layanan has no
    business with evaluation records."""

    message = gettext_lazy("Hanya petugas yang dapat memakai API evaluasi.")


_PD_NOT_FOUND = "Perangkat Daerah tidak ditemukan atau di luar cakupan Anda."


def _pd_or_404(user, pk: int):
    """A PD the user may see; another PD or Pemda's is simply not found."""
    try:
        return access.get_pd(user, pk)
    except Http404:
        raise NotFound(_("Perangkat Daerah tidak ditemukan.")) from None


# --- reports --------------------------------------------------------------------------------------


class ReportFilterSerializer(serializers.Serializer):
    pd = serializers.IntegerField(required=False, **ID)
    scope = serializers.ChoiceField(choices=ReportScope.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=ApprovalStatus.choices, required=False, allow_blank=True)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


REPORT_PARAMETERS = [
    OpenApiParameter("pd", int, description="Id PD laporan (laporan Pemda disimpan di Diskominfo)."),
    OpenApiParameter("scope", str, enum=ReportScope.values, description="`pd` atau `pemda`."),
    OpenApiParameter("status", str, enum=ApprovalStatus.values, description="Status persetujuan."),
    OpenApiParameter("year", int, description="Laporan yang periodenya mencakup tahun ini."),
]


class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Evaluation reports the caller may see (E-2): a PD's staff its PD's,
    the Koordinator SPBE every report of its Pemda, the Administrator Sistem all."""

    permission_classes = [IsAuthenticated, IsStaffMember]

    def get_serializer_class(self):
        return EvaluationReportSerializer if self.action == "list" else EvaluationReportDetailSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # OpenAPI schema generation
            return EvaluationReport.objects.none()
        qs = visible_reports(self.request.user).select_related("drafted_by").order_by("-period_end", "pd__name", "pk")
        if self.action != "list":
            analyses = ChapterAnalysis.objects.select_related("written_by").order_by("pk")
            report_actions = FollowUpAction.objects.select_related(*ACTION_RELATED)
            return qs.prefetch_related(Prefetch("analyses", analyses), Prefetch("actions", report_actions))
        data = _filters(ReportFilterSerializer, self.request)
        qs = qs.filter(**{name: data[name] for name in ("pd", "scope", "status") if name in data})
        if "year" in data:
            qs = qs.filter(period_start__year__lte=data["year"], period_end__year__gte=data["year"])
        return qs

    def _fresh(self, report: EvaluationReport) -> dict:
        return EvaluationReportDetailSerializer(self.get_queryset().get(pk=report.pk)).data

    @extend_schema(parameters=REPORT_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=EvaluationReportCreateSerializer,
        responses={201: EvaluationReportDetailSerializer, 404: error_response(_PD_NOT_FOUND)},
    )
    def create(self, request):
        """Open a draft report for a period; its figures are computed from the
        records until it is approved. A PD the caller does not see is not
        found; one they see but may not evaluate is refused (403)."""
        incoming = EvaluationReportCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        pd = _pd_or_404(request.user, data["pd"])
        denied = _("Anda tidak dapat menyusun laporan evaluasi untuk PD ini.")
        if not access.workable_pds(request.user).filter(pk=pd.pk).exists():  # the page's choices: active PDs
            raise PermissionDenied(denied)
        period = actions.Period(data["period_kind"], data["period_start"], data["period_end"])
        try:
            report = actions.open_report(request.user, pd=pd, scope=data["scope"], period=period,
                                         title=data["title"])  # fmt: skip
        except DjangoPermissionDenied:
            raise PermissionDenied(denied) from None
        except DjangoValidationError as error:
            raise approval_api.as_api_error(error) from None
        return Response(self._fresh(report), status=201)

    @extend_schema(request=ChapterAnalysisSerializer, responses=ChapterAnalysisSerializer)
    @action(detail=True, methods=["post"], url_path="analisis")
    def analysis(self, request, pk=None):
        """Write one chapter's analysis of obstacles and chances to improve
        (E-2 point 6); sending it again replaces it."""
        report = self.get_object()
        incoming = ChapterAnalysisSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            written = actions.write_analysis(request.user, report, data["chapter"], obstacles=data["obstacles"],
                                             improvements=data["improvements"])  # fmt: skip
        except DjangoPermissionDenied:
            raise PermissionDenied(_("Anda tidak berwenang menulis analisis laporan ini.")) from None
        except DjangoValidationError as error:
            raise approval_api.as_api_error(error) from None
        return Response(ChapterAnalysisSerializer(written).data)

    @extend_schema(request=None, responses=EvaluationReportDetailSerializer)
    @action(detail=True, methods=["post"], url_path="ajukan")
    def submit(self, request, pk=None):
        """Submit the draft to the Pimpinan PD (the Pemda's report: to the
        Koordinator SPBE); every mandatory chapter needs its analysis."""
        report = self.get_object()
        approval_api.submit_record(
            request.user,
            report,
            already=_("Laporan ini sudah diajukan atau disetujui."),
            denied=_("Anda tidak berwenang mengajukan laporan evaluasi ini."),
            submit=actions.submit,
        )
        return Response(self._fresh(report))

    def _decide(self, request, decide, serializer_class) -> Response:
        report = self.get_object()
        incoming = serializer_class(data=request.data)
        incoming.is_valid(raise_exception=True)
        approval_api.decide_on(
            request.user,
            report,
            decide,
            incoming.validated_data["comment"],
            not_waiting=_("Laporan ini tidak sedang menunggu persetujuan."),
        )
        return Response(self._fresh(report))

    @extend_schema(request=DecisionSerializer, responses=EvaluationReportDetailSerializer)
    @action(detail=True, methods=["post"], url_path="setujui")
    def approve(self, request, pk=None):
        """Approve: the figures are frozen as they are now, so a later change
        of the records never rewrites the report (never by its drafter or
        submitter)."""
        return self._decide(request, actions.approve, DecisionSerializer)

    @extend_schema(request=RejectionSerializer, responses=EvaluationReportDetailSerializer)
    @action(detail=True, methods=["post"], url_path="tolak")
    def reject(self, request, pk=None):
        """Send the report back with the reason (``comment``, required)."""
        return self._decide(request, actions.reject, RejectionSerializer)


# --- follow-up actions ----------------------------------------------------------------------------


class ActionFilterSerializer(serializers.Serializer):
    pd = serializers.IntegerField(required=False, **ID)
    report = serializers.IntegerField(required=False, **ID)
    status = serializers.ChoiceField(choices=[*ActionStatus.values, "open_any"], required=False, allow_blank=True)
    overdue = serializers.BooleanField(required=False)


ACTION_PARAMETERS = [
    OpenApiParameter("pd", int, description="Id PD."),
    OpenApiParameter("report", int, description="Id laporan asal."),
    OpenApiParameter("status", str, enum=[*ActionStatus.values, "open_any"],
                     description="Status; `open_any`: belum selesai (belum dimulai atau sedang dikerjakan)."),
    OpenApiParameter("overdue", bool, description="`true`: belum selesai dan lewat tenggat (hari di zona Pemda)."),
]  # fmt: skip


def _overdue() -> Q:
    """Open and past due by each Pemda's own calendar day."""
    now = timezone.now()
    late = Q()
    for zone in TimeZone.values:
        late |= Q(pemda__time_zone=zone, due_date__lt=now.astimezone(ZoneInfo(zone)).date())
    return Q(status__in=OPEN_ACTION_STATUSES) & late


class FollowUpActionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Follow-up actions of the reports the caller may see (E-2 point 6, E-4 level 5)."""

    serializer_class = FollowUpActionSerializer
    permission_classes = [IsAuthenticated, IsStaffMember]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # OpenAPI schema generation
            return FollowUpAction.objects.none()
        qs = visible_actions(self.request.user).select_related(*ACTION_RELATED).order_by("due_date", "pk")
        if self.action != "list":
            return qs
        data = _filters(ActionFilterSerializer, self.request)
        qs = qs.filter(**{name: data[name] for name in ("pd", "report") if name in data})
        status = data.get("status")
        if status == "open_any":
            qs = qs.filter(status__in=OPEN_ACTION_STATUSES)
        elif status:
            qs = qs.filter(status=status)
        if data.get("overdue"):
            qs = qs.filter(_overdue())
        return qs

    def _fresh(self, follow_up: FollowUpAction) -> dict:
        return FollowUpActionSerializer(self.get_queryset().get(pk=follow_up.pk)).data

    @extend_schema(parameters=ACTION_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=FollowUpActionWriteSerializer, responses={201: FollowUpActionSerializer})
    def create(self, request):
        """Record a follow-up action of a draft report: its owner (one of the
        report's staff), due date and what it improves; the version before
        is taken from the DRP or the policy pack."""
        incoming = FollowUpActionWriteSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        report = data.pop("report")
        try:
            follow_up = actions.add_action(request.user, report, FollowUpAction(**data))
        except DjangoPermissionDenied:
            raise PermissionDenied(_("Anda tidak berwenang menambah tindak lanjut laporan ini.")) from None
        except DjangoValidationError as error:
            raise approval_api.as_api_error(error) from None
        return Response(self._fresh(follow_up), status=201)

    @extend_schema(request=FollowUpCompleteSerializer, responses=FollowUpActionSerializer)
    @action(detail=True, methods=["post"], url_path="selesai", parser_classes=[JSONParser, MultiPartParser,
                                                                                FormParser])  # fmt: skip
    def complete(self, request, pk=None):
        """Done, with the evidence: a note, a file (multipart/form-data), or
        both, and the version after; it counts for maturity level 5."""
        follow_up = self.get_object()
        incoming = FollowUpCompleteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            actions.complete_action(
                request.user,
                follow_up,
                evidence_note=data["evidence_note"],
                evidence_file=data["evidence_file"],
                after_version=data["after_version"],
            )
        except DjangoPermissionDenied:
            raise PermissionDenied(_("Anda tidak berwenang menindaklanjuti ini.")) from None
        except DjangoValidationError as error:
            raise approval_api.as_api_error(error) from None
        return Response(self._fresh(follow_up))

    @extend_schema(request=FollowUpStatusSerializer, responses=FollowUpActionSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        """Start, reopen or cancel an action; finishing it takes evidence (``selesai/``)."""
        follow_up = self.get_object()
        incoming = FollowUpStatusSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            actions.set_action_status(
                request.user, follow_up, incoming.validated_data["status"], incoming.validated_data["reason"]
            )
        except DjangoPermissionDenied:
            raise PermissionDenied(_("Anda tidak berwenang menindaklanjuti ini.")) from None
        except DjangoValidationError as error:
            raise approval_api.as_api_error(error) from None
        return Response(self._fresh(follow_up))


# --- the maturity level -----------------------------------------------------------------------------


MATURITY_PARAMETERS = [
    OpenApiParameter("pd", int, description="Id PD; tanpa `pd`: tingkat Pemda (Koordinator SPBE, Administrator "
                                            "Sistem)."),
    OpenApiParameter("pemda", int, description="Id Pemda, untuk Administrator Sistem; tanpa `pd` dan `pemda`: "
                                               "Pemda yang Anda koordinasikan."),
    OpenApiParameter("start", str, description="Awal periode (YYYY-MM-DD); bawaan: 12 bulan sampai `end`."),
    OpenApiParameter("end", str, description="Akhir periode (YYYY-MM-DD); bawaan: hari ini di zona Pemda."),
]  # fmt: skip


class MaturityView(APIView):
    """The maturity level (E-4; PermenPANRB 59/2020 indicator 28, Tabel 14)
    of a PD or of the Pemda, computed from the records of the period, with
    the evidence of each criterion and what is missing for the next level."""

    permission_classes = [IsAuthenticated, IsStaffMember]

    @extend_schema(
        parameters=MATURITY_PARAMETERS,
        responses={200: MaturitySerializer, 404: error_response("PD atau Pemda tidak ditemukan.")},
    )
    def get(self, request):
        data = _filters(MaturityQuerySerializer, request)
        pd = _pd_or_404(request.user, data["pd"]) if "pd" in data else None
        if pd is not None and data.get("pemda", pd.pemda_id) != pd.pemda_id:
            raise ValidationError({"pd": [_("PD ini bukan bagian dari Pemda yang dipilih.")]})
        pemda = pd.pemda if pd is not None else self._pemda(request.user, data.get("pemda"))
        today = pemda.today()
        end = data.get("end") or today
        start = data.get("start") or maturity.default_period(end)[0]
        errors = actions.period_errors(start, end, end_field="end")
        if errors:
            raise ValidationError({name: [message] for name, message in errors.items()})
        result = maturity.assess(pemda, pd, start=start, end=end, today=today)
        return Response(MaturitySerializer(result).data)

    @staticmethod
    def _pemda(user, pemda_id: int | None):
        """The Pemda's own level: for its Koordinator SPBE and the Administrator Sistem only."""
        scope = access.scope_for(user)
        if not (scope.is_system_admin or scope.coordinator_pemda_ids):
            raise PermissionDenied(_("Tingkat kematangan Pemda hanya untuk Koordinator SPBE; pilih PD Anda (pd)."))
        pemdas = access.managed_pemdas(user).order_by("name")
        if pemda_id is not None:
            found = pemdas.filter(pk=pemda_id).first()
            if found is None:
                raise NotFound(_("Pemda tidak ditemukan."))
            return found
        candidates = list(pemdas[:2])
        if len(candidates) == 1:
            return candidates[0]
        home = pemdas.filter(pk=user.pemda_id).first() if user.pemda_id else None
        if home is None:
            raise ValidationError({"pemda": [_("Pilih Pemda (pemda) atau PD (pd).")]})
        return home


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False  # ``/ajukan.json`` reached actions that take no format: a 500 (issue 14)
router.register("evaluasi/laporan", ReportViewSet, basename="evaluation-report")
router.register("evaluasi/tindak-lanjut", FollowUpActionViewSet, basename="evaluation-action")
api_urlpatterns = [
    *router.urls,
    path("evaluasi/kematangan/", MaturityView.as_view(), name="evaluation-maturity"),
]
