"""The catalog printed as PDF (landscape A4)."""

import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from spbe.catalog.models import Service
from spbe.org.models import Pemda

# --- PDF -----------------------------------------------------------------------------------

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
PDF_LIMIT = 5000
PAD = 3  # points of padding left and right in a table cell


def _pdf_fonts() -> tuple[str, str]:
    """DejaVu Sans where the system has it, else the built-in Helvetica
    (Indonesian is Latin script, so both cover it)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    bold = DEJAVU.with_name("DejaVuSans-Bold.ttf")
    if not DEJAVU.exists():
        return "Helvetica", "Helvetica-Bold"
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(DEJAVU)))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold if bold.exists() else DEJAVU)))
        # so that <b> inside a Paragraph finds the bold face
        pdfmetrics.registerFontFamily("DejaVuSans", normal="DejaVuSans", bold="DejaVuSans-Bold")
    return "DejaVuSans", "DejaVuSans-Bold"


def _pdf_row(service: Service) -> list[str]:
    def person(user) -> str:
        return user.full_name if user else "—"

    target = service.user_service_target
    if target is None:
        target_text = "—"
    else:
        target_text = _("%(hours)s jam") % {"hours": f"{target / timedelta(hours=1):g}"}
        if service.user_service_target_override is None:
            target_text += " " + _("(paket Pemda)")
    access_text = service.access + (f"\n{service.url}" if service.url else "")
    current = service.availability_current
    return [
        f"<b>{escape(service.name)}</b>\n{escape(service.code)}",
        escape(service.description),
        escape(service.pd.name),
        escape(person(service.service_admin)),
        escape(person(service.infra_admin)),
        escape(access_text),
        number_format(service.availability_target),
        "—" if current is None else number_format(current),
        escape(service.help_contact),
        escape(service.get_support_hours_display()),
        escape(target_text),
        escape(f"{service.get_group_display()}\n{service.get_classification_display()}"),
    ]


def catalog_pdf(qs: QuerySet[Service], title: str) -> HttpResponse:
    """The catalog's P-4 items as a landscape A4 table, with the Pemda and
    the print date on every page and "Halaman x dari y" at the foot."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    from spbe.front.documents import total_pages_canvas

    font, bold = _pdf_fonts()
    cell = ParagraphStyle("cell", fontName=font, fontSize=7, leading=8.6)
    head = ParagraphStyle("head", parent=cell, fontName=bold, fontSize=6.5, leading=8)
    services = list(qs.select_related("pd__pemda__policy_version", "service_admin", "infra_admin")[:PDF_LIMIT])
    shared: dict[int, Pemda] = {}
    for service in services:  # parse each Pemda's pack once, not once per row
        service.pd.pemda = shared.setdefault(service.pd.pemda_id, service.pd.pemda)
    pemdas = ", ".join(sorted(p.name for p in shared.values())) or "—"
    now = timezone.localtime()
    printed = f"{date_format(now, 'j F Y H:i')} {now.tzname()}"
    running = _("%(pemda)s · dicetak %(date)s") % {"pemda": pemdas, "date": printed}

    headers = [_("Layanan"), _("Deskripsi"), _("Penyedia layanan"), _("Administrator layanan"),
               _("Administrator infrastruktur dan teknis"), _("Cara akses"), _("Target tersedia (%)"),
               _("Tersedia kini (%)"), _("Kontak bantuan"), _("Waktu bantuan"), _("Target pelayanan pengguna"),
               _("Kelompok / klasifikasi")]  # fmt: skip
    weights = [100, 140, 60, 55, 55, 100, 38, 38, 62, 48, 48, 56]

    def para(text: str, style) -> Paragraph:
        return Paragraph(text.replace("\n", "<br/>"), style)

    data = [[para(escape(h), head) for h in headers]]
    data += [[para(text, cell) for text in _pdf_row(s)] for s in services]
    # widths by weight, but each column at least as wide as the longest word of its header (no word cut
    # in two); what that adds is taken from the columns with room to spare
    page_width = landscape(A4)[0] - 2 * 12 * mm - 12  # margins and the frame's padding
    least = [max(stringWidth(w, bold, head.fontSize) for w in str(h).split()) + 2 * PAD + 1 for h in headers]
    widths = [max(low, page_width * w / sum(weights)) for low, w in zip(least, weights, strict=True)]
    excess, room = sum(widths) - page_width, [w - low for w, low in zip(widths, least, strict=True)]
    if excess > 0 and sum(room) > 0:
        widths = [w - excess * r / sum(room) for w, r in zip(widths, room, strict=True)]
    table = LongTable(data, colWidths=widths, repeatRows=1, splitInRow=1)  # a long description may span pages
    table.setStyle(
        TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
            ("LEFTPADDING", (0, 0), (-1, -1), PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde7f3")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f5f7fa")]),
        ])
    )  # fmt: skip
    story = [
        Paragraph(escape(str(title)), ParagraphStyle("title", fontName=bold, fontSize=14, leading=18)),
        Paragraph(escape(running), ParagraphStyle("sub", fontName=font, fontSize=9, leading=12)),
        Spacer(1, 4 * mm),
    ]
    if services:
        story.append(table)
    else:
        story.append(Paragraph(escape(_("Belum ada layanan yang cocok.")), cell))
    if len(services) == PDF_LIMIT:
        story.append(Paragraph(escape(_("Hanya %(count)d layanan pertama yang dicetak.") % {"count": PDF_LIMIT}), cell))

    page_label = _("Halaman %(page)d dari %(total)d")

    def head_and_page(canvas, number: int, total: int) -> None:
        """The running head and "page x of y" on every page."""
        width, height = canvas._pagesize
        canvas.setFont(font, 7)
        canvas.setFillColor(colors.HexColor("#5b6670"))
        if number > 1:  # the first page has the title block
            canvas.drawString(12 * mm, height - 8 * mm, f"{title} · {running}")
        canvas.drawRightString(width - 12 * mm, 7 * mm, page_label % {"page": number, "total": total})

    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
        bottomMargin=12 * mm, title=str(title), author="Layanan SPBE",
    )  # fmt: skip
    document.build(story, canvasmaker=total_pages_canvas(head_and_page))
    response = HttpResponse(buffer.getvalue(), content_type="application/pdf")
    slug = re.sub(r"[^a-z0-9]+", "-", str(title).lower()).strip("-") or "katalog"
    response["Content-Disposition"] = f'attachment; filename="{slug}-{timezone.localtime():%Y%m%d-%H%M}.pdf"'
    return response
