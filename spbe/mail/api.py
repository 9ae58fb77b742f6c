"""The mail API (issue 15): mailboxes and the mails read from them,
read-only, with the pages' permissions (``rules``); triage of a waiting
mail through the same action functions. Another PD's or Pemda's mailbox
is not found (404). Passwords are never part of it: they live in the
server's environment."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from spbe.approvals import api as approval_api
from spbe.continuity.api import IsStaffMember, NamedChoiceField
from spbe.desk.choices import Impact, TicketKind
from spbe.mail import actions, rules
from spbe.mail.choices import IgnoreReason, InboundStatus, MailSecurity
from spbe.mail.models import InboundMail, Mailbox

ID = {"min_value": 1, "max_value": 2**63 - 1}


class MailboxSerializer(serializers.ModelSerializer):
    pd = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    security = NamedChoiceField(MailSecurity, read_only=True)
    default_service = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    default_kind = serializers.ChoiceField(choices=TicketKind.choices, read_only=True)
    default_impact = serializers.CharField(read_only=True, help_text="Dampak pengaduan bawaan: `mayor` atau `minor`.")
    password_variable = serializers.CharField(read_only=True, help_text="Variabel lingkungan yang memuat sandinya.")
    password_set = serializers.SerializerMethodField()
    waiting = serializers.IntegerField(read_only=True, help_text="Surel yang menunggu dipilah.")

    class Meta:
        model = Mailbox
        fields = ["id", "pemda", "pd", "name", "code", "address", "host", "port", "security", "username", "folder",
                  "default_service", "default_kind", "default_impact", "send_as", "is_active", "last_polled_at",
                  "last_error", "password_variable", "password_set", "waiting", "created", "last_updated"]  # fmt: skip
        read_only_fields = fields

    def get_password_set(self, mailbox: Mailbox) -> bool:
        return bool(mailbox.password())


class InboundMailSerializer(serializers.ModelSerializer):
    status = NamedChoiceField(InboundStatus, read_only=True)
    reason = NamedChoiceField(IgnoreReason, read_only=True, allow_null=True)
    service = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    ticket = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    ticket_number = serializers.CharField(source="ticket.number", read_only=True, allow_null=True, default=None)
    handled_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = InboundMail
        fields = ["id", "mailbox", "message_id", "sender", "sender_name", "recipient", "subject", "body",
                  "received_at", "processed_at", "status", "reason", "note", "service", "ticket", "ticket_number",
                  "handled_by", "handled_at"]  # fmt: skip
        read_only_fields = fields


class MailboxFilterSerializer(serializers.Serializer):
    pemda = serializers.IntegerField(required=False, **ID)
    pd = serializers.IntegerField(required=False, **ID)
    active = serializers.BooleanField(required=False, allow_null=True, default=None)
    q = serializers.CharField(required=False, allow_blank=True)


class InboundFilterSerializer(serializers.Serializer):
    mailbox = serializers.IntegerField(required=False, **ID)
    status = serializers.ChoiceField(choices=InboundStatus.choices, required=False, allow_blank=True)
    q = serializers.CharField(required=False, allow_blank=True)


class TriageOpenSerializer(serializers.Serializer):
    service = serializers.IntegerField(**ID, help_text="Id layanan aktif milik PD (atau Pemda) kotak surel.")
    kind = serializers.ChoiceField(choices=TicketKind.choices)
    impact = serializers.ChoiceField(choices=Impact.choices, required=False, allow_blank=True, default="",
                              help_text="Wajib untuk pengaduan.")  # fmt: skip


class TriageDismissSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


def _filters(serializer_class, request) -> dict:
    incoming = serializer_class(data=request.query_params)
    incoming.is_valid(raise_exception=True)
    return {name: value for name, value in incoming.validated_data.items() if value not in ("", None)}


class MailboxViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Mailboxes the caller manages (Koordinator SPBE: the Pemda's; a PD's
    Administrator Layanan and Pimpinan PD: the PD's)."""

    serializer_class = MailboxSerializer
    permission_classes = [IsAuthenticated, IsStaffMember]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Mailbox.objects.none()
        qs = rules.visible(self.request.user, Mailbox.objects.all())
        qs = qs.annotate(waiting=Count("mails", filter=Q(mails__status=InboundStatus.TRIAGE))).order_by("name", "pk")
        if self.action != "list":
            return qs
        data = _filters(MailboxFilterSerializer, self.request)
        if "pemda" in data:
            qs = qs.filter(pemda_id=data["pemda"])
        if "pd" in data:
            qs = qs.filter(pd_id=data["pd"])
        if "active" in data:
            qs = qs.filter(is_active=data["active"])
        if data.get("q"):
            qs = qs.filter(Q(name__icontains=data["q"]) | Q(address__icontains=data["q"]))
        return qs

    @extend_schema(parameters=[
        OpenApiParameter("pemda", int, description="Id Pemda."),
        OpenApiParameter("pd", int, description="Id PD."),
        OpenApiParameter("active", bool, description="Hanya yang aktif (true) atau nonaktif (false)."),
        OpenApiParameter("q", str, description="Cari pada nama dan alamat."),
    ])  # fmt: skip
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class InboundMailViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Mails read from those mailboxes, newest first, with what became of
    each (ticket opened, added to a ticket, waiting for triage, ignored
    with the reason)."""

    serializer_class = InboundMailSerializer
    permission_classes = [IsAuthenticated, IsStaffMember]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return InboundMail.objects.none()
        qs = rules.visible(self.request.user, InboundMail.objects.select_related("ticket", "handled_by"), "mailbox__")
        qs = qs.order_by("-received_at", "-pk")
        if self.action != "list":
            return qs
        data = _filters(InboundFilterSerializer, self.request)
        if "mailbox" in data:
            qs = qs.filter(mailbox_id=data["mailbox"])
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("q"):
            qs = qs.filter(Q(subject__icontains=data["q"]) | Q(sender__icontains=data["q"]))
        return qs

    @extend_schema(parameters=[
        OpenApiParameter("mailbox", int, description="Id kotak surel."),
        OpenApiParameter("status", str, enum=InboundStatus.values, description="Status surel."),
        OpenApiParameter("q", str, description="Cari pada subjek dan pengirim."),
    ])  # fmt: skip
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _fresh(self, mail: InboundMail) -> dict:
        return InboundMailSerializer(self.get_queryset().get(pk=mail.pk)).data

    @extend_schema(request=TriageOpenSerializer, responses=InboundMailSerializer)
    @action(detail=True, methods=["post"], url_path="buka-tiket")
    def open_ticket(self, request, pk=None):
        """Triage: open the waiting mail as a request or complaint of the service."""
        mail = self.get_object()
        incoming = TriageOpenSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        service = rules.services_for(mail.mailbox).filter(pk=data["service"]).first()
        if service is None:
            raise serializers.ValidationError(
                {"service": [_("Pilih layanan aktif milik PD (atau Pemda) kotak surel ini.")]}
            )
        try:
            actions.open_from_triage(request.user, mail, service, data["kind"], data["impact"])
        except DjangoPermissionDenied:
            raise PermissionDenied(_("Anda tidak berwenang memilah surel ini.")) from None
        except DjangoValidationError as error:
            raise approval_api.as_api_error(error) from None
        return Response(self._fresh(mail))

    @extend_schema(request=TriageDismissSerializer, responses=InboundMailSerializer)
    @action(detail=True, methods=["post"], url_path="tutup")
    def dismiss(self, request, pk=None):
        """Triage: close the waiting mail without a ticket, with the reason."""
        mail = self.get_object()
        incoming = TriageDismissSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            actions.dismiss(request.user, mail, incoming.validated_data["reason"])
        except DjangoPermissionDenied:
            raise PermissionDenied(_("Anda tidak berwenang memilah surel ini.")) from None
        except DjangoValidationError as error:
            raise approval_api.as_api_error(error) from None
        return Response(self._fresh(mail))


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False
router.register("kotak-surel", MailboxViewSet, basename="mailbox")
router.register("surel-masuk", InboundMailViewSet, basename="inbound-mail")
api_urlpatterns = router.urls
