"""REST: ask the engine when a target falls due for a Pemda, and why (P-1,
P-3, E-3). Same answer as ``manage.py sla``."""

from __future__ import annotations

from datetime import datetime

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from spbe.front.api import error_response
from spbe.org import access
from spbe.policy.ask import deadline_answer, elapsed_answer
from spbe.policy.calendars import TWENTY_FOUR_SEVEN, WORKING_HOURS, NoPolicy
from spbe.policy.pack import parse_duration
from spbe.sla.engine import CalendarError


class QuerySerializer(serializers.Serializer):
    pemda = serializers.SlugField(help_text="Kode URL Pemda, mis. kabupaten-tegal")
    start = serializers.CharField(help_text="ISO 8601; tanpa zona = zona waktu Pemda")
    duration = serializers.CharField(required=False, help_text="15m, 1h30m, 48h (untuk deadline)")
    end = serializers.CharField(required=False, help_text="ISO 8601 (untuk elapsed)")
    calendar = serializers.ChoiceField(choices=[WORKING_HOURS, TWENTY_FOUR_SEVEN], default=WORKING_HOURS)

    def validate_start(self, value: str) -> datetime:
        return _instant(value)

    def validate_end(self, value: str) -> datetime:
        return _instant(value)

    def validate_duration(self, value: str):
        try:
            return parse_duration(value)
        except ValueError:
            raise serializers.ValidationError("Tulis durasi seperti 15m, 1h30m, atau 48h.") from None


def _instant(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise serializers.ValidationError("Bukan tanggal-waktu ISO 8601, mis. 2026-03-20T15:50+07:00.") from None


class _Ask(APIView):
    def _query(self, request, needs: str) -> tuple:
        query = QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        if needs not in data:
            raise ValidationError({needs: ["Wajib diisi."]})
        pemda = access.visible_pemdas(request.user).select_related("policy_version").filter(slug=data["pemda"]).first()
        if pemda is None:
            raise NotFound("Pemda tidak ditemukan.")
        return pemda, data

    def _answer(self, compute):
        try:
            return Response(compute())
        except NoPolicy:
            raise ValidationError({"pemda": ["Pemda ini belum memiliki paket kebijakan."]}) from None
        except CalendarError as error:
            raise ValidationError({"calendar": [str(error)]}) from None


_PARAMS = [
    OpenApiParameter("pemda", OpenApiTypes.STR, required=True),
    OpenApiParameter("start", OpenApiTypes.DATETIME, required=True),
    OpenApiParameter("calendar", OpenApiTypes.STR, enum=[WORKING_HOURS, TWENTY_FOUR_SEVEN]),
]

_RESPONSES = {200: OpenApiTypes.OBJECT, 404: error_response("Pemda tidak ditemukan atau di luar cakupan Anda.")}


class DeadlineView(_Ask):
    """When a target of ``duration`` business time, started at ``start``,
    falls due on the Pemda's calendar, with the closed time it skipped."""

    @extend_schema(parameters=[*_PARAMS, OpenApiParameter("duration", OpenApiTypes.STR, required=True)],
                   responses=_RESPONSES)  # fmt: skip
    def get(self, request):
        pemda, data = self._query(request, "duration")
        return self._answer(lambda: deadline_answer(pemda, data["start"], data["duration"], data["calendar"]))


class ElapsedView(_Ask):
    """Business time between ``start`` and ``end`` on the Pemda's calendar."""

    @extend_schema(parameters=[*_PARAMS, OpenApiParameter("end", OpenApiTypes.DATETIME, required=True)],
                   responses=_RESPONSES)  # fmt: skip
    def get(self, request):
        pemda, data = self._query(request, "end")
        return self._answer(lambda: elapsed_answer(pemda, data["start"], data["end"], data["calendar"]))
