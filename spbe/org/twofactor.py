"""Two-factor sign-in (issue 14): a code from an authenticator app (TOTP,
RFC 6238) after the password, with one-time recovery codes as the fallback.

Who must use it: every Administrator Sistem and Koordinator SPBE, and every
role holder of a Pemda that ticks *wajibkan verifikasi dua langkah*. Anyone
else may turn it on for themselves.

How a session is held back: when a person signs in by any path (the form,
single sign-on, Django's admin), ``on_login`` writes the step still owed into
the session; ``SecondFactorMiddleware`` then opens nothing but that step until
django-otp marks the session verified. The devices are django-otp's own
(``otp_totp``, ``otp_static``); failed codes count in axes like failed
passwords, so guessing the six digits locks the account as guessing the
password does.
"""

from __future__ import annotations

import secrets
from base64 import b32encode

import segno
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from spbe.org import access
from spbe.org.models import Pemda, User

SESSION_KEY = "spbe_second_factor"
VERIFY = "verify"  # the person has an app: ask for its code
ENROL = "enrol"  # the person must have one and has none yet
RECOVERY_CODES = 10
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread on paper


def is_required(user: User) -> bool:
    scope = access.scope_for(user)
    if scope.is_system_admin or scope.coordinator_pemda_ids:
        return True
    return bool(scope.pemda_ids) and Pemda.objects.filter(pk__in=scope.pemda_ids, require_second_factor=True).exists()


def app_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def step_owed(user: User) -> str | None:
    """What a person who just gave their password still owes, if anything."""
    if app_device(user) is not None:
        return VERIFY
    return ENROL if is_required(user) else None


def on_login(sender, request, user, **kwargs) -> None:
    """Connected to ``user_logged_in``: every sign-in owes its second step,
    unless the sign-in itself already proved one (see spbe.org.sso)."""
    if request is None or not hasattr(request, "session") or getattr(request, "second_factor_proven", False):
        return
    step = step_owed(user)
    if step:
        request.session[SESSION_KEY] = step
    else:
        request.session.pop(SESSION_KEY, None)


def normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def verify(user: User, code: str) -> TOTPDevice | StaticDevice | None:
    """The device that accepts ``code``: the app's six digits, or one of the
    recovery codes (which is then used up)."""
    code = normalise(code)
    if not code:
        return None
    if code.isdigit():
        device = app_device(user)
        return device if device is not None and device.verify_token(code) else None
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(code):
            return device
    return None


def new_app_device(user: User) -> TOTPDevice:
    """A fresh, unconfirmed secret to scan; earlier unfinished ones go."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Aplikasi autentikator", confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The QR code of the ``otpauth://`` address as inline SVG, drawn here:
    the secret never leaves the server for a chart service."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, title="Kode QR autentikator")


def secret_text(device: TOTPDevice) -> str:
    """The secret for typing by hand, in groups of four."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def issue_recovery_codes(user: User) -> list[str]:
    """Ten new one-time codes, replacing the old ones; shown once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Kode pemulihan", confirmed=True)
    codes = ["".join(secrets.choice(_CODE_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    device.token_set.bulk_create([device.token_set.model(device=device, token=code) for code in codes])
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def remove_devices(user: User) -> bool:
    """Every second factor of the person; whether there was any."""
    apps, _ = TOTPDevice.objects.filter(user=user).delete()
    codes, _ = StaticDevice.objects.filter(user=user).delete()
    return bool(apps or codes)
