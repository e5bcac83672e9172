"""CSV, XLSX and PDF renderings of a :class:`SelectionReport`, all with the same content.

CSV is UTF-8 with a byte-order mark so Excel with Indonesian settings shows names
correctly; XLSX adds a sheet with each candidate's levels per competency; the PDF is
A4 landscape with the bundled Bitstream Vera font, which every reportlab install ships.
"""

from __future__ import annotations

import csv
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from merit.reports import FORMATS
from merit.reports.selection import (
    CANDIDATE_COLUMNS,
    DETAIL_COLUMNS,
    NO_OBJECTIONS,
    OBJECTION_COLUMNS,
    OBJECTION_TITLE,
    SelectionReport,
    Writer,
)


def write_csv(report: SelectionReport, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow([report.title])
        out.writerows(report.header())
        out.writerow([])
        out.writerow(CANDIDATE_COLUMNS)
        out.writerows(report.candidate_rows())
        out.writerow([])
        out.writerow([OBJECTION_TITLE])
        if report.objections:
            out.writerow(OBJECTION_COLUMNS)
            out.writerows(report.objection_rows())
        else:
            out.writerow([NO_OBJECTIONS])
        out.writerow([])
        out.writerows(["Catatan", note] for note in report.notes())


def write_xlsx(report: SelectionReport, path: Path) -> None:
    book = Workbook()
    sheet = book.worksheets[0]  # the sheet a new workbook starts with (book.active may be None in general)
    sheet.title = "Hasil seleksi"
    sheet.append([report.title])
    sheet["A1"].font = Font(bold=True, size=13)
    for key, value in report.header():
        sheet.append([key, value])
    sheet.append([])
    sheet.append(CANDIDATE_COLUMNS)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in report.candidate_rows():
        sheet.append(row)
    sheet.append([])
    for note in report.notes():
        sheet.append(["Catatan", note])
    for column, width in zip("ABCDEFGHIJ", (28, 22, 28, 30, 10, 9, 16, 14, 60, 22), strict=True):
        sheet.column_dimensions[column].width = width
    for cells in sheet.iter_rows():
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    detail = book.create_sheet("Rincian kompetensi")
    detail.append(DETAIL_COLUMNS)
    for cell in detail[1]:
        cell.font = Font(bold=True)
    for row in report.detail_rows():
        detail.append(row)
    objections = book.create_sheet("Keberatan")
    objections.append([OBJECTION_TITLE])
    objections["A1"].font = Font(bold=True)
    objections.append(list(OBJECTION_COLUMNS) if report.objections else [NO_OBJECTIONS])
    for row in report.objection_rows():
        objections.append(row)
    book.properties.title = report.title
    book.properties.creator = report.actor
    book.properties.created = report.produced_at
    book.save(path)


FONT = "MeritVera"
# Bitstream Vera has the mathematical N-ary summation sign but not the Greek capital sigma,
# and no arrows.
_GLYPHS = str.maketrans({"Σ": "∑", "→": "->"})


def vera_font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        folder = Path(reportlab.__file__).parent / "fonts"
        pdfmetrics.registerFont(TTFont(FONT, str(folder / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont(f"{FONT}-Bold", str(folder / "VeraBd.ttf")))
    return FONT


def _paragraph(value: object, style: ParagraphStyle) -> Paragraph:
    text = f"{value:.2f}" if isinstance(value, float) else str(value)
    return Paragraph(escape(text).translate(_GLYPHS), style)


def write_pdf(report: SelectionReport, path: Path) -> None:
    font = vera_font()
    body = ParagraphStyle("body", fontName=font, fontSize=8, leading=10)
    bold = ParagraphStyle("bold", parent=body, fontName=f"{font}-Bold")
    title = ParagraphStyle("title", parent=bold, fontSize=13, leading=16, spaceAfter=6)
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    header = Table(
        [[_paragraph(k, bold), _paragraph(v, body)] for k, v in report.header()],
        colWidths=[4.5 * cm, 22 * cm],
        style=grid,
    )
    widths = [2.1, 3.2, 3.3, 3.2, 2.0, 1.5, 2.1, 2.6, 4.3, 2.4]  # cm, 26.7 = A4 landscape less margins
    rows = [[_paragraph(c, bold) for c in CANDIDATE_COLUMNS]]
    rows += [[_paragraph(value, body) for value in row] for row in report.candidate_rows()]
    candidates = LongTable(rows, colWidths=[w * cm for w in widths], repeatRows=1, style=grid)
    document = SimpleDocTemplate(
        str(path),
        pagesize=landscape(A4),
        title=report.title,
        author=report.actor,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
    )
    story = [_paragraph(report.title, title), header, Spacer(1, 0.4 * cm), candidates, Spacer(1, 0.4 * cm)]
    story += [_paragraph(OBJECTION_TITLE, bold), Spacer(1, 0.15 * cm)]
    if report.objections:
        rows = [[_paragraph(c, bold) for c in OBJECTION_COLUMNS]]
        rows += [[_paragraph(value, body) for value in row] for row in report.objection_rows()]
        widths = [2.2, 3.5, 8.0, 2.6, 2.6, 7.8]
        story += [LongTable(rows, colWidths=[w * cm for w in widths], repeatRows=1, style=grid)]
    else:
        story += [_paragraph(NO_OBJECTIONS, body)]
    story += [Spacer(1, 0.4 * cm)]
    story += [_paragraph(note, body) for note in report.notes()]
    document.build(story)


WRITERS: dict[str, Writer] = dict(zip(FORMATS, (write_csv, write_xlsx, write_pdf), strict=True))
