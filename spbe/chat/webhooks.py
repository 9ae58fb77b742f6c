"""The providers' webhooks (issue 15): no session, no CSRF; each request
proves itself with its provider's signature. Answers are JSON and never a
500: a bad signature is 403, an unknown or inactive channel 404, a payload
that is not what the provider documents 400, anything we do not handle
(edited messages, delivery statuses, group chats) 200 so the provider does
not retry it forever. An unexpected failure while filing is 503: the
provider sends the update again later, and the message id makes that
harmless."""

from __future__ import annotations

import json
import logging

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from spbe.chat import actions, credentials, providers
from spbe.chat.choices import ChatProvider
from spbe.chat.models import ChatChannel

log = logging.getLogger(__name__)
BODY_LIMIT = 1_000_000  # both providers' updates are a few kilobytes


def _answer(status: int, message: str, **extra) -> JsonResponse:
    return JsonResponse({"ok": status < 400, "message": message, **extra}, status=status)


def _channel(provider: str, code: str) -> ChatChannel:
    try:
        return ChatChannel.objects.select_related("pemda", "default_service__pd__pemda").get(
            code=code, provider=provider, is_active=True
        )
    except ChatChannel.DoesNotExist:
        raise Http404 from None


def _payload(request: HttpRequest):
    if len(request.body) > BODY_LIMIT:
        raise providers.Malformed("body too large")
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise providers.Malformed("not JSON") from None


def _receive(channel: ChatChannel, messages: list) -> JsonResponse:
    received = 0
    try:
        for incoming in messages:
            received += actions.receive(channel, incoming) is not None
    except Exception:  # a database hiccup: let the provider retry; the message id keeps it single
        log.exception("chat webhook failed", extra={"channel": channel.code})
        return _answer(503, "Sementara tidak dapat diproses; kirim ulang nanti.")
    return _answer(200, "ok", received=received, ignored=len(messages) - received)


def _not_found(provider: str, code: str):
    try:
        return _channel(provider, code), None
    except Http404:
        return None, _answer(404, "Kanal tidak dikenal atau tidak aktif.")


@csrf_exempt
@require_http_methods(["POST"])
def telegram(request: HttpRequest, code: str) -> HttpResponse:
    """Bot API updates. ``X-Telegram-Bot-Api-Secret-Token`` must equal the
    ``secret_token`` given to setWebhook (``SPBE_CHAT_<CODE>_SECRET``)."""
    channel, refusal = _not_found(ChatProvider.TELEGRAM, code)
    if refusal:
        return refusal
    if not credentials.telegram_secret_ok(channel, request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")):
        return _answer(403, "Secret token tidak cocok.")
    try:
        messages = providers.parse_telegram(_payload(request))
    except providers.Malformed as error:
        return _answer(400, f"Pembaruan Telegram tidak valid: {error}.")
    return _receive(channel, messages)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp(request: HttpRequest, code: str) -> HttpResponse:
    """GET: Meta's verification handshake (``hub.mode=subscribe``, the
    verify token, echo ``hub.challenge``). POST: notifications, signed with
    the app secret over the raw body (``X-Hub-Signature-256``)."""
    channel, refusal = _not_found(ChatProvider.WHATSAPP, code)
    if refusal:
        return refusal
    if request.method == "GET":
        challenge = request.GET.get("hub.challenge", "")
        if request.GET.get("hub.mode") != "subscribe" or not challenge:
            return _answer(400, "Permintaan verifikasi tidak lengkap.")
        if not credentials.verify_token_ok(channel, request.GET.get("hub.verify_token", "")):
            return _answer(403, "Verify token tidak cocok.")
        return HttpResponse(challenge[:200], content_type="text/plain")
    if not credentials.whatsapp_signature_ok(channel, request.body, request.headers.get("X-Hub-Signature-256", "")):
        return _answer(403, "Tanda tangan X-Hub-Signature-256 tidak cocok.")
    try:
        messages = providers.parse_whatsapp(_payload(request), channel.phone_number_id)
    except providers.Malformed as error:
        return _answer(400, f"Notifikasi WhatsApp tidak valid: {error}.")
    return _receive(channel, messages)
