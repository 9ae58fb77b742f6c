"""Machine endpoints of monitoring: alert intake (Alertmanager, Zabbix /
generic JSON) under /api/v1/pemantauan/ (O-4 → O-2).

Authenticated by ``Authorization: Bearer <token>`` of an alert source (no
session, so no CSRF); the body is read as raw JSON so every refusal is a
JSON answer naming the field, never a 500. See ``spbe.monitoring.intake``
for what an alert does to the complaints of its service."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import RequestDataTooBig
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from spbe.monitoring import intake
from spbe.monitoring.models import AlertSource

MAX_PAYLOAD = 2 * 1024 * 1024  # bytes; Alertmanager's largest groups stay far below


class AlertSourceAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>`` of an AlertSource. The token is
    never logged: only its hash is looked up."""

    def authenticate(self, request):
        scheme, _space, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationFailed(
                _("Sertakan token sumber peringatan pada header Authorization: Bearer <token>."),
                code="not_authenticated",
            )
        source = intake.source_for_token(token.strip())
        if source is None:
            raise AuthenticationFailed(_("Token sumber peringatan tidak dikenal atau sudah dihapus."))
        return AnonymousUser(), source

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="pemantauan"'  # makes DRF answer 401, not 403


class AlertSourceScheme(OpenApiAuthenticationExtension):
    target_class = AlertSourceAuthentication
    name = "alertSourceToken"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Bearer")


class HasAlertSource(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, AlertSource)


def _error(status: int, message: str, code: str, field: str | None = None) -> Response:
    data = {"message": message, "code": code}
    if field:
        data["field"] = field
        data["errors"] = {field: [message]}
    return Response(data, status=status)


RESPONSES = {
    200: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Diterima. `alerts[]`: fingerprint, status, outcome (opened, noted, resolved, duplicate, "
        "unmatched, maintenance, stored), service (kode), ticket (nomor aduan), reason.",
    ),
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="JSON rusak atau kolom wajib tidak ada (`field`)."),
    401: OpenApiResponse(OpenApiTypes.OBJECT, description="Token tidak ada atau salah."),
    413: OpenApiResponse(OpenApiTypes.OBJECT, description="Kiriman lebih dari 2 MB."),
}


class _Intake(APIView):
    authentication_classes = [AlertSourceAuthentication]
    permission_classes = [HasAlertSource]
    renderer_classes = [JSONRenderer]
    parser_classes = []  # the raw body is read, so no media type is refused before the payload's own checks

    # The payload's reader: intake.parse_alertmanager or intake.parse_generic.
    parser: Callable[[object, ZoneInfo], list[intake.Incoming]]

    def post(self, request):
        source: AlertSource = request.auth
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        too_big = _("Kiriman terlalu besar (paling banyak 2 MB); kirim dalam beberapa bagian.")
        if declared > MAX_PAYLOAD:
            return _error(413, too_big, "too_large")
        try:
            body = request.body  # raw: DRF's parser would answer in its own words
        except RequestDataTooBig:
            return _error(413, too_big, "too_large")
        if len(body) > MAX_PAYLOAD:
            return _error(413, too_big, "too_large")
        try:
            items = self.parser(intake.load_json(body), ZoneInfo(source.pemda.time_zone))
        except intake.PayloadError as error:
            message = _("%(field)s: %(message)s") % {"field": error.field, "message": error.message}
            return _error(400, message, "invalid", error.field)
        results = intake.receive(source, items)
        unmatched = sum(1 for r in results if r.outcome == intake.Outcome.UNMATCHED)
        message = _("Diterima %(count)d peringatan.") % {"count": len(results)}
        if unmatched:
            message += " " + _("%(count)d tidak cocok dengan layanan mana pun.") % {"count": unmatched}
        return Response({
            "message": message, "received": len(results), "unmatched": unmatched,
            "alerts": [r.as_json() for r in results],
        })  # fmt: skip


class AlertmanagerIntake(_Intake):
    @extend_schema(
        operation_id="pemantauan_alertmanager",
        summary="Terima peringatan Prometheus Alertmanager (webhook v4)",
        description=(
            "Payload standar `webhook_configs` Alertmanager (version 4): `alerts[]` dengan `status` "
            "(firing/resolved), `labels` (`alertname`, `service` = kode layanan di katalog, `severity`: "
            "critical ⇒ dampak Mayor, `pd` = singkatan PD bila kode layanan ganda), `annotations` (`summary`), "
            "`startsAt`, `endsAt`, `fingerprint`, `generatorURL`. Kiriman ulang peringatan yang sama hanya "
            "dihitung. Satu aduan terbuka per layanan (O-4 → O-2)."
        ),
        request={"application/json": OpenApiTypes.OBJECT},
        responses=RESPONSES,
        examples=[
            OpenApiExample(
                "Alertmanager",
                request_only=True,
                value={
                    "version": "4",
                    "receiver": "layanan-spbe",
                    "status": "firing",
                    "groupKey": '{}:{alertname="X"}',
                    "alerts": [
                        {
                            "status": "firing",
                            "labels": {"alertname": "SitusMati", "service": "DUK-01", "severity": "critical"},
                            "annotations": {"summary": "https://adminduk.example.go.id tidak menjawab"},
                            "startsAt": "2026-11-20T08:50:00Z",
                            "endsAt": "0001-01-01T00:00:00Z",
                            "fingerprint": "a1b2c3d4e5f60718",
                            "generatorURL": "http://prometheus:9090/graph",
                        }
                    ],
                },
            )
        ],
    )
    def post(self, request):
        return super().post(request)

    parser = staticmethod(intake.parse_alertmanager)


class WebhookIntake(_Intake):
    @extend_schema(
        operation_id="pemantauan_webhook",
        summary="Terima peringatan Zabbix / JSON umum",
        description=(
            'Satu objek, daftar objek, atau `{"alerts": [...]}`. Kolom: `id` atau `fingerprint` (wajib), '
            "`status` (wajib: firing/PROBLEM/1 atau resolved/OK/0), `name` atau `title` (wajib), `summary` atau "
            "`message`, `service` (kode layanan; juga `tags.service` atau `labels.service`), `pd`, `severity` "
            "(critical/disaster/high ⇒ dampak Mayor), `started_at` dan `ended_at` (ISO 8601, detik Unix, atau "
            "`YYYY.MM.DD HH:MM:SS` waktu setempat Pemda), `labels`, `tags`, `url`."
        ),
        request={"application/json": OpenApiTypes.OBJECT},
        responses=RESPONSES,
        examples=[
            OpenApiExample(
                "Zabbix",
                request_only=True,
                value={
                    "id": "4711",
                    "status": "PROBLEM",
                    "name": "Disk /var hampir penuh",
                    "severity": "High",
                    "service": "DUK-01",
                    "started_at": "2026.11.20 15:50:00",
                    "message": "Sisa 4%",
                },
            )
        ],
    )
    def post(self, request):
        return super().post(request)

    parser = staticmethod(intake.parse_generic)


api_urlpatterns = [
    path("alertmanager/", AlertmanagerIntake.as_view(), name="monitoring-alertmanager"),
    path("webhook/", WebhookIntake.as_view(), name="monitoring-webhook"),
]
