"""The annual summary's tables as a CSV file (UTF-8 with a BOM, so that Excel opens Japanese text
correctly) and as an Excel workbook (one sheet per section). Both come from `documents.tables`, and
every cell goes through `spreadsheet.cell`: agency, category, venue and programme names are typed by
people, and must never run as formulas."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from foodbank.lib.spreadsheet import cell as inert
from foodbank.lib.spreadsheet import csv_file
from foodbank.reports.documents import AnnualSummary, Cell, Section, tables

KG_FORMAT = "#,##0.0##"
COUNT_FORMAT = "#,##0"


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    return str(cell)


def _csv_row(cells: Sequence[Cell]) -> list[str]:
    return [_text(inert(cell)) for cell in cells]


def _sheet_row(cells: Sequence[Cell]) -> list[Cell | float]:
    return [float(c) if isinstance(c, Decimal) else inert(c) for c in cells]


def title_of(summary: AnnualSummary, lang: str) -> str:
    if lang == "en":
        return f"{summary.organisation} — Annual summary {summary.label_en} ({summary.label_ja})"
    return f"{summary.organisation} {summary.label_ja}（{summary.label_en}）年次報告"


def period_of(summary: AnnualSummary) -> str:
    return f"{summary.starts_on.isoformat()} – {summary.ends_on.isoformat()}"


def to_csv(summary: AnnualSummary, lang: str = "ja") -> bytes:
    """Sections one below the other: a title line, the header, the rows, the total, an empty line."""
    rows: list[Sequence[Cell]] = [[title_of(summary, lang)], [period_of(summary)], []]
    for section in tables(summary, lang):
        for table in section.tables:
            rows += [[f"[{section.title}] {table.title}"], table.columns, *table.rows]
            if table.total:
                rows.append(table.total)
            if table.note:
                rows.append([table.note])
            rows.append([])
    return csv_file(_csv_row(row) for row in rows)


def _sheet_name(section: Section) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    name = "".join(ch for ch in section.title if ch not in "[]:*?/\\")
    return name[:31] or section.key


def to_xlsx(summary: AnnualSummary, lang: str = "ja") -> bytes:
    """One sheet per section; numbers stay numbers (kg with three decimals), totals in bold."""
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    heading = Font(bold=True, size=12)
    header_fill = PatternFill("solid", fgColor="E6E6E6")
    line = Side(style="thin", color="000000")
    boxed = Border(top=line, bottom=line, left=line, right=line)
    for section in tables(summary, lang):
        sheet = book.create_sheet(_sheet_name(section))
        sheet.append(_sheet_row([title_of(summary, lang)]))
        sheet["A1"].font = heading
        sheet.append(_sheet_row([period_of(summary)]))
        widths: dict[int, int] = {}
        for table in section.tables:
            sheet.append([])
            sheet.append(_sheet_row([table.title]))
            sheet.cell(sheet.max_row, 1).font = bold
            sheet.append(_sheet_row(table.columns))
            for col in range(1, len(table.columns) + 1):
                cell = sheet.cell(sheet.max_row, col)
                cell.font, cell.fill, cell.border = bold, header_fill, boxed
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            body = [*table.rows, *([table.total] if table.total else [])]
            for index, row in enumerate(body):
                sheet.append(_sheet_row(row))
                for col, value in enumerate(row, start=1):
                    cell = sheet.cell(sheet.max_row, col)
                    cell.border = boxed
                    if isinstance(value, Decimal):
                        cell.number_format = KG_FORMAT
                    elif isinstance(value, int):
                        cell.number_format = COUNT_FORMAT
                    if table.total and index == len(body) - 1:
                        cell.font = bold
                    widths[col] = max(widths.get(col, 8), min(len(_text(value)) * 2 + 2, 48))
            if table.note:
                sheet.append(_sheet_row([table.note]))
        for col, width in widths.items():
            sheet.column_dimensions[get_column_letter(col)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
