"""Single sign-on by OpenID Connect, chosen per Pemda (issue 14).

Many Pemda run an identity provider (Keycloak, often) for their staff. A
Pemda that fills in its issuer and client ID gets a *Masuk dengan SSO*
button; the client secret is read from the environment
(``SPBE_SSO_SECRET_<KODE URL>``), never stored in the database.

What the provider proves is *who* signs in; *what* they may do stays in this
application's roles. A person is matched within that Pemda by e-mail or NIP
(the Pemda's choice) and must already exist: SSO never creates accounts.

mozilla-django-oidc does the protocol (state, nonce, PKCE, the code
exchange, the JWKS signature check); this module gives it the Pemda's
settings and adds the checks it leaves out: the token's issuer and audience.
The provider's word on a second factor (``amr`` holding ``mfa``/``otp``/
``hwk``) counts as ours; otherwise the usual second step follows.
"""

from __future__ import annotations

import logging
import os
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django.urls import reverse
from django.utils.crypto import get_random_string
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import (
    add_state_and_verifier_and_nonce_to_session,
    generate_code_challenge,
    import_from_settings,
)

from spbe.org.models import Pemda, User

log = logging.getLogger(__name__)

SESSION_PEMDA = "spbe_sso_pemda"
CALLBACK_URL_NAME = "sso_callback"
PROVEN_SECOND_FACTORS = {"mfa", "otp", "hwk", "swk"}  # RFC 8176 authentication method references
DISCOVERY_SECONDS = 3600


class SSOError(Exception):
    """Sign-in by SSO failed; the message is for the log, not the person."""


class NoAccount(SSOError):
    """The provider vouched for someone this Pemda has not registered."""


def secret_variable(pemda: Pemda) -> str:
    return "SPBE_SSO_SECRET_" + pemda.slug.upper().replace("-", "_")


def discovery(pemda: Pemda) -> dict:
    """The provider's metadata (RFC 8414), cached for an hour."""
    key = f"sso-discovery:{pemda.pk}:{pemda.sso_issuer}"
    meta = cache.get(key)
    if meta is None:
        url = pemda.sso_issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT, verify=settings.OIDC_VERIFY_SSL)
            response.raise_for_status()
            meta = response.json()
        except (requests.RequestException, ValueError) as error:
            log.warning("sso discovery failed", extra={"pemda": pemda.slug, "error": str(error)})
            raise SSOError("provider unreachable") from error
        if meta.get("issuer", "").rstrip("/") != pemda.sso_issuer.rstrip("/"):
            raise SSOError("issuer mismatch")
        cache.set(key, meta, DISCOVERY_SECONDS)
    return meta


class PemdaOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with one Pemda's settings. Built by the
    callback view for that Pemda; not listed in AUTHENTICATION_BACKENDS."""

    def __init__(self, pemda: Pemda):
        self.pemda = pemda
        secret = os.environ.get(secret_variable(pemda), "")
        if not secret:
            raise SSOError("client secret missing")
        meta = discovery(pemda)
        self.pemda_settings = {
            "OIDC_OP_AUTHORIZATION_ENDPOINT": meta["authorization_endpoint"],
            "OIDC_OP_TOKEN_ENDPOINT": meta["token_endpoint"],
            "OIDC_OP_USER_ENDPOINT": meta.get("userinfo_endpoint"),
            "OIDC_OP_JWKS_ENDPOINT": meta["jwks_uri"],
            "OIDC_RP_CLIENT_ID": pemda.sso_client_id,
            "OIDC_RP_CLIENT_SECRET": secret,
            "OIDC_RP_SIGN_ALGO": "RS256",
            "OIDC_RP_SCOPES": "openid email profile",
            "OIDC_USE_PKCE": True,
            "OIDC_CREATE_USER": False,
            "OIDC_AUTHENTICATION_CALLBACK_URL": CALLBACK_URL_NAME,
        }
        self.id_claims: dict = {}
        super().__init__()

    def get_settings(self, attr, *args):
        if attr in self.pemda_settings:
            return self.pemda_settings[attr]
        return import_from_settings(attr, *args)

    def _verify_jws(self, payload, key):
        """The library checks only the signature; the token must also be
        meant for us, from our Pemda's provider."""
        payload = super()._verify_jws(payload, key)
        issuer, audience = payload.get("iss", ""), payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if issuer.rstrip("/") != self.pemda.sso_issuer.rstrip("/") or self.pemda.sso_client_id not in audiences:
            raise SuspiciousOperation("ID token not issued for this Pemda's client")
        return payload

    def verify_token(self, token, **kwargs):
        claims = super().verify_token(token, **kwargs)
        if kwargs.get("nonce") is not None:  # the ID token, not a signed userinfo answer
            self.id_claims = claims
        return claims

    def get_userinfo(self, access_token, id_token, payload):
        info = super().get_userinfo(access_token, id_token, payload) if self.OIDC_OP_USER_ENDPOINT else {}
        return {**payload, **info}

    def verify_claims(self, claims) -> bool:
        return bool(claims.get(self.pemda.sso_match))

    def filter_users_by_claims(self, claims):
        people = User.objects.filter(pemda=self.pemda, is_active=True)
        if self.pemda.sso_match == "nip":
            return people.filter(nip=str(claims.get("nip", "")).strip())
        return people.filter(email__iexact=str(claims.get("email", "")).strip())

    @property
    def proved_second_factor(self) -> bool:
        return bool(PROVEN_SECOND_FACTORS & set(self.id_claims.get("amr") or []))


def authorization_url(request: HttpRequest, pemda: Pemda, next_url: str) -> str:
    """Where to send the browser; state, nonce and PKCE verifier go into the session."""
    backend = PemdaOIDCBackend(pemda)
    state, nonce, verifier = get_random_string(32), get_random_string(32), get_random_string(64)
    params = {
        "response_type": "code",
        "scope": backend.get_settings("OIDC_RP_SCOPES"),
        "client_id": pemda.sso_client_id,
        "redirect_uri": request.build_absolute_uri(reverse(CALLBACK_URL_NAME)),
        "state": state,
        "nonce": nonce,
        "code_challenge": generate_code_challenge(verifier, "S256"),
        "code_challenge_method": "S256",
    }
    add_state_and_verifier_and_nonce_to_session(request, state, params, code_verifier=verifier)
    request.session[SESSION_PEMDA] = pemda.pk
    request.session["oidc_login_next"] = next_url
    return f"{backend.get_settings('OIDC_OP_AUTHORIZATION_ENDPOINT')}?{urlencode(params)}"


def authenticate(request: HttpRequest) -> tuple[User, bool]:
    """The person the provider vouches for, and whether it proved a second
    factor. Raises SSOError with a reason for the log."""
    pemda = Pemda.objects.filter(pk=request.session.get(SESSION_PEMDA)).first()
    state = request.GET.get("state", "")
    states = request.session.get("oidc_states", {})
    if pemda is None or not pemda.has_sso or state not in states:
        raise SSOError("unknown or reused state")
    if request.GET.get("error"):
        raise SSOError(f"provider refused: {request.GET['error']}")
    saved = states.pop(state)
    request.session["oidc_states"] = states
    backend = PemdaOIDCBackend(pemda)
    try:
        user = backend.authenticate(request, nonce=saved["nonce"], code_verifier=saved["code_verifier"])
    except (requests.RequestException, SuspiciousOperation, jwt.PyJWTError, KeyError) as error:
        raise SSOError(f"token exchange or check failed: {error}") from error
    if user is None:
        raise NoAccount("no matching person")
    return user, backend.proved_second_factor
