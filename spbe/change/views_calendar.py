"""The change calendar page (P-9, O-6, O-4): a month of approved changes,
releases and maintenance windows of what the person may see, with the
overlaps on one service called out."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from spbe.change.calendar import KIND_LABELS, month_of
from spbe.change.views import visible_plans
from spbe.change.views_releases import visible_releases
from spbe.monitoring.views import visible_windows
from spbe.org.views import staff_required

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@staff_required
def change_calendar(request: HttpRequest) -> HttpResponse:
    """``?bulan=2027-01``; the current month otherwise (or when the value is not a month)."""
    today = timezone.localdate()
    year, month = today.year, today.month
    match = MONTH.match(request.GET.get("bulan", ""))
    if match and 2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12:
        year, month = int(match[1]), int(match[2])
    user = request.user
    shown = month_of(
        timezone.get_current_timezone_name(), year, month, plans=visible_plans(user).prefetch_related("services"),
        releases=visible_releases(user).prefetch_related("services"),
        windows=visible_windows(user).prefetch_related("services"),
    )  # fmt: skip
    return render(request, "change/calendar.html", {"month": shown, "today": today, "labels": KIND_LABELS})
