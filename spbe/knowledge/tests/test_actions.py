"""The review of articles, who reads what, a problem's known error in one
step (O-3), and readers' votes and deflections (issue 15)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from spbe.audit.record import trail
from spbe.conftest import give, make_person
from spbe.desk import problems
from spbe.desk.tests.test_actions import complaint
from spbe.knowledge import actions, rules
from spbe.knowledge.choices import ArticleStatus, FeedbackSource, Visibility
from spbe.knowledge.models import Article, Feedback
from spbe.knowledge.tests.factories import article
from spbe.org.choices import Role


def draft(world, service, author) -> Article:
    return actions.save_article(author, Article(pd=world.dukcapil, service=service, title="Status tidak berubah",
                                                body="Tunggu verifikasi petugas."))  # fmt: skip


def test_a_draft_is_published_by_an_administrator_layanan_who_did_not_write_it(world, service, writer):
    article = draft(world, service, writer)
    assert (article.status, article.pemda, article.author) == ("draft", world.yogya, writer)
    actions.submit(writer, article)
    with pytest.raises(PermissionDenied):
        actions.publish(writer, article)  # a PJ Penyedia Layanan writes but does not review
    with pytest.raises(PermissionDenied):
        actions.publish(world.other_pd_admin, article)  # an Administrator Layanan of another PD
    actions.publish(world.owner_admin, article)
    assert article.status == ArticleStatus.PUBLISHED and article.reviewer == world.owner_admin
    assert article.published_at is not None
    statuses = [event.changes.get("status") for event in trail(article)]
    assert ["review", "published"] in statuses and ["draft", "review"] in statuses


def test_an_administrator_layanan_does_not_review_their_own_article(world, service):
    article = draft(world, service, world.owner_admin)
    actions.submit(world.owner_admin, article)
    assert rules.may_review(world.owner_admin, article) and not rules.can_review(world.owner_admin, article)
    with pytest.raises(ValidationError):
        actions.publish(world.owner_admin, article)


def test_the_head_of_the_pd_and_other_pds_do_not_write_its_articles(world, service):
    for outsider in (world.owner_head, world.other_pd_admin, world.tegal_admin, world.citizen):
        with pytest.raises(PermissionDenied):
            draft(world, service, outsider)


def test_a_general_article_is_written_and_reviewed_at_the_coordinator_level(world):
    general = actions.save_article(
        world.coordinator, Article(pemda=world.yogya, title="Jam layanan", body="Senin–Jumat.")
    )
    assert general.pd is None
    actions.submit(world.coordinator, general)
    with pytest.raises(ValidationError):
        actions.publish(world.coordinator, general)
    with pytest.raises(PermissionDenied):
        actions.publish(world.owner_admin, general)
    second = make_person("koord2@yogya.test", world.yogya)
    give(second, Role.KOORDINATOR_SPBE, world.kominfo)
    assert actions.publish(second, general).status == ArticleStatus.PUBLISHED


def test_a_service_of_another_pd_is_refused(world, service, writer):
    other = Article(pd=world.dukcapil, service=service, title="x", body="y")
    other.service.pd = world.dinkes
    with pytest.raises(ValidationError) as error:
        actions.save_article(writer, other)
    assert "service" in error.value.error_dict


def test_returning_needs_a_reason_and_a_returned_article_is_edited_again(world, service, writer):
    article = actions.submit(writer, draft(world, service, writer))
    with pytest.raises(ValidationError):
        actions.return_to_draft(world.owner_admin, article, "  ")
    actions.return_to_draft(world.owner_admin, article, "Tambahkan langkah untuk e-mail yang tidak aktif.")
    assert article.status == "draft" and article.return_reason.startswith("Tambahkan")
    article.body += "\n\nBila e-mail tidak aktif, datang ke loket."
    actions.save_article(writer, article)
    published = actions.publish(world.owner_admin, actions.submit(writer, article))
    with pytest.raises(ValidationError):
        actions.save_article(writer, published)  # the reviewed text stays until it is returned
    assert actions.archive(world.owner_admin, published).status == ArticleStatus.ARCHIVED


def test_staff_of_the_pemda_read_published_internal_articles_but_not_other_pds_drafts(world, service, writer):
    internal = article(world, service, visibility=Visibility.INTERNAL, title="Alat sidik jari")
    public = article(world, service, title="Akta")
    waiting = article(world, service, status=ArticleStatus.REVIEW, title="Pindah datang")
    assert set(rules.visible(world.other_pd_admin)) == {internal, public}
    assert set(rules.visible(world.owner_admin)) == {internal, public, waiting}
    assert set(rules.visible(world.coordinator)) == {internal, public, waiting}
    assert set(rules.visible(world.tegal_admin)) == set()  # another Pemda's: on the public pages only
    assert set(rules.visible(world.citizen)) == {public}
    assert set(rules.visible(world.sysadmin)) == {internal, public, waiting}


@pytest.fixture
def problem(world, service, packs):
    complaints = [complaint(service, world.owner_admin, subject=f"Unggah gagal {n}") for n in range(3)]
    found = problems.open_problem(world.owner_admin, title="Unggah berkas gagal", complaints=complaints,
                                  service=service)  # fmt: skip
    found.root_cause = "Batas unggah proxy 1 MB."
    found.workaround = "Kecilkan berkas di bawah 1 MB.\nAtau kirim lewat e-mail layanan."
    found.save()
    return found


def test_a_problems_workaround_is_published_in_one_step_by_the_administrator_layanan(world, problem):
    """O-3: the known error becomes an article at once, linked to its problem."""
    article = actions.article_from_problem(world.owner_admin, problem, visibility=Visibility.PUBLIC)
    assert article.status == ArticleStatus.PUBLISHED and article.source_problem == problem
    assert article.service == problem.service and article.reviewer == world.owner_admin
    assert "Kecilkan berkas di bawah 1 MB" in article.body and "Unggah gagal 2" in article.body
    assert "Batas unggah proxy" in article.body and article.summary == "Kecilkan berkas di bawah 1 MB."


def test_a_writer_without_the_reviewing_role_leaves_the_known_error_in_review(world, problem, writer):
    article = actions.article_from_problem(writer, problem)
    assert (article.status, article.visibility, article.submitted_by) == ("review", "internal", writer)
    with pytest.raises(PermissionDenied):
        actions.article_from_problem(world.owner_head, problem)
    problem.workaround = ""
    with pytest.raises(ValidationError):
        actions.article_from_problem(world.owner_admin, problem)


def test_one_vote_per_visitor_and_day_and_a_deflection_counts_as_helpful(world, service):
    published = article(world, service)
    actions.give_feedback(published, actions.Vote(helpful=False, source=FeedbackSource.PORTAL, service=service), "k1")
    published.refresh_from_db()
    assert (published.helpful_count, published.unhelpful_count, published.deflection_count) == (0, 1, 0)
    # the same visitor changes their mind: the article solved it after all
    actions.give_feedback(published, actions.Vote(helpful=True, deflected=True, source=FeedbackSource.PORTAL,
                                                  service=service), "k1")  # fmt: skip
    actions.give_feedback(published, actions.Vote(helpful=True), "k2")
    published.refresh_from_db()
    assert (published.helpful_count, published.unhelpful_count, published.deflection_count) == (2, 0, 1)
    assert Feedback.objects.count() == 2
    deflection = Feedback.objects.get(client_key="k1")
    assert deflection.deflected and deflection.pd == world.dukcapil and deflection.service == service


def test_feedback_on_an_unpublished_article_is_refused(world, service):
    waiting = article(world, service, status=ArticleStatus.REVIEW)
    with pytest.raises(ValidationError):
        actions.give_feedback(waiting, actions.Vote(helpful=True), "k")
    assert not Feedback.objects.exists()
