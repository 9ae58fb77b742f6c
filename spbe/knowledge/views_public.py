"""Public pages of the knowledge base (issue 15): a Pemda's help articles
(all, or one service's) with search, an article's page with "was this
helpful?", and the portal's suggestions while a citizen describes a
problem, whose "Ya, masalah saya selesai" records a deflection and sends no
report. No log-in; only published public articles are ever shown."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from spbe.catalog.choices import Lifecycle
from spbe.catalog.models import Service
from spbe.front import ratelimit
from spbe.knowledge import actions, rules
from spbe.knowledge.choices import FeedbackSource
from spbe.knowledge.forms import FeedbackForm
from spbe.knowledge.models import Article
from spbe.knowledge.search import search_articles
from spbe.org.models import Pemda

SUGGESTIONS = 5
# a vote is cheap but writes: generous for a shared office address, tight enough against flooding the counters
FEEDBACK_PER_IP = ratelimit.Limit(60, 3600)


def _pemda(slug: str) -> Pemda:
    return get_object_or_404(Pemda, slug=slug)


def _active_service(pemda: Pemda, pk: int) -> Service:
    return get_object_or_404(Service.objects.select_related("pd"), pk=pk, pd__pemda=pemda, lifecycle=Lifecycle.ACTIVE)


def published(pemda: Pemda):
    return rules.public_articles(Article.objects.filter(pemda=pemda)).select_related("service", "category", "pd")


def article_list(request: HttpRequest, slug: str, service_pk: int | None = None) -> HttpResponse:
    pemda = _pemda(slug)
    service = _active_service(pemda, service_pk) if service_pk is not None else None
    qs = published(pemda)
    if service is not None:
        qs = qs.filter(service=service)
    query = request.GET.get("q", "").strip()[:200]
    qs = search_articles(qs, query) if query else qs.order_by("category__name", "title", "pk")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    context = {"pemda": pemda, "service": service, "query": query, "page": page}
    return render(request, "knowledge/public/list.html", context)


def article_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pemda = _pemda(slug)
    article = get_object_or_404(published(pemda), pk=pk)
    actions.count_view(article)
    service = _service_param(pemda, request.GET.get("layanan"))
    context = {"pemda": pemda, "article": article, "service": service, "source": FeedbackSource.ARTICLE}
    return render(request, "knowledge/public/article.html", context)


def _service_param(pemda: Pemda, value) -> Service | None:
    if value is None or not str(value).isascii() or not str(value).isdigit() or len(str(value)) > 18:
        return None
    return Service.objects.filter(pk=int(value), pd__pemda=pemda).select_related("pd").first()


def suggest(request: HttpRequest, slug: str, service_pk: int) -> HttpResponse:
    """The portal's panel (htmx, as the citizen types the subject and
    description): up to five published public articles of the service and
    general ones of the Pemda, best first."""
    pemda = _pemda(slug)
    service = _active_service(pemda, service_pk)
    text = f"{request.GET.get('subject', '')} {request.GET.get('description', '')}"[:1000]
    qs = published(pemda).filter(service=service) | published(pemda).filter(pd__isnull=True)
    if text.strip():
        articles = list(search_articles(qs, text, match="any")[:SUGGESTIONS])
    else:
        articles = list(qs.order_by("-helpful_count", "title")[:SUGGESTIONS])
    context = {"pemda": pemda, "service": service, "articles": articles, "typed": bool(text.strip())}
    return render(request, "knowledge/public/_suggestions.html", context)


@require_POST
def feedback(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """POST only (CSRF checked): the answer to "was this helpful?". From the
    portal (``solved``): the deflection; the thank-you replaces the panel."""
    pemda = _pemda(slug)
    article = get_object_or_404(published(pemda), pk=pk)
    form = FeedbackForm(request.POST)
    service = _service_param(pemda, request.POST.get("service"))
    portal = request.POST.get("source") == FeedbackSource.PORTAL
    context = {"pemda": pemda, "article": article, "service": service, "portal": portal}
    wait = ratelimit.retry_after(request, "knowledge-feedback", FEEDBACK_PER_IP)
    if wait:
        context["error"] = ratelimit.refusal(wait)
        response = render(request, "knowledge/public/_feedback_done.html", context, status=429)
        response["Retry-After"] = str(wait)
        return response
    if not form.is_valid():
        context["error"] = _("Pilih jawaban Ya atau Tidak.")
        return render(request, "knowledge/public/_feedback_done.html", context, status=400)
    data = form.cleaned_data
    vote = actions.Vote(
        helpful=data["helpful"] == "ya", deflected=data["helpful"] == "ya" and data["solved"],
        comment=data["comment"], source=FeedbackSource.PORTAL if portal else FeedbackSource.ARTICLE, service=service,
    )  # fmt: skip
    try:
        given = actions.give_feedback(article, vote, actions.client_key(request))
    except ValidationError as error:
        context["error"] = " ".join(error.messages)
        return render(request, "knowledge/public/_feedback_done.html", context, status=400)
    context["feedback"] = given
    template = (
        "knowledge/public/_feedback_done.html"
        if getattr(request, "htmx", False)
        else "knowledge/public/feedback_page.html"
    )
    return render(request, template, context)
