"""The shell: health, metrics, error pages, language and navigation."""

import pytest
from django.urls import reverse

from spbe.front.models import Heartbeat


class TestHealthz:
    def test_ok_with_database_and_broker(self, db, client):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "scheduler": None}

    def test_503_when_the_broker_is_down(self, db, client, settings):
        settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
        response = client.get("/healthz")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "error"
        assert body["broker"] != "ok"
        assert body["database"] == "ok"

    def test_reports_the_scheduler_heartbeat(self, db, client):
        Heartbeat.beat("scheduler")
        scheduler = client.get("/healthz").json()["scheduler"]
        assert scheduler["stale"] is False


class TestMetrics:
    def test_prometheus_text_with_request_counts_and_latency(self, db, client):
        client.get("/healthz")
        body = client.get("/metrics").content.decode()
        assert 'spbe_http_requests_total{method="GET",route="healthz",status="200"}' in body
        assert "spbe_http_request_duration_seconds_bucket" in body

    def test_token_is_required_when_configured(self, db, client, settings):
        settings.METRICS_TOKEN = "rahasia"
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer rahasia").status_code == 200


class TestErrorPages:
    def test_unknown_url_is_a_styled_404_in_indonesian(self, db, client):
        response = client.get("/tidak-ada/")
        assert response.status_code == 404
        assert "Halaman tidak ditemukan" in response.content.decode()

    def test_csrf_failure_is_explained_not_a_stack_trace(self, world):
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        response = strict.post(reverse("login"), {"username": "x", "password": "y"})
        assert response.status_code == 403
        assert "Sesi formulir kedaluwarsa" in response.content.decode()


class TestLanguage:
    def test_indonesian_by_default_even_for_an_english_browser(self, world, login):
        response = login(world.coordinator).get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        assert response["Content-Language"] == "id"
        assert "Selamat datang" in response.content.decode()

    def test_switch_to_english_and_back(self, world, login):
        client = login(world.coordinator)
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
        assert "Welcome" in client.get("/").content.decode()
        client.post(reverse("set_language"), {"language": "id", "next": "/"})
        assert "Selamat datang" in client.get("/").content.decode()


def test_english_catalogue_has_no_untranslated_or_fuzzy_entry():
    """Every extracted Indonesian string has a reviewed English translation."""
    import polib
    from django.conf import settings

    catalogue = polib.pofile(str(settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []


class TestNavigation:
    @pytest.mark.parametrize("slug", ["perencanaan", "operasional", "evaluasi", "pengaturan"])
    def test_every_stage_page_renders_and_cites_pedoman_ids(self, world, login, slug):
        html = login(world.owner_admin).get(reverse("front:stage", args=[slug])).content.decode()
        assert {"perencanaan": "P-4", "operasional": "O-2", "evaluasi": "E-4", "pengaturan": "S-1"}[slug] in html

    def test_no_dead_links_in_the_navigation(self, world, login):
        """Every internal link on the coordinator's dashboard and stage pages answers 200."""
        import re

        client = login(world.coordinator)
        seen, queue = set(), ["/"]
        while queue:
            url = queue.pop()
            if url in seen:
                continue
            seen.add(url)
            response = client.get(url, follow=True)
            assert response.status_code == 200, url
            if url.count("/") > 3:
                continue  # do not crawl into every object
            for link in re.findall(r'href="(/[^"#?]*)"', response.content.decode()):
                if not link.startswith(("/static/", "/akun/keluar")):
                    queue.append(link)
        assert len(seen) > 8

    def test_citizen_sees_no_internal_navigation(self, world, login):
        html = login(world.citizen).get("/").content.decode()
        assert "Pengguna Layanan" in html
        assert reverse("org:pd_list") not in html
