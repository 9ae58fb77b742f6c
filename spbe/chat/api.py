"""The chat API (issue 15): read-only lists of the channels and their
messages, with the permissions of the pages (``rules``). Secrets are never
in it: only whether each environment variable is set."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.routers import DefaultRouter

from spbe.chat import credentials, rules
from spbe.chat.choices import ChatDirection, ChatMessageKind, ChatMessageStatus, ChatProvider
from spbe.chat.models import ChatChannel, ChatMessage
from spbe.continuity.api import NamedChoiceField
from spbe.desk.choices import TicketKind
from spbe.front.listing import search
from spbe.org import access

ID = {"min_value": 1, "max_value": 2**63 - 1}


class IsStaffMember(BasePermission):
    message = gettext_lazy("Hanya petugas yang dapat memakai API kanal chat.")

    def has_permission(self, request, view) -> bool:
        return access.scope_for(request.user).is_staff_member


class ChatVariableSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Nama variabel lingkungan server.")
    is_set = serializers.BooleanField(help_text="Terisi atau belum (nilainya tidak pernah diberikan).")


class ChatChannelSerializer(serializers.ModelSerializer):
    pemda_name = serializers.CharField(source="pemda.name", read_only=True)
    pd = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    pd_name = serializers.CharField(source="pd.name", read_only=True, allow_null=True, default=None)
    provider = NamedChoiceField(ChatProvider, read_only=True)
    default_service_name = serializers.CharField(source="default_service.name", read_only=True)
    default_kind = serializers.ChoiceField(choices=TicketKind.choices, read_only=True)
    # a plain string: an enum here would give desk's ImpactEnum a second name (drf-spectacular warns)
    default_impact = serializers.CharField(read_only=True, help_text="`mayor`, `minor`, atau kosong untuk permintaan.")
    webhook_url = serializers.CharField(read_only=True, help_text="Alamat yang didaftarkan di penyedia.")
    variables = serializers.SerializerMethodField()

    class Meta:
        model = ChatChannel
        fields = ["id", "pemda", "pemda_name", "pd", "pd_name", "provider", "name", "code", "phone_number_id",
                  "default_service", "default_service_name", "default_kind", "default_impact", "is_active",
                  "webhook_url", "variables", "created", "last_updated"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(ChatVariableSerializer(many=True))
    def get_variables(self, channel: ChatChannel) -> list[dict]:
        return [{"name": v.name, "is_set": v.is_set} for v in credentials.variables(channel)]


class ChatMessageSerializer(serializers.ModelSerializer):
    direction = NamedChoiceField(ChatDirection, read_only=True)
    kind = NamedChoiceField(ChatMessageKind, read_only=True)
    status = NamedChoiceField(ChatMessageStatus, read_only=True)
    conversation_name = serializers.CharField(source="conversation.__str__", read_only=True)
    external_id = serializers.CharField(source="conversation.external_id", read_only=True)
    ticket = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    ticket_number = serializers.CharField(source="ticket.number", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ChatMessage
        fields = ["id", "channel", "conversation", "conversation_name", "external_id", "direction", "kind", "text",
                  "ticket", "ticket_number", "status", "attempts", "next_attempt_at", "last_error",
                  "provider_message_id", "at", "sent_at", "created"]  # fmt: skip
        read_only_fields = fields


class ChannelFilterSerializer(serializers.Serializer):
    pemda = serializers.IntegerField(required=False, **ID)
    pd = serializers.IntegerField(required=False, **ID)
    provider = serializers.ChoiceField(choices=ChatProvider.choices, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False, allow_null=True, default=None)
    q = serializers.CharField(required=False, allow_blank=True)


class MessageFilterSerializer(serializers.Serializer):
    channel = serializers.IntegerField(required=False, **ID)
    direction = serializers.ChoiceField(choices=ChatDirection.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=ChatMessageStatus.choices, required=False, allow_blank=True)
    ticket = serializers.IntegerField(required=False, **ID)
    q = serializers.CharField(required=False, allow_blank=True)


def _filters(serializer_class, request) -> dict:
    incoming = serializer_class(data=request.query_params)
    incoming.is_valid(raise_exception=True)
    return {name: value for name, value in incoming.validated_data.items() if value not in ("", None)}


class ChannelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Chat channels the caller may see (issue 15)."""

    serializer_class = ChatChannelSerializer
    permission_classes = [IsAuthenticated, IsStaffMember]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # OpenAPI schema generation
            return ChatChannel.objects.none()
        qs = rules.visible_channels(self.request.user).order_by("pemda__name", "name", "pk")
        if self.action != "list":
            return qs
        data = _filters(ChannelFilterSerializer, self.request)
        qs = qs.filter(**{name: data[name] for name in ("pemda", "pd", "provider") if name in data})
        if "active" in data:
            qs = qs.filter(is_active=data["active"])
        if data.get("q"):
            qs = search(qs, data["q"], ["name", "code", "default_service__name"])
        return qs

    @extend_schema(parameters=[
        OpenApiParameter("pemda", int, description="Id Pemda."),
        OpenApiParameter("pd", int, description="Id PD pengelola."),
        OpenApiParameter("provider", str, enum=ChatProvider.values),
        OpenApiParameter("active", bool, description="Hanya yang aktif (true) atau nonaktif (false)."),
        OpenApiParameter("q", str, description="Cari pada nama, kode dan layanan bawaan."),
    ])  # fmt: skip
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class MessageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Messages in and out of the channels the caller may see, newest first."""

    serializer_class = ChatMessageSerializer
    permission_classes = [IsAuthenticated, IsStaffMember]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # OpenAPI schema generation
            return ChatMessage.objects.none()
        channels = rules.visible_channels(self.request.user)
        qs = ChatMessage.objects.filter(channel__in=channels.values("pk")).select_related("conversation", "ticket")
        qs = qs.order_by("-at", "-pk")
        if self.action != "list":
            return qs
        data = _filters(MessageFilterSerializer, self.request)
        qs = qs.filter(**{name: data[name] for name in ("channel", "direction", "status", "ticket") if name in data})
        if data.get("q"):
            qs = search(qs, data["q"], ["text", "conversation__display_name", "ticket__number"])
        return qs

    @extend_schema(parameters=[
        OpenApiParameter("channel", int, description="Id kanal."),
        OpenApiParameter("direction", str, enum=ChatDirection.values),
        OpenApiParameter("status", str, enum=ChatMessageStatus.values),
        OpenApiParameter("ticket", int, description="Id tiket."),
        OpenApiParameter("q", str, description="Cari pada isi, nama pelapor dan nomor tiket."),
    ])  # fmt: skip
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False
router.register("chat/kanal", ChannelViewSet, basename="chat-channel")
router.register("chat/pesan", MessageViewSet, basename="chat-message")
api_urlpatterns = router.urls
