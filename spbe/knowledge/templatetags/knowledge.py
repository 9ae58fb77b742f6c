"""Template tags other apps' pages use to show the knowledge base (issue
15): the public catalog's "Artikel bantuan (N)" per service, the portal's
suggestion panel, and the problem page's "publish as article" button."""

from __future__ import annotations

from django import template
from django.db.models import Count

from spbe.knowledge import rules
from spbe.knowledge.choices import Visibility
from spbe.knowledge.models import Article

register = template.Library()


@register.simple_tag
def public_article_counts(pemda) -> dict[int, int]:
    """Published public articles per service of the Pemda, in one query."""
    rows = rules.public_articles(Article.objects.filter(pemda=pemda, service__isnull=False))
    return dict(rows.values_list("service").annotate(n=Count("id")).values_list("service", "n"))


@register.filter
def count_of(counts: dict, key) -> int:
    return counts.get(key, 0) if counts else 0


@register.inclusion_tag("knowledge/_suggest_panel.html")
def article_suggestions(service):
    """The portal report form's panel: refreshed (htmx) while the citizen
    types the subject and description; a plain link without JavaScript."""
    return {"service": service, "pemda": service.pd.pemda}


@register.inclusion_tag("knowledge/_problem_button.html", takes_context=True)
def problem_article_button(context, problem):
    """O-3: "Terbitkan sebagai artikel" on the problem page, for whoever may
    write articles for the problem's PD; the articles already made from it."""
    user = context["request"].user
    probe = Article(pemda_id=problem.pemda_id, pd_id=problem.pd_id)
    return {
        "problem": problem,
        "can_write": rules.can_author(user, probe),
        "publishes": rules.may_review(user, probe),
        "articles": rules.visible(user, problem.articles.all()).order_by("-created")[:5],
        "visibilities": Visibility.choices,
        "csrf_token": context.get("csrf_token"),
    }
