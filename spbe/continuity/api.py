"""REST API of recovery (issue 11, O-5): DRPs with their approval, and
activations and drills walked through the seven steps, with the same
permissions (``rules``) and the same action functions as the pages.

Another PD's or another Pemda's record is not found (404), so its existence
is not revealed; a person who may see a record but not run it gets 403.
Evidence files of a step come as multipart/form-data, checked like the page's."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, IntegerChoices, Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from spbe.approvals import actions as approvals
from spbe.approvals import api as approval_api
from spbe.approvals.models import ApprovalStatus
from spbe.approvals.validators import validate_attachment
from spbe.catalog.choices import TimeUnit
from spbe.catalog.models import Service
from spbe.cmdb.models import Application, Component
from spbe.continuity import actions, queries, rules
from spbe.continuity.choices import RecoveryKind, RecoverySite, RecoveryStatus, RpoSource, Step
from spbe.continuity.forms import StepForm
from spbe.continuity.models import PlanContact, PlanStep, Recovery, RecoveryPlan, RecoveryStep
from spbe.continuity.views import flagged_complaints
from spbe.desk.models import Ticket
from spbe.monitoring.choices import CheckKind
from spbe.monitoring.models import Check
from spbe.org import access
from spbe.org.models import PerangkatDaerah

PLAN_STATUS_FILTERS = ["current", "superseded", ApprovalStatus.DRAFT, ApprovalStatus.SUBMITTED,
                       ApprovalStatus.REJECTED]  # fmt: skip


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose enum is one named component of the schema
    (``TimeUnitEnum``): the same choices under two names (``rpo_unit``,
    ``rto_unit``) or a ``status`` with other choices than the tickets' would
    otherwise make drf-spectacular warn or rename the enums of other APIs."""

    def __init__(self, choices_class, **kwargs):
        self.choices_class = choices_class
        super().__init__(choices=choices_class.choices, **kwargs)

    def to_representation(self, value):
        return None if value == "" else super().to_representation(value)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField

    def get_name(self) -> str:
        return f"{self.target.choices_class.__name__}Enum"

    def map_serializer_field(self, auto_schema, direction):
        choices = self.target.choices_class
        return {
            "type": "integer" if issubclass(choices, IntegerChoices) else "string",
            "enum": list(choices.values),
            "description": "\n".join(f"* `{value}` - {label}" for value, label in choices.choices),
        }


def _user(serializer: serializers.Serializer):
    """The signed-in caller; None while the OpenAPI schema is generated."""
    user = getattr(serializer.context.get("request"), "user", None)
    return user if getattr(user, "is_authenticated", False) else None


class IsStaffMember(BasePermission):
    """Like the pages (``staff_required``): a plain Pengguna Layanan has no
    business with recovery records."""

    message = gettext_lazy("Hanya petugas yang dapat memakai API pemulihan.")

    def has_permission(self, request, view) -> bool:
        return access.scope_for(request.user).is_staff_member


# --- DRPs ---------------------------------------------------------------------------------------


class ServiceRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "code", "name"]


class ApplicationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Application
        fields = ["id", "name"]


class ComponentRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Component
        fields = ["id", "name"]


class RecoveryPlanContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanContact
        fields = ["name", "role", "phone", "email"]


class RecoveryPlanStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanStep
        fields = ["order", "action", "owner", "expected_minutes"]
        read_only_fields = ["order"]
        extra_kwargs = {"expected_minutes": {"min_value": 1, "max_value": 100_000}}


class RecoveryPlanSerializer(serializers.ModelSerializer):
    """One version of a DRP. ``rpo``/``rto`` are durations in the desk API's
    format (``[DD ]HH:MM:SS``); ``rpo_value``/``rpo_unit`` as entered."""

    pd = serializers.PrimaryKeyRelatedField(read_only=True)
    pd_name = serializers.CharField(source="pd.name", read_only=True)
    version = serializers.IntegerField(source="revision", read_only=True)
    status = NamedChoiceField(ApprovalStatus, read_only=True)
    is_current = serializers.BooleanField(read_only=True)
    services = ServiceRefSerializer(many=True, read_only=True)
    applications = ApplicationRefSerializer(many=True, read_only=True)
    components = ComponentRefSerializer(many=True, read_only=True)
    rpo_unit = NamedChoiceField(TimeUnit, read_only=True)
    rto_unit = NamedChoiceField(TimeUnit, read_only=True)
    rpo = serializers.DurationField(read_only=True)
    rto = serializers.DurationField(read_only=True)
    recovery_site = NamedChoiceField(RecoverySite, read_only=True)
    contacts = RecoveryPlanContactSerializer(many=True, read_only=True)
    steps = RecoveryPlanStepSerializer(many=True, read_only=True)
    last_drill_at = serializers.DateTimeField(read_only=True, allow_null=True)
    drafted_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = RecoveryPlan
        fields = [
            "id", "pd", "pd_name", "title", "version", "series", "previous", "status", "is_current", "services",
            "applications", "components", "rpo_value", "rpo_unit", "rpo", "rto_value", "rto_unit", "rto",
            "backup_method", "backup_frequency", "backup_check", "recovery_site", "recovery_site_detail",
            "disaster_conditions", "contacts", "steps", "approved_at", "review_due", "superseded_at",
            "last_drill_at", "migrated_from_file", "drafted_by", "created", "last_updated",
        ]  # fmt: skip
        read_only_fields = fields


class RecoveryPlanCreateSerializer(serializers.ModelSerializer):
    """A new draft DRP: its scope by id, its contacts and its procedure in
    order. The RPO/RTO checks against the services are the action's."""

    pd = serializers.PrimaryKeyRelatedField(queryset=PerangkatDaerah.objects.none())
    services = serializers.PrimaryKeyRelatedField(many=True, queryset=Service.objects.none(), required=False)
    applications = serializers.PrimaryKeyRelatedField(many=True, queryset=Application.objects.none(), required=False)
    components = serializers.PrimaryKeyRelatedField(many=True, queryset=Component.objects.none(), required=False)
    backup_check = serializers.PrimaryKeyRelatedField(queryset=Check.objects.none(), required=False, allow_null=True)
    rpo_unit = NamedChoiceField(TimeUnit)
    rto_unit = NamedChoiceField(TimeUnit)
    recovery_site = NamedChoiceField(RecoverySite)
    contacts = RecoveryPlanContactSerializer(many=True, required=False)
    steps = RecoveryPlanStepSerializer(many=True, required=False)

    class Meta:
        model = RecoveryPlan
        fields = ["pd", "services", "applications", "components", *actions.PLAN_FIELDS, "contacts", "steps"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is None:
            return
        # the choices of the page's PlanForm
        pds = rules.operable_pds(user)
        pemdas = pds.values("pemda_id")
        self.fields["pd"].queryset = pds
        self.fields["services"].child_relation.queryset = Service.objects.filter(pd__in=pds)
        self.fields["applications"].child_relation.queryset = Application.objects.filter(pd__pemda__in=pemdas)
        self.fields["components"].child_relation.queryset = Component.objects.filter(pemda__in=pemdas)
        self.fields["backup_check"].queryset = Check.objects.filter(kind=CheckKind.HEARTBEAT, pemda__in=pemdas)


def plan_rows(plan: RecoveryPlan) -> tuple[list[dict], list[dict]]:
    """The DRP's contacts and procedure as ``save_plan`` takes them."""
    contacts = [dict(name=c.name, role=c.role, phone=c.phone, email=c.email) for c in plan.contacts.all()]
    steps = [dict(action=s.action, owner=s.owner, expected_minutes=s.expected_minutes) for s in plan.steps.all()]
    return contacts, steps


class DrpDecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class PlanFilterSerializer(serializers.Serializer):
    pd = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    service = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    status = serializers.ChoiceField(choices=PLAN_STATUS_FILTERS, required=False, allow_blank=True)
    q = serializers.CharField(required=False, allow_blank=True)


PLAN_PARAMETERS = [
    OpenApiParameter("pd", int, description="Id PD pemilik."),
    OpenApiParameter("service", int, description="Id layanan yang dicakup."),
    OpenApiParameter(
        "status",
        str,
        enum=PLAN_STATUS_FILTERS,
        description="`current`: berlaku; `superseded`: digantikan; atau status persetujuan.",
    ),
    OpenApiParameter("q", str, description="Cari pada judul DRP."),
]


def _filters(serializer_class, request) -> dict:
    incoming = serializer_class(data=request.query_params)
    incoming.is_valid(raise_exception=True)
    return {name: value for name, value in incoming.validated_data.items() if value not in ("", None)}


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """DRPs the caller may see, every version (O-5)."""

    serializer_class = RecoveryPlanSerializer
    permission_classes = [IsAuthenticated, IsStaffMember]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # OpenAPI schema generation
            return RecoveryPlan.objects.none()
        qs = rules.visible(self.request.user, RecoveryPlan.objects.select_related("pd", "drafted_by"))
        qs = queries.with_last_drill(qs).prefetch_related("services", "applications", "components", "contacts", "steps")
        qs = qs.order_by("pd__name", "title", "-revision", "pk")
        if self.action != "list":
            return qs
        data = _filters(PlanFilterSerializer, self.request)
        if "pd" in data:
            qs = qs.filter(pd=data["pd"])
        if "service" in data:
            qs = qs.filter(services=data["service"])
        status = data.get("status")
        if status == "current":
            qs = qs.in_force()
        elif status == "superseded":
            qs = qs.filter(superseded_at__isnull=False)
        elif status:
            qs = qs.filter(status=status)
        if data.get("q"):
            qs = qs.filter(title__icontains=data["q"])
        return qs

    def _fresh(self, plan: RecoveryPlan) -> dict:
        return RecoveryPlanSerializer(self.get_queryset().get(pk=plan.pk)).data

    @extend_schema(parameters=PLAN_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=RecoveryPlanCreateSerializer, responses={201: RecoveryPlanSerializer})
    def create(self, request):
        """Draft a DRP: the same checks as the page (services of the owner
        PD, RPO/RTO not longer than theirs); submit it when complete."""
        if not rules.operable_pds(request.user).exists():
            raise PermissionDenied(_("Anda tidak berwenang menyusun DRP."))
        incoming = RecoveryPlanCreateSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        scope = actions.PlanScope(data.pop("services", []), data.pop("applications", []),
                                  data.pop("components", []))  # fmt: skip
        contacts = [dict(row) for row in data.pop("contacts", [])]
        steps = [dict(row) for row in data.pop("steps", [])]
        try:
            plan = actions.save_plan(request.user, RecoveryPlan(**data), scope, contacts, steps)
        except DjangoValidationError as error:
            raise approval_api.as_api_error(error) from None
        return Response(self._fresh(plan), status=201)

    @extend_schema(request=RecoveryPlanCreateSerializer, responses=RecoveryPlanSerializer)
    def update(self, request, pk=None, partial=False):
        """Change a draft or rejected DRP, as its page does: PUT sends it
        whole (what is left out takes its default, as on creation); PATCH
        only what changes, the rest (scope, contacts, procedure included)
        is kept. A list sent replaces the old one whole, in its order."""
        plan = self.get_object()
        if not rules.can_operate(request.user, plan.pd):
            raise PermissionDenied(_("Anda tidak berwenang mengubah DRP ini."))
        if not plan.is_editable:  # the action's refusal, before any field is checked
            raise ValidationError({"non_field_errors": [
                _("DRP yang diajukan atau disetujui tidak dapat diubah; buat revisi.")]})  # fmt: skip
        incoming = RecoveryPlanCreateSerializer(plan, data=request.data, partial=partial,
                                                context=self.get_serializer_context())  # fmt: skip
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        for name in ["pd", *actions.PLAN_FIELDS]:
            if name in data:
                setattr(plan, name, data[name])
            elif not partial:
                setattr(plan, name, RecoveryPlan._meta.get_field(name).get_default())
        scope = actions.PlanScope(**{
            name: data[name] if name in data else list(getattr(plan, name).all()) if partial else []
            for name in ("services", "applications", "components")
        })  # fmt: skip
        contacts, steps = plan_rows(plan) if partial else ([], [])
        if "contacts" in data:
            contacts = [dict(row) for row in data["contacts"]]
        if "steps" in data:
            steps = [dict(row) for row in data["steps"]]
        try:
            actions.save_plan(request.user, plan, scope, contacts, steps)
        except DjangoPermissionDenied:
            raise PermissionDenied(_("Anda tidak berwenang mengubah DRP ini.")) from None
        except DjangoValidationError as error:
            raise approval_api.as_api_error(error) from None
        return Response(self._fresh(plan))

    @extend_schema(request=RecoveryPlanCreateSerializer, responses=RecoveryPlanSerializer)
    def partial_update(self, request, pk=None):
        return self.update(request, pk, partial=True)

    @extend_schema(request=None, responses=RecoveryPlanSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the draft to the PJ Penyedia Layanan of the owner PD."""
        plan = self.get_object()
        approval_api.submit_record(
            request.user,
            plan,
            already=_("DRP ini sudah diajukan atau disetujui."),
            denied=_("Anda tidak berwenang mengajukan DRP ini."),
        )
        return Response(self._fresh(plan))

    def _decide(self, request, decide) -> Response:
        plan = self.get_object()
        incoming = DrpDecisionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        approval_api.decide_on(
            request.user,
            plan,
            decide,
            incoming.validated_data["comment"],
            not_waiting=_("DRP ini tidak sedang menunggu persetujuan."),
        )
        return Response(self._fresh(plan))

    @extend_schema(request=DrpDecisionSerializer, responses=RecoveryPlanSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The PJ Penyedia Layanan puts the version in force (never the
        person who drafted or submitted it)."""
        return self._decide(request, approvals.approve)

    @extend_schema(request=DrpDecisionSerializer, responses=RecoveryPlanSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Send the draft back with the reason (``comment``, required)."""
        return self._decide(request, approvals.reject)

    @extend_schema(
        request=None,
        responses={
            201: RecoveryPlanSerializer,
            200: OpenApiResponse(RecoveryPlanSerializer, description="Revisi yang sudah terbuka (bukan revisi kedua)."),
        },
    )
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """Open the next version of the DRP in force as a draft copy."""
        plan = self.get_object()
        already_open = plan.later_versions.exclude(status=ApprovalStatus.APPROVED).exists()
        try:
            revision = actions.revise_plan(request.user, plan)
        except DjangoValidationError as error:
            raise approval_api.as_api_error(error) from None
        return Response(self._fresh(revision), status=200 if already_open else 201)


# --- Activations and drills --------------------------------------------------------------------


class RecoveryStepSerializer(serializers.ModelSerializer):
    number = NamedChoiceField(Step, read_only=True)
    label = serializers.CharField(source="get_number_display", read_only=True)
    actor = serializers.StringRelatedField()
    evidence = serializers.IntegerField(source="evidence_count", read_only=True, help_text="Jumlah berkas bukti.")

    class Meta:
        model = RecoveryStep
        fields = ["number", "label", "at", "actor", "notes", "evidence"]


class RecoverySerializer(serializers.ModelSerializer):
    """An activation or a drill. Written fields open one (``plan``,
    ``title``, optional ``ticket``; a drill also ``scheduled_for``,
    ``scenario``, ``participants``); everything else is read-only. Durations
    as in the desk API (``[DD ]HH:MM:SS``)."""

    kind = NamedChoiceField(RecoveryKind, default=RecoveryKind.ACTIVATION)
    status = NamedChoiceField(RecoveryStatus, read_only=True)
    plan = serializers.PrimaryKeyRelatedField(
        queryset=RecoveryPlan.objects.none(), error_messages={"does_not_exist": gettext_lazy("DRP tidak ditemukan.")}
    )
    plan_title = serializers.CharField(source="plan.title", read_only=True)
    pd = serializers.PrimaryKeyRelatedField(read_only=True)
    pd_name = serializers.CharField(source="pd.name", read_only=True)
    ticket = serializers.PrimaryKeyRelatedField(
        queryset=Ticket.objects.none(), required=False, allow_null=True,
        error_messages={"does_not_exist": gettext_lazy("Aduan tidak ditemukan.")},
    )  # fmt: skip
    title = serializers.CharField(max_length=200, allow_blank=True, default="")
    scheduled_for = serializers.DateTimeField(required=False, allow_null=True, default=None)
    scenario = serializers.CharField(required=False, allow_blank=True, default="")
    participants = serializers.CharField(required=False, allow_blank=True, default="")
    next_step = serializers.SerializerMethodField()
    next_step_label = serializers.SerializerMethodField()
    rto_met = serializers.BooleanField(read_only=True, allow_null=True)
    rpo_met = serializers.BooleanField(read_only=True, allow_null=True)
    rpo_source = NamedChoiceField(RpoSource, read_only=True, allow_null=True)
    created_by = serializers.StringRelatedField(allow_null=True)
    steps = RecoveryStepSerializer(many=True, read_only=True)

    class Meta:
        model = Recovery
        fields = [
            "id", "kind", "status", "title", "plan", "plan_title", "pd", "pd_name", "ticket", "scheduled_for",
            "scenario", "participants", "next_step", "next_step_label", "rto_target", "rto_achieved", "rto_met",
            "rpo_target", "rpo_achieved", "rpo_met", "rpo_source", "disruption_started_at", "declared_at",
            "normalised_at", "last_backup_at", "no_disaster_reason", "evaluation", "findings", "follow_up",
            "revision_plan", "steps", "created_by", "created", "last_updated",
        ]  # fmt: skip
        read_only_fields = [
            "rto_target", "rto_achieved", "rpo_target", "rpo_achieved", "disruption_started_at", "declared_at",
            "normalised_at", "last_backup_at", "no_disaster_reason", "evaluation", "findings", "follow_up",
            "revision_plan", "created", "last_updated",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None and "plan" in self.fields:
            self.fields["plan"].queryset = rules.visible(user, RecoveryPlan.objects.select_related("pd"))
            self.fields["ticket"].queryset = flagged_complaints(user)

    def validate(self, data: dict) -> dict:
        if data["kind"] == RecoveryKind.DRILL and data.get("scheduled_for") is None:
            raise ValidationError({"scheduled_for": [_("Isi jadwal uji coba.")]})
        return data

    @extend_schema_field(serializers.IntegerField(allow_null=True, help_text="Nomor langkah berikutnya (1–7)."))
    def get_next_step(self, recovery: Recovery) -> int | None:
        """As on the page: none once the recovery is over."""
        return recovery.next_step if recovery.is_open and recovery.next_step <= Step.RATIFY else None

    @extend_schema_field(serializers.CharField())
    def get_next_step_label(self, recovery: Recovery) -> str:
        number = self.get_next_step(recovery)
        return str(Step(number).label) if number else ""


class RecoveryStepRecordSerializer(serializers.Serializer):
    """The fields of ``actions.StepInput``: JSON, or multipart/form-data with
    evidence files; as on the page, only the fields of that step (and kind)
    are used."""

    number = NamedChoiceField(Step)
    at = serializers.DateTimeField()
    notes = serializers.CharField(allow_blank=True, default="")
    disaster = serializers.BooleanField(default=True, help_text="Langkah 3 aktivasi: false = bukan bencana.")
    disruption_started_at = serializers.DateTimeField(required=False, allow_null=True, help_text="Langkah 3.")
    last_backup_at = serializers.DateTimeField(
        required=False, allow_null=True,
        help_text="Langkah 5, bila tidak ada detak cadangan; lampirkan buktinya di files.",
    )  # fmt: skip
    findings = serializers.CharField(required=False, allow_blank=True, help_text="Langkah 6 uji coba.")
    follow_up = serializers.CharField(required=False, allow_blank=True, help_text="Langkah 6 uji coba.")
    open_revision = serializers.BooleanField(default=False, help_text="Langkah 6: buka revisi DRP.")
    files = serializers.ListField(
        child=serializers.FileField(validators=[validate_attachment]), required=False, default=list,
        help_text="Berkas bukti (multipart/form-data): PDF, DOCX, XLSX, PNG, JPG; maksimal 10 MB per berkas.",
    )  # fmt: skip


def step_input(recovery: Recovery, data: dict) -> actions.StepInput:
    """The fields the page's step form would have for this step and kind."""
    number = data["number"]
    keep = StepForm.fields_of(number, recovery.kind)
    fields = {name: value for name, value in data.items() if name in keep and value is not None}
    return actions.StepInput(number=number, **fields)


class DrillCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, help_text="Alasan pembatalan; dicatat di linimasa.",
        error_messages={"required": gettext_lazy("Tuliskan alasan pembatalan."),
                        "null": gettext_lazy("Tuliskan alasan pembatalan.")},
    )  # fmt: skip


class RecoveryFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RecoveryKind.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=RecoveryStatus.choices, required=False, allow_blank=True)
    pd = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    q = serializers.CharField(required=False, allow_blank=True)


RECOVERY_PARAMETERS = [
    OpenApiParameter("kind", str, enum=RecoveryKind.values),
    OpenApiParameter("status", str, enum=RecoveryStatus.values),
    OpenApiParameter("pd", int, description="Id PD pemilik."),
    OpenApiParameter("q", str, description="Cari pada judul."),
]


class RecoveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Recovery activations and drills the caller may see (O-5, Tabel 8)."""

    serializer_class = RecoverySerializer
    permission_classes = [IsAuthenticated, IsStaffMember]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # OpenAPI schema generation
            return Recovery.objects.none()
        steps = RecoveryStep.objects.select_related("actor").annotate(evidence_count=Count("evidence"))
        qs = rules.visible(self.request.user, Recovery.objects.select_related("pd", "plan", "created_by"))
        qs = qs.prefetch_related(Prefetch("steps", queryset=steps)).order_by("-created", "-pk")
        if self.action != "list":
            return qs
        data = _filters(RecoveryFilterSerializer, self.request)
        qs = qs.filter(**{name: data[name] for name in ("kind", "status", "pd") if name in data})
        if data.get("q"):
            qs = qs.filter(title__icontains=data["q"])
        return qs

    def _fresh(self, recovery: Recovery) -> dict:
        return RecoverySerializer(self.get_queryset().get(pk=recovery.pk), context=self.get_serializer_context()).data

    @extend_schema(parameters=RECOVERY_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=RecoverySerializer, responses={201: RecoverySerializer})
    def create(self, request):
        """Open the assessment of an activation (step 1 next), or plan a
        drill (``kind: "drill"``), on an approved DRP in force."""
        if not rules.operable_pds(request.user).exists():
            raise PermissionDenied(_("Anda tidak berwenang menjalankan pemulihan."))
        incoming = RecoverySerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        plan = data["plan"]
        if not rules.can_operate(request.user, plan.pd):
            raise PermissionDenied(_("Anda tidak berwenang menjalankan pemulihan PD ini."))
        try:
            if data["kind"] == RecoveryKind.DRILL:
                recovery = actions.plan_drill(
                    request.user, plan, title=data["title"], scheduled_for=data["scheduled_for"],
                    scenario=data["scenario"], participants=data["participants"],
                )  # fmt: skip
            else:
                recovery = actions.open_activation(request.user, plan, data["title"], data.get("ticket"))
        except DjangoValidationError as error:
            raise approval_api.as_api_error(error) from None
        return Response(self._fresh(recovery), status=201)

    @extend_schema(request=RecoveryStepRecordSerializer, responses={201: RecoverySerializer})
    @action(detail=True, methods=["post"])
    def steps(self, request, pk=None):
        """Record the next of the seven steps, in order."""
        recovery = self.get_object()
        if not rules.can_operate(request.user, recovery.pd):
            raise PermissionDenied(_("Anda tidak berwenang menjalankan pemulihan PD ini."))
        incoming = RecoveryStepRecordSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            actions.record_step(request.user, recovery, step_input(recovery, incoming.validated_data))
        except DjangoValidationError as error:
            raise approval_api.as_api_error(error) from None
        return Response(self._fresh(recovery), status=201)

    @extend_schema(request=DrillCancelSerializer, responses=RecoverySerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a drill not yet started, with the reason (on its timeline)."""
        recovery = self.get_object()
        if not rules.can_operate(request.user, recovery.pd):
            raise PermissionDenied(_("Anda tidak berwenang menjalankan pemulihan PD ini."))
        incoming = DrillCancelSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            actions.cancel_drill(request.user, recovery, incoming.validated_data["reason"])
        except DjangoValidationError as error:
            raise approval_api.as_api_error(error) from None
        return Response(self._fresh(recovery))


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False  # ``/approve.json`` reached actions that take no format: a 500 (issue 14)
router.register("drp", PlanViewSet, basename="drp")
router.register("pemulihan", RecoveryViewSet, basename="recovery")
api_urlpatterns = router.urls
