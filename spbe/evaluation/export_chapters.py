"""BAB II of the evaluation report's document (E-2): one section per
chapter — its recap tables from the report's figures, its charts as
images, and the facts behind them — with the formatting every section
shares. ``spbe.evaluation.export`` assembles the document around them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from spbe.change.choices import ChangeKind, ReleaseStage
from spbe.continuity.choices import RecoveryKind
from spbe.evaluation import charts
from spbe.evaluation.choices import Chapter
from spbe.evaluation.models import EvaluationReport
from spbe.front import documents as doc
from spbe.front.templatetags.spbe import duration
from spbe.monitoring.choices import ServiceState

LETTERS = "ABCDEFG"  # the sections of BAB II, in Chapter order
ESCALATION_PARTIES = {  # E-3
    "1": gettext_lazy("Administrator Layanan dibantu Administrator Infrastruktur dan Aplikasi"),
    "2": gettext_lazy("PJ Penyedia Layanan dibantu PJ Pengelola Infrastruktur dan Aplikasi"),
    "3": gettext_lazy("Pimpinan PD Penyedia Layanan"),
}


@dataclass
class Context:
    """What every section reads: the report, its figures and its people."""

    report: EvaluationReport
    figures: dict
    zone: ZoneInfo
    target_percent: int
    today: date

    def service(self, pk) -> str:
        entry = self.figures["services"].get(str(pk))
        return entry["name"] if entry else f"#{pk}"

    def when(self, iso: str | None) -> str:
        if not iso:
            return "–"
        local = datetime.fromisoformat(iso).astimezone(self.zone)
        return f"{date_format(local, 'j M Y H.i')} {local.tzname()}"


# --- formatting -------------------------------------------------------------------------------


def _number(value) -> str:
    if value is None:
        return "–"
    rounded = round(float(value), 3)  # availability has three decimals, rounded down
    return number_format(int(rounded) if rounded.is_integer() else rounded)


def percent(value) -> str:
    return "–" if value is None else f"{_number(value)}%"


def _ratio(met: int, breached: int) -> str:
    """Met of measured as "8 dari 10 (80%)", or "–" when nothing was measured."""
    measured = met + breached
    if not measured:
        return "–"
    return _("%(met)s dari %(n)s (%(percent)s)") % {
        "met": met,
        "n": measured,
        "percent": percent(round(100 * met / measured, 1)),
    }


def verdict(met: bool | None) -> str:
    return {True: _("Memenuhi"), False: _("Tidak memenuhi"), None: _("Belum terukur")}[met]


def state_of(met: bool | None) -> str:
    return {True: "met", False: "missed", None: "neutral"}[met]


def day(value: date | str | None) -> str:
    if not value:
        return "–"
    return date_format(date.fromisoformat(value) if isinstance(value, str) else value, "j F Y")


def short_day(value: date) -> str:
    return date_format(value, "j M Y")


def minutes(value: int | None) -> str:
    return duration(None if value is None else timedelta(minutes=value))


def rupiah(value: int | None) -> str:
    """Rp 150.000.000 (Indonesian thousands separator, whatever the UI language)."""
    if value is None:
        return "–"
    return "Rp " + f"{int(value):,}".replace(",", ".")


def _priority(value: int | None) -> str:
    return f"P{value}" if value else _("Tanpa prioritas")


def _label(choices, value: str) -> str:
    """The label of a stored choice; the value itself if the choice is gone since the figures froze."""
    return str(choices(value).label) if value in choices.values else value


def _months(report: EvaluationReport) -> list[str]:
    """Every month of the period as "YYYY-MM": a month without ratings is a gap in the line."""
    months, year, month = [], report.period_start.year, report.period_start.month
    while (year, month) <= (report.period_end.year, report.period_end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _month(value: str) -> str:
    return date_format(date.fromisoformat(f"{value}-01"), "M Y")


def _services_met(section: dict) -> tuple[str, str]:
    """The first line of every recap (E-2: how many services met their target)."""
    return (
        _("Layanan yang memenuhi target"),
        _("%(met)s dari %(n)s layanan terukur")
        % {"met": section.get("services_met", 0), "n": section.get("services_measured", 0)},
    )


def _recap(rows: list[tuple[str, str]]) -> doc.Table:
    return doc.Table([_("Uraian"), _("Capaian")], [[label, value] for label, value in rows], widths=[3, 2])


def _chart(png: bytes, caption: str) -> doc.Figure:
    return doc.Figure(png, caption=caption)


def _per_service(ctx: Context, rows: list[dict], counted: str) -> list[doc.Block]:
    """The per-service verdicts of the request and complaint chapters, with their chart."""
    if not rows:
        return [doc.Paragraph(_("Belum ada %(what)s dalam periode.") % {"what": counted})]
    table = doc.Table(
        [_("Layanan"), _("Jumlah"), _("Tenggat terpenuhi"), _("Tenggat terlewat"), _("Capaian"), _("Keterangan")],
        [
            [
                ctx.service(r["service"]),
                str(r["tickets"]),
                str(r["met_clocks"]),
                str(r["breached_clocks"]),
                percent(r["percent"]),
                verdict(r["met"]),
            ]
            for r in rows
        ],
        widths=[3.2, 1.3, 1.6, 1.6, 1.4, 1.9],
    )
    bars = [charts.Bar(ctx.service(r["service"]), r["percent"], state_of(r["met"])) for r in rows]
    title = _("Tenggat terpenuhi per layanan (%(what)s)") % {"what": counted}
    png = charts.bar_png(bars, title=title, target=ctx.target_percent)
    caption = _("Garis putus-putus: batas memenuhi target, %(n)s%% tenggat terpenuhi.") % {"n": ctx.target_percent}
    return [table, _chart(png, caption)]


def _breached(ctx: Context, rows: list[dict], count_label: str) -> list[doc.Block]:
    if not rows:
        return []
    return [
        doc.Paragraph(
            _("%(what)s yang melewati target (paling banyak 20 terbaru):") % {"what": count_label.capitalize()}
        ),
        doc.Table(
            [_("Nomor"), _("Perihal"), _("Layanan"), _("Prioritas"), _("Penyebab"), _("Dilaporkan")],
            [
                [
                    r["number"],
                    r["subject"],
                    r["service"] or "–",
                    _priority(r["priority"]),
                    r["cause"] or "–",
                    ctx.when(r["reported_at"]),
                ]
                for r in rows
            ],
            widths=[2.2, 2.2, 1.6, 1.5, 1.7, 1.8],
        ),
    ]


# --- BAB II: one section per chapter ----------------------------------------------------------------


def _requests(ctx: Context) -> list[doc.Block]:
    f = ctx.figures["requests"]
    blocks: list[doc.Block] = [
        _recap(
            [
                _services_met(f),
                (_("Permintaan layanan masuk"), str(f["total"])),
                (_("Permintaan selesai"), str(f["done"])),
                (_("Dikonfirmasi pemohon"), str(f["confirmed"])),
                (_("Dipenuhi dalam target pelayanan pengguna (P-1)"), _ratio(f["p1_met"], f["p1_breached"])),
            ]
        ),
        *_per_service(ctx, f["per_service"], _("permintaan")),
        *_breached(ctx, f["breached"], _("permintaan")),
    ]
    satisfaction = ctx.figures["satisfaction"]
    blocks.append(
        doc.Paragraph(
            _("Kepuasan pengguna (seluruh permintaan dan aduan): rata-rata %(avg)s dari 5, dari %(n)s penilaian.")
            % {"avg": _number(satisfaction["average"]), "n": satisfaction["count"]}
        )
    )
    if satisfaction["by_month"]:
        averages = {m["month"]: m["average"] for m in satisfaction["by_month"]}
        points = [(_month(month), averages.get(month)) for month in _months(ctx.report)]
        png = charts.line_png(points, title=_("Rata-rata kepuasan pengguna per bulan (skala 1–5)"), y_min=0, y_max=5)
        blocks.append(_chart(png, _("Rata-rata penilaian pengguna atas permintaan dan aduan yang selesai.")))
    return blocks


def _knowledge_rows(knowledge: dict | None) -> list[tuple[str, str]]:
    """The knowledge base's deflections (issue 15), when the figures have them."""
    if not knowledge:
        return []
    helpful = knowledge["helpful"]
    return [
        (_("Laporan tercegah oleh artikel bantuan"), str(knowledge["deflections"])),
        (_("Artikel dinilai membantu"), _ratio(helpful, knowledge["votes"] - helpful)),
    ]


def _disruptions(ctx: Context) -> list[doc.Block]:
    f = ctx.figures["disruptions"]
    blocks: list[doc.Block] = [
        _recap(
            [
                _services_met(f),
                (_("Aduan masuk"), str(f["total"])),
                (_("Aduan selesai"), str(f["done"])),
                (_("Direspons dalam target waktu tanggap (P-3)"), _ratio(f["response_met"], f["response_breached"])),
                (_("Diselesaikan dalam target pelayanan pengguna (P-1)"), _ratio(f["p1_met"], f["p1_breached"])),
                (_("Sesuai komitmen dokumen SLA (E-3)"), _ratio(f["sla_met"], f["sla_breached"])),
                *_knowledge_rows(f.get("knowledge")),
            ]
        ),
        doc.Paragraph(_("Aduan per prioritas:")),
        doc.Table(
            [
                _("Prioritas"),
                _("Aduan"),
                _("Selesai"),
                _("Respons tepat waktu (P-3)"),
                _("Selesai dalam target (P-1)"),
                _("Sesuai SLA (E-3)"),
            ],
            [
                [
                    _priority(p["priority"]),
                    str(p["total"]),
                    str(p["done"]),
                    _ratio(p["response_met"], p["response_breached"]),
                    _ratio(p["p1_met"], p["p1_breached"]),
                    _ratio(p["sla_met"], p["sla_breached"]),
                ]
                for p in f["by_priority"]
            ]
            or [[_("Belum ada aduan"), "0", "0", "–", "–", "–"]],
            widths=[1.5, 1.2, 1.3, 2.2, 2.2, 2],
        ),
    ]
    if f["by_priority"]:
        bars = []
        for p in f["by_priority"]:
            measured = p["p1_met"] + p["p1_breached"]
            share = round(100 * p["p1_met"] / measured, 1) if measured else None
            met = None if share is None else share >= ctx.target_percent
            label = _("%(p)s (%(n)s aduan)") % {"p": _priority(p["priority"]), "n": p["total"]}
            bars.append(charts.Bar(label, share, state_of(met)))
        png = charts.bar_png(
            bars, title=_("Aduan diselesaikan dalam target (P-1) per prioritas"), target=ctx.target_percent
        )
        blocks.append(_chart(png, _("Hijau: memenuhi batas; merah: di bawah batas; abu-abu: belum terukur.")))
    escalations = f["escalations"]
    blocks += [
        doc.Paragraph(_("Eskalasi aduan (E-3):")),
        doc.Table(
            [_("Tingkat"), _("Ditangani oleh"), _("Aduan")],
            [
                [_("Tingkat %(n)s") % {"n": level}, str(ESCALATION_PARTIES[level]), str(escalations[level])]
                for level in ("1", "2", "3")
            ],
            widths=[1.2, 5, 1],
        ),
        doc.Paragraph(_("Capaian per layanan:")),
        *_per_service(ctx, f["per_service"], _("aduan")),
        *_breached(ctx, f["breached"], _("aduan")),
    ]
    if f["problems"]:
        blocks += [
            doc.Paragraph(_("Gangguan berulang (reviu masalah, O-3):")),
            doc.Table(
                [_("Masalah"), _("Akar masalah"), _("Aduan dalam periode")],
                [[p["title"], p["root_cause"] or "–", str(p["complaints"])] for p in f["problems"]],
                widths=[3, 4, 1.4],
            ),
        ]
    return blocks


def _monitoring(ctx: Context) -> list[doc.Block]:
    f = ctx.figures["monitoring"]
    important = f["important_services"]
    blocks: list[doc.Block] = [
        _recap(
            [
                _services_met(f),
                (_("Layanan tanpa data pemantauan"), str(f["services_without_data"])),
                (
                    _("Layanan kritis/esensial yang dipantau"),
                    _("%(n)s dari %(total)s (%(percent)s)")
                    % {
                        "n": important - len(f["unwatched"]),
                        "total": important,
                        "percent": percent(f["coverage_percent"]),
                    },
                ),
                (_("Gangguan layanan tercatat pemantauan"), str(f["outages"]["count"])),
            ]
        ),
    ]
    rows = f["per_service"]
    if rows:
        blocks.append(
            doc.Table(
                [_("Layanan"), _("Target"), _("Tercapai"), _("Waktu henti"), _("Pemeliharaan"), _("Keterangan")],
                [
                    [
                        ctx.service(r["service"]),
                        percent(r["target"]),
                        percent(r["percent"]),
                        minutes(r["downtime_minutes"]),
                        minutes(r["maintenance_minutes"]),
                        verdict(r["met"]) + ("" if r["monitored"] else _(" · tidak dipantau")),
                    ]
                    for r in rows
                ],
                widths=[2.8, 1.3, 1.5, 1.6, 2.0, 1.9],
            )
        )
        bars = [charts.Bar(ctx.service(r["service"]), r["percent"], state_of(r["met"])) for r in rows]
        png = charts.bar_png(bars, title=_("Ketersediaan layanan dibanding targetnya"), max_value=100)
        blocks.append(
            _chart(png, _("Ketersediaan tercapai, waktu pemeliharaan tidak dihitung; target tiap layanan di tabel."))
        )
    if f["unwatched"]:
        names = ", ".join(ctx.service(pk) for pk in f["unwatched"])
        blocks.append(doc.Paragraph(_("Layanan kritis/esensial yang belum dipantau: %(names)s.") % {"names": names}))
    if f["outages"]["longest"]:
        blocks += [
            doc.Paragraph(_("Gangguan terlama dalam periode:")),
            doc.Table(
                [_("Layanan"), _("Keadaan"), _("Mulai"), _("Selesai"), _("Durasi"), _("Penyebab")],
                [
                    [
                        o["service"],
                        _label(ServiceState, o["state"]),
                        ctx.when(o["started_at"]),
                        ctx.when(o["ended_at"]) if o["ended_at"] else _("berlangsung"),
                        minutes(o["minutes"]),
                        o["cause"] or "–",
                    ]
                    for o in f["outages"]["longest"]
                ],
                widths=[2, 1.5, 1.6, 1.6, 1.4, 2.2],
            ),
        ]
    if f["over_threshold"]:
        blocks += [
            doc.Paragraph(_("Komponen yang melewati ambang pemanfaatan (O-4):")),
            doc.Table(
                [_("Komponen"), _("Jam melewati ambang")],
                [[c["component"], str(c["hours"])] for c in f["over_threshold"]],
                widths=[4, 1.5],
            ),
        ]
    return blocks


def _recovery(ctx: Context) -> list[doc.Block]:
    f = ctx.figures["recovery"]
    without = ", ".join(ctx.service(pk) for pk in f["kritis_without_drp"]) or _("tidak ada")
    blocks: list[doc.Block] = [
        _recap(
            [
                _services_met(f),
                (_("Aktivasi DRP"), str(f["activations"])),
                (_("Uji coba DRP"), str(f["drills"])),
                (_("RTO tercapai"), _ratio(f["rto_met"], f["rto_missed"])),
                (_("RPO tercapai"), _ratio(f["rpo_met"], f["rpo_missed"])),
                (_("Layanan kritis aktif"), str(f["kritis_services"])),
                (_("Layanan kritis tanpa DRP berlaku"), without),
                (
                    _("DRP yang lewat jadwal reviu"),
                    ", ".join(p["title"] for p in f["review_overdue"]) or _("tidak ada"),
                ),
            ]
        ),
    ]
    if f["items"]:
        blocks.append(
            doc.Table(
                [
                    _("Jenis"),
                    _("Kejadian dan DRP"),
                    _("Dibuka"),
                    _("RTO target / tercapai"),
                    _("RPO target / tercapai"),
                    _("Keterangan"),
                ],
                [
                    [
                        _label(RecoveryKind, r["kind"]),
                        f"{r['title']}\n{r['drp']}",
                        ctx.when(r["opened_at"]),
                        f"{minutes(r['rto_target_minutes'])} / {minutes(r['rto_minutes'])}",
                        f"{minutes(r['rpo_target_minutes'])} / {minutes(r['rpo_minutes'])}",
                        verdict(None if r["rto_met"] is None else bool(r["rto_met"] and r["rpo_met"] is not False)),
                    ]
                    for r in f["items"]
                ],
                widths=[1.3, 2.6, 1.6, 1.6, 1.6, 1.8],
            )
        )
    else:
        blocks.append(doc.Paragraph(_("Tidak ada aktivasi atau uji coba DRP dalam periode.")))
    return blocks


def _release(ctx: Context) -> list[doc.Block]:
    f = ctx.figures["release"]
    changes = f["changes"]
    blocks: list[doc.Block] = [
        _recap(
            [
                _services_met(f),
                (_("Rilis disetujui dengan jendela dalam periode"), str(f["total"])),
                (_("Berhasil"), str(f["succeeded"])),
                (_("Gagal, dikembalikan (rollback)"), str(f["rolled_back"])),
                (_("Gagal, belum dikembalikan"), str(f["failed"])),
                (_("Belum selesai"), str(f["in_progress"])),
                (_("Rencana perubahan layanan jatuh tempo (P-9)"), str(changes["total"])),
                (_("Perubahan selesai sesuai rencana"), str(changes["as_planned"])),
                (_("Perubahan terlambat"), str(changes["late"])),
            ]
        ),
    ]
    if f["total"]:
        bars = [
            charts.Bar(_("Berhasil"), f["succeeded"], "met"),
            charts.Bar(_("Dikembalikan"), f["rolled_back"], "missed"),
            charts.Bar(_("Gagal"), f["failed"], "missed"),
            charts.Bar(_("Belum selesai"), f["in_progress"], "neutral"),
        ]
        png = charts.bar_png(bars, title=_("Hasil rilis dalam periode"), unit=_("rilis"))
        blocks.append(_chart(png, _("Jumlah rilis menurut hasilnya.")))
        blocks.append(
            doc.Table(
                [_("Rilis"), _("Versi"), _("Jendela mulai"), _("Hasil")],
                [
                    [r["title"], r["version"] or "–", ctx.when(r["window_start"]), _label(ReleaseStage, r["stage"])]
                    for r in f["items"]
                ],
                widths=[3.5, 1.2, 2, 2],
            )
        )
    if changes["items"]:
        states = {"as_planned": _("Sesuai rencana"), "late": _("Terlambat"), "pending": _("Belum selesai")}
        blocks.append(
            doc.Table(
                [_("Rencana perubahan"), _("Jenis"), _("Rencana selesai"), _("Keterangan")],
                [
                    [p["title"], _label(ChangeKind, p["kind"]), ctx.when(p["planned_end"]), states[p["state"]]]
                    for p in changes["items"]
                ],
                widths=[3.5, 2, 2, 1.5],
            )
        )
    return blocks


def _planning(ctx: Context) -> list[doc.Block]:
    f = ctx.figures["planning"]
    without = ", ".join(ctx.service(pk) for pk in f["without_targets"]) or _("tidak ada")
    return [
        _recap(
            [
                _services_met(f),
                (_("Layanan aktif"), str(f["services_active"])),
                (
                    _("Layanan dengan target disetujui (P-1, P-4, P-5)"),
                    f"{f['services_with_targets']} ({percent(f['coverage_percent'])})",
                ),
                (_("Layanan belum punya target disetujui"), without),
                (_("Daftar kebutuhan layanan disetujui (P-6)"), str(f["needs_inventories"])),
                (_("Target pengoperasian disetujui (P-8)"), str(f["operating_targets"])),
                (_("Aplikasi"), str(f["applications"])),
                (_("Aplikasi dengan target pengelolaan (P-10)"), str(f["applications_with_p10"])),
                (_("Aplikasi tanpa target pengelolaan"), str(f["applications_without_p10"])),
                (
                    _("Proyek pengembangan aplikasi (O-7)"),
                    _("%(n)s, %(approved)s disetujui") % {"n": f["projects"], "approved": f["projects_approved"]},
                ),
            ]
        )
    ]


def _sla_document(ctx: Context, d: dict) -> list[doc.Block]:
    response, out = d["response"], d["out_of_hours"]
    rows = [
        [
            _("Respons dalam jam kerja"),
            _("%(h)s jam") % {"h": _number(response["target_hours"])},
            str(response["met"]),
            str(response["breached"]),
            _ratio(response["met"], response["breached"]),
        ],
        [
            _("Respons di luar jam kerja"),
            _("hari kerja berikutnya"),
            str(out["met"]),
            str(out["breached"]),
            _ratio(out["met"], out["breached"]),
        ],
    ]
    rows += [
        [
            _("Penyelesaian urgensi %(n)s") % {"n": r["urgency"]},
            _("%(h)s jam") % {"h": _number(r["target_hours"])},
            str(r["met"]),
            str(r["breached"]),
            _ratio(r["met"], r["breached"]),
        ]
        for r in d["resolution"]
    ]
    on_site = _("%(h)s jam") % {"h": _number(d["on_site_hours"])} if d["on_site_hours"] is not None else "–"
    rows.append([_("Dukungan di lokasi, urgensi 1"), on_site, "–", "–", _("tidak diukur")])
    blocks: list[doc.Block] = [
        doc.KeyValues(
            [
                (_("Dokumen SLA"), d["title"]),
                (_("Perangkat Daerah"), d["pd"]),
                (_("Pihak pemeliharaan / vendor"), d["vendor"] or "–"),
                (_("Nomor kontrak"), d["contract_number"] or "–"),
                (_("Nilai kontrak / anggaran"), rupiah(d["contract_value"])),
                (_("Masa berlaku"), f"{day(d['valid_from'])} – {day(d['valid_to'])}"),
                (_("Tiket dalam periode"), str(d["tickets"])),
                (_("Komitmen terpenuhi"), percent(d["kept_percent"])),
            ]
        ),
        doc.Table(
            [_("Komitmen"), _("Target"), _("Terpenuhi"), _("Dilanggar"), _("Capaian")],
            rows,
            widths=[2.6, 1.8, 1.5, 1.5, 1.8],
        ),
    ]
    if d["breaches"]:
        kinds = {"sla_response": _("Respons"), "sla_resolution": _("Penyelesaian")}
        blocks.append(
            doc.Table(
                [_("Nomor"), _("Perihal"), _("Urgensi"), _("Komitmen"), _("Batas waktu")],
                [
                    [
                        b["number"],
                        b["subject"],
                        str(b["urgency"] or "–"),
                        kinds.get(b["commitment"], b["commitment"]),
                        ctx.when(b["due_at"]),
                    ]
                    for b in d["breaches"]
                ],
                widths=[2.2, 2.8, 1.3, 1.6, 1.9],
            )
        )
    return blocks


def _sla(ctx: Context) -> list[doc.Block]:
    documents = ctx.figures["sla"]["documents"]
    if not documents:
        return [doc.Paragraph(_("Tidak ada dokumen SLA yang berlaku dalam periode."))]
    return [block for d in documents for block in _sla_document(ctx, d)]


SECTIONS = {
    Chapter.REQUESTS: _requests,
    Chapter.DISRUPTIONS: _disruptions,
    Chapter.MONITORING: _monitoring,
    Chapter.RECOVERY: _recovery,
    Chapter.RELEASE: _release,
    Chapter.PLANNING: _planning,
    Chapter.SLA: _sla,
}
