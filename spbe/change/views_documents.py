"""The service transition plan (P-9), the release plan (O-6) and the
application project (O-7) as documents to download: an editable DOCX or a
PDF, for whoever may see the plan, the release or the project."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from spbe.change import export
from spbe.change.views import visible_plans
from spbe.change.views_projects import visible_projects
from spbe.change.views_releases import visible_releases
from spbe.org.views import staff_required


@staff_required
def plan_document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The plan with the Pemda's letterhead and the signature blocks; its
    times in the Pemda's zone, whoever downloads it."""
    plan = get_object_or_404(
        visible_plans(request.user).select_related("pd__pemda", "transfer_to", "drafted_by"), pk=pk
    )
    with timezone.override(ZoneInfo(plan.pd.pemda.time_zone)):
        return export.plan_response(plan, fmt)


@staff_required
def release_document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The release plan with the Pemda's letterhead, its result once known
    and the signature blocks; its times in the Pemda's zone."""
    release = get_object_or_404(visible_releases(request.user).select_related("drafted_by"), pk=pk)
    with timezone.override(ZoneInfo(release.pd.pemda.time_zone)):
        return export.release_response(release, fmt)


@staff_required
def project_document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The project with the Pemda's letterhead, its phases and gates and
    the signature blocks; its times in the Pemda's zone."""
    project = get_object_or_404(
        visible_projects(request.user).select_related("drafted_by", "needs_analysis", "management_target"), pk=pk
    )
    with timezone.override(ZoneInfo(project.pd.pemda.time_zone)):
        return export.project_response(project, fmt)
