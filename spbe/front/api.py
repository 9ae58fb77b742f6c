"""API conventions: every error is JSON with a human message."""

from django.http import JsonResponse
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler, with the message always under ``message``."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data:
        response.data = {"message": str(data["detail"]), "code": getattr(data["detail"], "code", "error")}
    else:
        response.data = {"message": "Data tidak valid.", "code": "invalid", "errors": data}
    return response


def json_error(status: int, message: str, code: str) -> JsonResponse:
    return JsonResponse({"message": message, "code": code}, status=status)
