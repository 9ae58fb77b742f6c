"""REST API of application projects (O-7) under ``/api/v1/perubahan/proyek/``:
the project with its phase plan drafted through
``actions_projects.save_project`` and approved by the Koordinator SPBE
(Diskominfo) through ``spbe.approvals``, then per phase its start, its gate
approval and its completion, with the same permissions as the pages.

A phase is named in the URL by its number (1 perancangan, 2 implementasi,
3 pengujian, 4 pemeliharaan), not by the phase row's id::

    POST phases/<phase>/start/     {"on": "2027-03-01"}   (the application PD's staff, the coordinator)
    POST phases/<phase>/gate/                              (the Koordinator SPBE only)
    POST phases/<phase>/complete/  {"at": "2027-03-30"}   (the application PD's staff, the coordinator)

A day left out is today in the Pemda's zone. A phase plan error is named
after its phase and field, as the page shows it next to that field:
``implementation.planned_start``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from spbe.approvals import actions as approvals
from spbe.approvals import api as approval_api
from spbe.approvals.models import ApprovalStatus
from spbe.change import actions_projects as actions
from spbe.change.api_common import DecisionSerializer, IsStaffMember, _user
from spbe.change.models_projects import AppProject, Phase, PhaseStatus, ProjectPhase, SdlcMethod, Sourcing
from spbe.change.views_projects import visible_projects
from spbe.cmdb.models import Application, AppManagementTarget, AppNeedsAnalysis
from spbe.continuity.api import ApplicationRefSerializer, NamedChoiceField
from spbe.front.pages import is_id
from spbe.org import access

#: what the caller writes; the PD follows from the application
WRITE_FIELDS = [name for name in actions.PROJECT_FIELDS if name != "pd"]


class IsProjectStaff(IsStaffMember):
    message = gettext_lazy("Hanya petugas yang dapat memakai API proyek aplikasi.")


class ProjectPhaseSerializer(serializers.ModelSerializer):
    """One SDLC phase: its plan, its progress and its gate."""

    phase = NamedChoiceField(Phase, read_only=True, help_text="Nomor fase; dipakai di URL langkah fase.")
    phase_name = serializers.CharField(source="get_phase_display", read_only=True)
    status = NamedChoiceField(PhaseStatus, read_only=True, help_text="Mengikuti tanggal realisasi.")
    gate_pending = serializers.BooleanField(read_only=True, help_text="Gerbang menunggu persetujuan Diskominfo.")
    gate_approved_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = ProjectPhase
        fields = [
            "phase", "phase_name", "status", "planned_start", "planned_end", "actual_start", "actual_end",
            "deliverables", "needs_gate_approval", "gate_pending", "gate_approved_by", "gate_approved_at",
        ]  # fmt: skip
        read_only_fields = fields


class AppProjectSerializer(serializers.ModelSerializer):
    """One project, as the list gives it."""

    pd = serializers.PrimaryKeyRelatedField(read_only=True)
    pd_name = serializers.CharField(source="pd.name", read_only=True)
    application = ApplicationRefSerializer(read_only=True)
    method = NamedChoiceField(SdlcMethod, read_only=True)
    sourcing = NamedChoiceField(Sourcing, read_only=True)
    status = NamedChoiceField(ApprovalStatus, read_only=True)
    drafted_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = AppProject
        fields = [
            "id", "pd", "pd_name", "application", "title", "method", "sourcing", "vendor", "contract_number",
            "status", "revision", "drafted_by", "created", "last_updated",
        ]  # fmt: skip
        read_only_fields = fields


class AppProjectDetailSerializer(AppProjectSerializer):
    """One project with its goal, scope, P-11 and P-10 links and its phases."""

    needs_analysis_title = serializers.CharField(source="needs_analysis.title", read_only=True, allow_null=True,
                                                 default=None)  # fmt: skip
    phases = ProjectPhaseSerializer(many=True, read_only=True)

    class Meta(AppProjectSerializer.Meta):
        fields = [
            *AppProjectSerializer.Meta.fields, "needs_analysis", "needs_analysis_title", "management_target", "goal",
            "scope", "phases",
        ]  # fmt: skip
        read_only_fields = fields


class ProjectPhaseWriteSerializer(serializers.ModelSerializer):
    """One planned phase; a phase left out of the plan is removed unless it began."""

    phase = NamedChoiceField(Phase, help_text="1 perancangan, 2 implementasi, 3 pengujian, 4 pemeliharaan.")

    class Meta:
        model = ProjectPhase
        fields = ["phase", "planned_start", "planned_end", "deliverables", "needs_gate_approval"]


class AppProjectWriteSerializer(serializers.ModelSerializer):
    """A draft project with its phase plan. The application is one of the
    PDs the caller drafts for; the rules on vendor, P-11/P-10 links and the
    phases' order are the action's. Submission needs all four phases."""

    application = serializers.PrimaryKeyRelatedField(queryset=Application.objects.none())
    method = NamedChoiceField(SdlcMethod)
    sourcing = NamedChoiceField(Sourcing, required=False)
    needs_analysis = serializers.PrimaryKeyRelatedField(queryset=AppNeedsAnalysis.objects.none(), required=False,
                                                        allow_null=True)  # fmt: skip
    management_target = serializers.PrimaryKeyRelatedField(queryset=AppManagementTarget.objects.none(),
                                                           required=False, allow_null=True)  # fmt: skip
    phases = ProjectPhaseWriteSerializer(many=True, required=False)

    class Meta:
        model = AppProject
        fields = [*WRITE_FIELDS, "phases"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is None:
            return
        # the applications of the page's AppProjectForm; P-11 and P-10 from
        # the whole Pemda, so that another application's is refused with the
        # model's own message
        pds = access.workable_pds(user)
        pemdas = pds.values("pemda_id")
        self.fields["application"].queryset = Application.objects.filter(pd__in=pds)
        self.fields["needs_analysis"].queryset = AppNeedsAnalysis.objects.filter(pd__pemda__in=pemdas)
        self.fields["management_target"].queryset = AppManagementTarget.objects.filter(
            application__pd__pemda__in=pemdas
        )


def phase_rows(project: AppProject) -> list[dict]:
    """The project's phase plan as ``save_project`` takes it."""
    return [{"phase": p.phase, **{name: getattr(p, name) for name in actions.PHASE_PLAN_FIELDS}}
            for p in project.phases.all()]  # fmt: skip


class ProjectPhaseStartSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="Tanggal mulai; bila kosong, hari ini di zona waktu Pemda.")


class ProjectPhaseCompleteSerializer(serializers.Serializer):
    at = serializers.DateField(required=False, help_text="Tanggal selesai; bila kosong, hari ini di zona waktu Pemda.")


class AppProjectFilterSerializer(serializers.Serializer):
    # bounded: a larger id overflows the database's integer (a 500 on SQLite)
    pd = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    method = serializers.ChoiceField(choices=SdlcMethod.choices, required=False, allow_blank=True)
    sourcing = serializers.ChoiceField(choices=Sourcing.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=ApprovalStatus.choices, required=False, allow_blank=True)
    q = serializers.CharField(required=False, allow_blank=True)


PROJECT_FILTER_PARAMETERS = [
    OpenApiParameter("pd", int, description="Id PD pemilik aplikasi."),
    OpenApiParameter("method", str, enum=SdlcMethod.values, description="Metode SDLC."),
    OpenApiParameter("sourcing", str, enum=Sourcing.values, description="Pelaksana."),
    OpenApiParameter("status", str, enum=ApprovalStatus.values, description="Status persetujuan."),
    OpenApiParameter("q", str, description="Cari pada judul, tujuan, vendor, nomor kontrak, aplikasi, dan PD."),
]
PHASE_PARAMETER = OpenApiParameter("phase", int, OpenApiParameter.PATH, enum=Phase.values,
                                   description="Nomor fase: 1 perancangan, 2 implementasi, 3 pengujian, "
                                               "4 pemeliharaan.")  # fmt: skip
NOT_MANAGER = gettext_lazy("Anda tidak berhak mencatat langkah ini.")


class AppProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Application projects the caller may see (O-7): those of its PDs'
    applications, every PD's for the Pemda's Koordinator SPBE."""

    permission_classes = [IsAuthenticated, IsProjectStaff]

    def get_serializer_class(self):
        return AppProjectSerializer if self.action == "list" else AppProjectDetailSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # OpenAPI schema generation
            return AppProject.objects.none()
        qs = visible_projects(self.request.user).select_related("drafted_by")
        if self.action != "list":
            qs = qs.select_related("needs_analysis", "management_target").prefetch_related(
                Prefetch("phases", queryset=ProjectPhase.objects.select_related("gate_approved_by"))
            )
            return qs.order_by("-last_updated", "-pk")
        incoming = AppProjectFilterSerializer(data=self.request.query_params)
        incoming.is_valid(raise_exception=True)
        data = {name: value for name, value in incoming.validated_data.items() if value not in ("", None)}
        qs = qs.filter(**{name: data[name] for name in ("pd", "method", "sourcing", "status") if name in data})
        if data.get("q"):
            term = data["q"]
            qs = qs.filter(Q(title__icontains=term) | Q(goal__icontains=term) | Q(vendor__icontains=term)
                           | Q(contract_number__icontains=term) | Q(application__name__icontains=term)
                           | Q(pd__name__icontains=term) | Q(pd__abbreviation__icontains=term))  # fmt: skip
        return qs.order_by("-last_updated", "-pk")

    def _fresh(self, project: AppProject) -> dict:
        return AppProjectDetailSerializer(self.get_queryset().get(pk=project.pk)).data

    def _save(self, request, project: AppProject, phases: list[dict]) -> None:
        try:
            actions.save_project(request.user, project, phases)
        except DjangoPermissionDenied:
            raise PermissionDenied(_("Anda tidak berwenang menyusun proyek aplikasi PD ini.")) from None
        except DjangoValidationError as error:
            raise approval_api.as_api_error(error) from None

    @extend_schema(parameters=PROJECT_FILTER_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=AppProjectWriteSerializer, responses={201: AppProjectDetailSerializer})
    def create(self, request):
        """Draft a project with its phase plan, with the same checks as the
        page (the vendor of an outsourced project, P-11 and P-10 of the same
        application, the phases in order — under waterfall without
        overlap); submit it to the Koordinator SPBE once all four phases
        are planned."""
        if not access.workable_pds(request.user).exists():
            raise PermissionDenied(_("Anda tidak berwenang menyusun proyek aplikasi."))
        incoming = AppProjectWriteSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        phases = [dict(row) for row in data.pop("phases", [])]
        project = AppProject(**data)
        self._save(request, project, phases)
        return Response(self._fresh(project), status=201)

    @extend_schema(request=AppProjectWriteSerializer, responses=AppProjectDetailSerializer)
    def update(self, request, pk=None, partial=False):
        """Change a draft or rejected project, as its page does: PUT sends it
        whole (what is left out takes its default, phases left out are
        removed unless they began); PATCH only what changes, the rest is
        kept. Phases sent replace the plan whole; progress already recorded
        stays."""
        project = self.get_object()
        if not project.is_editable:  # the action's refusal, before any field is checked
            raise ValidationError({"non_field_errors": [
                _("Proyek yang diajukan atau disetujui tidak dapat diubah; buat revisi.")]})  # fmt: skip
        if not approvals.can_edit(request.user, project):
            raise PermissionDenied(_("Anda tidak berwenang mengubah proyek aplikasi ini."))
        incoming = AppProjectWriteSerializer(project, data=request.data, partial=partial,
                                          context=self.get_serializer_context())  # fmt: skip
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        for name in WRITE_FIELDS:
            if name in data:
                setattr(project, name, data[name])
            elif not partial:
                setattr(project, name, AppProject._meta.get_field(name).get_default())
        phases = [dict(row) for row in data["phases"]] if "phases" in data else phase_rows(project) if partial else []
        self._save(request, project, phases)
        return Response(self._fresh(project))

    @extend_schema(request=AppProjectWriteSerializer, responses=AppProjectDetailSerializer)
    def partial_update(self, request, pk=None):
        return self.update(request, pk, partial=True)

    @extend_schema(request=None, responses=AppProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the draft to the Koordinator SPBE (Diskominfo); all four
        SDLC phases must be planned."""
        project = self.get_object()
        approval_api.submit_record(
            request.user,
            project,
            already=_("Proyek ini sudah diajukan atau disetujui."),
            denied=_("Anda tidak berwenang mengajukan proyek aplikasi ini."),
        )
        return Response(self._fresh(project))

    def _decide(self, request, decide) -> Response:
        project = self.get_object()
        incoming = DecisionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        approval_api.decide_on(
            request.user,
            project,
            decide,
            incoming.validated_data["comment"],
            not_waiting=_("Proyek ini tidak sedang menunggu persetujuan."),
        )
        return Response(self._fresh(project))

    @extend_schema(request=DecisionSerializer, responses=AppProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The Koordinator SPBE of the Pemda approves the project (never its
        drafter or submitter); implementation may then start."""
        return self._decide(request, approvals.approve)

    @extend_schema(request=DecisionSerializer, responses=AppProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Send the project back with the reason (``comment``, required)."""
        return self._decide(request, approvals.reject)

    def _phase_step(self, request, phase: str, act, serializer_class=None, day: str = "") -> Response:
        """One step of a phase: the phase by its number (404 when not
        planned), the input checked, then the action with its own rules and
        messages."""
        project = self.get_object()
        if not is_id(phase) or int(phase) not in Phase.values:
            raise Http404
        row = project.phases.filter(phase=int(phase)).first()
        if row is None:
            raise Http404
        arguments = {}
        if serializer_class is not None:
            incoming = serializer_class(data=request.data)
            incoming.is_valid(raise_exception=True)
            # the action turns a moment into its day in the Pemda's zone
            arguments[day] = incoming.validated_data.get(day) or timezone.now()
        try:
            act(request.user, row, **arguments)
        except DjangoPermissionDenied:
            raise PermissionDenied(NOT_MANAGER) from None
        except DjangoValidationError as error:
            raise approval_api.as_api_error(error) from None
        return Response(self._fresh(project))

    @extend_schema(
        parameters=[PHASE_PARAMETER], request=ProjectPhaseStartSerializer, responses=AppProjectDetailSerializer
    )
    @action(detail=True, methods=["post"], url_path=r"phases/(?P<phase>[^/.]+)/start", url_name="phase-start")
    def phase_start(self, request, pk=None, phase=""):
        """Record that the phase began: in order (under waterfall once the
        previous phase is done), implementation and later only after the
        project is approved, never in the future. The application's SDLC
        phase in the CMDB follows."""
        return self._phase_step(request, phase, actions.start_phase, ProjectPhaseStartSerializer, "on")

    @extend_schema(parameters=[PHASE_PARAMETER], request=None, responses=AppProjectDetailSerializer)
    @action(detail=True, methods=["post"], url_path=r"phases/(?P<phase>[^/.]+)/gate", url_name="phase-gate")
    def phase_gate(self, request, pk=None, phase=""):
        """The Koordinator SPBE approves the phase's gate, once the project is approved (once)."""
        return self._phase_step(request, phase, actions.approve_gate)

    @extend_schema(
        parameters=[PHASE_PARAMETER], request=ProjectPhaseCompleteSerializer, responses=AppProjectDetailSerializer
    )
    @action(detail=True, methods=["post"], url_path=r"phases/(?P<phase>[^/.]+)/complete", url_name="phase-complete")
    def phase_complete(self, request, pk=None, phase=""):
        """Record that the phase is done: after it began and the previous
        phase is done, a gated phase only after its gate is approved."""
        return self._phase_step(request, phase, actions.complete_phase, ProjectPhaseCompleteSerializer, "at")
