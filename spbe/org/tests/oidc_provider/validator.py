from oauth2_provider.oauth2_validators import OAuth2Validator


class PemdaClaims(OAuth2Validator):
    """The claims a Pemda's Keycloak would send: e-mail, NIP, and how the
    person proved themselves (``amr``). The test user's first name carries
    the NIP and its last name "mfa" when the provider asked a second factor."""

    oidc_claim_scope = None  # every claim, whatever the scopes

    def get_additional_claims(self, request):
        user = request.user
        return {
            "email": user.email,
            "nip": user.first_name,
            "amr": ["pwd", "otp"] if user.last_name == "mfa" else ["pwd"],
        }
