"""REST API of releases (O-6) under ``/api/v1/perubahan/rilis/``: the
release plan drafted through ``actions.save_release`` and approved by the PJ
Penyedia Layanan through ``spbe.approvals``, then its tests, problems,
manual verification, rollback and the provider's feedback, with the same
permissions as the pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from spbe.approvals import actions as approvals
from spbe.approvals import api as approval_api
from spbe.approvals.models import ApprovalStatus
from spbe.catalog.models import Service
from spbe.change import actions
from spbe.change.api_common import DecisionSerializer, IsStaffMember, _user
from spbe.change.choices import ReleaseBasis, ReleaseEventKind, ReleaseStage
from spbe.change.models import ChangePlan, Release, ReleaseEvent, ReleaseProblem
from spbe.change.views_releases import visible_releases
from spbe.cmdb.models import Application
from spbe.continuity import rules
from spbe.continuity.api import (
    ApplicationRefSerializer,
    NamedChoiceField,
    ServiceRefSerializer,
)
from spbe.monitoring.choices import CheckStatus
from spbe.monitoring.models import Check
from spbe.org.models import PerangkatDaerah


class IsReleaseStaff(IsStaffMember):
    message = gettext_lazy("Hanya petugas yang dapat memakai API rilis layanan.")


class WatchedCheckSerializer(serializers.ModelSerializer):
    """A monitoring check that verifies the release after its window."""

    status = NamedChoiceField(CheckStatus, read_only=True)

    class Meta:
        model = Check
        fields = ["id", "name", "status"]


class ReleaseProblemSerializer(serializers.ModelSerializer):
    """A problem met during the release, with the complaint (O-2) it opened."""

    ticket_number = serializers.CharField(source="ticket.number", read_only=True, allow_null=True, default=None)
    recorded_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = ReleaseProblem
        fields = ["id", "description", "ticket", "ticket_number", "recorded_by", "at"]
        read_only_fields = fields


class ReleaseEventSerializer(serializers.ModelSerializer):
    """One entry of the release's timeline."""

    kind = NamedChoiceField(ReleaseEventKind, read_only=True)
    actor = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = ReleaseEvent
        fields = ["at", "kind", "actor", "message"]
        read_only_fields = fields


class ReleaseSerializer(serializers.ModelSerializer):
    """One release, as the list gives it."""

    pd = serializers.PrimaryKeyRelatedField(read_only=True)
    pd_name = serializers.CharField(source="pd.name", read_only=True)
    basis = NamedChoiceField(ReleaseBasis, read_only=True)
    change_plan_title = serializers.CharField(source="change_plan.title", read_only=True, allow_null=True,
                                              default=None)  # fmt: skip
    application = ApplicationRefSerializer(read_only=True, allow_null=True)
    services = ServiceRefSerializer(many=True, read_only=True)
    status = NamedChoiceField(ApprovalStatus, read_only=True)
    stage = NamedChoiceField(ReleaseStage, read_only=True)
    drafted_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = Release
        fields = [
            "id", "pd", "pd_name", "title", "basis", "change_plan", "change_plan_title", "application", "version",
            "previous_version", "services", "window_start", "window_end", "verification_minutes", "status",
            "revision", "stage", "verified_at", "drafted_by", "created", "last_updated",
        ]  # fmt: skip
        read_only_fields = fields


class ReleaseDetailSerializer(ReleaseSerializer):
    """One release with its plan, its verification, the checks that watch
    it, its problems and its timeline."""

    watched_checks = serializers.SerializerMethodField()
    problems = ReleaseProblemSerializer(many=True, read_only=True)
    timeline = ReleaseEventSerializer(many=True, read_only=True)

    class Meta(ReleaseSerializer.Meta):
        fields = [
            *ReleaseSerializer.Meta.fields, "description", "steps", "rollback_plan", "test_plan", "announcement",
            "maintenance_window", "verification_note", "watched_checks", "test_results", "problems",
            "rolled_back_at", "rollback_notes", "feedback", "timeline",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(WatchedCheckSerializer(many=True))
    def get_watched_checks(self, release: Release) -> list[dict]:
        return WatchedCheckSerializer(actions.watched_checks(release).order_by("name", "pk"), many=True).data


class ReleaseWriteSerializer(serializers.ModelSerializer):
    """A draft release plan: its services by id. The rules on services,
    application version, change plan and overlapping windows are the
    action's. Send datetimes with their offset (``+07:00``)."""

    pd = serializers.PrimaryKeyRelatedField(queryset=PerangkatDaerah.objects.none())
    basis = NamedChoiceField(ReleaseBasis)
    change_plan = serializers.PrimaryKeyRelatedField(queryset=ChangePlan.objects.none(), required=False,
                                                     allow_null=True)  # fmt: skip
    application = serializers.PrimaryKeyRelatedField(queryset=Application.objects.none(), required=False,
                                                     allow_null=True)  # fmt: skip
    services = serializers.PrimaryKeyRelatedField(many=True, queryset=Service.objects.none(), required=False)

    class Meta:
        model = Release
        fields = ["pd", "services", *actions.RELEASE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is None:
            return
        # the PDs of the page's ReleaseForm; services, applications and
        # change plans from the whole Pemda, so that another PD's is refused
        # with the action's own message
        pds = rules.operable_pds(user)
        pemdas = pds.values("pemda_id")
        self.fields["pd"].queryset = pds
        self.fields["services"].child_relation.queryset = Service.objects.filter(pd__pemda__in=pemdas)
        self.fields["application"].queryset = Application.objects.filter(pd__pemda__in=pemdas)
        self.fields["change_plan"].queryset = ChangePlan.objects.filter(pd__pemda__in=pemdas)


def _text_field(message, help_text: str) -> serializers.CharField:
    """Blank goes to the action, which refuses it with ``message``; a missing field gets the same message."""
    return serializers.CharField(allow_blank=True, trim_whitespace=False, help_text=help_text,
                                 error_messages={"required": message, "null": message})  # fmt: skip


class ReleaseTestsSerializer(serializers.Serializer):
    results = _text_field(gettext_lazy("Tuliskan hasil pengujian."), "Hasil pengujian; dicatat di linimasa.")


class ReleaseProblemCreateSerializer(serializers.Serializer):
    description = _text_field(gettext_lazy("Tuliskan masalahnya."), "Masalah yang ditemui.")
    open_complaint = serializers.BooleanField(
        default=False, help_text="Buka aduan (O-2) pada layanan pertama rilis untuk masalah ini."
    )


class ReleaseVerificationSerializer(serializers.Serializer):
    passed = serializers.BooleanField(help_text="true = berhasil, false = gagal.")
    note = _text_field(gettext_lazy("Tuliskan hasil verifikasi."), "Hasil verifikasi.")


class ReleaseRollbackSerializer(serializers.Serializer):
    notes = _text_field(gettext_lazy("Tuliskan apa yang dikembalikan dan hasilnya."),
                        "Apa yang dikembalikan dan hasilnya.")  # fmt: skip


class ReleaseFeedbackSerializer(serializers.Serializer):
    feedback = _text_field(gettext_lazy("Tuliskan umpan balik."), "Umpan balik penyedia layanan atas hasil rilis.")


class ReleaseFilterSerializer(serializers.Serializer):
    # bounded: a larger id overflows the database's integer (a 500 on SQLite)
    pd = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    stage = serializers.ChoiceField(choices=ReleaseStage.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=ApprovalStatus.choices, required=False, allow_blank=True)
    q = serializers.CharField(required=False, allow_blank=True)


RELEASE_FILTER_PARAMETERS = [
    OpenApiParameter("pd", int, description="Id PD penyedia layanan."),
    OpenApiParameter("stage", str, enum=ReleaseStage.values, description="Tahap rilis."),
    OpenApiParameter("status", str, enum=ApprovalStatus.values, description="Status persetujuan."),
    OpenApiParameter("q", str, description="Cari pada judul, versi, isi rilis, nama aplikasi, dan nama PD."),
]

NOT_OPERATOR = gettext_lazy("Anda tidak berwenang mencatat pelaksanaan rilis ini.")


class ReleaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Releases the caller may see (O-6): those of its PDs, every PD's for
    the Koordinator SPBE and Diskominfo's infrastructure staff."""

    permission_classes = [IsAuthenticated, IsReleaseStaff]

    def get_serializer_class(self):
        return ReleaseSerializer if self.action == "list" else ReleaseDetailSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # OpenAPI schema generation
            return Release.objects.none()
        qs = visible_releases(self.request.user).select_related("drafted_by").prefetch_related("services")
        if self.action != "list":
            qs = qs.prefetch_related(
                Prefetch("problems", queryset=ReleaseProblem.objects.select_related("ticket", "recorded_by")),
                Prefetch("timeline", queryset=ReleaseEvent.objects.select_related("actor")),
            )
            return qs.order_by("-window_start", "-pk")
        incoming = ReleaseFilterSerializer(data=self.request.query_params)
        incoming.is_valid(raise_exception=True)
        data = {name: value for name, value in incoming.validated_data.items() if value not in ("", None)}
        qs = qs.filter(**{name: data[name] for name in ("pd", "stage", "status") if name in data})
        if data.get("q"):
            term = data["q"]
            qs = qs.filter(Q(title__icontains=term) | Q(version__icontains=term) | Q(description__icontains=term)
                           | Q(application__name__icontains=term) | Q(pd__name__icontains=term))  # fmt: skip
        return qs.order_by("-window_start", "-pk")

    def _fresh(self, release: Release) -> dict:
        return ReleaseDetailSerializer(self.get_queryset().get(pk=release.pk)).data

    def _save(self, request, release: Release, services: list) -> None:
        try:
            actions.save_release(request.user, release, services)
        except DjangoPermissionDenied:
            raise PermissionDenied(_("Anda tidak berwenang menyusun rencana rilis PD ini.")) from None
        except DjangoValidationError as error:
            raise approval_api.as_api_error(error) from None

    @extend_schema(parameters=RELEASE_FILTER_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ReleaseWriteSerializer, responses={201: ReleaseDetailSerializer})
    def create(self, request):
        """Draft a release plan, with the same checks as the page (services
        of the PD, the version an application release brings, the approved
        change plan of a change-request release, no window overlapping
        another release or maintenance on the services); submit it to the
        PJ Penyedia Layanan when complete."""
        if not rules.operable_pds(request.user).exists():
            raise PermissionDenied(_("Anda tidak berwenang menyusun rencana rilis."))
        incoming = ReleaseWriteSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        services = data.pop("services", [])
        release = Release(**data)
        self._save(request, release, services)
        return Response(self._fresh(release), status=201)

    @extend_schema(request=ReleaseWriteSerializer, responses=ReleaseDetailSerializer)
    def update(self, request, pk=None, partial=False):
        """Change a draft or rejected release plan, as its page does: PUT
        sends it whole (what is left out takes its default, services left
        out are emptied); PATCH only what changes, the rest is kept."""
        release = self.get_object()
        if not release.is_editable:  # the action's refusal, before any field is checked
            raise ValidationError({"non_field_errors": [
                _("Rencana rilis yang diajukan atau disetujui tidak dapat diubah.")]})  # fmt: skip
        if not approvals.can_edit(request.user, release):
            raise PermissionDenied(_("Anda tidak berwenang mengubah rencana rilis ini."))
        incoming = ReleaseWriteSerializer(release, data=request.data, partial=partial,
                                          context=self.get_serializer_context())  # fmt: skip
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        for name in ["pd", *actions.RELEASE_FIELDS]:
            if name in data:
                setattr(release, name, data[name])
            elif not partial:
                setattr(release, name, Release._meta.get_field(name).get_default())
        services = data["services"] if "services" in data else list(release.services.all()) if partial else []
        self._save(request, release, services)
        return Response(self._fresh(release))

    @extend_schema(request=ReleaseWriteSerializer, responses=ReleaseDetailSerializer)
    def partial_update(self, request, pk=None):
        return self.update(request, pk, partial=True)

    @extend_schema(request=None, responses=ReleaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the draft to the PJ Penyedia Layanan; it needs its
        services and a window not yet over."""
        release = self.get_object()
        approval_api.submit_record(
            request.user,
            release,
            already=_("Rencana rilis yang diajukan atau disetujui tidak dapat diubah."),
            denied=_("Anda tidak berwenang mengajukan rencana rilis ini."),
        )
        return Response(self._fresh(release))

    def _decide(self, request, decide) -> Response:
        release = self.get_object()
        incoming = DecisionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        approval_api.decide_on(
            request.user,
            release,
            decide,
            incoming.validated_data["comment"],
            not_waiting=_("Rencana ini tidak sedang menunggu persetujuan."),
        )
        return Response(self._fresh(release))

    @extend_schema(request=DecisionSerializer, responses=ReleaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The PJ Penyedia Layanan of the PD approves (never the drafter or
        submitter); the window is announced as maintenance (O-4)."""
        return self._decide(request, approvals.approve)

    @extend_schema(request=DecisionSerializer, responses=ReleaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Send the plan back with the reason (``comment``, required)."""
        return self._decide(request, approvals.reject)

    def _step(self, request, serializer_class, act, refused, status: int = 200) -> Response:
        """One of the release's steps: the input checked, then the action
        with its own rules and messages."""
        release = self.get_object()
        incoming = serializer_class(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            act(request.user, release, **incoming.validated_data)
        except DjangoPermissionDenied:
            raise PermissionDenied(refused) from None
        except DjangoValidationError as error:
            raise approval_api.as_api_error(error) from None
        return Response(self._fresh(release), status=status)

    @extend_schema(request=ReleaseTestsSerializer, responses=ReleaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def tests(self, request, pk=None):
        """Record the test results (they replace the earlier ones; each is on the timeline)."""
        return self._step(request, ReleaseTestsSerializer, actions.record_tests, NOT_OPERATOR)

    @extend_schema(request=ReleaseProblemCreateSerializer, responses={201: ReleaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def problems(self, request, pk=None):
        """Record a problem met during the release, optionally opened as a
        complaint (O-2) on its first service."""
        return self._step(request, ReleaseProblemCreateSerializer, actions.record_problem, NOT_OPERATOR, 201)

    @extend_schema(request=ReleaseVerificationSerializer, responses=ReleaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """Verify by hand a release no monitoring check watches (stage
        ``manual``): success sets the application's version in the CMDB."""
        return self._step(request, ReleaseVerificationSerializer, actions.verify_by_hand, NOT_OPERATOR)

    @extend_schema(request=ReleaseRollbackSerializer, responses=ReleaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def rollback(self, request, pk=None):
        """Record that a failed release was put back as its rollback plan says (once)."""
        return self._step(request, ReleaseRollbackSerializer, actions.record_rollback, NOT_OPERATOR)

    @extend_schema(request=ReleaseFeedbackSerializer, responses=ReleaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        """The provider's feedback on the outcome: the PJ Penyedia Layanan of the PD."""
        refused = _("Umpan balik rilis diberikan oleh PJ Penyedia Layanan PD ini.")
        return self._step(request, ReleaseFeedbackSerializer, actions.record_feedback, refused)
