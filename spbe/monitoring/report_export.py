"""The Formulir Pemantauan dan Pemeliharaan (O-4) as PDF (portrait A4,
like the catalog's print) and as Excel."""

from __future__ import annotations

import re
from io import BytesIO
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from spbe.catalog.io.pdf import _pdf_fonts
from spbe.front.listing import xlsx_response
from spbe.monitoring.report import Formulir, minutes_text, percent_text, rate_text, share_text


def _texts(formulir: Formulir) -> tuple[str, str]:
    """Items 5 and 6: what was saved, else the draft made of facts."""
    report = formulir.report
    trend = report.trend if report and report.trend else formulir.prefill_trend()
    improvements = report.improvements if report and report.improvements else formulir.prefill_improvements()
    return trend, improvements


def _status_line(formulir: Formulir) -> str:
    report = formulir.report
    if report is None or not report.trend:
        return _("Belum disimpan: butir 5 dan 6 berisi draf otomatis dari data pemantauan.")
    who = report.prepared_by.full_name if report.prepared_by else "—"
    when = date_format(timezone.localtime(report.last_updated, formulir.zone), "j F Y H:i")
    return _("Disusun oleh %(who)s, terakhir diubah %(when)s %(zone)s.") % {
        "who": who, "when": when, "zone": formulir.zone_name}  # fmt: skip


def _filename(formulir: Formulir) -> str:
    code = re.sub(r"[^a-z0-9]+", "-", formulir.service.code.lower()).strip("-") or "layanan"
    return f"formulir-pemantauan-{code}-{formulir.month:%Y-%m}"


def formulir_xlsx(formulir: Formulir) -> HttpResponse:
    """One sheet: the six items, then the month's outages, the trend and
    the utilisation per component."""
    trend, improvements = _texts(formulir)
    rows: list[list] = [[number, label, text] for number, label, text in formulir.items(trend, improvements)]
    rows.append(["", _("Status formulir"), _status_line(formulir)])
    rows.append([])
    rows.append(["", _("Gangguan bulan ini"), ""])
    if formulir.figure.outages:
        rows += [["", str(index), formulir.outage_line(span)] for index, span in enumerate(formulir.figure.outages, 1)]
    else:
        rows.append(["", "", _("Tidak ada gangguan tercatat.")])
    rows.append([])
    rows.append(["", _("Tren ketersediaan"), ""])
    rows += [["", date_format(month, "F Y"), percent_text(f.percent)] for month, f in formulir.trend]
    rows.append([])
    rows.append(["", _("Utilisasi per komponen"), ""])
    for row in formulir.utilisation.rows:
        rows.append(["", row.name, _utilisation_text(row)])
    if not formulir.utilisation.has_data:
        rows.append(["", "", _("Belum ada data utilisasi.")])
    rows = [[_plain_text(value) for value in row] for row in rows]
    return xlsx_response(_filename(formulir), [_("No."), _("Isian"), _("Nilai")], rows, title=_("Formulir"))


def _plain_text(value):
    """Text that Excel would take for a formula (typed by staff, or from a
    probe's error message) is kept as text."""
    if isinstance(value, str) and value.startswith("="):
        return " " + value
    return value


def _utilisation_text(row) -> str:
    return _("CPU rata-rata %(cpu_avg)s, puncak %(cpu_max)s; RAM rata-rata %(mem_avg)s, puncak %(mem_max)s; "
             "penyimpanan puncak %(disk)s; jaringan masuk %(rx)s, keluar %(tx)s; %(hours)d jam data") % {
        "cpu_avg": share_text(row.cpu_avg), "cpu_max": share_text(row.cpu_max), "mem_avg": share_text(row.memory_avg),
        "mem_max": share_text(row.memory_max), "disk": share_text(row.disk_max), "rx": rate_text(row.net_rx),
        "tx": rate_text(row.net_tx), "hours": row.hours,
    }  # fmt: skip


def formulir_pdf(formulir: Formulir) -> HttpResponse:
    """Portrait A4: the six items as a table, then the outages and the
    trend; the print date and "Halaman x" at the foot of every page."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font, bold = _pdf_fonts()
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=11.5)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10)
    head = ParagraphStyle("head", parent=body, fontName=bold)
    title = _("Formulir Pemantauan dan Pemeliharaan Layanan")
    service = formulir.service

    def para(text: str, style=body) -> Paragraph:
        return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)

    grid = TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (1, -1), colors.HexColor("#f5f7fa")),
    ])  # fmt: skip
    width = A4[0] - 2 * 15 * mm - 12
    trend, improvements = _texts(formulir)
    items = [[para(n, head), para(label, head), para(text)] for n, label, text in formulir.items(trend, improvements)]
    table = Table(items, colWidths=[8 * mm, 42 * mm, width - 50 * mm], splitInRow=1)
    table.setStyle(grid)

    figure = formulir.figure
    facts = [
        [para(_("Target ketersediaan"), head), para(f"{number_format(service.availability_target, 2)} %")],
        [para(_("Ketersediaan dicapai"), head), para(percent_text(figure.percent))],
        [para(_("Tidak tersedia"), head), para(minutes_text(figure.downtime))],
        [para(_("Terganggu sebagian"), head), para(minutes_text(figure.degraded))],
        [para(_("Pemeliharaan terjadwal (tidak dihitung)"), head), para(minutes_text(figure.maintenance))],
    ]
    facts_table = Table(facts, colWidths=[60 * mm, width - 60 * mm])
    facts_table.setStyle(grid)
    trend_rows = [[para(_("Bulan"), head), para(_("Ketersediaan"), head)]]
    trend_rows += [[para(date_format(m, "F Y")), para(percent_text(f.percent))] for m, f in formulir.trend]
    trend_table = Table(trend_rows, colWidths=[60 * mm, width - 60 * mm])
    trend_table.setStyle(grid)

    story = [
        Paragraph(escape(title), ParagraphStyle("title", fontName=bold, fontSize=14, leading=18)),
        para(f"{service.name} — {service.pd.name}, {service.pd.pemda.name}"),
        para(_status_line(formulir), small),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 5 * mm),
        para(_("Ringkasan ketersediaan"), head),
        Spacer(1, 1 * mm),
        facts_table,
        Spacer(1, 5 * mm),
        para(_("Gangguan bulan ini"), head),
        Spacer(1, 1 * mm),
    ]
    if figure.outages:
        story += [para(f"{i}. {formulir.outage_line(span)}", small) for i, span in enumerate(figure.outages, 1)]
    else:
        story.append(para(_("Tidak ada gangguan tercatat."), small))
    story += [Spacer(1, 5 * mm), para(_("Tren ketersediaan"), head), Spacer(1, 1 * mm), trend_table]

    now = timezone.localtime(timezone.now(), formulir.zone)
    printed = _("Dicetak %(date)s %(zone)s") % {"date": date_format(now, "j F Y H:i"), "zone": now.tzname()}

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont(font, 7)
        canvas.setFillColor(colors.HexColor("#5b6670"))
        canvas.drawString(15 * mm, 8 * mm, f"{title} · {service.code} · {date_format(formulir.month, 'F Y')}")
        canvas.drawRightString(A4[0] - 15 * mm, 8 * mm, f"{printed} · " + _("Halaman %(page)d") % {
            "page": document.page})  # fmt: skip
        canvas.restoreState()

    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm,
        title=str(title), author="Layanan SPBE",
    )  # fmt: skip
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    response = HttpResponse(buffer.getvalue(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(formulir)}.pdf"'
    return response
