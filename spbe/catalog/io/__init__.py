"""Catalog files (P-4): one column specification for the Excel export, the
Excel template and the Excel import, and the PDF print of the catalog.

The import is all or nothing: every row is checked with the model's own
rules (``Service.full_clean``, so P-1 pack targets and P-5 RPO/RTO units
too) and with the access layer; one bad row rejects the whole file."""

from spbe.catalog.io.columns import COLUMNS, EDITABLE, Column
from spbe.catalog.io.importer import MAX_IMPORT_ROWS, ImportResult, RowError, check_xlsx, import_catalog
from spbe.catalog.io.pdf import catalog_pdf
from spbe.catalog.io.workbook import XLSX_TYPE, catalog_table, catalog_xlsx, column_guide, export_value, template_xlsx

__all__ = [
    "COLUMNS",
    "EDITABLE",
    "MAX_IMPORT_ROWS",
    "XLSX_TYPE",
    "Column",
    "ImportResult",
    "RowError",
    "catalog_pdf",
    "catalog_table",
    "catalog_xlsx",
    "check_xlsx",
    "column_guide",
    "export_value",
    "import_catalog",
    "template_xlsx",
]
