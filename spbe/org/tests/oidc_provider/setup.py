"""Creates the provider's people and the Pemda's client:
``python -m spbe.org.tests.oidc_provider.setup '<json>'``."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spbe.org.tests.oidc_provider.settings")
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402

spec = json.loads(sys.argv[1])
for person in spec["people"]:
    User.objects.create_user(
        username=person["username"], password=person["password"], email=person["email"],
        first_name=person.get("nip", ""), last_name="mfa" if person.get("mfa") else "",
    )  # fmt: skip
Application.objects.create(
    name="Layanan SPBE",
    client_id=spec["client_id"],
    client_secret=spec["client_secret"],
    client_type=Application.CLIENT_CONFIDENTIAL,
    authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
    redirect_uris=spec["redirect_uri"],
    skip_authorization=True,
    algorithm=Application.RS256_ALGORITHM,
)
