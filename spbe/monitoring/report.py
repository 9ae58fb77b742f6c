"""The Formulir Pemantauan dan Pemeliharaan (O-4) of one service and month,
and the availability figures of many services for a month (E-2: how many
services met their target).

Items 1–4 are computed (service, period, utilisation, availability against
the target); items 5 (trend and why the target was missed) and 6
(improvement opportunities) are written by the provider — the Pedoman: "the
provider produces the availability report" — so the Administrator Layanan
and the PJ Penyedia Layanan of the service's PD may save them; everyone else
who may see the service (its PD's other roles, the Pemda's Koordinator
SPBE) reads them. While items 5 and 6 are empty the form offers a draft made
of facts: the month's outages with duration and cause, the previous months'
figures, components beyond their thresholds and planned maintenance.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, Max, QuerySet
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from spbe.catalog.choices import Lifecycle
from spbe.catalog.models import Service
from spbe.cmdb.models import Component
from spbe.monitoring.availability import (
    Availability,
    OutageSpan,
    add_months,
    availability_many,
    month_bounds,
    monthly_series,
)
from spbe.monitoring.models import MaintenanceWindow, MonitoringReport, UtilisationSample, UtilisationTarget
from spbe.monitoring.outages import components_under
from spbe.org import access
from spbe.org.choices import Role

PREPARER_ROLES = frozenset({Role.ADMIN_LAYANAN, Role.PJ_PENYEDIA})
TREND_MONTHS = 6  # this month and the five before it
DEFAULT_THRESHOLDS = {"cpu": 85, "memory": 90, "disk": 85}  # UtilisationTarget's defaults
CHUNK = 500


def reportable_services(user) -> QuerySet[Service]:
    """Services whose availability the user may see: every service that
    is or was in operation (not drafts), filtered by the access layer."""
    qs = Service.objects.exclude(lifecycle=Lifecycle.DRAFT).select_related("pd__pemda")
    return access.filter_by_pd(user, qs)


def can_prepare(user, service: Service) -> bool:
    """O-4: the provider (Administrator Layanan, PJ Penyedia Layanan of the
    service's PD) writes items 5 and 6; an Administrator Sistem may too."""
    scope = access.scope_for(user)
    return scope.is_system_admin or bool(scope.roles_in(service.pd_id) & PREPARER_ROLES)


def local_month(service: Service, now: datetime | None = None) -> date:
    """The current month in the service's Pemda."""
    return timezone.localtime(now or timezone.now(), ZoneInfo(service.pd.pemda.time_zone)).date().replace(day=1)


def month_figures(services: Sequence[Service], month: date, now: datetime | None = None) -> dict[int, Availability]:
    """Each service's figure for the month of its own Pemda (zones differ
    for an Administrator Sistem), in batches with a fixed number of queries
    each. Services need ``pd__pemda`` loaded."""
    now = now or timezone.now()
    by_zone: dict[str, list[Service]] = defaultdict(list)
    for service in services:
        by_zone[service.pd.pemda.time_zone].append(service)
    result: dict[int, Availability] = {}
    for zone, group in by_zone.items():
        start, end = month_bounds(month, ZoneInfo(zone))
        for index in range(0, len(group), CHUNK):
            result.update(availability_many(group[index : index + CHUNK], start, end, now))
    return result


def month_label(month: date) -> str:
    return date_format(month, "F Y")


def percent_text(value) -> str:
    return _("belum ada data") if value is None else f"{number_format(value, 3)} %"


def minutes_text(value: timedelta) -> str:
    minutes = int(-(-value.total_seconds() // 60))
    hours, rest = divmod(minutes, 60)
    if hours:
        return _("%(hours)d jam %(minutes)d menit") % {"hours": hours, "minutes": rest}
    return _("%(minutes)d menit") % {"minutes": rest}


# --- Item 3: utilisation ---------------------------------------------------------------


@dataclass
class UtilisationRow:
    name: str
    hours: int
    cpu_avg: float | None
    cpu_max: float | None
    memory_avg: float | None
    memory_max: float | None
    disk_max: float | None
    net_rx: float | None
    net_tx: float | None
    thresholds: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))

    @property
    def rx_text(self) -> str:
        return rate_text(self.net_rx)

    @property
    def tx_text(self) -> str:
        return rate_text(self.net_tx)

    def beyond(self) -> list[tuple[str, float, int]]:
        """(what, peak, threshold) where the month's peak passed the threshold."""
        found = []
        for key, label, value in (
            ("cpu", _("CPU"), self.cpu_max), ("memory", _("RAM"), self.memory_max),
            ("disk", _("penyimpanan"), self.disk_max),
        ):  # fmt: skip
            if value is not None and value > self.thresholds[key]:
                found.append((label, value, self.thresholds[key]))
        return found


@dataclass
class Utilisation:
    rows: list[UtilisationRow]
    overall: UtilisationRow | None

    @property
    def has_data(self) -> bool:
        return self.overall is not None


AGGREGATES = {
    "hours": Count("id"), "cpu_avg": Avg("cpu_avg"), "cpu_max": Max("cpu_max"), "memory_avg": Avg("memory_avg"),
    "memory_max": Max("memory_max"), "disk_max": Max("disk_max"), "net_rx": Avg("net_rx_bps"),
    "net_tx": Avg("net_tx_bps"),
}  # fmt: skip


def utilisation(service: Service, start: datetime, end: datetime) -> Utilisation:
    """O-4 item 3 from the hourly samples of the components under the
    service (those its applications run on and what they depend on)."""
    components = components_under(service)
    samples = UtilisationSample.objects.filter(component_id__in=components, hour__gte=start, hour__lt=end)
    per_component = list(samples.values("component_id").annotate(**AGGREGATES).order_by("component_id"))
    if not per_component:
        return Utilisation([], None)
    names = dict(Component.objects.filter(pk__in=components).values_list("pk", "name"))
    thresholds = {
        t.component_id: {"cpu": t.cpu_threshold, "memory": t.memory_threshold, "disk": t.disk_threshold}
        for t in UtilisationTarget.objects.filter(component_id__in=components)
    }
    rows = []
    for row in per_component:
        component_id = row.pop("component_id")
        rows.append(UtilisationRow(names.get(component_id, "?"), thresholds=thresholds.get(
            component_id, dict(DEFAULT_THRESHOLDS)), **row))  # fmt: skip
    rows.sort(key=lambda r: r.name)
    overall = UtilisationRow(_("Semua komponen"), **samples.aggregate(**AGGREGATES))
    return Utilisation(rows, overall)


def rate_text(value: float | None) -> str:
    """A network rate, stored in bytes per second (UtilisationSample), shown
    in bits per second as network people read it."""
    if value is None:
        return "–"
    value *= 8
    for unit, size in (("Gbit/s", 1e9), ("Mbit/s", 1e6), ("kbit/s", 1e3)):
        if value >= size:
            return f"{number_format(value / size, 1)} {unit}"
    return f"{number_format(value, 0)} bit/s"


def share_text(value: float | None) -> str:
    return "–" if value is None else f"{number_format(value, 1)} %"


# --- The form ----------------------------------------------------------------------------


@dataclass
class Formulir:
    """Everything of the Formulir Pemantauan dan Pemeliharaan (O-4) of one
    service and month."""

    service: Service
    month: date
    start: datetime
    end: datetime
    zone: ZoneInfo
    figure: Availability
    trend: list[tuple[date, Availability]]
    utilisation: Utilisation
    report: MonitoringReport | None
    planned: list[MaintenanceWindow]
    in_progress: bool

    @property
    def zone_name(self) -> str:
        return timezone.localtime(self.start, self.zone).tzname()

    @property
    def period_text(self) -> str:
        last_day = (self.end - timedelta(seconds=1)).astimezone(self.zone)
        text = _("%(month)s (%(start)s – %(end)s %(zone)s)") % {
            "month": month_label(self.month), "start": date_format(self.start.astimezone(self.zone), "j F Y"),
            "end": date_format(last_day, "j F Y"), "zone": self.zone_name,
        }  # fmt: skip
        if self.in_progress:
            text += " — " + _("bulan berjalan, angka sementara")
        return text

    def local(self, moment: datetime, fmt: str = "j F Y H:i") -> str:
        return date_format(timezone.localtime(moment, self.zone), fmt)

    def availability_text(self) -> str:
        figure = self.figure
        target = number_format(self.service.availability_target, 2)
        if figure.percent is None:
            return _("Belum ada data pemantauan (target %(target)s %%).") % {"target": target}
        verdict = _("tercapai") if figure.met else _("tidak tercapai")
        return _("%(percent)s dari target %(target)s %% — %(verdict)s.") % {
            "percent": percent_text(figure.percent), "target": target, "verdict": verdict}  # fmt: skip

    def outage_line(self, span: OutageSpan) -> str:
        outage = span.outage
        end = _("masih berlangsung") if outage.ended_at is None else self.local(span.end)
        line = _("%(start)s – %(end)s %(zone)s, %(duration)s, %(state)s") % {
            "start": self.local(span.start), "end": end, "zone": self.zone_name,
            "duration": minutes_text(span.duration), "state": outage.get_state_display(),
        }  # fmt: skip
        if outage.started_at < self.start:
            line += " " + _("(berlanjut dari bulan sebelumnya)")
        if outage.ended_at is not None and outage.ended_at > self.end:
            line += " " + _("(berlanjut ke bulan berikutnya)")
        cause = [c.strip() for c in (outage.cause or "").splitlines() if c.strip()]
        if cause:
            line += ". " + _("Penyebab: %(cause)s") % {"cause": "; ".join(cause)}
        if outage.ticket_id and outage.ticket is not None:
            line += " " + _("(aduan %(number)s)") % {"number": outage.ticket.number}
        return line

    def trend_line(self) -> str:
        return "; ".join(f"{month_label(m)} {percent_text(f.percent)}" for m, f in self.trend)

    def prefill_trend(self) -> str:
        """Item 5 drafted from facts; staff complete the analysis."""
        figure = self.figure
        lines = [
            _("Ketersediaan %(month)s: %(text)s")
            % {"month": month_label(self.month), "text": self.availability_text()},
            _("Tren %(count)d bulan: %(trend)s.") % {"count": len(self.trend), "trend": self.trend_line()},
        ]
        if figure.outages:
            lines.append(_("Gangguan bulan ini (%(count)d):") % {"count": len(figure.outages)})
            lines += [f"- {self.outage_line(span)}" for span in figure.outages]
        elif figure.percent is not None:
            lines.append(_("Tidak ada gangguan tercatat bulan ini."))
        if figure.downtime or figure.degraded or figure.maintenance:
            lines.append(
                _("Tidak tersedia %(down)s, terganggu sebagian %(degraded)s (dihitung tersedia); "
                  "pemeliharaan terjadwal %(maintenance)s (tidak dihitung).") % {
                    "down": minutes_text(figure.downtime), "degraded": minutes_text(figure.degraded),
                    "maintenance": minutes_text(figure.maintenance)}
            )  # fmt: skip
        if figure.met is False:
            lines.append(_("Target tidak tercapai: jelaskan penyebab utamanya dan tindak lanjutnya."))
        return "\n".join(lines)

    def prefill_improvements(self) -> str:
        """Item 6 drafted from facts: capacity beyond thresholds, planned
        maintenance, recurring outages."""
        lines = []
        for row in self.utilisation.rows:
            for what, peak, limit in row.beyond():
                lines.append(
                    "- " + _("Kapasitas %(component)s: %(what)s puncak %(peak)s (batas %(limit)d %%); "
                             "pertimbangkan peningkatan kapasitas.") % {
                        "component": row.name, "what": what, "peak": share_text(peak), "limit": limit}
                )  # fmt: skip
        for window in self.planned:
            lines.append("- " + _("Pemeliharaan terjadwal: %(title)s, %(start)s – %(end)s %(zone)s.") % {
                "title": window.title, "start": self.local(window.starts_at), "end": self.local(window.ends_at),
                "zone": self.zone_name})  # fmt: skip
        if len(self.figure.outages) >= 2:
            lines.append("- " + _("%(count)d gangguan dalam sebulan: lakukan reviu berkala gangguan dan analisis "
                                  "akar masalah (O-3).") % {"count": len(self.figure.outages)})  # fmt: skip
        return "\n".join(lines)

    def items(self, trend: str, improvements: str) -> list[tuple[str, str, str]]:
        """The six items as (number, label, text), for the exports."""
        util = self.utilisation
        if util.has_data:
            o = util.overall
            util_text = _(
                "CPU rata-rata %(cpu_avg)s, puncak %(cpu_max)s; RAM rata-rata %(mem_avg)s, puncak %(mem_max)s; "
                "penyimpanan terpakai puncak %(disk)s; jaringan rata-rata masuk %(rx)s, keluar %(tx)s "
                "(%(hours)d jam data)."
            ) % {
                "cpu_avg": share_text(o.cpu_avg), "cpu_max": share_text(o.cpu_max),
                "mem_avg": share_text(o.memory_avg), "mem_max": share_text(o.memory_max),
                "disk": share_text(o.disk_max),
                "rx": rate_text(o.net_rx), "tx": rate_text(o.net_tx), "hours": o.hours,
            }  # fmt: skip
        else:
            util_text = _("Belum ada data utilisasi.")
        service = self.service
        return [
            ("1", _("Layanan"), f"{service.name} ({service.code}) — {service.pd.name}"),
            ("2", _("Periode"), self.period_text),
            ("3", _("Utilisasi"), util_text),
            ("4", _("Ketersediaan yang dicapai"), self.availability_text()),
            ("5", _("Tren ketersediaan"), trend),
            ("6", _("Peluang peningkatan"), improvements),
        ]


def build(service: Service, month: date, now: datetime | None = None) -> Formulir:
    """Items 1–4 and the facts for 5–6 of the service's month (in its
    Pemda's zone)."""
    now = now or timezone.now()
    zone = ZoneInfo(service.pd.pemda.time_zone)
    start, end = month_bounds(month, zone)
    months = [add_months(month, back) for back in range(-(TREND_MONTHS - 1), 1)]
    series = monthly_series(service, months, now)
    planned = list(
        MaintenanceWindow.objects.filter(services=service, ends_at__gt=max(now, start)).order_by("starts_at")[:10]
    )
    return Formulir(
        service=service, month=month, start=start, end=end, zone=zone, figure=series[-1],
        trend=list(zip(months, series, strict=True)), utilisation=utilisation(service, start, end),
        report=MonitoringReport.objects.filter(service=service, month=month).select_related("prepared_by").first(),
        planned=planned, in_progress=start <= now < end,
    )  # fmt: skip


def availability_rows(services: Iterable[Service], figures: dict[int, Availability], month: date) -> list[list]:
    """Rows of the availability list's Excel export."""
    rows = []
    for s in services:
        f = figures[s.pk]
        rows.append([
            s.code, s.name, s.pd.name, s.pd.pemda.name, month_label(month), float(s.availability_target),
            None if f.percent is None else float(f.percent),  # numbers, not text, in Excel
            "" if f.met is None else (_("Ya") if f.met else _("Tidak")), f.downtime_minutes, f.degraded_minutes,
            f.maintenance_minutes, len(f.outages), f.measured_from,
        ])  # fmt: skip
    return rows
