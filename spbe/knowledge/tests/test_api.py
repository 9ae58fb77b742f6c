"""The knowledge API (issue 15): the pages' permissions, filters and
search, and anonymous feedback with its rate limit."""

from __future__ import annotations

from rest_framework.test import APIClient

from spbe.knowledge.choices import ArticleStatus, Visibility
from spbe.knowledge.models import Feedback
from spbe.knowledge.tests.factories import article

URL = "/api/v1/pengetahuan/artikel/"


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_anonymous_callers_read_published_public_articles_only(world, service):
    public = article(world, service)
    article(world, service, title="Internal", visibility=Visibility.INTERNAL)
    draft = article(world, service, title="Draf", status=ArticleStatus.DRAFT)
    listing = APIClient().get(URL).json()
    assert [row["title"] for row in listing["results"]] == [public.title]
    row = listing["results"][0]
    assert (row["service_name"], row["pd_name"], row["status"], row["category"]) == (
        service.name, world.dukcapil.name, "published", None)  # fmt: skip
    assert APIClient().get(f"{URL}{draft.pk}/").status_code == 404
    staff = signed_in(world.other_pd_admin).get(URL, {"visibility": "internal"}).json()
    assert [row["title"] for row in staff["results"]] == ["Internal"]
    assert signed_in(world.owner_admin).get(f"{URL}{draft.pk}/").status_code == 200
    # staff of another Pemda read a public article as anyone does, but not the internal one
    tegal = signed_in(world.tegal_admin)
    assert tegal.get(f"{URL}{public.pk}/").status_code == 200
    assert [row["title"] for row in tegal.get(URL).json()["results"]] == [public.title]


def test_filters_and_search(world, service):
    article(world, service)
    article(world, None, pd=None, title="Jam layanan", body="Senin sampai Jumat.")
    client = APIClient()
    assert [r["title"] for r in client.get(URL, {"q": "kata sandi"}).json()["results"]] == [
        "Lupa kata sandi akun layanan daring"]  # fmt: skip
    assert [r["title"] for r in client.get(URL, {"general": "true"}).json()["results"]] == ["Jam layanan"]
    assert client.get(URL, {"pemda": "tegal"}).json()["count"] == 0
    bad = client.get(URL, {"service": "x", "status": "nope"})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"service", "status"}


def test_anonymous_feedback_records_a_deflection(world, service):
    match = article(world, service)
    client = APIClient()
    answer = client.post(f"{URL}{match.pk}/umpan-balik/", {"helpful": True, "solved": True, "service": service.pk},
                         format="json")  # fmt: skip
    assert answer.status_code == 200 and answer.json()["deflection_count"] == 1
    assert Feedback.objects.get().source == "api"
    assert client.post(f"{URL}{match.pk}/umpan-balik/", {}, format="json").status_code == 400
    assert client.post(f"{URL}{match.pk}/umpan-balik/", {"helpful": True, "service": 99999},
                       format="json").status_code == 404  # fmt: skip


def test_feedback_is_rate_limited_in_the_api(world, service, monkeypatch):
    from spbe.front.ratelimit import Limit
    from spbe.knowledge import api

    monkeypatch.setattr(api, "FEEDBACK_PER_IP", Limit(1, 3600))
    match = article(world, service)
    client = APIClient()
    assert client.post(f"{URL}{match.pk}/umpan-balik/", {"helpful": False}, format="json").status_code == 200
    refused = client.post(f"{URL}{match.pk}/umpan-balik/", {"helpful": False}, format="json")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0 and refused.json()["code"] == "throttled"
