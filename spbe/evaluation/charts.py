"""Small charts of the evaluation (E-2 recap, the dashboards), drawn twice
from the same data: as inline SVG for the pages (no JavaScript, no CDN)
and as PNG for the DOCX and PDF of the report.

A chart is first laid out as a few shapes (rectangles, lines, texts, dots)
in pixel coordinates; the SVG and the PNG renderers draw the same shapes,
so the page and the printed report show the same picture. Every label is
escaped for the SVG, which is therefore safe to ``mark_safe`` into a
template.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from io import BytesIO
from pathlib import Path

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

STATE_COLORS = {"met": "#198754", "at_risk": "#fd7e14", "missed": "#dc3545", "neutral": "#6c757d"}
LINE_COLOR = "#0d6efd"
TEXT, MUTED, GRID, EMPTY_FILL = "#212529", "#6c757d", "#dee2e6", "#f1f3f5"
FONT_FAMILY = "DejaVu Sans, Arial, sans-serif"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

WIDTH = 640  # every chart is this wide; the PNG is drawn at SCALE times it
SCALE = 2  # crisp when printed at about 16 cm
PAD = 12
TITLE_H = 40  # the title, and under it the target's label
ROW_H = 30  # one bar
BAR_H = 18
LABEL_W = 210  # the bars' labels
VALUE_W = 90  # the value written after a bar
AXIS_H = 26
LINE_H = 260  # a line chart's height
MAX_X_LABELS = 10


@dataclass
class Bar:
    """One bar: its label, value (None: no data yet), state (the colour:
    met, at_risk, missed or neutral) and the page of the records behind it."""

    label: str
    value: float | None
    state: str = "neutral"
    url: str = ""


# --- shapes ---------------------------------------------------------------------------------


@dataclass
class _Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    stroke: str = ""
    dash: bool = False


@dataclass
class _Line:
    x1: float
    y1: float
    x2: float
    y2: float
    color: str
    width: float = 1
    dash: bool = False


@dataclass
class _Text:
    x: float
    y: float  # the baseline
    text: str
    size: int = 12
    anchor: str = "start"  # start, middle or end, as in SVG
    color: str = TEXT
    bold: bool = False


@dataclass
class _Polyline:
    points: list[tuple[float, float]]
    color: str
    width: float = 2


@dataclass
class _Dot:
    x: float
    y: float
    r: float
    color: str


@dataclass
class _Group:
    """Shapes that belong together: one bar with its label and value, a link
    to its records and a tooltip."""

    items: list
    url: str = ""
    tip: str = ""


@dataclass
class _Chart:
    title: str
    height: int
    items: list = field(default_factory=list)
    summary: list[str] = field(default_factory=list)  # the data in words, for screen readers


# --- numbers and text ------------------------------------------------------------------------


def _number(value: float) -> str:
    """In the active language's format (99,5 in Indonesian), at most three decimals."""
    rounded = round(float(value), 3)  # availability has three decimals, rounded down
    return number_format(int(rounded) if rounded.is_integer() else rounded)


def _with_unit(value: float, unit: str) -> str:
    if not unit:
        return _number(value)
    return f"{_number(value)}{unit}" if unit == "%" else f"{_number(value)} {unit}"


@cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = DEJAVU.with_name("DejaVuSans-Bold.ttf") if bold else DEJAVU
    if path.exists():
        return ImageFont.truetype(str(path), size)
    if DEJAVU.exists():
        return ImageFont.truetype(str(DEJAVU), size)
    return ImageFont.load_default(size=size)


def _fit(text: str, width: float, size: int = 12) -> str:
    """The text cut with "…" to fit the width (measured with the PNG's font)."""
    font = _font(size)
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _no_data() -> str:
    return _("belum ada data")


# --- layouts -------------------------------------------------------------------------------------


def _scale_of(bars: list[Bar], unit: str, target: float | None, max_value: float | None) -> float:
    if max_value:
        return float(max_value)
    values = [b.value for b in bars if b.value is not None] + ([target] if target is not None else [])
    highest = max(values, default=0)
    if unit == "%" and highest <= 100:
        return 100.0
    return float(highest) or 1.0


def _bar_layout(bars: list[Bar], title: str, unit: str, target: float | None, max_value: float | None) -> _Chart:
    rows = max(len(bars), 1)
    chart = _Chart(title, bar_height(len(bars)))
    chart.items.append(_Text(PAD, 22, _fit(title, WIDTH - 2 * PAD, 15), size=15, bold=True))
    left = PAD + LABEL_W + 8
    span = WIDTH - left - VALUE_W - PAD
    top = TITLE_H
    scale = _scale_of(bars, unit, target, max_value)

    def x_of(value: float) -> float:
        return left + span * min(max(value, 0), scale) / scale

    if not bars:
        chart.items.append(_Text(left, top + ROW_H / 2 + 4, _no_data(), color=MUTED))
        chart.summary.append(_no_data())
    for number, bar in enumerate(bars):
        y = top + number * ROW_H + (ROW_H - BAR_H) / 2
        label = _Text(PAD, y + BAR_H / 2 + 4, _fit(bar.label, LABEL_W))
        if bar.value is None:
            shapes = [
                label,
                _Rect(left, y, span, BAR_H, EMPTY_FILL, stroke=GRID, dash=True),
                _Text(left + 6, y + BAR_H / 2 + 4, _no_data(), size=11, color=MUTED),
            ]
            tip = f"{bar.label}: {_no_data()}"
        else:
            end = x_of(bar.value)
            text = _with_unit(bar.value, unit)
            color = STATE_COLORS.get(bar.state, STATE_COLORS["neutral"])
            halo = _Rect(end + 2, y, _font(12).getlength(text) + 8, BAR_H, "#ffffff")  # over the target line
            shapes = [
                label,
                _Rect(left, y, max(end - left, 1), BAR_H, color),
                halo,
                _Text(end + 6, y + BAR_H / 2 + 4, text),
            ]
            tip = f"{bar.label}: {text}"
        chart.items.append(_Group(shapes, url=bar.url, tip=tip))
        chart.summary.append(tip)
    bottom = top + rows * ROW_H
    chart.items += [
        _Line(left, bottom, left + span, bottom, MUTED),
        _Text(left, bottom + 16, _with_unit(0, unit), size=10, color=MUTED),
        _Text(left + span, bottom + 16, _with_unit(scale, unit), size=10, anchor="end", color=MUTED),
    ]
    if target is not None:
        x = x_of(target)
        text = _("target %(value)s") % {"value": _with_unit(target, unit)}
        chart.items[1:1] = [  # under the bars, so the values written after them stay readable
            _Line(x, top - 2, x, bottom, TEXT, width=1.5, dash=True),
            _Text(min(max(x, left + 40), WIDTH - PAD - 40), top - 6, text, size=10, anchor="middle"),
        ]
        chart.summary.append(text)
    return chart


def _ticks(y_min: float, y_max: float) -> list[float]:
    """Gridlines at round steps (1, 2, 2.5 or 5 times a power of ten), about four of them."""
    raw = (y_max - y_min) / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw * 0.8)
    first = math.ceil(y_min / step) * step
    return [first + i * step for i in range(int((y_max - first) / step + 1e-9) + 1)]


def _line_layout(points: list[tuple[str, float | None]], title: str, y_min: float, y_max: float, unit: str) -> _Chart:
    chart = _Chart(title, LINE_H)
    chart.items.append(_Text(PAD, 22, _fit(title, WIDTH - 2 * PAD, 15), size=15, bold=True))
    left, right, top, bottom = PAD + 52, WIDTH - PAD - 8, TITLE_H + 8, LINE_H - 40
    inset = 20  # the first and last points stay clear of the axis labels
    y_max = y_max if y_max > y_min else y_min + 1

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * (min(max(value, y_min), y_max) - y_min) / (y_max - y_min)

    for tick in _ticks(y_min, y_max):
        y = y_of(tick)
        chart.items += [
            _Line(left, y, right, y, GRID if tick != y_min else MUTED),
            _Text(left - 6, y + 4, _with_unit(tick, unit), size=10, anchor="end", color=MUTED),
        ]
    measured = [(label, value) for label, value in points if value is not None]
    if not measured:
        chart.items.append(_Text((left + right) / 2, (top + bottom) / 2, _no_data(), anchor="middle", color=MUTED))
        chart.summary.append(_no_data())
        return chart
    n = len(points)
    step = (right - left - 2 * inset) / (n - 1) if n > 1 else 0

    def x_of(index: int) -> float:
        return left + inset + index * step if n > 1 else (left + right) / 2

    every = math.ceil(n / MAX_X_LABELS)
    run: list[tuple[float, float]] = []
    dots = []
    for index, (label, value) in enumerate(points):
        x = x_of(index)
        if index % every == 0:
            chart.items.append(_Text(x, bottom + 16, _fit(label, max(step * every - 4, 40), 10), size=10,
                                     anchor="middle", color=MUTED))  # fmt: skip
        if value is None:  # a gap in the line, not a drop to zero
            if len(run) > 1:
                chart.items.append(_Polyline(run, LINE_COLOR))
            run = []
            chart.summary.append(f"{label}: {_no_data()}")
            continue
        point = (x, y_of(value))
        run.append(point)
        text = _with_unit(value, unit)
        shapes = [_Dot(*point, 3.5, LINE_COLOR)]
        if n <= 12:  # room to write every value above its dot
            shapes.append(_Text(x, point[1] - 8, text, size=10, anchor="middle"))
        dots.append(_Group(shapes, tip=f"{label}: {text}"))
        chart.summary.append(f"{label}: {text}")
    if len(run) > 1:
        chart.items.append(_Polyline(run, LINE_COLOR))
    chart.items += dots
    return chart


# --- SVG -------------------------------------------------------------------------------------------


def _svg_item(item) -> str:
    if isinstance(item, _Group):
        inner = (f"<title>{escape(item.tip)}</title>" if item.tip else "") + "".join(map(_svg_item, item.items))
        group = f"<g>{inner}</g>"
        return f'<a href="{escape(item.url)}">{group}</a>' if item.url else group
    if isinstance(item, _Rect):
        stroke = f' stroke="{item.stroke}"' if item.stroke else ""
        dash = ' stroke-dasharray="4 3"' if item.dash else ""
        return (
            f'<rect x="{item.x:.1f}" y="{item.y:.1f}" width="{item.w:.1f}" height="{item.h:.1f}" '
            f'fill="{item.fill}"{stroke}{dash} rx="2"/>'
        )
    if isinstance(item, _Line):
        dash = ' stroke-dasharray="5 4"' if item.dash else ""
        return (
            f'<line x1="{item.x1:.1f}" y1="{item.y1:.1f}" x2="{item.x2:.1f}" y2="{item.y2:.1f}" '
            f'stroke="{item.color}" stroke-width="{item.width}"{dash}/>'
        )
    if isinstance(item, _Text):
        weight = ' font-weight="bold"' if item.bold else ""
        return (
            f'<text x="{item.x:.1f}" y="{item.y:.1f}" font-size="{item.size}" text-anchor="{item.anchor}" '
            f'fill="{item.color}"{weight}>{escape(item.text)}</text>'
        )
    if isinstance(item, _Polyline):
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in item.points)
        return f'<polyline points="{points}" fill="none" stroke="{item.color}" stroke-width="{item.width}"/>'
    if isinstance(item, _Dot):
        return f'<circle cx="{item.x:.1f}" cy="{item.y:.1f}" r="{item.r}" fill="{item.color}"/>'
    raise TypeError(f"Unknown shape: {item!r}")


def _svg(chart: _Chart) -> str:
    title = escape(chart.title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="spbe-chart" role="img" aria-label="{title}" '
        f'width="{WIDTH}" height="{chart.height}" viewBox="0 0 {WIDTH} {chart.height}" '
        f'style="max-width:100%;height:auto" font-family="{FONT_FAMILY}">'
        f"<title>{title}</title><desc>{escape('; '.join(chart.summary))}</desc>"
        f'<rect width="{WIDTH}" height="{chart.height}" fill="#ffffff"/>'
        + "".join(map(_svg_item, chart.items))
        + "</svg>"
    )


# --- PNG ---------------------------------------------------------------------------------------------


def _dashes(draw: ImageDraw.ImageDraw, x1, y1, x2, y2, color: str, width: int, on: float = 5, off: float = 4):
    length = math.hypot(x2 - x1, y2 - y1)
    done = 0.0
    while done < length:
        a, b = done / length, min(done + on, length) / length
        draw.line([(x1 + (x2 - x1) * a, y1 + (y2 - y1) * a), (x1 + (x2 - x1) * b, y1 + (y2 - y1) * b)], color, width)
        done += on + off


def _png_item(draw: ImageDraw.ImageDraw, item) -> None:
    s = SCALE
    if isinstance(item, _Group):
        for inner in item.items:
            _png_item(draw, inner)
    elif isinstance(item, _Rect):
        box = [item.x * s, item.y * s, (item.x + item.w) * s, (item.y + item.h) * s]
        draw.rectangle(box, fill=item.fill)
        if item.stroke:
            x1, y1, x2, y2 = box
            for edge in ((x1, y1, x2, y1), (x2, y1, x2, y2), (x2, y2, x1, y2), (x1, y2, x1, y1)):
                _dashes(draw, *edge, item.stroke, s, on=4 * s, off=3 * s)
    elif isinstance(item, _Line):
        ends = (item.x1 * s, item.y1 * s, item.x2 * s, item.y2 * s)
        width = max(round(item.width * s), 1)
        if item.dash:
            _dashes(draw, *ends, item.color, width, on=5 * s, off=4 * s)
        else:
            draw.line(ends, fill=item.color, width=width)
    elif isinstance(item, _Text):
        anchor = {"start": "ls", "middle": "ms", "end": "rs"}[item.anchor]
        font = _font(item.size * s, item.bold)
        draw.text((item.x * s, item.y * s), item.text, fill=item.color, font=font, anchor=anchor)
    elif isinstance(item, _Polyline):
        draw.line([(x * s, y * s) for x, y in item.points], fill=item.color, width=round(item.width * s), joint="curve")
    elif isinstance(item, _Dot):
        r = item.r * s
        draw.ellipse([item.x * s - r, item.y * s - r, item.x * s + r, item.y * s + r], fill=item.color)
    else:
        raise TypeError(f"Unknown shape: {item!r}")


def _png(chart: _Chart) -> bytes:
    image = Image.new("RGB", (WIDTH * SCALE, chart.height * SCALE), "#ffffff")
    draw = ImageDraw.Draw(image)
    for item in chart.items:
        _png_item(draw, item)
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# --- the API ----------------------------------------------------------------------------------------


def bar_svg(
    bars: list[Bar], *, title: str, unit: str = "%", target: float | None = None, max_value: float | None = None
) -> str:
    """Horizontal bars with their values written after them, and a dashed
    line at the target; a bar with a URL links to its records."""
    return _svg(_bar_layout(list(bars), title, unit, target, max_value))


def bar_png(
    bars: list[Bar], *, title: str, unit: str = "%", target: float | None = None, max_value: float | None = None
) -> bytes:
    """The same chart as :func:`bar_svg`, as a PNG for the DOCX and PDF."""
    return _png(_bar_layout(list(bars), title, unit, target, max_value))


def line_svg(
    points: list[tuple[str, float | None]], *, title: str, y_min: float = 0, y_max: float = 5, unit: str = ""
) -> str:
    """Values along a line (satisfaction by month, availability by day);
    a None value leaves a gap."""
    return _svg(_line_layout(list(points), title, y_min, y_max, unit))


def line_png(
    points: list[tuple[str, float | None]], *, title: str, y_min: float = 0, y_max: float = 5, unit: str = ""
) -> bytes:
    """The same chart as :func:`line_svg`, as a PNG for the DOCX and PDF."""
    return _png(_line_layout(list(points), title, y_min, y_max, unit))


def bar_height(count: int) -> int:
    """The height in pixels of a bar chart of ``count`` bars (the PNG is SCALE times it)."""
    return TITLE_H + max(count, 1) * ROW_H + AXIS_H + PAD
