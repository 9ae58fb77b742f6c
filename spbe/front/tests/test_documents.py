"""A document described once renders to DOCX and PDF with the same content."""

import re
from io import BytesIO

import docx
import pytest
from docx.oxml.ns import qn
from PIL import Image

from spbe.catalog.io.pdf import DEJAVU
from spbe.front.documents import (
    DOCX_TYPE,
    Document,
    Heading,
    KeyValues,
    Letterhead,
    Paragraph,
    Signature,
    Signatures,
    Table,
    docx_response,
    pdf_response,
    to_docx,
    to_pdf,
)

LONG = " ".join(["Layanan kritis dipulihkan dalam RTO ≤ 4 jam – sesuai target pengoperasian yang ditetapkan."] * 120)
STEPS = Table(
    ["No", "Langkah", "Pelaksana"],
    [[str(i), f"Pulihkan cadangan basis data tahap {i}", f"Tim infrastruktur {i}"] for i in range(1, 81)],
    widths=[1, 5, 3],
)
HEAD = Signature(
    "Penanggung Jawab Penyedia Layanan", "Drs. Budi Santoso", "197001011995031001", "Purwokerto, 1 Mei 2026"
)
CHIEF = Signature("Kepala Dinas", "Siti Aminah, S.T.", "197502022000122002", note="Pembina Utama Muda (IV/c)")


def make_document(*, logo_path: str | None = None, blocks: list | None = None) -> Document:
    return Document(
        title="Rencana Pemulihan Bencana",
        subtitle="Layanan SIMPEG – versi 2",
        letterhead=Letterhead(
            "Kabupaten Banyumas", "Dinas Komunikasi dan Informatika", "Jl. Kabupaten No. 1", logo_path
        ),
        footer="DRP SIMPEG · dicetak 1 Mei 2026",
        blocks=blocks
        if blocks is not None
        else [
            Heading("1. Identitas Layanan"),
            KeyValues([("Nama layanan", "SIMPEG"), ("Target RTO", "≤ 4 jam")]),
            Heading("1.1 Uraian", level=2),
            Paragraph("Baris pertama\nbaris kedua"),
            Paragraph(LONG),
            STEPS,
            Signatures([HEAD, CHIEF]),
        ],
    )


def reopen(content: bytes) -> docx.document.Document:
    return docx.Document(BytesIO(content))


def cell_texts(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def pdf_pages(content: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", content))  # \b: not /Pages


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    document = make_document()
    return {"docx": to_docx(document), "pdf": to_pdf(document)}


def test_docx_reopens_with_letterhead_title_and_text(rendered):
    opened = reopen(rendered["docx"])
    body = "\n".join(p.text for p in opened.paragraphs)
    kop = "\n".join(p.text for p in opened.tables[0].rows[0].cells[1].paragraphs)
    assert kop == "PEMERINTAH KABUPATEN BANYUMAS\nDINAS KOMUNIKASI DAN INFORMATIKA\nJl. Kabupaten No. 1"
    assert "RENCANA PEMULIHAN BENCANA" in body
    assert "Layanan SIMPEG – versi 2" in body
    assert LONG in body
    assert "Baris pertama\nbaris kedua" in body  # python-docx reads a line break back as "\n"
    assert [p.text for p in opened.paragraphs if p.style.name == "Heading 2"] == ["1.1 Uraian"]
    assert cell_texts(opened.tables[1]) == [["Nama layanan", "SIMPEG"], ["Target RTO", "≤ 4 jam"]]


def test_docx_table_has_every_cell_and_a_repeated_header_row(rendered):
    table = reopen(rendered["docx"]).tables[2]
    assert cell_texts(table) == [STEPS.headers, *STEPS.rows]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert table.rows[1]._tr.trPr is None or table.rows[1]._tr.trPr.find(qn("w:tblHeader")) is None
    widths = [cell.width for cell in table.rows[0].cells]
    assert widths[1] == pytest.approx(5 * widths[0], rel=0.01)


def test_docx_signatures_side_by_side_with_name_and_nip(rendered):
    left, right = reopen(rendered["docx"]).tables[3].rows[0].cells
    lines = [p.text for p in left.paragraphs]
    assert lines[:2] == ["Purwokerto, 1 Mei 2026", "Penanggung Jawab Penyedia Layanan"]
    assert lines[-3:] == ["\n\n\n", "Drs. Budi Santoso", "NIP. 197001011995031001"]  # four empty lines to sign
    name = left.paragraphs[-2].runs[0]
    assert name.bold and name.underline
    assert [p.text for p in right.paragraphs][-3:] == ["Siti Aminah, S.T.", "NIP. 197502022000122002", CHIEF.note]


def test_a_lone_signature_goes_to_the_right():
    opened = reopen(to_docx(make_document(blocks=[Signatures([HEAD])])))
    left, right = opened.tables[-1].rows[0].cells
    assert left.text == ""
    assert "Drs. Budi Santoso" in right.text


def test_docx_footer_has_the_text_and_page_fields(rendered):
    footer = reopen(rendered["docx"]).sections[0].footer
    assert footer.paragraphs[0].text.startswith("DRP SIMPEG · dicetak 1 Mei 2026\tHalaman")
    instructions = [f.get(qn("w:instr")) for f in footer._element.iter(qn("w:fldSimple"))]
    assert instructions == ["PAGE", "NUMPAGES"]


def test_pdf_has_several_pages_and_the_dejavu_font(rendered):
    content = rendered["pdf"]
    assert content.startswith(b"%PDF")
    assert pdf_pages(content) > 2  # the long paragraph and the 80 rows cannot fit on two
    if DEJAVU.exists():
        assert b"DejaVuSans" in content


def test_a_short_document_is_one_pdf_page():
    assert pdf_pages(to_pdf(make_document(blocks=[Paragraph("Singkat.")]))) == 1


def test_logo_is_drawn_and_a_broken_one_is_left_out(tmp_path):
    logo, broken = tmp_path / "logo.png", tmp_path / "broken.png"
    Image.new("RGB", (40, 50), "navy").save(logo)
    broken.write_bytes(b"not an image")
    assert len(reopen(to_docx(make_document(logo_path=str(logo), blocks=[]))).inline_shapes) == 1
    for path in (broken, tmp_path / "missing.png"):
        document = make_document(logo_path=str(path), blocks=[])
        assert len(reopen(to_docx(document)).inline_shapes) == 0
        assert to_pdf(document).startswith(b"%PDF")


def test_pemerintah_is_not_doubled():
    document = Document("Judul", Letterhead("Pemerintah Kota Bandung", "Diskominfo"), [])
    kop = reopen(to_docx(document)).tables[0].rows[0].cells[1].paragraphs[0].text
    assert kop == "PEMERINTAH KOTA BANDUNG"


def test_unknown_block_is_refused():
    with pytest.raises(TypeError, match="Unknown block"):
        to_docx(make_document(blocks=["teks lepas"]))
    with pytest.raises(TypeError, match="Unknown block"):
        to_pdf(make_document(blocks=["teks lepas"]))


def test_responses_are_attachments_with_type_and_filename():
    document = make_document(blocks=[Paragraph("Nilai <b>RTO & RPO < 4 jam")])
    docx_file, pdf_file = docx_response(document, "drp-simpeg"), pdf_response(document, "drp-simpeg")
    assert docx_file["Content-Type"] == DOCX_TYPE
    assert docx_file["Content-Disposition"] == 'attachment; filename="drp-simpeg.docx"'
    assert "Nilai <b>RTO & RPO < 4 jam" in "\n".join(p.text for p in reopen(docx_file.content).paragraphs)
    assert pdf_file["Content-Type"] == "application/pdf"
    assert pdf_file["Content-Disposition"] == 'attachment; filename="drp-simpeg.pdf"'
    assert pdf_file.content.startswith(b"%PDF")  # unescaped, reportlab would refuse the unclosed <b>
