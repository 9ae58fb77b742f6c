"""Indonesian full-text search of articles (issue 15): the same behaviour
on whichever database runs the suite (SQLite's fallback in the SQLite pass,
PostgreSQL's ``indonesian`` configuration in the PostgreSQL pass), plus what
only PostgreSQL's stemmer does."""

from __future__ import annotations

import pytest
from django.db import connection

from spbe.knowledge.models import Article
from spbe.knowledge.search import search_articles, stem, words_of
from spbe.knowledge.tests.factories import article


@pytest.fixture
def articles(world, service):
    return {
        "password": article(world, service),
        "birth": article(world, service, title="Cara mengajukan akta kelahiran", summary="Syarat dan langkahnya.",
                         body="Permohonan diverifikasi petugas dalam tiga hari kerja.", keywords="akta lahir"),
        "status": article(world, service, title="Status permohonan tidak berubah", summary="",
                          body="Berkas menunggu verifikasi. Bila lupa nomor permohonan, lihat e-mail.",
                          keywords="status"),
    }  # fmt: skip


def titles(qs) -> list[str]:
    return [a.title for a in qs]


def test_every_word_must_match_when_searching(articles):
    found = titles(search_articles(Article.objects.all(), "lupa kata sandi"))
    assert found == ["Lupa kata sandi akun layanan daring"]  # "lupa" alone is also in the status article's body


def test_affixed_words_find_their_stem(articles):
    """ "kelahiran" and "permohonan" find "lahir" and "mohon": a stem on
    PostgreSQL, a substring of the cut word on SQLite."""
    assert titles(search_articles(Article.objects.all(), "lahir")) == ["Cara mengajukan akta kelahiran"]
    assert set(titles(search_articles(Article.objects.all(), "permohonan"))) == {
        "Cara mengajukan akta kelahiran", "Status permohonan tidak berubah"}  # fmt: skip


def test_a_sentence_suggests_the_best_match_first(articles):
    """The portal's suggestions: any word, best first; a title hit beats a body hit."""
    text = "Saya lupa kata sandi dan tidak bisa masuk ke akun"
    found = titles(search_articles(Article.objects.all(), text, match="any"))
    assert found[0] == "Lupa kata sandi akun layanan daring"
    assert "Status permohonan tidak berubah" in found  # "lupa" in its body
    assert "Cara mengajukan akta kelahiran" not in found


def test_stop_words_alone_change_nothing(articles):
    qs = Article.objects.all()
    assert search_articles(qs, "saya tidak bisa") is qs
    assert words_of("Saya LUPA, lupa kata-sandi!") == ["lupa", "kata", "sandi"]
    assert [stem(w) for w in ("permohonan", "kelahiran", "mengajukan", "sandi", "akun")] == [
        "mohon", "lahir", "aju", "sand", "akun"]  # fmt: skip


@pytest.mark.postgres
def test_postgres_uses_the_indonesian_configuration(articles):
    """Only the Snowball stemmer knows that "diverifikasi" is "verifikasi"
    and ranks a title (weight A) above a body (weight C)."""
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT cfgname FROM pg_ts_config WHERE cfgname = 'indonesian'")
        assert cursor.fetchone() == ("indonesian",)
    assert titles(search_articles(Article.objects.all(), "verifikasi"))[0] in {
        "Cara mengajukan akta kelahiran", "Status permohonan tidak berubah"}  # fmt: skip
    ranked = list(search_articles(Article.objects.all(), "permohonan", match="any"))
    assert ranked[0].title == "Status permohonan tidak berubah" and ranked[0].rank > ranked[1].rank
