"""The dashboards (E-1, E-4): the Pimpinan PD and PJ Penyedia Layanan see
their PD; the Koordinator SPBE sees every PD of the Pemda side by side.
Every figure links to the records behind it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from spbe.evaluation import dashboard as boards
from spbe.evaluation.charts import Bar, bar_svg, line_svg
from spbe.front.pages import is_id
from spbe.org import access
from spbe.org.choices import STRUCTURAL_ROLES
from spbe.org.models import PerangkatDaerah
from spbe.org.views import staff_required


def _coordinated_pemda(request: HttpRequest):
    """The Pemda whose PDs the person sees side by side, if any."""
    scope = access.scope_for(request.user)
    pemdas = access.visible_pemdas(request.user)
    if not scope.is_system_admin:
        pemdas = pemdas.filter(pk__in=scope.coordinator_pemda_ids)
    chosen = request.GET.get("pemda", "")
    if is_id(chosen):
        return pemdas.filter(pk=chosen).first()
    home = pemdas.filter(pk=request.user.pemda_id).first() if request.user.pemda_id else None
    return home or pemdas.order_by("name").first()


def own_pds(user):
    """The PDs in which the person holds a structural role (S-1)."""
    scope = access.scope_for(user)
    ids = [pd for pd, roles in scope.roles_by_pd.items() if roles & STRUCTURAL_ROLES]
    return PerangkatDaerah.objects.filter(pk__in=ids, is_active=True).select_related("pemda").order_by("name")


def charts_for(board: boards.Board) -> dict:
    availability = [
        Bar(
            s.service.name,
            None if s.availability is None else float(s.availability),
            {"no_data": "neutral"}.get(s.state, s.state),
            reverse("catalog:service_detail", args=[s.service.pk]),
        )
        for s in board.services
    ]
    return {
        "availability": bar_svg(availability, title=_("Ketersediaan 90 hari terakhir"), unit="%", max_value=100),
        "satisfaction": line_svg(board.satisfaction, title=_("Kepuasan pengguna per bulan (1–5)"), y_min=0, y_max=5),
    }


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    context = dashboard_context(request)
    if context is None:
        raise PermissionDenied
    return render(request, "evaluation/dashboard.html", context)


def dashboard_context(request: HttpRequest) -> dict | None:
    """The Koordinator's side-by-side view, or one PD's board (``?pd=`` or
    the person's own PD); None when the person has neither."""
    pd_id = request.GET.get("pd", "")
    if is_id(pd_id):
        pd = access.get_pd(request.user, int(pd_id))
        return _single(pd)
    pemda = _coordinated_pemda(request)
    if pemda is not None:
        pds = list(pemda.pds.filter(is_active=True, services__lifecycle="active").distinct().order_by("name"))
        all_boards = boards.boards(pds)
        level_chart = bar_svg(
            [
                Bar(
                    b.pd.abbreviation or b.pd.name,
                    b.level,
                    "met" if b.level >= 4 else "at_risk" if b.level == 3 else "missed",
                    b.maturity_url,
                )
                for b in all_boards
            ],
            title=_("Tingkat kematangan per PD"),
            unit="",
            max_value=5,
        )
        return {
            "pemda": pemda,
            "boards": all_boards,
            "pemda_level": boards.pemda_level(pemda),
            "level_chart": level_chart,
        }
    pds = list(own_pds(request.user))
    if not pds:
        return None
    if len(pds) == 1:
        return _single(pds[0])
    return {"boards": boards.boards(pds), "pemda": None}


def _single(pd) -> dict:
    board = boards.boards([pd])[0]
    return {"board": board, "charts": charts_for(board), "pd": pd}
