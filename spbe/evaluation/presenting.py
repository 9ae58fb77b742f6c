"""The figures of a report (spbe.evaluation.figures) as the report page
shows them: per chapter its recap tables, a chart, and the facts that
prefill the analysis of obstacles (E-2 point 6). Links go to the records
behind each figure."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from spbe.evaluation.charts import Bar, bar_svg
from spbe.evaluation.choices import Chapter
from spbe.evaluation.export_chapters import minutes, percent, rupiah, state_of, verdict

LETTERS = dict(zip(Chapter.values, "abcdefg", strict=True))


def _ticket(number: str, pk: int) -> dict:
    return {"text": number, "url": reverse("desk:detail", args=[pk])}


def _service_name(figures: dict, service_id) -> str:
    service = figures["services"].get(str(service_id))
    return service["name"] if service else f"#{service_id}"


def chapters_of(report, figures: dict) -> list[dict]:
    """Every chapter of the report, in the Pedoman's order."""
    builders = {
        Chapter.REQUESTS: _requests,
        Chapter.DISRUPTIONS: _disruptions,
        Chapter.MONITORING: _monitoring,
        Chapter.RECOVERY: _recovery,
        Chapter.RELEASE: _release,
        Chapter.PLANNING: _planning,
        Chapter.SLA: _sla,
    }
    chapters = []
    for chapter in Chapter:
        body = builders[chapter](figures)
        chapters.append({"key": chapter.value, "label": chapter.label, "letter": LETTERS[chapter.value], **body})
    return chapters


def _summary(block: dict) -> dict:
    return {"met": block.get("services_met", 0), "measured": block.get("services_measured", 0)}


def _service_rows(figures: dict, verdicts: list[dict]) -> list[list]:
    return [
        [_service_name(figures, v["service"]), v["tickets"], percent(v["percent"]), verdict(v["met"])] for v in verdicts
    ]


def _requests(figures: dict) -> dict:
    block, rating = figures["requests"], figures["satisfaction"]
    facts = [_("%(n)s permintaan melewati target P-1.") % {"n": block["p1_breached"]}] if block["p1_breached"] else []
    facts += [f"{t['number']} — {t['service']}: {t['cause'] or _('penyebab belum dicatat')}" for t in block["breached"]]
    return {
        "summary": _summary(block),
        "tables": [
            {
                "caption": _("Rekap permintaan layanan (O-1, P-1)"),
                "headers": [_("Ukuran"), _("Nilai")],
                "rows": [
                    [_("Permintaan masuk"), block["total"]],
                    [_("Terpenuhi"), block["done"]],
                    [_("Dikonfirmasi pemohon"), block["confirmed"]],
                    [_("Dalam target pelayanan pengguna (P-1)"), percent(block["p1_percent"])],
                    [_("Kepuasan rata-rata (1–5)"), rating["average"] if rating["average"] is not None else "–"],
                    [_("Penilaian kepuasan"), rating["count"]],
                ],
            },
            {
                "caption": _("Per layanan"),
                "headers": [_("Layanan"), _("Tiket"), _("Tepat waktu"), _("Target")],
                "rows": _service_rows(figures, block["per_service"]),
            },
        ],
        "breached": [{**t, "link": _ticket(t["number"], t["id"])} for t in block["breached"]],
        "facts": facts,
    }


def _disruptions(figures: dict) -> dict:
    block = figures["disruptions"]
    rows = []
    for line in block["by_priority"]:
        response = line["response_met"] + line["response_breached"]
        solved = line["p1_met"] + line["p1_breached"]
        rows.append(
            [
                f"P{line['priority']}" if line["priority"] else _("belum"),
                line["total"],
                percent(100 * line["response_met"] / response if response else None),
                percent(100 * line["p1_met"] / solved if solved else None),
                f"{line['sla_met']} / {line['sla_met'] + line['sla_breached']}",
            ]
        )
    escalations = block["escalations"]
    facts = [
        f"{t['number']} (P{t['priority']}) — {t['service']}: {t['cause'] or _('penyebab belum dicatat')}"
        for t in block["breached"]
    ]
    facts += [
        _("Masalah berulang: %(title)s (%(n)s aduan)") % {"title": p["title"], "n": p["complaints"]}
        for p in block["problems"]
    ]
    bars = [
        Bar(
            f"P{line['priority']}" if line["priority"] else "–",
            100 * line["response_met"] / (line["response_met"] + line["response_breached"])
            if line["response_met"] + line["response_breached"]
            else None,
        )
        for line in block["by_priority"]
    ]
    return {
        "summary": _summary(block),
        "tables": [
            {
                "caption": _("Aduan per prioritas: tanggapan (P-3), penyelesaian (P-1), SLA (E-3)"),
                "headers": [
                    _("Prioritas"),
                    _("Aduan"),
                    _("Tanggapan tepat waktu"),
                    _("Selesai dalam target"),
                    _("SLA terpenuhi"),
                ],
                "rows": rows,
            },
            *_knowledge_table(block),
            {
                "caption": _("Eskalasi per tingkat (E-3)"),
                "headers": [_("Tingkat"), _("Aduan")],
                "rows": [
                    [_("Tingkat 1 — Administrator Layanan dibantu Administrator Infrastruktur"), escalations["1"]],
                    [_("Tingkat 2 — PJ Penyedia Layanan dibantu PJ Infrastruktur"), escalations["2"]],
                    [_("Tingkat 3 — Pimpinan PD"), escalations["3"]],
                ],
            },
            {
                "caption": _("Per layanan"),
                "headers": [_("Layanan"), _("Aduan"), _("Tepat waktu"), _("Target")],
                "rows": _service_rows(figures, block["per_service"]),
            },
        ],
        "chart": bar_svg(bars, title=_("Tanggapan tepat waktu per prioritas"), unit="%", max_value=100) if bars else "",
        "breached": [{**t, "link": _ticket(t["number"], t["id"])} for t in block["breached"]],
        "facts": facts,
    }


def _knowledge_table(block: dict) -> list[dict]:
    """Reports the knowledge base made unnecessary (issue 15); absent from
    reports approved before it existed."""
    knowledge = block.get("knowledge")
    if not knowledge:
        return []
    helpful = percent(knowledge["helpful_percent"])
    return [
        {
            "caption": _("Basis pengetahuan (O-2)"),
            "headers": [_("Ukuran"), _("Nilai")],
            "rows": [
                [_("Laporan tercegah: warga terbantu artikel, tanpa tiket"), knowledge["deflections"]],
                [_("Penilaian artikel membantu"), f"{knowledge['helpful']} / {knowledge['votes']} ({helpful})"],
            ],
        }
    ]


def _monitoring(figures: dict) -> dict:
    block = figures["monitoring"]
    rows, bars = [], []
    for line in block["per_service"]:
        name = _service_name(figures, line["service"])
        rows.append(
            [
                name,
                percent(line["target"]),
                percent(line["percent"]),
                verdict(line["met"]),
                line["downtime_minutes"],
                line["maintenance_minutes"],
            ]
        )
        bars.append(
            Bar(name, line["percent"], state_of(line["met"]), reverse("catalog:service_detail", args=[line["service"]]))
        )
    facts = [
        _("%(service)s tidak tersedia %(minutes)s menit sejak %(start)s: %(cause)s")
        % {
            "service": o["service"],
            "minutes": o["minutes"],
            "start": o["started_at"][:16].replace("T", " "),
            "cause": o["cause"] or _("penyebab belum dicatat"),
        }
        for o in block["outages"]["longest"]
    ]
    facts += [
        _("Komponen %(name)s melewati ambang utilisasi selama %(hours)s jam.")
        % {"name": c["component"], "hours": c["hours"]}
        for c in block["over_threshold"]
    ]
    facts += [
        _("Layanan kritis/esensial tanpa pemantauan: %(name)s.") % {"name": _service_name(figures, pk)}
        for pk in block["unwatched"]
    ]
    return {
        "summary": _summary(block),
        "tables": [
            {
                "caption": _("Ketersediaan per layanan (O-4), di luar jendela pemeliharaan"),
                "headers": [
                    _("Layanan"),
                    _("Target"),
                    _("Tercapai"),
                    _("Keterangan"),
                    _("Tidak tersedia (menit)"),
                    _("Pemeliharaan (menit)"),
                ],
                "rows": rows,
            }
        ],
        "chart": bar_svg(bars, title=_("Ketersediaan tercapai per layanan"), unit="%", max_value=100) if bars else "",
        "facts": facts,
    }


def _recovery(figures: dict) -> dict:
    block = figures["recovery"]
    rows = [
        [
            r["title"],
            _("Uji coba") if r["kind"] == "drill" else _("Aktivasi"),
            f"{minutes(r['rto_minutes'])} / {minutes(r['rto_target_minutes'])}",
            f"{minutes(r['rpo_minutes'])} / {minutes(r['rpo_target_minutes'])}",
            verdict(None if r["rto_met"] is None else bool(r["rto_met"] and r["rpo_met"] is not False)),
        ]
        for r in block["items"]
    ]
    facts = [
        _("Layanan kritis tanpa DRP berlaku: %(name)s.") % {"name": _service_name(figures, pk)}
        for pk in block["kritis_without_drp"]
    ]
    facts += [_("DRP lewat tanggal reviu: %(title)s.") % {"title": p["title"]} for p in block["review_overdue"]]
    facts += [
        _("%(title)s: RTO atau RPO terlampaui.") % {"title": r["title"]}
        for r in block["items"]
        if r["rto_met"] is False or r["rpo_met"] is False
    ]
    return {
        "summary": _summary(block),
        "tables": [
            {
                "caption": _("Rekap pemulihan (O-5)"),
                "headers": [_("Ukuran"), _("Nilai")],
                "rows": [
                    [_("Aktivasi DRP"), block["activations"]],
                    [_("Uji coba DRP"), block["drills"]],
                    [_("RTO tercapai / terlampaui"), f"{block['rto_met']} / {block['rto_missed']}"],
                    [_("RPO tercapai / terlampaui"), f"{block['rpo_met']} / {block['rpo_missed']}"],
                    [
                        _("Layanan kritis tanpa DRP berlaku"),
                        f"{len(block['kritis_without_drp'])} / {block['kritis_services']}",
                    ],
                ],
            },
            {
                "caption": _("Aktivasi dan uji coba: tercapai / target"),
                "headers": [_("Judul"), _("Jenis"), _("RTO"), _("RPO"), _("Target")],
                "rows": rows,
            },
        ],
        "facts": facts,
    }


def _release(figures: dict) -> dict:
    block = figures["release"]
    changes = block["changes"]
    state = {"as_planned": _("sesuai rencana"), "late": _("terlambat"), "pending": _("belum selesai")}
    facts = [
        _("Rilis %(title)s gagal atau dikembalikan.") % {"title": r["title"]}
        for r in block["items"]
        if r["stage"] in ("failed", "rolled_back")
    ]
    facts += [
        _("Perubahan %(title)s %(state)s.") % {"title": p["title"], "state": state[p["state"]]}
        for p in changes["items"]
        if p["state"] != "as_planned"
    ]
    return {
        "summary": _summary(block),
        "tables": [
            {
                "caption": _("Rekap rilis (O-6) dan perubahan (P-9)"),
                "headers": [_("Ukuran"), _("Nilai")],
                "rows": [
                    [_("Rilis dijalankan"), block["total"]],
                    [_("Berhasil"), block["succeeded"]],
                    [_("Dikembalikan (rollback)"), block["rolled_back"]],
                    [_("Gagal, belum dikembalikan"), block["failed"]],
                    [_("Masih berjalan"), block["in_progress"]],
                    [_("Rencana perubahan jatuh tempo"), changes["total"]],
                    [_("Selesai sesuai rencana"), changes["as_planned"]],
                    [_("Terlambat"), changes["late"]],
                ],
            },
        ],
        "facts": facts,
    }


def _planning(figures: dict) -> dict:
    block = figures["planning"]
    facts = [
        _("Layanan tanpa target yang disetujui: %(name)s.") % {"name": _service_name(figures, pk)}
        for pk in block["without_targets"]
    ]
    if block["applications_without_p10"]:
        facts.append(
            _("%(n)s aplikasi belum punya target pengelolaan aplikasi (P-10).")
            % {"n": block["applications_without_p10"]}
        )
    return {
        "summary": _summary(block),
        "tables": [
            {
                "caption": _("Perencanaan (P-1 … P-11) dan pengelolaan aplikasi (O-7)"),
                "headers": [_("Ukuran"), _("Nilai")],
                "rows": [
                    [_("Layanan aktif"), block["services_active"]],
                    [
                        _("Dengan target yang disetujui"),
                        f"{block['services_with_targets']} ({percent(block['coverage_percent'])})",
                    ],
                    [_("Daftar kebutuhan layanan disetujui (P-6)"), block["needs_inventories"]],
                    [_("Target pengoperasian disetujui (P-8)"), block["operating_targets"]],
                    [_("Aplikasi"), block["applications"]],
                    [_("Dengan target pengelolaan aplikasi (P-10)"), block["applications_with_p10"]],
                    [
                        _("Proyek pengembangan aplikasi (O-7)"),
                        f"{block['projects']} ({block['projects_approved']} disetujui)",
                    ],
                ],
            }
        ],
        "facts": facts,
    }


def _sla(figures: dict) -> dict:
    documents = figures["sla"]["documents"]
    tables, facts = [], []
    for doc in documents:
        response, out = doc["response"], doc["out_of_hours"]
        rows = [
            [
                _("Respon dalam jam kerja"),
                f"≤ {doc['response']['target_hours']} jam",
                f"{response['met']} / {response['met'] + response['breached']}",
            ],
            [
                _("Respon di luar jam kerja"),
                _("hari kerja berikutnya"),
                f"{out['met']} / {out['met'] + out['breached']}",
            ],
            *[
                [
                    _("Penyelesaian urgensi %(n)s") % {"n": r["urgency"]},
                    f"≤ {r['target_hours']} jam",
                    f"{r['met']} / {r['met'] + r['breached']}",
                ]
                for r in doc["resolution"]
            ],
            [
                _("Pendampingan di lokasi (urgensi 1)"),
                f"≤ {doc['on_site_hours']} jam" if doc["on_site_hours"] else "–",
                _("tidak diukur: kunjungan lokasi tidak dicatat"),
            ],
        ]
        caption = _("%(title)s — %(vendor)s, nilai kontrak %(value)s, komitmen terpenuhi %(kept)s") % {
            "title": doc["title"],
            "vendor": doc["vendor"] or doc["pd"],
            "value": rupiah(doc["contract_value"]),
            "kept": percent(doc["kept_percent"]),
        }
        tables.append(
            {"caption": caption, "headers": [_("Komitmen"), _("Target"), _("Terpenuhi / terukur")], "rows": rows}
        )
        facts += [
            _("%(doc)s: %(number)s melewati komitmen %(what)s.")
            % {
                "doc": doc["title"],
                "number": b["number"],
                "what": _("respon") if b["commitment"] == "sla_response" else pgettext("komitmen SLA", "penyelesaian"),
            }
            for b in doc["breaches"]
        ]
    measured = [d for d in documents if d["kept_percent"] is not None]
    return {
        "summary": {
            "met": sum(1 for d in measured if d["kept_percent"] >= 100),
            "measured": len(measured),
            "unit": "sla",
        },
        "tables": tables,
        "facts": facts,
    }


def facts_text(chapter: dict) -> str:
    """The facts as the first draft of the analysis of obstacles."""
    return "\n".join(f"- {fact}" for fact in chapter["facts"])
