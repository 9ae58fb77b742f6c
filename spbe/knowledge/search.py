"""Indonesian full-text search of articles (issue 15).

PostgreSQL: the built-in ``indonesian`` text search configuration (a
Snowball stemmer: "permohonan" → "mohon", "kelahiran" → "lahir"), weights
title A, keywords B, summary and body C, ranked by ``ts_rank``. It has no
stop-word list, so common words of complaints ("saya", "tidak", "bisa") are
dropped here first, on both databases.

SQLite (the embedded default): every word, lower-cased, without stop words
and with the commonest affixes cut off, must appear in the title, keywords,
summary or body (a substring match, so the stem "mohon" finds
"permohonan"); ranked by hits in the title, then keywords, then the rest.

``match="all"`` (the search boxes) needs every word; ``match="any"`` (the
portal's suggestions while a citizen describes a problem in a whole
sentence) needs one and ranks by how many match.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

CONFIG = "indonesian"
MAX_WORDS = 12  # a pasted essay must not become a hundred-term query

STOP_WORDS = frozenset([
    "ada", "adalah", "agar", "akan", "aku", "anda", "apa", "atau", "bagaimana", "bahwa", "banyak", "baru", "belum",
    "bila", "bisa", "boleh", "bukan", "dalam", "dan", "dapat", "dari", "dengan", "di", "dia", "ini", "itu", "jadi",
    "jika", "juga", "kali", "kalau", "kami", "kamu", "kan", "karena", "ke", "kenapa", "ketika", "kok", "lagi",
    "lalu", "mau", "masih", "mengapa", "mohon", "nya", "oleh", "pada", "para", "pun", "saat", "saja", "sama", "saya",
    "sebagai", "sedang", "sejak", "selalu", "semua", "sesudah", "setelah", "sih", "siapa", "sudah", "supaya", "tapi",
    "telah", "tersebut", "tetapi", "tidak", "tolong", "untuk", "yang", "ya",
])  # fmt: skip
PREFIXES = ("meng", "meny", "mem", "men", "me", "peng", "peny", "pem", "pen", "per", "pe", "ber", "ter", "di", "ke")
SUFFIXES = ("nya", "kan", "lah", "kah", "an", "i")
MIN_STEM = 4


def words_of(text: str) -> list[str]:
    """The meaningful words of a query, lower-cased, each once, in order."""
    seen: list[str] = []
    for word in re.findall(r"\w+", text.lower()):
        if len(word) > 1 and word not in STOP_WORDS and word not in seen:
            seen.append(word)
    return seen[:MAX_WORDS]


def stem(word: str) -> str:
    """Cut one common suffix and one prefix while a stem of MIN_STEM letters
    remains: cheap, and a substring match forgives what it misses."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            word = word[: -len(suffix)]
            break
    prefix = next((p for p in PREFIXES if word.startswith(p)), "")
    if prefix and len(word) - len(prefix) >= MIN_STEM - 1:  # the longest matching prefix only ("meng", not "men")
        word = word[len(prefix) :]
    return word


def search_articles(qs: QuerySet, text: str, *, match: str = "all") -> QuerySet:
    """Articles matching ``text``, best first (annotated ``rank``). An empty
    query (or one of stop words only) returns ``qs`` unchanged."""
    words = words_of(text)
    if not words:
        return qs
    if connection.vendor == "postgresql":
        return _postgres(qs, words, match)
    return _fallback(qs, words, match)


def _postgres(qs: QuerySet, words: list[str], match: str) -> QuerySet:
    vector = (
        SearchVector("title", weight="A", config=CONFIG)
        + SearchVector("keywords", weight="B", config=CONFIG)
        + SearchVector("summary", "body", weight="C", config=CONFIG)
    )
    query = None
    for word in words:
        term = SearchQuery(word, config=CONFIG, search_type="plain")
        query = term if query is None else (query & term if match == "all" else query | term)
    return (
        qs.annotate(search=vector, rank=SearchRank(vector, query)).filter(search=query).order_by("-rank", "title", "pk")
    )


def _fallback(qs: QuerySet, words: list[str], match: str) -> QuerySet:
    rank = Value(0)
    any_word = Q()
    for word in words:
        part = stem(word)
        fields = {name: Q(**{f"{name}__icontains": part}) for name in ("title", "keywords", "summary", "body")}
        hit = fields["title"] | fields["keywords"] | fields["summary"] | fields["body"]
        if match == "all":
            qs = qs.filter(hit)
        else:
            any_word |= hit
        rank = rank + Case(
            When(fields["title"], then=Value(4)),
            When(fields["keywords"], then=Value(2)),
            When(fields["summary"] | fields["body"], then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    if match != "all":
        qs = qs.filter(any_word)
    return qs.annotate(rank=rank).order_by(F("rank").desc(), "title", "pk")
