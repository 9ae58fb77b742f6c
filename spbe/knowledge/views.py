"""Staff pages of the knowledge base (issue 15): the list with filters,
search and export, the article form, its page with history and the review
steps, categories, and a problem's known error published in one step (O-3).
Thin: parse, ask ``rules``, call ``actions``, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from spbe.audit.record import trail
from spbe.desk.models import Problem
from spbe.front.listing import build_listing, render_listing, wants_export, xlsx_response
from spbe.front.pages import add_action_errors, form_page
from spbe.knowledge import actions, rules
from spbe.knowledge.forms import ArticleFilterForm, ArticleForm, CategoryForm, ReturnForm
from spbe.knowledge.models import Article, Category
from spbe.knowledge.search import search_articles
from spbe.org import access
from spbe.org.views import staff_required


def visible_articles(user):
    return rules.visible(user, Article.objects.select_related("pemda", "pd", "service", "category"))


def _article_or_404(request: HttpRequest, pk: int) -> Article:
    return get_object_or_404(visible_articles(request.user), pk=pk)


@staff_required
def article_list(request: HttpRequest) -> HttpResponse:
    filters = ArticleFilterForm(request.GET or None, user=request.user)
    qs = visible_articles(request.user)
    if filters.is_valid():
        data = filters.cleaned_data
        for name in ("status", "visibility", "pd", "service", "category"):
            if data[name]:
                qs = qs.filter(**{name: data[name]})
        if data["general"]:
            qs = qs.filter(pd__isnull=True)
    qs, listing = build_listing(
        request, qs, search_fields=search_articles,
        sorts={"title": "title", "pd": "pd__name", "status": "status", "updated": "last_updated",
               "helpful": "helpful_count", "deflections": "deflection_count", "views": "view_count"},
        default_sort="title",
    )  # fmt: skip
    if wants_export(request):
        return xlsx_response("artikel", *_table(qs), title=_("Artikel"))
    context = {"listing": listing, "filters": filters, "can_create": _can_create(request.user)}
    return render_listing(request, "knowledge/article_list.html", "knowledge/_article_results.html", context)


def _can_create(user) -> bool:
    return rules.authorable_pds(user).exists() or bool(rules.general_pemdas(user))


def _table(qs) -> tuple[list, object]:
    headers = [_("Judul"), _("PD"), _("Layanan"), _("Kategori"), _("Keterlihatan"), _("Status"), _("Terbit"),
               _("Dibaca"), _("Membantu"), _("Tidak membantu"), _("Laporan tercegah"), _("Dari masalah")]  # fmt: skip

    def rows():
        for a in qs:
            yield [a.title, a.pd.name if a.pd else _("Umum"), a.service.name if a.service else "",
                   a.category.name if a.category else "", a.get_visibility_display(), a.get_status_display(),
                   a.published_at, a.view_count, a.helpful_count, a.unhelpful_count, a.deflection_count,
                   bool(a.source_problem_id)]  # fmt: skip

    return headers, rows()


def _form_page(request: HttpRequest, form, article: Article | None) -> HttpResponse:
    title = _("Ubah artikel") if article else _("Tulis artikel")
    cancel = article.get_absolute_url() if article else reverse("knowledge:list")
    return form_page(request, form, title, cancel)


@staff_required
def article_create(request: HttpRequest) -> HttpResponse:
    if not _can_create(request.user):
        raise PermissionDenied
    form = ArticleForm(request.POST or None, actor=request.user, initial=request.GET.dict() or None)
    if request.method == "POST" and form.is_valid():
        try:
            article = actions.save_article(request.user, form.save(commit=False))
        except ValidationError as error:
            add_action_errors(form, error)
        except PermissionDenied:
            form.add_error("pd", _("Anda tidak berwenang menulis artikel untuk PD ini."))
        else:
            messages.success(request, _("Artikel disimpan sebagai draf. Ajukan reviu bila sudah lengkap."))
            return redirect(article)
    return _form_page(request, form, None)


@staff_required
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article_or_404(request, pk)
    if not rules.can_author(request.user, article):
        raise PermissionDenied
    if article.status not in ("draft", "review"):
        messages.error(request, _("Artikel yang terbit atau diarsipkan tidak dapat diubah; kembalikan ke draf dulu."))
        return redirect(article)
    form = ArticleForm(request.POST or None, instance=article, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_article(request.user, form.save(commit=False))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Perubahan disimpan."))
            return redirect(article)
    return _form_page(request, form, article)


@staff_required
def article_detail(request: HttpRequest, pk: int, return_form=None, status: int = 200) -> HttpResponse:
    article = _article_or_404(request, pk)
    user = request.user
    can_author, may_review = rules.can_author(user, article), rules.may_review(user, article)
    context = {
        "article": article,
        "can_author": can_author,
        "can_review": rules.can_review(user, article),
        "may_review": may_review,
        "can_return": can_author or may_review,
        "return_form": return_form or ReturnForm(),
        "history": trail(article),
        "feedback": article.feedback.select_related("service").order_by("-created")[:20],
    }
    return render(request, "knowledge/article_detail.html", context, status=status)


def _step(request: HttpRequest, pk: int, step, done: str) -> HttpResponse:
    article = _article_or_404(request, pk)
    try:
        step(article)
    except PermissionDenied:
        raise
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect(article)


@staff_required
@require_POST
def article_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, lambda a: actions.submit(request.user, a),
                 _("Diajukan untuk reviu Administrator Layanan."))  # fmt: skip


@staff_required
@require_POST
def article_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, lambda a: actions.publish(request.user, a), _("Artikel diterbitkan."))


@staff_required
@require_POST
def article_archive(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, lambda a: actions.archive(request.user, a), _("Artikel diarsipkan."))


@staff_required
@require_POST
def article_return(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article_or_404(request, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return article_detail(request, pk, return_form=form, status=400)
    try:
        actions.return_to_draft(request.user, article, form.cleaned_data["reason"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Artikel dikembalikan ke draf."))
    return redirect(article)


@staff_required
@require_POST
def from_problem(request: HttpRequest, problem_pk: int) -> HttpResponse:
    """O-3: the problem's workaround as an article, in one step."""
    problem = get_object_or_404(access.filter_by_pd(request.user, Problem.objects.select_related("pd")),
                                pk=problem_pk)  # fmt: skip
    try:
        article = actions.article_from_problem(request.user, problem,
                                               visibility=request.POST.get("visibility", "internal"))  # fmt: skip
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("desk:problem", pk=problem.pk)
    if article.status == "published":
        messages.success(request, _("Solusi sementara diterbitkan sebagai artikel."))
    else:
        messages.success(request, _("Artikel dibuat dan menunggu reviu Administrator Layanan."))
    return redirect(article)


@staff_required
def categories(request: HttpRequest) -> HttpResponse:
    if not rules.can_manage_categories(request.user):
        raise PermissionDenied
    pemdas = access.visible_pemdas(request.user)
    form = CategoryForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_category(request.user, form.save(commit=False))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Kategori ditambahkan."))
            return redirect("knowledge:categories")
    rows = Category.objects.filter(pemda__in=pemdas).select_related("pemda").order_by("pemda__name", "name")
    return render(request, "knowledge/categories.html", {"form": form, "categories": rows},
                  status=400 if form.errors else 200)  # fmt: skip
