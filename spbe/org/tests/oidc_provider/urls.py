from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

FORM = engines["django"].from_string(
    '<form method="post">{% csrf_token %}<input name="username"><input name="password" type="password">'
    '<input type="hidden" name="next" value="{{ next }}"><button>Masuk</button></form>'
)


class SignIn(auth_views.LoginView):
    """Django's login, with a bare form: the provider's looks are not under test."""

    def render_to_response(self, context, **kwargs):
        status = 400 if context["form"].errors else 200
        body = FORM.render({"next": self.request.GET.get("next", "")}, self.request)
        return HttpResponse(body, status=status)


urlpatterns = [
    path("masuk/", SignIn.as_view(), name="login"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
