"""REST API of the desk (issue 5, item 11): tickets, their timeline, clocks
and transitions, with the same permissions and the same action functions as
the pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from spbe.catalog.models import Service
from spbe.clocks.models import Clock
from spbe.desk import actions
from spbe.desk.actions import Reporter
from spbe.desk.choices import Impact, ReportingMethod, TicketKind, TicketStatus
from spbe.desk.forms import active_services
from spbe.desk.models import Ticket, TimelineEvent
from spbe.desk.views import visible_tickets
from spbe.org import access


class TimelineSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = TimelineEvent
        fields = ["at", "kind", "actor", "message", "public", "data"]


class ClockSerializer(serializers.ModelSerializer):
    class Meta:
        model = Clock
        fields = ["kind", "calendar", "target", "started_at", "due_at", "state", "stopped_at", "breached_at",
                  "warning_thresholds", "warnings_fired"]  # fmt: skip


class TicketSerializer(serializers.ModelSerializer):
    service = serializers.PrimaryKeyRelatedField(read_only=True)
    impact = serializers.ChoiceField(choices=Impact.choices, allow_blank=True, read_only=True)  # "" for a request
    pd = serializers.SlugRelatedField(slug_field="abbreviation", read_only=True)
    next_due = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Ticket
        fields = [
            "id", "number", "kind", "status", "service", "pd", "subject", "description", "impact", "priority",
            "priority_reason", "reporting_method", "lapor_tracking_id", "reporter_name", "reported_at",
            "recorded_at", "first_response_at", "resolved_at", "closed_at", "escalation_level", "next_due",
        ]  # fmt: skip
        read_only_fields = fields


class TicketCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TicketKind.choices)
    service = serializers.IntegerField()
    impact = serializers.ChoiceField(choices=Impact.choices, required=False, allow_blank=True, default="")
    reporting_method = serializers.ChoiceField(choices=ReportingMethod.choices)
    lapor_tracking_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    reported_at = serializers.DateTimeField(required=False)
    reporter_name = serializers.CharField(max_length=150)
    reporter_email = serializers.EmailField(required=False, allow_blank=True, default="")
    reporter_phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=30)
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField()


class TicketFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TicketStatus.choices, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=TicketKind.choices, required=False, allow_blank=True)
    priority = serializers.IntegerField(required=False, min_value=1, max_value=6)


TICKET_PARAMETERS = [
    OpenApiParameter("status", str, enum=TicketStatus.values, description="Status tiket."),
    OpenApiParameter("kind", str, enum=TicketKind.values, description="Permintaan atau pengaduan."),
    OpenApiParameter("priority", int, description="Prioritas 1 (tertinggi) sampai 6."),
]


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[
            "respond",
            "analyse",
            "escalate",
            "ask_reporter",
            "reporter_replied",
            "resolve",
            "set_priority",
            "classify_urgency",
            "move_to_service",
        ]
    )
    message = serializers.CharField(required=False, allow_blank=True, default="")
    estimate_due = serializers.DateTimeField(required=False)
    level = serializers.IntegerField(required=False, min_value=1, max_value=3)
    priority = serializers.IntegerField(required=False, min_value=1, max_value=6)
    cause = serializers.CharField(required=False, allow_blank=True, default="")
    service = serializers.IntegerField(
        required=False, min_value=1, help_text="Layanan tujuan untuk move_to_service (alasan di message)."
    )


TRANSITIONS = {
    "respond": lambda u, t, d: actions.respond(u, t, d["message"]),
    "analyse": lambda u, t, d: actions.record_analysis(
        u, t, d["message"], d.get("estimate_due") or _missing("estimate_due")
    ),
    "escalate": lambda u, t, d: actions.escalate(u, t, d.get("level") or _missing("level"), d["message"]),
    "ask_reporter": lambda u, t, d: actions.wait_for_reporter(u, t, d["message"]),
    "reporter_replied": lambda u, t, d: actions.reporter_replied(u, t, d["message"]),
    "resolve": lambda u, t, d: actions.resolve(u, t, d["message"], d["cause"]),
    "classify_urgency": lambda u, t, d: actions.classify_urgency(u, t, d.get("level") or _missing("level")),
    "set_priority": lambda u, t, d: actions.set_priority(u, t, d.get("priority") or _missing("priority"), d["message"]),
    "move_to_service": lambda u, t, d: actions.move_to_service(u, t, _target_service(t, d), d["message"]),
}


def _target_service(ticket, data: dict):
    """The service a ticket moves to: only one of the ticket's Pemda is
    found (another Pemda's is "not found", as for any record out of scope)."""
    pk = data.get("service") or _missing("service")
    service = Service.objects.select_related("pd__pemda", "service_admin").filter(pk=pk, pd__pemda=ticket.pemda)
    return service.first() or _not_found("service")


def _not_found(field: str):
    raise ValidationError({field: ["Layanan tidak ditemukan di Pemda tiket ini."]})


def _missing(field: str):
    raise ValidationError({field: ["Wajib diisi untuk tindakan ini."]})


def _as_api_error(error: DjangoValidationError) -> ValidationError:
    return ValidationError(error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages})


class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Requests and complaints the caller may see (O-1, O-2)."""

    serializer_class = TicketSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # OpenAPI schema generation
            return Ticket.objects.none()
        if not access.scope_for(self.request.user).is_staff_member:
            raise PermissionDenied("Hanya petugas yang dapat memakai API tiket.")
        qs = visible_tickets(self.request.user).select_related("pd").order_by("-reported_at", "pk")
        if self.action != "list":
            return qs
        incoming = TicketFilterSerializer(data=self.request.query_params)
        incoming.is_valid(raise_exception=True)  # ?priority=x was a 500
        return qs.filter(**{name: value for name, value in incoming.validated_data.items() if value not in ("", None)})

    @extend_schema(parameters=TICKET_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=TicketCreateSerializer, responses=TicketSerializer)
    def create(self, request):
        """Record a request or complaint: priority, clocks, timeline and
        notifications in one transaction."""
        self.get_queryset()  # the same permission as reading
        incoming = TicketCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        service = active_services(request.user).filter(pk=data["service"]).first()
        if service is None:
            raise ValidationError({"service": ["Layanan tidak ditemukan atau belum aktif."]})
        try:
            ticket = actions.open_ticket(
                actor=request.user, service=service, kind=data["kind"],
                reporter=Reporter(data["reporter_name"], data["reporter_email"], data["reporter_phone"]),
                subject=data["subject"], description=data["description"], reporting_method=data["reporting_method"],
                reported_at=data.get("reported_at"), impact=data["impact"], lapor_tracking_id=data["lapor_tracking_id"],
            )  # fmt: skip
        except DjangoValidationError as error:
            raise _as_api_error(error) from None
        return Response(TicketSerializer(ticket).data, status=201)

    @extend_schema(responses=TimelineSerializer(many=True))
    @action(detail=True, pagination_class=None)  # the whole timeline, as the schema says
    def timeline(self, request, pk=None):
        ticket = self.get_object()
        return Response(TimelineSerializer(ticket.timeline.select_related("actor"), many=True).data)

    @extend_schema(responses=ClockSerializer(many=True))
    @action(detail=True, pagination_class=None)
    def clocks(self, request, pk=None):
        return Response(ClockSerializer(actions.ticket_clocks(self.get_object()), many=True).data)

    @extend_schema(request=TransitionSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def transitions(self, request, pk=None):
        """One handling step, through the same action functions as the pages."""
        ticket = self.get_object()  # the permission first; an id that is no number is a 404, not a 500
        incoming = TransitionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            TRANSITIONS[data["action"]](request.user, ticket, data)
        except DjangoValidationError as error:
            raise _as_api_error(error) from None
        # a ticket moved to another PD's service may leave the caller's sight: they still get the result
        current = self.get_queryset().filter(pk=ticket.pk).first()
        return Response(TicketSerializer(current or Ticket.objects.select_related("pd").get(pk=ticket.pk)).data)
