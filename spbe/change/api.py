"""REST API of service transition plans (P-9): the list and a plan with its
risks and the CMDB's impact analysis; drafting through ``actions.save_plan``
and the decision of the Pimpinan PD through ``spbe.approvals``, with the
same permissions as the pages. Releases are in ``api_releases``.

Another PD's or another Pemda's plan is not found (404), so its existence
is not revealed; a person who may see a plan but not do what they ask gets
403; bad input is a 400 naming the field with the action's message."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from spbe.approvals import actions as approvals
from spbe.approvals import api as approval_api
from spbe.approvals.models import ApprovalStatus
from spbe.catalog.models import Service
from spbe.change import actions
from spbe.change.api_common import DecisionSerializer, IsStaffMember, _user
from spbe.change.api_projects import AppProjectViewSet
from spbe.change.api_releases import ReleaseViewSet
from spbe.change.choices import ChangeKind, ChangeOrigin, Level
from spbe.change.impact import impact_of_change
from spbe.change.models import ChangePlan, ChangeRisk
from spbe.change.views import visible_plans
from spbe.cmdb.models import Application, Component
from spbe.continuity.api import (
    ApplicationRefSerializer,
    ComponentRefSerializer,
    NamedChoiceField,
    ServiceRefSerializer,
)
from spbe.desk.choices import TicketKind
from spbe.desk.models import Ticket
from spbe.org import access
from spbe.org.models import PerangkatDaerah

SCOPE = ("services", "applications", "components")


class ChangeRiskSerializer(serializers.ModelSerializer):
    """A risk: likelihood × impact (1–5 each) = score, and its handling."""

    likelihood = NamedChoiceField(Level)
    impact = NamedChoiceField(Level)
    score = serializers.IntegerField(read_only=True, help_text="Kemungkinan × dampak (1–25).")

    class Meta:
        model = ChangeRisk
        fields = ["order", "description", "likelihood", "impact", "score", "mitigation"]
        read_only_fields = ["order"]


class ChangeImpactSerializer(serializers.Serializer):
    """What the change touches, computed from the CMDB: the components named
    and those under its services, and everything that fails with them."""

    services = ServiceRefSerializer(many=True)
    applications = ApplicationRefSerializer(many=True)
    components = ComponentRefSerializer(many=True)


class ChangePlanSerializer(serializers.ModelSerializer):
    """One transition plan, as the list gives it."""

    pd = serializers.PrimaryKeyRelatedField(read_only=True)
    pd_name = serializers.CharField(source="pd.name", read_only=True)
    kind = NamedChoiceField(ChangeKind, read_only=True)
    origin = NamedChoiceField(ChangeOrigin, read_only=True)
    request_number = serializers.CharField(source="request.number", read_only=True, allow_null=True, default=None)
    transfer_to_name = serializers.CharField(source="transfer_to.name", read_only=True, allow_null=True, default=None)
    status = NamedChoiceField(ApprovalStatus, read_only=True)
    services = ServiceRefSerializer(many=True, read_only=True)
    applications = ApplicationRefSerializer(many=True, read_only=True)
    components = ComponentRefSerializer(many=True, read_only=True)
    risks = ChangeRiskSerializer(many=True, read_only=True)
    drafted_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = ChangePlan
        fields = [
            "id", "pd", "pd_name", "title", "kind", "origin", "request", "request_number", "reason", "services",
            "applications", "components", "transfer_to", "transfer_to_name", "technology_review", "process_review",
            "policy_review", "business_impact", "satisfaction_impact", "quality_control", "success_measure",
            "planned_start", "planned_end", "user_notice", "risks", "status", "revision", "drafted_by", "created",
            "last_updated",
        ]  # fmt: skip
        read_only_fields = fields


class ChangePlanDetailSerializer(ChangePlanSerializer):
    """One transition plan with the impact analysis of its page."""

    impact_analysis = serializers.SerializerMethodField()

    class Meta(ChangePlanSerializer.Meta):
        fields = [*ChangePlanSerializer.Meta.fields, "impact_analysis"]
        read_only_fields = fields

    @extend_schema_field(ChangeImpactSerializer)
    def get_impact_analysis(self, plan: ChangePlan) -> dict:
        return ChangeImpactSerializer(impact_of_change(plan)).data


class ChangePlanWriteSerializer(serializers.ModelSerializer):
    """A draft plan: its scope by id and its risks in order. The rules on
    scope, origin and schedule are the action's."""

    pd = serializers.PrimaryKeyRelatedField(queryset=PerangkatDaerah.objects.none())
    kind = NamedChoiceField(ChangeKind)
    origin = NamedChoiceField(ChangeOrigin)
    request = serializers.PrimaryKeyRelatedField(queryset=Ticket.objects.none(), required=False, allow_null=True)
    transfer_to = serializers.PrimaryKeyRelatedField(
        queryset=PerangkatDaerah.objects.none(), required=False, allow_null=True
    )
    services = serializers.PrimaryKeyRelatedField(many=True, queryset=Service.objects.none(), required=False)
    applications = serializers.PrimaryKeyRelatedField(many=True, queryset=Application.objects.none(), required=False)
    components = serializers.PrimaryKeyRelatedField(many=True, queryset=Component.objects.none(), required=False)
    risks = ChangeRiskSerializer(many=True, required=False)

    class Meta:
        model = ChangePlan
        fields = ["pd", *SCOPE, *actions.PLAN_FIELDS, "risks"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is None:
            return
        # the choices of the page's ChangePlanForm, except that services come
        # from the whole Pemda so that another PD's is refused with the
        # action's own message
        pds = access.workable_pds(user)
        pemdas = pds.values("pemda_id")
        self.fields["pd"].queryset = pds
        self.fields["services"].child_relation.queryset = Service.objects.filter(pd__pemda__in=pemdas)
        self.fields["applications"].child_relation.queryset = Application.objects.filter(pd__pemda__in=pemdas)
        self.fields["components"].child_relation.queryset = Component.objects.filter(pemda__in=pemdas)
        self.fields["transfer_to"].queryset = PerangkatDaerah.objects.filter(pemda__in=pemdas, is_active=True)
        self.fields["request"].queryset = Ticket.objects.filter(kind=TicketKind.REQUEST, pd__in=pds)


def risk_rows(plan: ChangePlan) -> list[dict]:
    """The plan's risks as ``save_plan`` takes them."""
    return [dict(description=r.description, likelihood=r.likelihood, impact=r.impact, mitigation=r.mitigation)
            for r in plan.risks.all()]  # fmt: skip


class ChangeFilterSerializer(serializers.Serializer):
    pd = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    kind = serializers.ChoiceField(choices=ChangeKind.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=ApprovalStatus.choices, required=False, allow_blank=True)
    q = serializers.CharField(required=False, allow_blank=True)


FILTER_PARAMETERS = [
    OpenApiParameter("pd", int, description="Id PD penyedia layanan."),
    OpenApiParameter("kind", str, enum=ChangeKind.values, description="Jenis perubahan."),
    OpenApiParameter("status", str, enum=ApprovalStatus.values, description="Status persetujuan."),
    OpenApiParameter("q", str, description="Cari pada judul, alasan, dan nama PD."),
]


class ChangePlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Transition plans the caller may see (P-9)."""

    permission_classes = [IsAuthenticated, IsStaffMember]

    def get_serializer_class(self):
        return ChangePlanSerializer if self.action == "list" else ChangePlanDetailSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # OpenAPI schema generation
            return ChangePlan.objects.none()
        qs = visible_plans(self.request.user).select_related("transfer_to", "drafted_by", "pd__pemda")
        qs = qs.prefetch_related("services", "applications", "components", "risks").order_by("-planned_start", "-pk")
        if self.action != "list":
            return qs
        incoming = ChangeFilterSerializer(data=self.request.query_params)
        incoming.is_valid(raise_exception=True)
        data = {name: value for name, value in incoming.validated_data.items() if value not in ("", None)}
        qs = qs.filter(**{name: data[name] for name in ("pd", "kind", "status") if name in data})
        if data.get("q"):
            term = data["q"]
            qs = qs.filter(Q(title__icontains=term) | Q(reason__icontains=term) | Q(pd__name__icontains=term)
                           | Q(pd__abbreviation__icontains=term))  # fmt: skip
        return qs

    def _fresh(self, plan: ChangePlan) -> dict:
        return ChangePlanDetailSerializer(self.get_queryset().get(pk=plan.pk)).data

    def _save(self, request, plan: ChangePlan, scope: actions.ChangeScope, risks: list[dict]) -> None:
        try:
            actions.save_plan(request.user, plan, scope, risks)
        except DjangoPermissionDenied:
            raise PermissionDenied(_("Anda tidak berwenang menyusun rencana perubahan PD ini.")) from None
        except DjangoValidationError as error:
            raise approval_api.as_api_error(error) from None

    @extend_schema(parameters=FILTER_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ChangePlanWriteSerializer, responses={201: ChangePlanDetailSerializer})
    def create(self, request):
        """Draft a plan, with the same checks as the page (services of the
        PD, the request of a user-request plan, the receiving PD of a
        transfer, the end after the start); submit it when complete."""
        if not access.workable_pds(request.user).exists():
            raise PermissionDenied(_("Anda tidak berwenang menyusun rencana perubahan."))
        incoming = ChangePlanWriteSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        scope = actions.ChangeScope(*(data.pop(name, []) for name in SCOPE))
        risks = [dict(row) for row in data.pop("risks", [])]
        plan = ChangePlan(**data)
        self._save(request, plan, scope, risks)
        return Response(self._fresh(plan), status=201)

    @extend_schema(request=ChangePlanWriteSerializer, responses=ChangePlanDetailSerializer)
    def update(self, request, pk=None, partial=False):
        """Change a draft or rejected plan, as its page does: PUT sends it
        whole (scope and risks left out are emptied); PATCH only what
        changes, the rest is kept. Risks sent replace the old ones whole,
        in their order."""
        plan = self.get_object()
        if not plan.is_editable:  # the action's refusal, before any field is checked
            raise ValidationError({"non_field_errors": [
                _("Rencana yang diajukan atau disetujui tidak dapat diubah; buat revisi.")]})  # fmt: skip
        if not approvals.can_edit(request.user, plan):
            raise PermissionDenied(_("Anda tidak berwenang mengubah rencana perubahan ini."))
        incoming = ChangePlanWriteSerializer(plan, data=request.data, partial=partial,
                                             context=self.get_serializer_context())  # fmt: skip
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        for name in ["pd", *actions.PLAN_FIELDS]:
            if name in data:
                setattr(plan, name, data[name])
        scope = actions.ChangeScope(*(
            data[name] if name in data else list(getattr(plan, name).all()) if partial else [] for name in SCOPE
        ))  # fmt: skip
        risks = [dict(row) for row in data["risks"]] if "risks" in data else risk_rows(plan) if partial else []
        self._save(request, plan, scope, risks)
        return Response(self._fresh(plan))

    @extend_schema(request=ChangePlanWriteSerializer, responses=ChangePlanDetailSerializer)
    def partial_update(self, request, pk=None):
        return self.update(request, pk, partial=True)

    @extend_schema(request=None, responses=ChangePlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the draft to the Pimpinan PD; it needs at least one risk."""
        plan = self.get_object()
        approval_api.submit_record(
            request.user,
            plan,
            already=_("Rencana ini sudah diajukan atau ditetapkan."),
            denied=_("Anda tidak berwenang mengajukan rencana perubahan ini."),
        )
        return Response(self._fresh(plan))

    def _decide(self, request, decide) -> Response:
        plan = self.get_object()
        incoming = DecisionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        approval_api.decide_on(
            request.user,
            plan,
            decide,
            incoming.validated_data["comment"],
            not_waiting=_("Rencana ini tidak sedang menunggu persetujuan."),
        )
        return Response(self._fresh(plan))

    @extend_schema(request=DecisionSerializer, responses=ChangePlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The Pimpinan PD of the PD sets the plan (never its drafter or
        submitter)."""
        return self._decide(request, approvals.approve)

    @extend_schema(request=DecisionSerializer, responses=ChangePlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Send the plan back with the reason (``comment``, required)."""
        return self._decide(request, approvals.reject)


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False  # ``/submit.json`` reached actions that take no format: a 500 (issue 14)
# before the plans: their detail route ``perubahan/<pk>/`` would take "rilis" or "proyek" for a pk
router.register("perubahan/rilis", ReleaseViewSet, basename="change-release")
router.register("perubahan/proyek", AppProjectViewSet, basename="change-project")
router.register("perubahan", ChangePlanViewSet, basename="change-plan")
api_urlpatterns = router.urls
