"""The public status page (O-4, P-4 item 11): no log-in, each active
public service's state, 90 days of accessible bars, open incidents and
announced maintenance in the Pemda's zone, cached for 30 seconds with a
fixed number of queries, 404 for an unknown Pemda."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from spbe.monitoring.tests.reporting import at, make_service, outage, watch, window


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def services(world, now):
    """Four public services of Yogya in four states, plus what must not show."""
    down = make_service(world.dukcapil, name="Adminduk Daring")
    watch(down, at(2026, 9, 1))
    outage(down, at(2026, 12, 5, 8, 30), None, cause="HTTP 500 dari http://10.0.0.7/internal")
    upkeep = make_service(world.dukcapil, name="Antrean Online")
    watch(upkeep, at(2026, 9, 1))
    window([upkeep], at(2026, 12, 5, 9), at(2026, 12, 5, 12), title="Peningkatan basis data",
           description="Antrean tidak dapat diakses sementara.")  # fmt: skip
    normal = make_service(world.dinkes, name="Daftar Puskesmas")
    watch(normal, at(2026, 9, 1))
    window([normal], at(2026, 12, 8, 22), at(2026, 12, 9, 2), title="Penggantian server")
    unwatched = make_service(world.dinkes, name="Info Vaksin")
    make_service(world.dukcapil, name="Surat Internal", group="administrasi_pemerintahan")
    make_service(world.dukcapil, name="Layanan Draf", lifecycle="draft", status="draft")
    make_service(world.tegal_dukcapil, name="Layanan Tegal")
    return {"down": down, "upkeep": upkeep, "normal": normal, "unwatched": unwatched}


def page(client, slug="yogya"):
    return client.get(reverse("status:page", args=[slug]))


def card(html: str, name: str) -> str:
    """The list item of one service."""
    start = html.index(f'<h3 class="h6 mb-0">{name}</h3>')
    return html[start : html.index("</li>\n", html.index("</ol>", start))]


def test_anonymous_visitors_see_each_public_service_state(client, services):
    response = page(client)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tidak tersedia" in card(html, "Adminduk Daring")
    assert "Dalam pemeliharaan" in card(html, "Antrean Online")
    assert "Beroperasi normal" in card(html, "Daftar Puskesmas")
    assert "Belum dipantau" in card(html, "Info Vaksin")
    for hidden in ("Surat Internal", "Layanan Draf", "Layanan Tegal"):
        assert hidden not in html
    assert "Ada layanan yang tidak tersedia" in html


def test_open_incidents_and_maintenance_are_announced_in_wib(client, services):
    html = page(client).content.decode()
    incidents = html[html.index('id="gangguan"') : html.index('id="pemeliharaan"')]
    assert "Adminduk Daring" in incidents and "5 Desember 2026 08:30 WIB" in incidents
    assert "10.0.0.7" not in html  # detected causes name internal hosts
    upkeep = html[html.index('id="pemeliharaan"') : html.index('id="layanan"')]
    assert "Peningkatan basis data" in upkeep and "Sedang berlangsung" in upkeep
    assert "Penggantian server" in upkeep and "Akan datang" in upkeep
    assert "8 Desember 2026 22:00 – 9 Desember 2026 02:00 WIB" in upkeep
    assert "Antrean tidak dapat diakses sementara." in upkeep


def test_ninety_accessible_bars_per_service(client, services):
    """Each bar says its date and figure to a pointer and a screen reader;
    on a phone the 60 oldest are hidden."""
    outage(services["normal"], at(2026, 11, 12, 10), at(2026, 11, 12, 12))
    html = card(page(client).content.decode(), "Daftar Puskesmas")
    bars = re.findall(r'<li class="([a-z ]+)" title="([^"]+)"><span class="visually-hidden">([^<]+)</span></li>', html)
    assert len(bars) == 90
    assert all(title == hidden for _c, title, hidden in bars)
    assert sum("old" in css for css, _t, _h in bars) == 60
    assert bars[-1][1] == "5 Desember 2026: 100,000 % tersedia"
    (bad,) = [b for b in bars if b[1].startswith("12 November 2026")]
    assert bad[1] == "12 November 2026: 91,666 % tersedia, tidak tersedia 120 menit"  # 100 × 22/24, rounded down
    assert "major" in bad[0]
    assert "belum ada data" in card(page(client).content.decode(), "Info Vaksin")


def test_cacheable_without_session_or_cookies(client, world, services):
    response = page(client)
    assert response["Cache-Control"] in ("public, max-age=30", "max-age=30, public")
    assert not response.cookies  # no session, no CSRF token in a shared page
    client.force_login(world.owner_admin)
    assert "Nur Admin" not in page(client).content.decode()


def test_rendered_page_is_cached_thirty_seconds_per_pemda(client, services, django_assert_num_queries, time_machine):
    first = page(client).content
    outage(services["normal"], at(2026, 12, 5, 9, 50), None)
    with django_assert_num_queries(0):
        assert page(client).content == first
    assert "Beroperasi normal" in card(first.decode(), "Daftar Puskesmas")
    time_machine.move_to(at(2026, 12, 5, 10, 0, 31), tick=False)
    assert "Tidak tersedia" in card(page(client).content.decode(), "Daftar Puskesmas")
    assert b"Layanan Tegal" in page(client, "tegal").content


def test_queries_do_not_grow_with_the_number_of_services(client, world, services, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        page(client)
    for index in range(15):
        extra = make_service(world.dinkes, name=f"Layanan tambahan {index}")
        watch(extra, at(2026, 10, 1))
        outage(extra, at(2026, 11, index + 1, 1), at(2026, 11, index + 1, 2))
        window([extra], at(2026, 12, 20), at(2026, 12, 21))
    cache.clear()
    with django_assert_max_num_queries(12):
        html = page(client).content.decode()
    assert "Layanan tambahan 14" in html


def test_unknown_pemda_is_a_404_page(client, world):
    response = page(client, "tidak-ada")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


def test_public_catalog_links_to_the_status_page(client, services):
    html = client.get(reverse("public:catalog", args=["yogya"])).content.decode()
    assert reverse("status:page", args=["yogya"]) in html


def test_a_change_of_state_shows_at_once_not_after_the_cache(
    client, packs, services, django_capture_on_commit_callbacks
):
    """The page is cached 30 s, but an outage opening or closing forgets
    the cached page: visitors see the change on their next load."""
    from spbe.monitoring import outages
    from spbe.monitoring.choices import CheckStatus

    normal = services["normal"]
    assert "Beroperasi normal" in card(page(client).content.decode(), normal.name)  # now cached
    normal.checks.update(status=CheckStatus.DOWN, last_error="Kode status 503")
    with django_capture_on_commit_callbacks(execute=True):
        outages.judge_service(normal.pk)
    assert "Tidak tersedia" in card(page(client).content.decode(), normal.name)
