"""Every state change of the knowledge base (issue 15, O-2, O-3): saving
an article, its review (submit → publish, or return to draft with a reason),
archiving, publishing a problem's known error, and the readers' feedback and
deflections. Each writes in one transaction with the audit trail; the
article's counters move with ``F()`` so concurrent votes never lose one."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.audit.models import AuditAction
from spbe.audit.record import diff, record, snapshot
from spbe.knowledge import rules
from spbe.knowledge.choices import ArticleStatus, FeedbackSource, Visibility
from spbe.knowledge.models import Article, Category, Feedback

ARTICLE_FIELDS = ["pd", "service", "category", "title", "summary", "body", "keywords", "visibility"]
TRAIL_FIELDS = [*ARTICLE_FIELDS, "status"]


def _audit(actor, article: Article, action: AuditAction, changes: dict) -> None:
    record(actor=actor, action=action, target=article, pemda=article.pemda, changes=changes)


def _check_scope(article: Article) -> None:
    """The service belongs to the article's PD; PD, category and service to its Pemda."""
    errors = {}
    if article.pd_id and article.pd.pemda_id != article.pemda_id:
        errors["pd"] = _("PD ini bukan milik Pemda artikel.")
    if article.service_id:
        if article.pd_id is None:
            errors["service"] = _("Artikel umum tidak terikat pada satu layanan; pilih PD-nya atau kosongkan layanan.")
        elif article.service.pd_id != article.pd_id:
            errors["service"] = _("Layanan ini bukan milik PD artikel.")
    if article.category_id and article.category.pemda_id != article.pemda_id:
        errors["category"] = _("Kategori ini bukan milik Pemda artikel.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_article(actor, article: Article) -> Article:
    """Create or change a draft. A published or archived article is changed
    by returning it to draft first (its readers keep the reviewed text)."""
    creating = article.pk is None
    if article.pd_id:
        article.pemda_id = article.pd.pemda_id
    if not article.pemda_id:
        raise ValidationError({"pd": _("Pilih PD, atau Pemda untuk artikel umum.")})
    if not rules.can_author(actor, article):
        raise PermissionDenied
    if not creating:
        before = Article.objects.select_for_update().get(pk=article.pk)
        if before.status not in (ArticleStatus.DRAFT, ArticleStatus.REVIEW):
            raise ValidationError(_("Artikel yang terbit atau diarsipkan tidak dapat diubah; kembalikan ke draf dulu."))
        old = snapshot(before, TRAIL_FIELDS)
    else:
        article.author = article.author or actor
        old = {}
    _check_scope(article)
    article.full_clean(exclude=["pemda", "pd", "service", "category", "source_problem", "author"])
    if not creating and article.status == ArticleStatus.REVIEW:
        article.status = ArticleStatus.DRAFT  # a change after submission is reviewed again
    article.save()
    _audit(actor, article, AuditAction.CREATE if creating else AuditAction.UPDATE,
           diff(old, snapshot(article, TRAIL_FIELDS)))  # fmt: skip
    return article


def _transition(actor, article: Article, allowed: tuple[str, ...], status: str, **fields) -> Article:
    locked = Article.objects.select_for_update().get(pk=article.pk)
    if locked.status not in allowed:
        raise ValidationError(
            _("Artikel berstatus %(status)s; langkah ini tidak dapat dilakukan.")
            % {"status": locked.get_status_display()}
        )
    old = snapshot(locked, ["status", *fields])
    locked.status = status
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", *fields, "last_updated"])
    _audit(actor, locked, AuditAction.UPDATE, diff(old, snapshot(locked, ["status", *fields])))
    article.refresh_from_db()
    return article


@transaction.atomic
def submit(actor, article: Article) -> Article:
    """Ask for review (by an Administrator Layanan of the PD, or the Koordinator for a general article)."""
    if not rules.can_author(actor, article):
        raise PermissionDenied
    if not article.body.strip() or not article.title.strip():
        raise ValidationError(_("Lengkapi judul dan isi sebelum mengajukan reviu."))
    return _transition(actor, article, (ArticleStatus.DRAFT,), ArticleStatus.REVIEW, submitted_by=actor,
                       return_reason="")  # fmt: skip


@transaction.atomic
def publish(actor, article: Article) -> Article:
    """The review's approval: the article is published. Never by its author
    or the one who submitted it."""
    if not rules.may_review(actor, article):
        raise PermissionDenied
    if not rules.can_review(actor, article):
        raise ValidationError(_("Penulis atau pengaju artikel tidak dapat mereviu artikelnya sendiri."))
    return _transition(actor, article, (ArticleStatus.REVIEW,), ArticleStatus.PUBLISHED, reviewer=actor,
                       published_at=timezone.now())  # fmt: skip


@transaction.atomic
def return_to_draft(actor, article: Article, reason: str) -> Article:
    """The reviewer sends a submitted article back, or an author or reviewer
    takes a published or archived one back to change it; with the reason."""
    if not (rules.may_review(actor, article) or rules.can_author(actor, article)):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Tuliskan alasannya.")})
    allowed = (ArticleStatus.REVIEW, ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED)
    return _transition(actor, article, allowed, ArticleStatus.DRAFT, return_reason=reason.strip())


@transaction.atomic
def archive(actor, article: Article) -> Article:
    """Withdraw an article (outdated): no longer suggested or shown to the public."""
    if not (rules.may_review(actor, article) or rules.can_author(actor, article)):
        raise PermissionDenied
    allowed = (ArticleStatus.DRAFT, ArticleStatus.REVIEW, ArticleStatus.PUBLISHED)
    return _transition(actor, article, allowed, ArticleStatus.ARCHIVED)


@transaction.atomic
def article_from_problem(actor, problem, *, visibility: str = Visibility.INTERNAL) -> Article:
    """O-3: a problem's workaround (known error) as an article in one step:
    its title, the symptoms of its complaints, the root cause and the
    workaround. Published at once when the actor holds the reviewing role
    (an Administrator Layanan of the PD: the workaround was recorded through
    the problem review and is copied, not written anew); otherwise it
    waits in review."""
    if not problem.workaround.strip():
        raise ValidationError(_("Catat solusi sementara masalah ini lebih dulu."))
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": _("Pilih keterlihatan yang valid.")})
    article = Article(pemda_id=problem.pemda_id, pd_id=problem.pd_id, service_id=problem.service_id,
                      source_problem=problem, author=actor, visibility=visibility)  # fmt: skip
    if not rules.can_author(actor, article):
        raise PermissionDenied
    symptoms = [f"- {t.subject}" for t in problem.complaints.order_by("-reported_at")[:5]]
    article.title = _("Kendala diketahui: %(title)s") % {"title": problem.title}
    article.title = article.title[:200]
    article.summary = problem.workaround.strip().splitlines()[0][:300]
    parts = []
    if symptoms:
        parts.append(_("Gejala yang dilaporkan:") + "\n" + "\n".join(symptoms))
    if problem.root_cause.strip():
        parts.append(_("Penyebab:") + "\n" + problem.root_cause.strip())
    parts.append(_("Solusi sementara:") + "\n" + problem.workaround.strip())
    if problem.permanent_fix.strip():
        parts.append(_("Perbaikan permanen:") + "\n" + problem.permanent_fix.strip())
    article.body = "\n\n".join(parts)
    article.keywords = ", ".join(s.removeprefix("- ") for s in symptoms)[:300]
    article.status = ArticleStatus.REVIEW
    article.submitted_by = actor
    if rules.may_review(actor, article):
        article.status, article.reviewer, article.published_at = ArticleStatus.PUBLISHED, actor, timezone.now()
    article.save()
    _audit(actor, article, AuditAction.CREATE,
           {"status": [None, article.status], "source_problem": [None, str(problem)]})  # fmt: skip
    return article


@transaction.atomic
def save_category(actor, category: Category) -> Category:
    if not rules.can_manage_categories(actor):
        raise PermissionDenied
    category.full_clean()
    category.save()
    record(actor=actor, action=AuditAction.CREATE, target=category, pemda=category.pemda,
           changes={"name": [None, category.name]})  # fmt: skip
    return category


# --- readers ----------------------------------------------------------------------------------


def client_key(request) -> str:
    """A visitor's hash (address, browser, account): counts one vote per day
    without keeping the address."""
    user = request.user.pk if request.user.is_authenticated else ""
    agent = request.META.get("HTTP_USER_AGENT", "")
    raw = f"{settings.SECRET_KEY}|{get_client_ip_address(request) or '-'}|{agent}|{user}"
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


@dataclass(frozen=True)
class Vote:
    helpful: bool
    deflected: bool = False
    comment: str = ""
    source: str = FeedbackSource.ARTICLE
    service: object = None


def _counts(feedback: Feedback | None) -> dict[str, int]:
    if feedback is None:
        return {"helpful_count": 0, "unhelpful_count": 0, "deflection_count": 0}
    return {
        "helpful_count": int(feedback.helpful),
        "unhelpful_count": int(not feedback.helpful),
        "deflection_count": int(feedback.deflected),
    }


@transaction.atomic
def give_feedback(article: Article, vote: Vote, key: str) -> Feedback:
    """Record "was this helpful?" (and a deflection: the portal's visitor
    sent no report because the article solved it). A second answer of the
    same visitor the same day replaces the first; the counters follow."""
    if not article.status == ArticleStatus.PUBLISHED:
        raise ValidationError(_("Artikel ini belum atau tidak lagi terbit."))
    if vote.deflected and not vote.helpful:
        raise ValidationError(_("Artikel yang menyelesaikan masalah tentu membantu."))
    service = vote.service
    if service is not None and service.pd.pemda_id != article.pemda_id:
        raise ValidationError({"service": _("Layanan ini bukan milik Pemda artikel.")})
    day = timezone.localdate()
    pd_id = service.pd_id if service is not None else article.pd_id
    existing = Feedback.objects.select_for_update().filter(article=article, client_key=key, day=day).first()
    old = _counts(existing)
    feedback = existing or Feedback(article=article, client_key=key, day=day, pemda_id=article.pemda_id)
    feedback.helpful, feedback.deflected = vote.helpful, vote.deflected or (existing and existing.deflected) or False
    feedback.comment = (vote.comment or (existing.comment if existing else ""))[:2000]
    feedback.source = vote.source
    feedback.service = service or (existing.service if existing else None)
    feedback.pd_id = pd_id if service is not None or existing is None else existing.pd_id
    if feedback.deflected and not feedback.helpful:
        feedback.deflected = False  # changed their mind: it did not solve it after all
    feedback.save()
    new = _counts(feedback)
    changes = {name: F(name) + (new[name] - old[name]) for name in new if new[name] != old[name]}
    if changes:
        Article.objects.filter(pk=article.pk).update(**changes)
    return feedback


def count_view(article: Article) -> None:
    """One reading of the public page (no per-visitor bookkeeping: a rough popularity)."""
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)
