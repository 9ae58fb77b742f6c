"""Who writes, reviews and reads articles (issue 15), on top of
``spbe.org.access``.

* Staff of a Pemda read every *published* article of that Pemda, public or
  internal: a known error of one PD helps every help desk of the Pemda.
  Drafts, articles in review and archived ones are seen only by the staff of
  the article's PD, the Koordinator SPBE (and, for a general article, the
  Koordinator only), plus their author.
* Authors: the Administrator Layanan, the Administrator Infrastruktur dan
  Aplikasi and both PJ roles of the PD; general articles (no PD): the
  Koordinator SPBE.
* Reviewer (publishes): an Administrator Layanan of the article's PD, or
  the Koordinator SPBE for a general article; never its author or the
  person who submitted it (the four-eyes rule of the approvals).
* The Administrator Sistem may do everything.
* Anonymous visitors and citizens read published public articles only
  (staff read another Pemda's on the public pages, not in their lists).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from spbe.knowledge.choices import ArticleStatus, Visibility
from spbe.knowledge.models import Article
from spbe.org import access
from spbe.org.choices import Role
from spbe.org.models import PerangkatDaerah

AUTHOR_ROLES = frozenset({Role.ADMIN_LAYANAN, Role.ADMIN_INFRA, Role.PJ_PENYEDIA, Role.PJ_INFRA})


def public_articles(qs: QuerySet | None = None) -> QuerySet[Article]:
    qs = Article.objects.all() if qs is None else qs
    return qs.filter(status=ArticleStatus.PUBLISHED, visibility=Visibility.PUBLIC)


def visible(user, qs: QuerySet | None = None) -> QuerySet[Article]:
    """Articles the person may read on the staff pages and the API."""
    qs = Article.objects.all() if qs is None else qs
    scope = access.scope_for(user)
    if scope.is_system_admin:
        return qs
    if not scope.is_staff_member:
        return public_articles(qs)
    own = [pd for pd, roles in scope.roles_by_pd.items() if roles]
    condition = (
        Q(pemda_id__in=scope.pemda_ids, status=ArticleStatus.PUBLISHED)
        | Q(pemda_id__in=scope.coordinator_pemda_ids)
        | Q(pd_id__in=own)
        | Q(author=user)
    )
    return qs.filter(condition)


def authorable_pds(user) -> QuerySet[PerangkatDaerah]:
    """PDs in whose name the person may write articles."""
    return access.workable_pds(user, AUTHOR_ROLES)


def general_pemdas(user) -> list[int]:
    """Pemdas whose general articles (no PD) the person writes and reviews."""
    scope = access.scope_for(user)
    if scope.is_system_admin:
        return list(access.visible_pemdas(user).values_list("pk", flat=True))
    return sorted(scope.coordinator_pemda_ids)


def can_author(user, article: Article) -> bool:
    scope = access.scope_for(user)
    if scope.is_system_admin or article.pemda_id in scope.coordinator_pemda_ids:
        return True
    return article.pd_id is not None and bool(scope.roles_in(article.pd_id) & AUTHOR_ROLES)


def may_review(user, article: Article) -> bool:
    """Holds the reviewing role for the article, whoever wrote it."""
    scope = access.scope_for(user)
    if scope.is_system_admin:
        return True
    if article.pd_id is None:
        return article.pemda_id in scope.coordinator_pemda_ids
    return Role.ADMIN_LAYANAN in scope.roles_in(article.pd_id)


def can_review(user, article: Article) -> bool:
    """May publish this article now: the reviewing role, and not its author
    nor the one who submitted it."""
    if not may_review(user, article):
        return False
    return user.pk not in {article.author_id, article.submitted_by_id}


def can_manage_categories(user) -> bool:
    return access.scope_for(user).is_system_admin or authorable_pds(user).exists()
