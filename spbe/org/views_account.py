"""The signed-in person's own account: the second factor of sign-in
(issue 14). Thin: parse, call ``actions`` / ``twofactor``, render."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from spbe.front import ratelimit
from spbe.org import actions, sso, twofactor
from spbe.org.forms import LoginForm, ResetForm, SecondFactorForm
from spbe.org.models import Pemda

ENROL_DEVICE_KEY = "spbe_enrol_device"
log = logging.getLogger(__name__)


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, {request.get_host()}, require_https=request.is_secure()):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _locked_out(request: HttpRequest) -> HttpResponse:
    """Too many wrong codes: the half-open session ends, as after too many
    wrong passwords; the person starts again after the cool-off."""
    logout(request)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=403)


@login_required
def second_factor_verify(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    if request.session.get(twofactor.SESSION_KEY) != twofactor.VERIFY:
        return redirect(next_url)
    credentials = {"username": request.user.email}
    if AxesProxyHandler.is_locked(request, credentials):
        return _locked_out(request)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = twofactor.verify(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            request.session.pop(twofactor.SESSION_KEY, None)
            if isinstance(device, StaticDevice):
                left = {"left": twofactor.recovery_codes_left(request.user)}
                messages.warning(request, _("Satu kode pemulihan terpakai; tersisa %(left)d. Buat kode baru.") % left)
            return redirect(next_url)
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            return _locked_out(request)
        form.add_error("code", _("Kode salah atau sudah kedaluwarsa. Pastikan jam ponsel Anda tepat, lalu coba lagi."))
    return render(request, "registration/second_factor_verify.html", {"form": form, "next": next_url})


@login_required
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Scan the QR code, type the first code: the app is on, and the person
    sees their recovery codes once."""
    next_url = _next_url(request)
    if request.session.get(twofactor.SESSION_KEY) == twofactor.VERIFY:
        # a password alone never replaces the phone that guards the account
        return redirect(f"{reverse('second_factor_verify')}?{urlencode({'next': next_url})}")
    device = TOTPDevice.objects.filter(
        user=request.user, confirmed=False, pk=request.session.get(ENROL_DEVICE_KEY)
    ).first()
    if device is None:
        device = twofactor.new_app_device(request.user)
        request.session[ENROL_DEVICE_KEY] = device.pk
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = actions.turn_on_second_factor(request.user, device, form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, device)
            request.session.pop(twofactor.SESSION_KEY, None)
            request.session.pop(ENROL_DEVICE_KEY, None)
            return render(request, "registration/second_factor_codes.html", {"codes": codes, "next": next_url})
        form.add_error("code", _("Kode belum cocok. Masukkan enam angka yang sedang tampil di aplikasi."))
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": twofactor.qr_svg(device),
        "secret": twofactor.secret_text(device),
        "required": request.session.get(twofactor.SESSION_KEY) == twofactor.ENROL,
    }
    return render(request, "registration/second_factor_enrol.html", context)


@login_required
def account_security(request: HttpRequest) -> HttpResponse:
    context = {
        "device": twofactor.app_device(request.user),
        "codes_left": twofactor.recovery_codes_left(request.user),
        "required": twofactor.is_required(request.user),
    }
    return render(request, "registration/account_security.html", context)


@login_required
@require_POST
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    if twofactor.app_device(request.user) is None:
        return redirect("account_security")
    codes = actions.renew_recovery_codes(request.user)
    context = {"codes": codes, "next": reverse("account_security")}
    return render(request, "registration/second_factor_codes.html", context)


@login_required
@require_POST
def second_factor_off(request: HttpRequest) -> HttpResponse:
    try:
        actions.turn_off_second_factor(request.user)
    except PermissionDenied:
        messages.error(request, _("Peran Anda mewajibkan verifikasi dua langkah; ia tidak dapat dimatikan."))
    else:
        messages.success(request, _("Verifikasi dua langkah dimatikan."))
    return redirect("account_security")


# --- Signing in ------------------------------------------------------------------------


class SignInView(auth_views.LoginView):
    """Django's password sign-in, with a button per Pemda that uses SSO."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso_pemdas"] = Pemda.objects.exclude(sso_issuer="").exclude(sso_client_id="").only("name", "slug")
        return context


def sso_start(request: HttpRequest, slug: str) -> HttpResponse:
    pemda = get_object_or_404(Pemda, slug=slug)
    if not pemda.has_sso:
        raise Http404
    try:
        return redirect(sso.authorization_url(request, pemda, _next_url(request)))
    except sso.SSOError:
        messages.error(request, _("Penyedia SSO tidak dapat dihubungi. Masuk dengan kata sandi atau coba lagi nanti."))
        return redirect("login")


def sso_callback(request: HttpRequest) -> HttpResponse:
    try:
        user, proved_second_factor = sso.authenticate(request)
    except sso.NoAccount:
        log.info("sso sign-in without an account")
        messages.error(request, _("Akun SSO Anda belum terdaftar di Layanan SPBE Pemda ini. Hubungi Diskominfo."))
        return redirect("login")
    except sso.SSOError as error:
        log.warning("sso sign-in failed", extra={"reason": str(error)})
        messages.error(request, _("Masuk dengan SSO gagal. Coba lagi, atau masuk dengan kata sandi."))
        return redirect("login")
    next_url = request.session.pop("oidc_login_next", "")
    request.second_factor_proven = proved_second_factor
    login(request, user, backend="spbe.org.backends.AccountBackend")
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        return redirect(next_url)
    return redirect(settings.LOGIN_REDIRECT_URL)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by e-mail, limited per address and per client: it
    sends mail to whatever address is typed (issue 14)."""

    form_class = ResetForm
    email_template_name = "registration/password_reset_email.txt"

    def form_valid(self, form):
        wait = ratelimit.retry_after(
            self.request, "password-reset", ratelimit.PASSWORD_RESET_PER_IP,
            form.cleaned_data["email"], ratelimit.PASSWORD_RESET_PER_EMAIL,
        )  # fmt: skip
        if not wait:
            return super().form_valid(form)
        form.add_error(None, ratelimit.refusal(wait))
        response = self.form_invalid(form)
        response.status_code = 429
        response["Retry-After"] = str(wait)
        return response
