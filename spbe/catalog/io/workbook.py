"""Writing the catalog's Excel files: the export and the template."""

from collections.abc import Iterable, Iterator
from datetime import timedelta
from io import BytesIO
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from spbe.catalog.io.columns import COLUMNS, EDITABLE, MAX_HOURS, Column, allowed_values, no_label, yes_label
from spbe.catalog.models import Service
from spbe.front.listing import EXPORT_LIMIT
from spbe.org import access
from spbe.org.models import PerangkatDaerah, User

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DV_ROWS = 1000  # rows of the template that carry the dropdowns


# --- Export and template ---------------------------------------------------------------


def export_value(column: Column, service: Service) -> Any:
    """What the cell of ``column`` holds for ``service``."""
    value = getattr(service, column.field if column.kind not in ("pd", "person") else column.field + "_id")
    if column.kind == "pd":
        return service.pd.abbreviation
    if column.kind == "person":
        return getattr(service, column.field).email if value else ""
    if column.kind == "choice" or column.field in ("lifecycle", "status"):
        return getattr(service, f"get_{column.field}_display")() if value else ""
    if column.kind == "hours":
        if value is None:
            return ""
        hours = value / timedelta(hours=1)
        return int(hours) if hours.is_integer() else hours
    if column.kind == "bool":
        return yes_label() if value else no_label()
    return "" if value is None else value


def catalog_table(qs: QuerySet[Service]) -> tuple[list[str], Iterator[list[Any]]]:
    """Headers and rows of the catalog, in the column specification."""
    qs = qs.select_related("pd", "service_admin", "infra_admin")

    def rows() -> Iterator[list[Any]]:
        for service in qs[:EXPORT_LIMIT]:
            yield [export_value(c, service) for c in COLUMNS]

    return [str(c.header) for c in COLUMNS], rows()


def _example_value(column: Column, pd_abbreviation: str) -> Any:
    if column.kind == "pd":
        return pd_abbreviation
    if column.kind == "choice":
        return str(column.choices(column.example).label) if column.example else ""
    if column.kind == "bool":
        return yes_label() if column.example else no_label()
    return column.example


def column_guide() -> list[tuple[str, str, str, str]]:
    """Header, required, accepted values and help of every column, for the
    "Petunjuk" sheet and the import page."""
    return [
        (
            str(c.header),
            yes_label() if c.required else ("—" if c.read_only else no_label()),
            "—" if c.read_only else allowed_values(c),
            str(c.help),
        )
        for c in COLUMNS
    ]


def build_workbook(rows: Iterable[list[Any]], actor: User, *, with_read_only: bool) -> Workbook:
    """The catalog sheet (headers, rows, dropdowns) and the "Petunjuk" sheet
    that explains each column and lists the PDs the actor may fill in."""
    columns = COLUMNS if with_read_only else EDITABLE
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Katalog layanan")[:31]
    sheet.append([str(c.header) for c in columns])
    header_fill = PatternFill("solid", fgColor="DDE7F3")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    count = 0
    for row in rows:
        sheet.append(["" if v is None else v for v in row[: len(columns)]])
        count += 1
    sheet.freeze_panes = "B2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    last_row = max(DV_ROWS, count + 500)

    guide = workbook.create_sheet(_("Petunjuk"))
    pds = list(access.workable_pds(actor).order_by("pemda__name", "abbreviation"))
    _write_guide(guide, pds)
    pd_first = guide.max_row - len(pds) + 1

    def validate(column: Column, **options) -> None:
        letter = get_column_letter(columns.index(column) + 1)
        rule = DataValidation(allow_blank=True, showErrorMessage=True, errorTitle=str(column.header), **options)
        rule.error = _("Isi yang diterima: %(allowed)s.") % {"allowed": allowed_values(column)}
        rule.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(rule)

    for column in EDITABLE:
        if column.kind == "choice" or column.kind == "bool":
            labels = allowed_values(column).split(", ")
            validate(column, type="list", formula1='"' + ",".join(labels) + '"')
        elif column.kind == "pd" and pds:
            validate(column, type="list", formula1=f"'{guide.title}'!$A${pd_first}:$A${guide.max_row}")
        elif column.kind == "decimal":
            validate(column, type="decimal", operator="between", formula1="0", formula2="100")
        elif column.kind == "hours":
            validate(column, type="whole", operator="between", formula1="1", formula2=str(MAX_HOURS))
        elif column.kind == "int":
            validate(column, type="whole", operator="greaterThanOrEqual", formula1="0")
    return workbook


def _write_guide(guide, pds: list[PerangkatDaerah]) -> None:
    bold = Font(bold=True)
    guide.append([_("Petunjuk pengisian katalog layanan (P-4)")])
    guide["A1"].font = Font(bold=True, size=13)
    for line in (
        _("Isi satu baris per layanan pada lembar pertama; baris judul jangan diubah."),
        _(
            "Kunci impor adalah singkatan PD + kode: baris dengan kunci yang sudah ada mengubah layanan itu, "
            "selebihnya menambah layanan baru sebagai draf."
        ),
        _("Hapus atau ganti baris contoh sebelum mengimpor."),
        _("Berkas diperiksa seluruhnya: satu baris salah membuat seluruh berkas ditolak dan tidak ada yang disimpan."),
        _("Layanan yang sudah diajukan atau disetujui tidak dapat diubah lewat impor; ubah melalui revisi."),
        _("Berkas .xlsx paling besar 5 MB."),
    ):
        guide.append([f"• {line}"])
    guide.append([])
    guide.append([_("Kolom"), _("Wajib"), _("Isi yang diterima"), _("Keterangan")])
    for cell in guide[guide.max_row]:
        cell.font = bold
    for line in column_guide():
        guide.append(list(line))
    guide.append([])
    guide.append([_("Perangkat Daerah yang dapat Anda isi")])
    guide[guide.max_row][0].font = bold
    guide.append([_("Singkatan"), _("Nama"), _("Pemda")])
    for cell in guide[guide.max_row]:
        cell.font = bold
    for pd in pds:
        guide.append([pd.abbreviation, pd.name, pd.pemda.name])
    for letter, width in zip("ABCD", (44, 30, 40, 90), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _xlsx_response(workbook: Workbook, filename: str) -> HttpResponse:
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def catalog_xlsx(qs: QuerySet[Service], actor: User) -> HttpResponse:
    """The catalog as Excel, in the import's columns, so it can be edited and
    imported back."""
    _headers, rows = catalog_table(qs)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _xlsx_response(build_workbook(rows, actor, with_read_only=True), f"katalog-layanan-{stamp}")


def template_xlsx(actor: User) -> HttpResponse:
    """An empty catalog sheet with one example row."""
    first = access.workable_pds(actor).order_by("pemda__name", "abbreviation").first()
    example = [_example_value(c, first.abbreviation if first else "DUKCAPIL") for c in EDITABLE]
    return _xlsx_response(build_workbook([example], actor, with_read_only=False), "templat-katalog-layanan")
