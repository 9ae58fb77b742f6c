"""Holds a signed-in session back until its second factor is given (issue 14)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from spbe.org import twofactor

# What a half-signed-in person may still reach: the step itself, signing out,
# the language switch, and what machines and the browser fetch.
OPEN_PREFIXES = ("/akun/dua-langkah/", "/akun/keluar/", "/i18n/", "/static/", "/healthz", "/metrics")


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        step = request.session.get(twofactor.SESSION_KEY)
        if step and request.user.is_authenticated:
            if request.user.is_verified():
                del request.session[twofactor.SESSION_KEY]
            elif not request.path_info.startswith(OPEN_PREFIXES):
                return self._hold(request, step)
        return self.get_response(request)

    @staticmethod
    def _hold(request: HttpRequest, step: str) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": _("Selesaikan verifikasi dua langkah terlebih dahulu.")}, status=403)
        name = "second_factor_verify" if step == twofactor.VERIFY else "second_factor_enrol"
        url = reverse(name)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)
