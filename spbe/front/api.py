"""API conventions: every error is JSON with a human message, and the
OpenAPI schema says which errors each operation can answer (issue 14: the
API is fuzzed against its schema, so the schema must tell the truth)."""

from django.http import JsonResponse
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler, with the message always under ``message`` and the
    fields' messages always an object under ``errors``."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data:
        response.data = {"message": str(data["detail"]), "code": getattr(data["detail"], "code", "error")}
    else:
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = {"message": "Data tidak valid.", "code": "invalid", "errors": errors}
    return response


def json_error(status: int, message: str, code: str) -> JsonResponse:
    return JsonResponse({"message": message, "code": code}, status=status)


class ErrorSerializer(serializers.Serializer):
    """Every refusal of the API: ``exception_handler``, the JSON error pages
    (``spbe.front.views``) and the alert intake."""

    message = serializers.CharField(help_text="Pesan untuk manusia.")
    code = serializers.CharField(help_text="Mis. invalid, not_authenticated, permission_denied, not_found, csrf.")
    errors = serializers.DictField(
        child=serializers.JSONField(), required=False, help_text="Pesan per kolom, bila data tidak valid (400)."
    )
    field = serializers.CharField(required=False, help_text="Kolom kiriman peringatan yang salah (400).")


def error_response(description: str) -> OpenApiResponse:
    """An error an operation declares itself, e.g. ``{200: X, 404: error_response("PD tidak ditemukan.")}``."""
    return OpenApiResponse(ErrorSerializer, description=description)


ERRORS = {
    "400": "Data tidak valid: `errors` memuat pesan per kolom.",
    "401": "Token tidak ada atau salah.",
    "403": "Belum masuk, token CSRF tidak valid, atau tidak berwenang.",
    "404": "Tidak ditemukan, atau di luar cakupan pemanggil.",
    "415": "Jenis isi (Content-Type) kiriman tidak didukung.",
}
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema with the errors every operation can answer,
    derived from how DRF answers them (answers an operation declares
    itself are kept):

    - 400 for a body or query parameters (besides ``page``), which are validated;
    - 403 with session authentication (signed out, CSRF, permission), or 401
      when the authentication names a scheme (``WWW-Authenticate``);
    - 404 for a path naming a record, and for a page of a list past its end;
    - 415 for a body in a media type the view does not parse (a view that
      reads the raw body has no parsers)."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for code in self.error_codes(operation):
            if code not in operation["responses"]:
                operation["responses"][code] = self._get_response_for_code(error_response(ERRORS[code]), code)
        return operation

    def error_codes(self, operation: dict) -> list[str]:
        parameters = operation.get("parameters", [])
        query = [p["name"] for p in parameters if p["in"] == "query"]
        codes = []
        if self.method not in SAFE_METHODS or set(query) - {"page"}:
            codes.append("400")
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            authenticators = self.view.get_authenticators()
            named_scheme = authenticators and authenticators[0].authenticate_header(self.view.request)
            codes.append("401" if named_scheme else "403")
        if any(p["in"] == "path" for p in parameters) or "page" in query:
            codes.append("404")
        if "requestBody" in operation and self.view.get_parsers():
            codes.append("415")
        return codes
