"""Single sign-on by OpenID Connect (issue 14), against a real provider:
django-oauth-toolkit's, started in its own process for this module. Nothing
is mocked: discovery, the authorization code with PKCE, the token exchange,
the JWKS signature check and the userinfo call all cross HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.cache import cache

from spbe.org import twofactor
from spbe.org.sso import secret_variable

ROOT = Path(__file__).resolve().parents[3]
CLIENT_ID, CLIENT_SECRET = "layanan-spbe-yogya", "rahasia-klien-sso-2026"
CALLBACK = "http://testserver/akun/sso/kembali/"
PEOPLE = [
    {"username": "nur", "password": "sandi-idp-nur", "email": "admin@yogya.test"},  # world.owner_admin
    {"username": "sri", "password": "sandi-idp-sri", "email": "lain@idp.test", "nip": "197803122005011003"},
    {"username": "rina", "password": "sandi-idp-rina", "email": "koord@yogya.test", "mfa": True},
    {"username": "rina-sandi", "password": "sandi-idp-rina", "email": "koord@yogya.test"},
    {"username": "asing", "password": "sandi-idp-asing", "email": "asing@idp.test"},
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """The issuer URL of a running provider, with PEOPLE and our client."""
    folder = tmp_path_factory.mktemp("oidc-provider")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (folder / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "spbe.org.tests.oidc_provider.settings",
        "OIDC_PROVIDER_DB": str(folder / "provider.sqlite3"),
        "OIDC_PROVIDER_KEY": str(folder / "key.pem"),
    }
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True}
    subprocess.run([sys.executable, "-m", "django", "migrate", "--verbosity", "0"], **run)
    spec = {"people": PEOPLE, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uri": CALLBACK}
    subprocess.run([sys.executable, "-m", "spbe.org.tests.oidc_provider.setup", json.dumps(spec)], **run)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    issuer = f"http://127.0.0.1:{port}/o"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                break
        except requests.ConnectionError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("the OIDC provider did not start")
    yield issuer
    server.terminate()
    server.wait(10)


@pytest.fixture
def yogya_sso(world, provider, monkeypatch):
    world.yogya.sso_issuer = provider
    world.yogya.sso_client_id = CLIENT_ID
    world.yogya.save()
    monkeypatch.setenv(secret_variable(world.yogya), CLIENT_SECRET)
    cache.clear()
    return world.yogya


def through_provider(authorize_url: str, username: str, password: str) -> str:
    """The person at the provider: signs in there, and the provider sends
    the browser back to us. Returns that last address."""
    browser = requests.Session()
    response = browser.get(authorize_url, allow_redirects=False)
    login_url = response.headers["Location"]
    assert "/masuk/" in login_url
    base = authorize_url.split("/o/")[0]
    next_path = parse_qs(urlsplit(login_url).query)["next"][0]
    browser.get(base + login_url if login_url.startswith("/") else login_url)  # the form, and its CSRF cookie
    data = {"username": username, "password": password, "next": next_path}
    data["csrfmiddlewaretoken"] = browser.cookies["csrftoken"]
    response = browser.post(base + "/masuk/", data=data, allow_redirects=False)
    assert response.status_code == 302, "the provider refused the password"
    location = response.headers["Location"]
    while not location.startswith("http://testserver"):
        response = browser.get(location if location.startswith("http") else base + location, allow_redirects=False)
        location = response.headers["Location"]
    return location.removeprefix("http://testserver")


def start(client, pemda, next_url: str = "") -> str:
    response = client.get(f"/akun/sso/{pemda.slug}/" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302
    return response["Location"]


def test_the_sign_in_page_offers_the_pemdas_sso(yogya_sso, client):
    body = client.get("/akun/masuk/").content.decode()
    assert "Masuk dengan SSO Kota Yogyakarta" in body
    assert "/akun/sso/tegal/" not in body


def test_a_person_signs_in_by_sso_matched_by_email_and_keeps_their_roles(yogya_sso, world, client):
    authorize = start(client, yogya_sso, next_url="/layanan-pengguna/")
    assert authorize.startswith(yogya_sso.sso_issuer + "/authorize/")
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["client_id"] == [CLIENT_ID]

    callback = through_provider(authorize, "nur", "sandi-idp-nur")
    response = client.get(callback)
    assert response.status_code == 302 and response["Location"] == "/layanan-pengguna/"
    me = client.get("/api/v1/me/").json()
    assert me["email"] == world.owner_admin.email
    assert client.get("/layanan-pengguna/").status_code == 200


def test_a_pemda_matching_by_nip_finds_the_civil_servant(yogya_sso, world, client):
    yogya_sso.sso_match = "nip"
    yogya_sso.save()
    callback = through_provider(start(client, yogya_sso), "sri", "sandi-idp-sri")
    client.get(callback)
    assert client.get("/api/v1/me/").json()["email"] == world.owner_head.email


def test_someone_the_pemda_has_not_registered_is_told_so(yogya_sso, client):
    callback = through_provider(start(client, yogya_sso), "asing", "sandi-idp-asing")
    response = client.get(callback, follow=True)
    assert "belum terdaftar" in response.content.decode()
    assert client.get("/api/v1/me/").status_code == 403


def test_the_providers_second_factor_counts_and_a_password_only_one_does_not(yogya_sso, client):
    # the provider asked Rina for a code (amr: otp): no second step here
    client.get(through_provider(start(client, yogya_sso), "rina", "sandi-idp-rina"))
    assert client.get("/layanan-pengguna/").status_code == 200
    client.logout()
    # her account at a provider that asked only a password: a coordinator must enrol here
    client.get(through_provider(start(client, yogya_sso), "rina-sandi", "sandi-idp-rina"))
    held = client.get("/layanan-pengguna/")
    assert held.status_code == 302 and held["Location"].startswith("/akun/dua-langkah/daftar/")
    assert client.session[twofactor.SESSION_KEY] == twofactor.ENROL


def test_a_forged_or_replayed_callback_signs_no_one_in(yogya_sso, client):
    callback = through_provider(start(client, yogya_sso), "nur", "sandi-idp-nur")
    forged = callback.replace("state=", "state=x")
    assert "gagal" in client.get(forged, follow=True).content.decode()
    client.get(callback)  # the real one works once
    assert client.get("/api/v1/me/").status_code == 200
    client.logout()
    assert "gagal" in client.get(callback, follow=True).content.decode()
    assert client.get("/api/v1/me/").status_code == 403


def test_an_unreachable_provider_is_explained(world, client, monkeypatch):
    world.yogya.sso_issuer = f"http://127.0.0.1:{_free_port()}/o"
    world.yogya.sso_client_id = CLIENT_ID
    world.yogya.save()
    monkeypatch.setenv(secret_variable(world.yogya), CLIENT_SECRET)
    cache.clear()
    response = client.get("/akun/sso/yogya/", follow=True)
    assert "tidak dapat dihubungi" in response.content.decode()
    assert client.get("/akun/sso/tegal/").status_code == 404  # Tegal uses no SSO
