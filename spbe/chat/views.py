"""Staff pages of the chat channels (issue 15, /kanal/chat/): the list, the
channel form, and the channel page with what to register at the provider,
the connection test, and its conversations and messages. Thin: parse, ask
``rules``, call ``actions``, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from spbe.chat import actions, credentials, providers, rules
from spbe.chat.forms import ChannelFilterForm, ChannelForm, MessageFilterForm
from spbe.chat.models import ChatChannel, ChatMessage
from spbe.front.listing import build_listing, render_listing, wants_export, xlsx_response
from spbe.front.pages import add_action_errors, form_page
from spbe.org.views import staff_required

RECENT_CONVERSATIONS = 10


def _channel_or_404(request: HttpRequest, pk: int) -> ChatChannel:
    return get_object_or_404(rules.visible_channels(request.user), pk=pk)


@staff_required
def channel_list(request: HttpRequest) -> HttpResponse:
    channels = rules.visible_channels(request.user)
    filters = ChannelFilterForm(request.GET or None, channels=channels)
    qs = channels
    if filters.is_valid():
        data = filters.cleaned_data
        for name in ("pemda", "pd", "provider"):
            if data.get(name):
                qs = qs.filter(**{name: data[name]})
        if data["active"]:
            qs = qs.filter(is_active=data["active"] == "1")
    qs, listing = build_listing(
        request, qs, search_fields=["name", "code", "default_service__name", "pd__name", "pemda__name"],
        sorts={"name": "name", "pemda": "pemda__name", "provider": "provider", "created": "created"},
        default_sort="name",
    )  # fmt: skip
    if wants_export(request):
        return xlsx_response("kanal-chat", *_channel_table(qs), title=_("Kanal chat"))
    context = {"listing": listing, "filters": filters, "can_create": rules.may_create(request.user)}
    return render_listing(request, "chat/channel_list.html", "chat/_channel_results.html", context)


def _channel_table(qs) -> tuple[list, object]:
    headers = [_("Pemda"), _("PD"), _("Nama"), _("Kode"), _("Penyedia"), _("Layanan bawaan"), _("Aktif"),
               _("Alamat webhook")]  # fmt: skip

    def rows():
        for channel in qs:
            yield [channel.pemda.name, channel.pd.name if channel.pd else "", channel.name, channel.code,
                   channel.get_provider_display(), channel.default_service.name, channel.is_active,
                   channel.webhook_url]  # fmt: skip

    return headers, rows()


def _save(request: HttpRequest, channel: ChatChannel | None) -> HttpResponse:
    form = ChannelForm(request.POST or None, instance=channel, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.save_channel(request.user, form.save(commit=False))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Kanal disimpan. Daftarkan alamat webhook dan isi variabel lingkungannya."))
            return redirect(saved)
    title = _("Ubah kanal chat") if channel else _("Kanal chat baru")
    cancel = channel.get_absolute_url() if channel else reverse("chat:channel_list")
    return form_page(request, form, title, cancel)


@staff_required
def channel_create(request: HttpRequest) -> HttpResponse:
    if not rules.may_create(request.user):
        raise PermissionDenied
    return _save(request, None)


@staff_required
def channel_edit(request: HttpRequest, pk: int) -> HttpResponse:
    channel = _channel_or_404(request, pk)
    if not rules.can_manage_channel(request.user, channel):
        raise PermissionDenied
    return _save(request, channel)


def _messages_of(channel: ChatChannel, filters: MessageFilterForm):
    qs = channel.messages.select_related("conversation", "ticket")
    if filters.is_valid():
        data = filters.cleaned_data
        for name in ("direction", "status"):
            if data[name]:
                qs = qs.filter(**{name: data[name]})
        if data["percakapan"]:
            qs = qs.filter(conversation_id=data["percakapan"])
    return qs


@staff_required
def channel_detail(request: HttpRequest, pk: int) -> HttpResponse:
    channel = _channel_or_404(request, pk)
    filters = MessageFilterForm(request.GET or None)
    qs, listing = build_listing(
        request, _messages_of(channel, filters),
        search_fields=["text", "conversation__display_name", "conversation__external_id", "ticket__number"],
        sorts={"at": "at", "status": "status"}, default_sort="-at",
    )  # fmt: skip
    if wants_export(request):
        return xlsx_response(f"pesan-{channel.code}", *_message_table(qs), title=_("Pesan chat"))
    context = {
        "channel": channel,
        "listing": listing,
        "filters": filters,
        "can_manage": rules.can_manage_channel(request.user, channel),
        "variables": credentials.variables(channel),
        "conversations": channel.conversations.select_related("ticket").order_by("-last_message_at")[
            :RECENT_CONVERSATIONS
        ],
    }
    return render_listing(request, "chat/channel_detail.html", "chat/_message_results.html", context)


def _message_table(qs) -> tuple[list, object]:
    headers = [_("Waktu"), _("Arah"), _("Percakapan"), _("Tiket"), _("Isi"), _("Status"), _("Percobaan"),
               _("Galat terakhir")]  # fmt: skip

    def rows():
        for m in qs:
            yield [m.at, m.get_direction_display(), str(m.conversation), m.ticket.number if m.ticket else "", m.text,
                   m.get_status_display(), m.attempts, m.last_error]  # fmt: skip

    return headers, rows()


@staff_required
@require_POST
def channel_check(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Cek koneksi": asks the provider who the token belongs to."""
    channel = _channel_or_404(request, pk)
    if not rules.can_manage_channel(request.user, channel):
        raise PermissionDenied
    try:
        who = providers.check(channel)
    except providers.SendError as error:
        messages.error(request, _("Koneksi ke %(provider)s gagal: %(error)s") % {
            "provider": channel.get_provider_display(), "error": error})  # fmt: skip
    else:
        messages.success(request, _("Koneksi berhasil: %(who)s.") % {"who": who})
    return redirect(channel)


@staff_required
@require_POST
def message_resend(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    channel = _channel_or_404(request, pk)
    message = get_object_or_404(ChatMessage, pk=message_pk, channel=channel)
    try:
        actions.resend(request.user, message)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Pesan dijadwalkan untuk dikirim ulang."))
    return redirect(channel)
