"""A real OpenID Connect provider for the single sign-on tests (issue 14):
django-oauth-toolkit's, in its own process, with its own SQLite file. The
tests start it (spbe/org/tests/test_sso.py); it is not part of the product."""

import os
from pathlib import Path

SECRET_KEY = "oidc-test-provider-" + "k" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "spbe.org.tests.oidc_provider.urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["OIDC_PROVIDER_DB"]}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # a throwaway test server
USE_TZ = True
LOGIN_URL = "/masuk/"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": Path(os.environ["OIDC_PROVIDER_KEY"]).read_text(),
    "PKCE_REQUIRED": True,
    "SCOPES": {"openid": "OpenID Connect", "email": "E-mail", "profile": "Profil"},
    "OAUTH2_VALIDATOR_CLASS": "spbe.org.tests.oidc_provider.validator.PemdaClaims",
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
}
