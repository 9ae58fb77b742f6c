"""What every list page shares: search, sort, pagination and export
(house style, rule 9)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

PAGE_SIZE = 25
EXPORT_LIMIT = 50_000


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
    search_fields: Sequence[str],
    sorts: dict[str, str],
    default_sort: str,
) -> tuple[QuerySet, Listing | None]:
    """Apply ``?q=`` and ``?sort=`` and paginate. Returns the filtered
    queryset (for export) and the listing (for the page)."""
    query = request.GET.get("q", "").strip()
    if query:
        qs = search(qs, query, search_fields)
    sort = request.GET.get("sort", default_sort)
    key = sort.lstrip("-")
    if key not in sorts:
        sort, key = default_sort, default_sort.lstrip("-")
    order = sorts[key]
    qs = qs.order_by(f"-{order}" if sort.startswith("-") else order, "pk")
    paginator = Paginator(qs, PAGE_SIZE)
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
