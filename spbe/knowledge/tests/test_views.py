"""The staff pages, the public pages, the portal's suggestions and
deflection, and the links from the catalog and the problem page (issue 15)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from spbe.desk import problems
from spbe.desk.models import PendingReport, Ticket
from spbe.desk.tests.test_actions import complaint
from spbe.knowledge.choices import ArticleStatus, Visibility
from spbe.knowledge.models import Article, Feedback
from spbe.knowledge.tests.factories import article, category

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- staff ------------------------------------------------------------------------------------


def test_the_list_filters_searches_and_exports(world, service, login):
    article(world, service)
    article(world, service, title="Alat sidik jari tidak terbaca", visibility=Visibility.INTERNAL, body="Kalibrasi.")
    article(world, None, pd=world.dinkes, title="Antrean puskesmas", status=ArticleStatus.DRAFT, body="Antre.")
    client = login(world.owner_admin)
    page = client.get(reverse("knowledge:list")).content.decode()
    assert "Lupa kata sandi" in page and "Alat sidik jari" in page and "Antrean puskesmas" not in page
    filtered = client.get(reverse("knowledge:list"), {"visibility": "internal"}).content.decode()
    assert "Alat sidik jari" in filtered and "Lupa kata sandi" not in filtered
    found = client.get(reverse("knowledge:list"), {"q": "kata sandi"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Lupa kata sandi" in found and "Alat sidik jari" not in found and "<html" not in found
    export = client.get(reverse("knowledge:list"), {"export": "xlsx"})
    assert export["Content-Type"] == XLSX
    assert login(world.citizen).get(reverse("knowledge:list")).status_code == 403
    assert Client().get(reverse("knowledge:list")).status_code == 302


def test_write_submit_and_publish_through_the_pages(world, service, writer, login):
    tag = category(world)
    client = login(writer)
    data = {"pd": world.dukcapil.pk, "service": service.pk, "category": tag.pk, "title": "Cara cetak akta",
            "summary": "Cetak sendiri di kertas A4.", "body": "Unduh PDF.\n\nCetak di HVS 80 gram.",
            "keywords": "cetak akta", "visibility": "public"}  # fmt: skip
    response = client.post(reverse("knowledge:create"), data)
    created = Article.objects.get(title="Cara cetak akta")
    assert response["Location"] == created.get_absolute_url() and created.author == writer
    assert client.post(reverse("knowledge:submit", args=[created.pk])).status_code == 302
    detail = client.get(created.get_absolute_url()).content.decode()
    publish = f'action="{reverse("knowledge:publish", args=[created.pk])}"'
    assert "Menunggu reviu" in detail and publish not in detail
    admin = login(world.owner_admin)
    assert publish in admin.get(created.get_absolute_url()).content.decode()
    admin.post(reverse("knowledge:publish", args=[created.pk]))
    created.refresh_from_db()
    assert created.status == "published" and created.reviewer == world.owner_admin
    page = admin.get(created.get_absolute_url()).content.decode()
    assert "<p>Unduh PDF.</p>" in page and "Riwayat perubahan" in page
    assert admin.post(reverse("knowledge:return", args=[created.pk]), {"reason": ""}).status_code == 400


def test_bad_input_is_explained_and_nothing_is_saved(world, service, writer, login):
    client = login(writer)
    response = client.post(reverse("knowledge:create"), {"pd": world.dinkes.pk, "title": "", "body": "",
                                                          "visibility": "x"})  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400 and page.count('aria-invalid="true"') >= 3  # another PD, title, body
    assert not Article.objects.exists()
    assert login(world.owner_head).get(reverse("knowledge:create")).status_code == 403


def test_another_pds_draft_is_not_found_and_html_is_never_rendered(world, service, login):
    draft = article(world, service, status=ArticleStatus.DRAFT, body="<script>alert(1)</script>")
    assert login(world.other_pd_admin).get(draft.get_absolute_url()).status_code == 404
    page = login(world.owner_admin).get(draft.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


def test_the_problem_page_publishes_its_workaround_in_one_step(world, service, packs, login):
    tickets = [complaint(service, world.owner_admin) for _ in range(2)]
    problem = problems.open_problem(world.owner_admin, title="Unggah gagal", complaints=tickets, service=service)
    client = login(world.owner_admin)
    page = client.get(reverse("desk:problem", args=[problem.pk])).content.decode()
    assert "Catat solusi sementara lebih dulu" in page
    problem.workaround = "Kecilkan berkas."
    problem.save()
    page = client.get(reverse("desk:problem", args=[problem.pk])).content.decode()
    assert reverse("knowledge:from_problem", args=[problem.pk]) in page
    response = client.post(reverse("knowledge:from_problem", args=[problem.pk]), {"visibility": "public"})
    made = Article.objects.get(source_problem=problem)
    assert response["Location"] == made.get_absolute_url() and made.is_public
    assert made.title in client.get(reverse("desk:problem", args=[problem.pk])).content.decode()
    assert login(world.tegal_admin).post(reverse("knowledge:from_problem", args=[problem.pk])).status_code == 404


# --- public -----------------------------------------------------------------------------------


def test_only_published_public_articles_are_public(world, service):
    public = article(world, service)
    internal = article(world, service, visibility=Visibility.INTERNAL, title="Internal")
    draft = article(world, service, status=ArticleStatus.DRAFT, title="Draf")
    client = Client()
    listing = client.get(reverse("knowledge_public:list", args=["yogya"])).content.decode()
    assert public.title in listing and "Internal" not in listing and "Draf" not in listing
    assert client.get(reverse("knowledge_public:article", args=["yogya", public.pk])).status_code == 200
    for hidden in (internal, draft):
        assert client.get(reverse("knowledge_public:article", args=["yogya", hidden.pk])).status_code == 404
    assert client.get(reverse("knowledge_public:article", args=["tegal", public.pk])).status_code == 404
    public.refresh_from_db()
    assert public.view_count == 1
    found = client.get(reverse("knowledge_public:service", args=["yogya", service.pk]), {"q": "sandi"})
    assert public.title in found.content.decode()


def test_the_catalog_links_each_services_articles(world, service):
    article(world, service)
    article(world, service, title="Kedua")
    article(world, service, title="Internal", visibility=Visibility.INTERNAL)
    page = Client().get(reverse("public:catalog", args=["yogya"])).content.decode()
    assert "Artikel bantuan (2)" in page
    assert reverse("knowledge_public:service", args=["yogya", service.pk]) in page


def test_the_portal_suggests_while_typing_and_a_deflection_opens_no_ticket(world, service):
    """The "done when" of issue 15 without a browser: the report form has the
    panel; typing "lupa kata sandi" offers the article; "Ya, masalah saya
    selesai" records the deflection, and no ticket or pending report exists."""
    match = article(world, service)
    article(world, service, title="Jadwal perekaman KTP-el", body="Datang pukul 08.00.", keywords="ktp")
    client = Client(enforce_csrf_checks=True)
    form = client.get(reverse("portal:report", args=["yogya", service.pk])).content.decode()
    suggest = reverse("knowledge_public:suggest", args=["yogya", service.pk])
    assert f'hx-get="{suggest}"' in form
    panel = client.get(suggest, {"subject": "", "description": "saya lupa kata sandi"}).content.decode()
    assert match.title in panel and "Jadwal perekaman" not in panel
    assert "Ya, masalah saya selesai" in panel
    url = reverse("knowledge_public:feedback", args=["yogya", match.pk])
    token = client.cookies["csrftoken"].value
    refused = client.post(url, {"helpful": "ya", "solved": "on", "source": "portal", "service": service.pk})
    assert refused.status_code == 403  # no CSRF token
    done = client.post(url, {"helpful": "ya", "solved": "on", "source": "portal", "service": service.pk,
                             "csrfmiddlewaretoken": token}, HTTP_HX_REQUEST="true")  # fmt: skip
    assert "Laporan tidak perlu dikirim" in done.content.decode()
    assert reverse("portal:home", args=["yogya"]) in done.content.decode()
    feedback = Feedback.objects.get()
    assert (feedback.deflected, feedback.helpful, feedback.source, feedback.service) == (True, True, "portal", service)
    assert not Ticket.objects.exists() and not PendingReport.objects.exists()


def test_not_helpful_lets_the_citizen_continue_and_works_without_javascript(world, service):
    match = article(world, service)
    client = Client()
    url = reverse("knowledge_public:feedback", args=["yogya", match.pk])
    page = client.post(url, {"helpful": "tidak", "source": "portal", "service": service.pk}).content.decode()
    assert "lanjutkan laporan" in page.lower() and reverse("portal:report", args=["yogya", service.pk]) in page
    match.refresh_from_db()
    assert (match.unhelpful_count, match.deflection_count) == (0 + 1, 0)
    assert client.post(url, {"helpful": "mungkin"}).status_code == 400
    assert client.get(url).status_code == 405


def test_feedback_is_rate_limited(world, service, monkeypatch):
    from spbe.front.ratelimit import Limit
    from spbe.knowledge import views_public

    monkeypatch.setattr(views_public, "FEEDBACK_PER_IP", Limit(2, 3600))
    match = article(world, service)
    url = reverse("knowledge_public:feedback", args=["yogya", match.pk])
    client = Client()
    statuses = [client.post(url, {"helpful": "ya"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
