"""What every list page shares: search, sort, pagination and export
(house style, rule 9)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property
from openpyxl import Workbook
from openpyxl.styles import Font

PAGE_SIZE = 25
EXPORT_LIMIT = 50_000
COUNT_CAP = 1_000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows: an exact COUNT(*) over half a
    million tickets costs more than the page itself (24 ms at 10,000 on the
    bench, 3 ms at 1,000), and nobody pages through 40 pages of 25; beyond
    the cap the page says "more than 1,000" and asks for a filter (as
    Zammad and ServiceNow do)."""

    cap = property(lambda self: COUNT_CAP)

    @cached_property
    def count(self) -> int:
        # Without its ORDER BY the database may stop at the cap's row instead
        # of sorting every match first.
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap


@dataclass
class Listing:
    """A filtered, sorted page of a queryset plus what the template needs to
    keep the current filters in links."""

    page: Page
    sort: str
    query: str
    querystring: str  # current filters without page/sort, for links

    @property
    def is_filtered(self) -> bool:
        return bool(self.querystring)


def search(qs: QuerySet, text: str, fields: Sequence[str]) -> QuerySet:
    """Every word must appear in one of the fields (case-insensitive)."""
    for word in text.split():
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__icontains": word})
        qs = qs.filter(condition)
    return qs


def build_listing(
    request: HttpRequest,
    qs: QuerySet,
    *,
    search_fields: Sequence[str] | Callable[[QuerySet, str], QuerySet],
    sorts: dict[str, str],
    default_sort: str,
) -> tuple[QuerySet, Listing | None]:
    """Apply ``?q=`` and ``?sort=`` and paginate. Returns the filtered
    queryset (for export) and the listing (for the page). ``search_fields``
    may be a function of its own for tables that need an indexed search."""
    query = request.GET.get("q", "").strip()
    if query:
        qs = search_fields(qs, query) if callable(search_fields) else search(qs, query, search_fields)
    sort = request.GET.get("sort", default_sort)
    key = sort.lstrip("-")
    if key not in sorts:
        sort, key = default_sort, default_sort.lstrip("-")
    order = sorts[key]
    qs = qs.order_by(f"-{order}" if sort.startswith("-") else order, "pk")
    paginator = CappedPaginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    for name in ("page", "sort", "export"):
        params.pop(name, None)
    return qs, Listing(page=page, sort=sort, query=query, querystring=params.urlencode())


def xlsx_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Data"
) -> HttpResponse:
    """An Excel file of the rows; timestamps in local time without zone
    (Excel cannot store zones)."""
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for count, row in enumerate(rows):
        if count >= EXPORT_LIMIT:
            break
        sheet.append([_cell(value) for value in row])
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column[:200])
        sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.xlsx"'
    return response


def _cell(value: Any) -> Any:
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if value is None:
        return ""
    if isinstance(value, (int, float, str)) or hasattr(value, "isoformat"):
        return value
    return str(value)


def render_listing(request: HttpRequest, page: str, results: str, context: dict) -> HttpResponse:
    """The whole page, or only its results when htmx asks (search as you
    type: the filter form sends ``HX-Request`` and swaps ``#results``)."""
    return render(request, results if getattr(request, "htmx", False) else page, context)


def wants_export(request: HttpRequest) -> bool:
    return request.GET.get("export") == "xlsx"
