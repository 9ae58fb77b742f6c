"""The charts of the evaluation (E-2 recap, the dashboards): inline SVG for
the pages — escaped, accessible, every bar linking to its records — and
the same chart as a PNG for the DOCX and PDF of the report."""

from __future__ import annotations

import io
from xml.etree import ElementTree

import pytest
from django.utils import translation
from PIL import Image

from spbe.evaluation.charts import Bar, bar_png, bar_svg, line_png, line_svg

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def indonesian():
    with translation.override("id"):
        yield


BARS = [
    Bar("KTP <el> & KK", 99.2, "missed", url="/layanan/?pd=2&status=all"),
    Bar("Akta Kelahiran", 99.91, "met"),
    Bar("Kartu Identitas Anak", None),
]


def parsed(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def test_bar_svg_escapes_every_label_and_link():
    svg = bar_svg(BARS, title="Ketersediaan <layanan> & target", target=99.5)
    assert "KTP &lt;el&gt; &amp; KK" in svg and "<el>" not in svg
    assert 'href="/layanan/?pd=2&amp;status=all"' in svg
    assert "Ketersediaan &lt;layanan&gt; &amp; target" in svg
    parsed(svg)  # well-formed: safe to mark_safe into a page


def test_bar_svg_is_an_accessible_image_with_its_data_in_words():
    root = parsed(bar_svg(BARS, title="Ketersediaan per layanan", target=99.5))
    assert root.get("role") == "img" and root.get("aria-label") == "Ketersediaan per layanan"
    assert root.find(f"{SVG}title").text == "Ketersediaan per layanan"
    assert root.find(f"{SVG}desc").text == (
        "KTP <el> & KK: 99,2%; Akta Kelahiran: 99,91%; Kartu Identitas Anak: belum ada data; target 99,5%"
    )
    assert not root.findall(f".//{SVG}script")


def test_only_a_bar_with_a_url_is_a_link_and_its_tooltip_names_it():
    root = parsed(bar_svg(BARS, title="Ketersediaan"))
    (link,) = root.findall(f"{SVG}a")
    assert link.get("href") == "/layanan/?pd=2&status=all"
    assert link.find(f"{SVG}g/{SVG}title").text == "KTP <el> & KK: 99,2%"


def test_bars_take_the_colour_of_their_state():
    fills = {r.get("fill") for r in parsed(bar_svg(BARS[:2], title="x")).iter(f"{SVG}rect")}
    assert {"#dc3545", "#198754"} <= fills  # missed, met
    neutral = parsed(bar_svg([Bar("Konsultasi", 50)], title="x"))
    assert "#6c757d" in {r.get("fill") for r in neutral.iter(f"{SVG}rect")}


def test_a_bar_without_data_is_empty_and_says_so():
    svg = bar_svg([Bar("Kartu Identitas Anak", None)], title="Ketersediaan")
    texts = [t.text for t in parsed(svg).iter(f"{SVG}text")]
    assert "belum ada data" in texts and "Kartu Identitas Anak" in texts
    assert 'stroke-dasharray="4 3"' in svg  # the empty bar's dashed outline


def test_the_target_is_a_dashed_line_with_its_label():
    svg = bar_svg(BARS, title="Ketersediaan", target=99.5)
    assert 'stroke-dasharray="5 4"' in svg and ">target 99,5%</text>" in svg
    assert 'stroke-dasharray="5 4"' not in bar_svg(BARS, title="Ketersediaan")


def test_a_long_label_is_cut_on_the_chart_and_whole_in_its_tooltip():
    name = "Layanan Penerbitan Surat Keterangan Pindah Datang Antar Kabupaten dan Kota"
    root = parsed(bar_svg([Bar(name, 80, url="/x")], title="x"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert name not in texts and any(t.endswith("…") and name.startswith(t[:-1]) for t in texts)
    assert root.find(f"{SVG}a/{SVG}g/{SVG}title").text == f"{name}: 80%"


def test_counts_are_written_with_their_unit():
    svg = bar_svg([Bar("Berhasil", 3, "met"), Bar("Dikembalikan", 1, "missed")], title="Hasil rilis", unit="rilis")
    assert ">3 rilis</text>" in svg and ">1 rilis</text>" in svg


def test_bar_png_opens_with_the_size_of_its_rows():
    """640 px wide at scale 2; 40 px of title, 30 per bar, 26 of axis and 12 of margin."""
    picture = Image.open(io.BytesIO(bar_png(BARS, title="Ketersediaan", target=99.5)))
    assert picture.format == "PNG" and picture.size == (1280, 2 * (40 + 3 * 30 + 26 + 12))
    empty = Image.open(io.BytesIO(bar_png([], title="Ketersediaan")))
    assert empty.size == (1280, 2 * (40 + 30 + 26 + 12))  # one row that says "belum ada data"


def test_bar_png_draws_each_state_in_its_colour():
    picture = Image.open(io.BytesIO(bar_png(BARS[:2], title="Ketersediaan"))).convert("RGB")
    colours = {colour for _count, colour in picture.getcolors(maxcolors=100_000)}
    assert (0xDC, 0x35, 0x45) in colours and (0x19, 0x87, 0x54) in colours


def test_line_svg_leaves_a_gap_where_a_month_has_no_value():
    points = [("Jan 2026", 4.5), ("Feb 2026", None), ("Mar 2026", 3.9), ("Apr 2026", 4.2)]
    root = parsed(line_svg(points, title="Kepuasan pengguna per bulan"))
    (line,) = root.findall(f"{SVG}polyline")  # March–April; January stands alone
    assert len(line.get("points").split()) == 2
    assert len(root.findall(f".//{SVG}circle")) == 3
    assert "Feb 2026: belum ada data" in root.find(f"{SVG}desc").text


def test_line_svg_without_values_says_so():
    root = parsed(line_svg([("Jan 2026", None)], title="Kepuasan"))
    assert "belum ada data" in [t.text for t in root.iter(f"{SVG}text")] and not root.findall(f"{SVG}polyline")


def test_line_svg_gridlines_follow_the_range_and_unit():
    root = parsed(line_svg([("1 Mar", 99.0)], title="x", y_min=95, y_max=100, unit="%"))
    axis = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert axis == ["95%", "96%", "97%", "98%", "99%", "100%"]
    axis = [
        t.text for t in parsed(line_svg([("Jan", 4)], title="x")).iter(f"{SVG}text") if t.get("text-anchor") == "end"
    ]
    assert axis == ["0", "1", "2", "3", "4", "5"]  # the satisfaction scale


def test_line_png_opens_with_its_fixed_size():
    picture = Image.open(io.BytesIO(line_png([("Jan", 4.0), ("Feb", None), ("Mar", 4.5)], title="Kepuasan")))
    assert picture.format == "PNG" and picture.size == (1280, 520)
