"""URL map. Pages in Indonesian paths; the API under /api/v1/."""

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.decorators.cache import cache_page
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from spbe.change.api import api_urlpatterns as change_api
from spbe.chat.api import api_urlpatterns as chat_api
from spbe.continuity.api import api_urlpatterns as continuity_api
from spbe.desk.api import TicketViewSet
from spbe.evaluation.api import api_urlpatterns as evaluation_api
from spbe.front import views as front_views
from spbe.knowledge.api import api_urlpatterns as knowledge_api
from spbe.lapor.api import api_urlpatterns as lapor_api
from spbe.mail.api import api_urlpatterns as mail_api
from spbe.monitoring.api import api_urlpatterns as monitoring_api
from spbe.org import api as org_api
from spbe.org import forms as org_forms
from spbe.org import views_account as account_views
from spbe.policy import api as policy_api

ticket_router = DefaultRouter(trailing_slash=True)
ticket_router.include_root_view = False
ticket_router.include_format_suffixes = False  # ``/clocks.json`` answered 500 (issue 14)
ticket_router.register("tickets", TicketViewSet, basename="ticket")

# Django's admin signs in through our page only, so no path skips the second factor.
admin.site.login = login_required(admin.site.login)

handler403 = "spbe.front.views.error_403"
handler404 = "spbe.front.views.error_404"
handler500 = "spbe.front.views.error_500"

api_patterns = [
    path("me/", org_api.MeView.as_view(), name="me"),
    path("pd/", org_api.PDListView.as_view(), name="pd-list"),
    path("pd/<int:pk>/", org_api.PDDetailView.as_view(), name="pd-detail"),
    path("sla/deadline/", policy_api.DeadlineView.as_view(), name="sla-deadline"),
    path("sla/elapsed/", policy_api.ElapsedView.as_view(), name="sla-elapsed"),
    path("", include(ticket_router.urls)),
    path("", include(continuity_api)),
    path("", include(change_api)),
    path("", include(evaluation_api)),
    path("", include(knowledge_api)),
    path("", include(mail_api)),
    path("", include(chat_api)),
    path("", include(lapor_api)),
    path("pemantauan/", include(monitoring_api)),
    # The schema is the same for everyone and costs a second to build: built once an hour.
    path("schema/", cache_page(3600)(SpectacularAPIView.as_view()), name="schema"),
    # Swagger UI sets styles from its script; its script itself is a file (the split view).
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
]

urlpatterns = [
    path("", include("spbe.front.urls")),
    path("organisasi/", include("spbe.org.urls")),
    path("audit/", include("spbe.audit.urls")),
    path("kebijakan/", include("spbe.policy.urls")),
    path("katalog/", include("spbe.catalog.urls")),
    path("katalog/berkas/", include("spbe.catalog.urls_io")),
    path("cmdb/", include("spbe.cmdb.urls")),
    path("layanan-pengguna/", include("spbe.desk.urls")),
    path("portal/", include("spbe.desk.urls_portal")),
    path("persetujuan/", include("spbe.approvals.urls")),
    path("pemantauan/laporan/", include("spbe.monitoring.urls_reports")),
    path("pemantauan/sumber/", include("spbe.monitoring.urls_intake")),
    path("pemantauan/", include("spbe.monitoring.urls")),
    path("pemulihan/", include("spbe.continuity.urls")),
    path("perubahan/", include("spbe.change.urls")),
    path("evaluasi/", include("spbe.evaluation.urls")),
    path("pengetahuan/", include("spbe.knowledge.urls")),
    path("kanal/surel/", include("spbe.mail.urls")),
    path("kanal/chat/", include("spbe.chat.urls")),
    path("kanal/lapor/", include("spbe.lapor.urls")),
    # the providers' webhooks: no session, no CSRF; each checks its provider's signature
    path("kanal/webhook/", include("spbe.chat.urls_webhook")),
    path("publik/pengetahuan/", include("spbe.knowledge.urls_public")),
    path("status/", include("spbe.monitoring.urls_public")),
    path("publik/", include("spbe.catalog.urls_public")),
    path("akun/masuk/", account_views.SignInView.as_view(), name="login"),
    path("akun/dua-langkah/", account_views.second_factor_verify, name="second_factor_verify"),
    path("akun/dua-langkah/daftar/", account_views.second_factor_enrol, name="second_factor_enrol"),
    path("akun/keamanan/", account_views.account_security, name="account_security"),
    path("akun/keamanan/kode-pemulihan/", account_views.recovery_codes_renew, name="recovery_codes_renew"),
    path("akun/keamanan/matikan/", account_views.second_factor_off, name="second_factor_off"),
    path("akun/sso/kembali/", account_views.sso_callback, name="sso_callback"),
    path("akun/sso/<slug:slug>/", account_views.sso_start, name="sso_start"),
    path("akun/keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "akun/kata-sandi/ubah/",
        auth_views.PasswordChangeView.as_view(form_class=org_forms.ChangePasswordForm),
        name="password_change",
    ),
    path("akun/kata-sandi/ubah/selesai/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "akun/kata-sandi/lupa/",
        account_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path("akun/kata-sandi/lupa/terkirim/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "akun/kata-sandi/atur/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=org_forms.NewPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "akun/kata-sandi/atur/selesai/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include((api_patterns, "api"))),
    path("healthz", front_views.healthz, name="healthz"),
    path("metrics", front_views.metrics, name="metrics"),
    path("admin-django/", admin.site.urls),
]

if not settings.PRODUCTION:
    # The Pemda logos in the embedded mode (nginx serves them in production).
    # Nothing else under media/ is public: attachments go through their views.
    logos = settings.MEDIA_ROOT / "pemda-logo"
    urlpatterns.append(path("media/pemda-logo/<path:path>", serve, {"document_root": logos}, name="pemda_logo"))
