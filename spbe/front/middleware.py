"""Middleware of the shell: metrics and request logs, sliding sessions, the
Pemda's time zone, and the language choice."""

import logging
import time

from django.conf import settings
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

from spbe.front.metrics import LATENCY, REQUESTS

log = logging.getLogger("spbe.request")


class RequestMetricsMiddleware:
    """Counts and times every request by its URL pattern (not its path, so
    that /pd/1/ and /pd/2/ are one series)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        route = match.route if match and match.route else ("unmatched" if response.status_code == 404 else "other")
        REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        LATENCY.labels(request.method, route).observe(elapsed)
        user = getattr(request, "user", None)
        log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        return response


class PemdaTimezoneMiddleware:
    """Shows times in the zone of the signed-in person's Pemda (WIB, WITA or
    WIT); the database keeps UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        pemda = getattr(user, "pemda", None) if user is not None and user.is_authenticated else None
        if pemda is not None:
            timezone.activate(pemda.time_zone)
        else:
            timezone.deactivate()
        return self.get_response(request)


class LanguageMiddleware:
    """Bahasa Indonesia unless the person chose English with the switch.

    Django's LocaleMiddleware follows the browser's Accept-Language, and many
    government PCs run an English browser: staff would get English without
    asking for it. Only the switch's cookie counts here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = code
        # override, not activate: the thread's language goes back afterwards,
        # so a worker thread never carries one person's English into the next request.
        with translation.override(code):
            response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", code)
        return response


class SlidingSessionMiddleware:
    """An active session slides its 8-hour expiry, but is written at most
    once a minute: saving it on every request (SESSION_SAVE_EVERY_REQUEST)
    cost each page and API call a committed UPDATE (issue 5, Speed)."""

    REFRESH_SECONDS = 60

    @staticmethod
    def stamp(sender, request, **kwargs) -> None:
        """On sign-in the session is new: its first minute needs no refresh."""
        request.session["_refreshed"] = int(time.time())

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            if now - session.get("_refreshed", 0) >= self.REFRESH_SECONDS:
                session["_refreshed"] = now  # marks it modified: SessionMiddleware saves it with a new expiry
        return response


class PermissionsPolicyMiddleware:
    """Tells the browser the application never uses the camera, microphone,
    location or payment APIs, so an injected script cannot either (issue 14)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
