"""One government document (kop surat, title, blocks, signatures) as DOCX and PDF.

The document is described once as plain data so that both formats carry the same content; used by the
Disaster Recovery Plan export and meant for release plans and evaluation reports too."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from docx import Document as new_docx
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, HRFlowable, Image, KeepTogether, LongTable, SimpleDocTemplate, Spacer
from reportlab.platypus import PageBreak as PdfPageBreak
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus import Table as PdfTable

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MARGIN_MM = 20
WIDTH_MM = 210 - 2 * MARGIN_MM  # A4 portrait, the text column
LOGO_MM = 24  # the logo column; the same empty column on the right keeps the kop text centred on the page
FONT = "Arial"
GRID, SHADE, RULE = "9AA5B1", "DDE7F3", "D0D7DE"
EDGES = ("top", "left", "bottom", "right", "insideH", "insideV")
RULE_COLOR, FOOTER_COLOR = colors.HexColor(f"#{RULE}"), colors.HexColor("#5b6670")
TCPR_AFTER_SHD = ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark")


@dataclass(frozen=True)
class Letterhead:
    """The kop surat: Pemda, Perangkat Daerah, address and optional logo."""

    pemda_name: str
    pd_name: str
    address: str = ""
    logo_path: str | None = None


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1, 2 or 3


@dataclass(frozen=True)
class Paragraph:
    text: str  # newlines are kept as line breaks


@dataclass(frozen=True)
class KeyValues:
    rows: list[tuple[str, str]]


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None  # relative; equal columns when None


@dataclass(frozen=True)
class Signature:
    role: str
    name: str
    nip: str = ""
    place_date: str = ""
    note: str = ""  # a small line under the NIP, e.g. the rank or "ditandatangani secara elektronik"


@dataclass(frozen=True)
class Signatures:
    blocks: list[Signature]  # two per row; a lone one in a row goes to the right, as on a letter


@dataclass(frozen=True)
class Figure:
    """A picture (a chart) as PNG bytes, centred, with an optional caption under it."""

    png: bytes
    width_mm: float = WIDTH_MM - 10
    caption: str = ""


@dataclass(frozen=True)
class PageBreak:
    """What follows starts on a new page (after a report's cover)."""


Block = Heading | Paragraph | KeyValues | Table | Signatures | Figure | PageBreak


@dataclass(frozen=True)
class Document:
    title: str
    letterhead: Letterhead
    blocks: list[Block]
    subtitle: str = ""
    footer: str = ""


def _kop_lines(letterhead: Letterhead) -> list[str]:
    # the kop surat is always in Indonesian (tata naskah dinas), whatever the UI language
    pemda = letterhead.pemda_name.upper()
    return [pemda if pemda.startswith("PEMERINTAH ") else f"PEMERINTAH {pemda}", letterhead.pd_name.upper()]


def _logo(letterhead: Letterhead) -> str | None:
    """The logo's path if it is a readable image; a broken upload must not break the export."""
    path = letterhead.logo_path
    if not path or not Path(path).is_file():
        return None
    try:
        with PILImage.open(path) as image:
            image.verify()
    except (OSError, SyntaxError):  # Pillow raises SyntaxError for some corrupt files
        return None
    return path


def _rows(table: Table) -> list[list[str]]:
    return [list(row) + [""] * (len(table.headers) - len(row)) for row in table.rows]


def _fractions(table: Table) -> list[float]:
    widths = table.widths or [1.0] * len(table.headers)
    return [w / sum(widths) for w in widths]


def _signature_rows(signatures: Signatures) -> list[list[Signature | None]]:
    rows = [list(signatures.blocks[i : i + 2]) for i in range(0, len(signatures.blocks), 2)]
    return [row if len(row) == 2 else [None, *row] for row in rows]


def _signature_lines(sig: Signature) -> list[tuple[str, str]]:
    """(kind, text) lines of one signature block: "line", "gap" (room to sign), "name" or "note"."""
    lines = [("line", sig.place_date), ("line", sig.role), ("gap", ""), ("name", sig.name)]
    return lines + [("line", f"NIP. {sig.nip}")] * bool(sig.nip) + [("note", sig.note)] * bool(sig.note)


# --- DOCX ----------------------------------------------------------------------------------


def _docx_font(style, size: float, bold: bool = False) -> None:
    style.font.name, style.font.size, style.font.bold = FONT, Pt(size), bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    # the template's theme fonts would win over the name: set every script slot and drop them
    fonts = style.element.rPr.rFonts
    for slot in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{slot}"), FONT)
        fonts.attrib.pop(qn("w:cstheme" if slot == "cs" else f"w:{slot}Theme"), None)


# Characters XML 1.0 cannot hold (a vertical tab pasted from Word, say):
# lxml refuses the whole document for one of them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub(" ", text)


def _docx_line(paragraph, text: str, *, size: float | None = None, bold=False, underline=False, center=False):
    """Fills a paragraph with one run of text; tables and the kop want no space after their lines."""
    paragraph.paragraph_format.space_after = Pt(0)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(_xml_safe(text))  # python-docx turns "\n" into a line break
    run.bold, run.underline = bold or None, underline or None
    if size:
        run.font.size = Pt(size)
    return paragraph


def _docx_xml(parent, tag: str, *, before: tuple[str, ...] = (), **attrs: str):
    """A new child element; `before` names the tags it must precede, as the schema orders them."""
    element = OxmlElement(tag)
    for name, value in attrs.items():
        element.set(qn(f"w:{name}"), value)
    parent.insert_element_before(element, *before) if before else parent.append(element)
    return element


def _docx_table(doc, rows: int, widths_mm: list[float], borders: dict[str, str], pad: int = 0):
    table = doc.add_table(rows=rows, cols=len(widths_mm))
    table.autofit = False
    # Word reads the cell widths, LibreOffice the grid: set both
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
    edges = _docx_xml(table._tbl.tblPr, "w:tblBorders", before=("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook"))
    for edge in EDGES:
        color = borders.get(edge)
        _docx_xml(edges, f"w:{edge}", val="single" if color else "nil", sz="4", space="0", color=color or "auto")
    if pad:  # twips above and below the text of each cell
        margins = _docx_xml(table._tbl.tblPr, "w:tblCellMar", before=("w:tblLook",))
        for edge in ("top", "bottom"):
            _docx_xml(margins, f"w:{edge}", w=str(pad), type="dxa")
    return table


def _docx_letterhead(doc, letterhead: Letterhead) -> None:
    table = _docx_table(doc, 1, [LOGO_MM, WIDTH_MM - 2 * LOGO_MM, LOGO_MM], {})
    logo_cell, text_cell, _right = table.rows[0].cells
    if logo := _logo(letterhead):
        _docx_line(logo_cell.paragraphs[0], "", center=True).add_run().add_picture(logo, height=Mm(22))
    pemda, pd = _kop_lines(letterhead)
    _docx_line(text_cell.paragraphs[0], pemda, size=13, center=True)
    _docx_line(text_cell.add_paragraph(), pd, size=15, bold=True, center=True)
    if letterhead.address:
        _docx_line(text_cell.add_paragraph(), letterhead.address, size=9, center=True)
    logo_cell.vertical_alignment = text_cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    rule = doc.add_paragraph()  # the kop's thick-thin rule; the border goes in first, the schema wants it early
    border = _docx_xml(rule._p.get_or_add_pPr(), "w:pBdr")
    _docx_xml(border, "w:bottom", val="thickThinSmallGap", sz="24", space="1", color="000000")
    _docx_line(rule, "", size=2).paragraph_format.line_spacing = Pt(2)  # just the rule, no empty line


def _docx_block(doc, block: Block) -> None:
    if isinstance(block, Heading):
        doc.add_heading(block.text, level=min(max(block.level, 1), 3))
    elif isinstance(block, Paragraph):
        doc.add_paragraph().add_run(_xml_safe(block.text))
    elif isinstance(block, KeyValues):
        widths = [WIDTH_MM * 0.35, WIDTH_MM * 0.65]
        table = _docx_table(doc, len(block.rows), widths, {"insideH": RULE, "bottom": RULE}, pad=40)
        for row, (label, value) in zip(table.rows, block.rows, strict=True):
            _docx_line(row.cells[0].paragraphs[0], label, bold=True)
            _docx_line(row.cells[1].paragraphs[0], value)
        doc.add_paragraph()
    elif isinstance(block, Table):
        widths = [WIDTH_MM * f for f in _fractions(block)]
        table = _docx_table(doc, 1 + len(block.rows), widths, dict.fromkeys(EDGES, GRID), pad=25)
        _docx_xml(table.rows[0]._tr.get_or_add_trPr(), "w:tblHeader")  # repeated on every page
        for cell, text in zip(table.rows[0].cells, block.headers, strict=True):
            _docx_line(cell.paragraphs[0], text, size=10, bold=True)
            _docx_xml(cell._tc.get_or_add_tcPr(), "w:shd", before=TCPR_AFTER_SHD, val="clear", color="auto", fill=SHADE)
        for row, texts in zip(table.rows[1:], _rows(block), strict=True):
            for cell, text in zip(row.cells, texts, strict=True):
                _docx_line(cell.paragraphs[0], text, size=10)
        doc.add_paragraph()
    elif isinstance(block, Signatures):
        rows = _signature_rows(block)
        styles = {"name": {"bold": True, "underline": True}, "note": {"size": 9}}
        for row, signatures in zip(_docx_table(doc, len(rows), [WIDTH_MM / 2] * 2, {}).rows, rows, strict=True):
            _docx_xml(row._tr.get_or_add_trPr(), "w:cantSplit")  # a signature is never cut across pages
            for cell, sig in zip(row.cells, signatures, strict=True):
                for number, (kind, text) in enumerate(_signature_lines(sig) if sig else []):
                    paragraph = cell.paragraphs[0] if number == 0 else cell.add_paragraph()
                    text = "\n" * 3 if kind == "gap" else text  # four empty lines to sign on
                    _docx_line(paragraph, text, center=True, **styles.get(kind, {}))
                    paragraph.paragraph_format.keep_with_next = True
                    paragraph.paragraph_format.space_before = Pt(18) if number == 0 else None
    elif isinstance(block, Figure):
        picture = _docx_line(doc.add_paragraph(), "", center=True)
        picture.paragraph_format.keep_with_next = bool(block.caption)
        picture.add_run().add_picture(BytesIO(block.png), width=Mm(block.width_mm))
        if block.caption:
            _docx_line(doc.add_paragraph(), block.caption, size=9, center=True).paragraph_format.space_after = Pt(8)
    elif isinstance(block, PageBreak):
        doc.add_page_break()
    else:
        raise TypeError(f"Unknown block: {block!r}")


def _docx_footer(section, footer: str) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.style = "Normal"  # the template's Footer style brings tab stops for Letter paper
    paragraph.paragraph_format.tab_stops.add_tab_stop(Mm(WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
    _docx_line(paragraph, f"{footer}\t", size=8)
    # the translated label, with its placeholders as PAGE / NUMPAGES fields
    for part in re.split(r"(%\((?:page|total)\)d)", _("Halaman %(page)d dari %(total)d")):
        if part in ("%(page)d", "%(total)d"):
            field = _docx_xml(paragraph._p, "w:fldSimple", instr="PAGE" if "page" in part else "NUMPAGES")
            run = _docx_xml(field, "w:r")
            _docx_xml(_docx_xml(run, "w:rPr"), "w:sz", val="16")  # 8 pt
            _docx_xml(run, "w:t").text = "1"
        elif part:
            paragraph.add_run(part).font.size = Pt(8)


def to_docx(document: Document) -> bytes:
    """The document as a Word file (A4 portrait, Arial 11 pt)."""
    doc = new_docx()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Mm(MARGIN_MM)
    section.footer_distance = Mm(10)
    _docx_font(doc.styles["Normal"], 11)
    doc.styles["Normal"].paragraph_format.space_after = Pt(6)
    for level, size in ((1, 12), (2, 11), (3, 10.5)):
        _docx_font(doc.styles[f"Heading {level}"], size, bold=True)
        doc.styles[f"Heading {level}"].paragraph_format.space_before = Pt(12)
        doc.styles[f"Heading {level}"].paragraph_format.space_after = Pt(4)
    doc.core_properties.title, doc.core_properties.author = document.title, "Layanan SPBE"
    _docx_letterhead(doc, document.letterhead)
    title = _docx_line(doc.add_paragraph(), document.title.upper(), size=13, bold=True, center=True)
    title.paragraph_format.space_before = Pt(12)
    if document.subtitle:
        _docx_line(doc.add_paragraph(), document.subtitle, center=True)
    doc.paragraphs[-1].paragraph_format.space_after = Pt(12)
    for block in document.blocks:
        _docx_block(doc, block)
    _docx_footer(section, document.footer)
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# --- PDF -----------------------------------------------------------------------------------


def _pdf_text(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def _pdf_styles(font: str, bold: str) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=14, spaceAfter=6)
    center = ParagraphStyle("center", parent=body, alignment=TA_CENTER, spaceAfter=0)
    cell = ParagraphStyle("cell", parent=body, fontSize=9, leading=11.5, spaceAfter=0)
    return {
        "body": body,
        "center": center,
        "cell": cell,
        "head": ParagraphStyle("head", parent=cell, fontName=bold),
        "h1": ParagraphStyle("h1", parent=body, fontName=bold, fontSize=12, leading=16, spaceBefore=10),
        "h2": ParagraphStyle("h2", parent=body, fontName=bold, fontSize=10.5, leading=14, spaceBefore=8),
        "h3": ParagraphStyle("h3", parent=body, fontName=bold, fontSize=10, leading=13, spaceBefore=6, spaceAfter=4),
        "pemda": ParagraphStyle("pemda", parent=center, fontSize=13, leading=17),
        "pd": ParagraphStyle("pd", parent=center, fontName=bold, fontSize=14, leading=18),
        "title": ParagraphStyle("title", parent=center, fontName=bold, fontSize=13, leading=17),
        "small": ParagraphStyle("small", parent=center, fontSize=8.5, leading=11),
    }


def _pdf_kop(letterhead: Letterhead, styles: dict[str, ParagraphStyle], width: float) -> list:
    pemda, pd = _kop_lines(letterhead)
    kop = [PdfParagraph(escape(pemda), styles["pemda"]), PdfParagraph(escape(pd), styles["pd"])]
    if letterhead.address:
        kop.append(PdfParagraph(_pdf_text(letterhead.address), styles["small"]))
    logo, side = "", LOGO_MM * mm
    if path := _logo(letterhead):
        w, h = ImageReader(path).getSize()
        logo = Image(path, width=min(22 * mm * w / h, side), height=min(22 * mm, side * h / w))
    cells = PdfTable([[logo, kop, ""]], colWidths=[side, width - 2 * side, side])
    cells.setStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (0, 0), (0, 0), "CENTER")])
    return [
        cells,  # under it the thick-thin rule of a kop surat
        HRFlowable(width="100%", thickness=2.2, color=colors.black, spaceBefore=3, spaceAfter=1.6),
        HRFlowable(width="100%", thickness=0.6, color=colors.black, spaceAfter=8 * mm),
    ]


def _pdf_block(block: Block, styles: dict[str, ParagraphStyle], width: float) -> list:
    def para(text: str, style: str = "body") -> PdfParagraph:
        return PdfParagraph(_pdf_text(text), styles[style])

    if isinstance(block, Heading):
        # rather than keepWithNext, which would push a page-long paragraph with its heading to the next page
        return [CondPageBreak(25 * mm), para(block.text, {1: "h1", 2: "h2"}.get(max(block.level, 1), "h3"))]
    if isinstance(block, Paragraph):
        return [para(block.text)]
    if isinstance(block, KeyValues):
        table = PdfTable([[para(k, "head"), para(v, "cell")] for k, v in block.rows], [width * 0.35, width * 0.65])
        table.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE_COLOR)])
        return [table, Spacer(1, 4 * mm)]
    if isinstance(block, Table):
        data = [[para(h, "head") for h in block.headers]] + [[para(t, "cell") for t in row] for row in _rows(block)]
        table = LongTable(data, colWidths=[width * f for f in _fractions(block)], repeatRows=1, splitInRow=1)
        table.setStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor(f"#{GRID}")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(f"#{SHADE}")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
        return [table, Spacer(1, 4 * mm)]
    if isinstance(block, Signatures):

        def lines(sig: Signature) -> list:
            flowables = []
            for kind, text in _signature_lines(sig):
                if kind == "gap":
                    flowables.append(Spacer(1, 4 * styles["center"].leading))  # four empty lines to sign on
                elif kind == "name":
                    flowables.append(PdfParagraph(f"<u><b>{escape(text)}</b></u>", styles["center"]))
                else:
                    flowables.append(para(text, "small" if kind == "note" else "center"))
            return flowables

        rows = [[lines(sig) if sig else "" for sig in row] for row in _signature_rows(block)]
        table = PdfTable(rows, colWidths=[width / 2] * 2)
        table.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 8 * mm)])
        return [KeepTogether(table)]
    if isinstance(block, Figure):
        w, h = ImageReader(BytesIO(block.png)).getSize()
        picture = Image(BytesIO(block.png), width=block.width_mm * mm, height=block.width_mm * mm * h / w)
        caption = [para(block.caption, "small")] if block.caption else []
        return [KeepTogether([picture, *caption]), Spacer(1, 4 * mm)]
    if isinstance(block, PageBreak):
        return [PdfPageBreak()]
    raise TypeError(f"Unknown block: {block!r}")


def total_pages_canvas(decorate: Callable[[Canvas, int, int], None]) -> type[Canvas]:
    """A canvas class that keeps every page until the end, so that what
    ``decorate(canvas, number, total)`` draws on each ("Halaman x dari y",
    running heads) knows the total number of pages."""

    class TotalPagesCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._states: list[dict] = []

        def showPage(self):  # reportlab's name
            self._states.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._states)
            for number, state in enumerate(self._states, start=1):
                self.__dict__.update(state)
                decorate(self, number, total)
                super().showPage()
            super().save()

    return TotalPagesCanvas


def to_pdf(document: Document) -> bytes:
    """The document as a PDF (A4 portrait, DejaVu Sans), with the footer and "Halaman x dari y" on every page."""
    from spbe.catalog.io.pdf import _pdf_fonts  # that module imports models: keep this one importable early

    font, bold = _pdf_fonts()
    styles = _pdf_styles(font, bold)
    margin, page_width = MARGIN_MM * mm, A4[0]
    width = page_width - 2 * margin - 12  # the frame's padding
    story = _pdf_kop(document.letterhead, styles, width)
    story.append(PdfParagraph(escape(document.title.upper()), styles["title"]))
    if document.subtitle:
        story.append(PdfParagraph(_pdf_text(document.subtitle), styles["center"]))
    story.append(Spacer(1, 6 * mm))
    for block in document.blocks:
        story += _pdf_block(block, styles, width)
    label = _("Halaman %(page)d dari %(total)d")
    footer_style = ParagraphStyle("footer", fontName=font, fontSize=7, leading=9, textColor=FOOTER_COLOR)

    def footer_and_page(canvas: Canvas, number: int, total: int) -> None:
        """The footer and "Halaman x dari y" on every page."""
        canvas.setStrokeColor(RULE_COLOR)
        canvas.setLineWidth(0.5)
        canvas.line(margin, 14 * mm, page_width - margin, 14 * mm)
        canvas.setFont(font, 7)
        canvas.setFillColor(FOOTER_COLOR)
        text = label % {"page": number, "total": total}
        canvas.drawRightString(page_width - margin, 14 * mm - 10, text)
        if document.footer:  # wrapped beside the page label rather than running into it
            footer = PdfParagraph(_pdf_text(document.footer), footer_style)
            _w, h = footer.wrap(page_width - 2 * margin - canvas.stringWidth(text) - 6 * mm, 10 * mm)
            footer.drawOn(canvas, margin, 14 * mm - 2.5 - h)

    buffer = BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=margin, bottomMargin=margin,
        title=document.title, author="Layanan SPBE",
    ).build(story, canvasmaker=total_pages_canvas(footer_and_page))  # fmt: skip
    return buffer.getvalue()


# --- HTTP ----------------------------------------------------------------------------------


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def docx_response(document: Document, filename_stem: str) -> HttpResponse:
    """The document as a DOCX download named <stem>.docx."""
    return _attachment(to_docx(document), DOCX_TYPE, f"{filename_stem}.docx")


def pdf_response(document: Document, filename_stem: str) -> HttpResponse:
    """The document as a PDF download named <stem>.pdf."""
    return _attachment(to_pdf(document), "application/pdf", f"{filename_stem}.pdf")
