"""The printable certificate: one A4 landscape page in Indonesian, with a QR code to verify it.

It states name, NIP, course, JP, completion date, the competency levels reached, the
issuing agency and the verification code; the QR code holds the verification page's
address with that code. Drawn with reportlab (its QR widget, and the Bitstream Vera font
every reportlab install ships, as the selection report uses).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import BinaryIO

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from merit.certificates.credential import Achievement
from merit.certificates.issuer import Issuer
from merit.nip import format_nip
from merit.reports.formats import vera_font

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
LEVEL_NAMES = {0: "belum ada", 1: "1", 2: "2", 3: "3", 4: "4", 5: "5"}
NAVY = colors.HexColor("#1f3a5f")
GOLD = colors.HexColor("#b8913a")


def tanggal(day: dt.date) -> str:
    """``6 Desember 2026``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(text, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def _centred(canvas: Canvas, text: str, font: str, size: float, x: float, y: float, room: float) -> None:
    """Draw ``text`` centred at ``x``, shrinking the font until it fits ``room`` (long names and titles)."""
    while size > 8 and stringWidth(text, font, size) > room:
        size -= 0.5
    canvas.setFont(font, size)
    canvas.drawCentredString(x, y, text)


def write_certificate(
    issuer: Issuer, achievement: Achievement, path: Path | BinaryIO, *, reproducible: bool = False
) -> Path | BinaryIO:
    """Draw the certificate of ``achievement`` into ``path`` (a PDF file or a binary stream).

    ``reproducible``: the same achievement always gives the same bytes (reportlab's
    invariant mode: a fixed creation date in the PDF's metadata), as a data archive needs.
    """
    a = achievement
    font = vera_font()
    bold = f"{font}-Bold"
    width, height = landscape(A4)
    target = str(path) if isinstance(path, Path) else path
    canvas = Canvas(target, pagesize=(width, height), invariant=1 if reproducible else None)
    canvas.setTitle(f"Sertifikat {a.course_title} - {a.name}")
    canvas.setAuthor(issuer.instansi)
    canvas.setSubject(f"Kode verifikasi {a.code}")
    canvas.setStrokeColor(NAVY)
    canvas.setLineWidth(3)
    canvas.rect(1 * cm, 1 * cm, width - 2 * cm, height - 2 * cm)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(1)
    canvas.rect(1.3 * cm, 1.3 * cm, width - 2.6 * cm, height - 2.6 * cm)

    middle, room = width / 2, width - 5 * cm
    canvas.setFillColor(NAVY)
    _centred(canvas, issuer.instansi.upper(), bold, 11, middle, height - 2.4 * cm, room)
    canvas.setFont(bold, 30)
    canvas.drawCentredString(middle, height - 4.0 * cm, "SERTIFIKAT")
    canvas.setFillColor(colors.black)
    canvas.setFont(font, 10)
    canvas.drawCentredString(middle, height - 4.7 * cm, f"Nomor: {a.code}")
    canvas.setFont(font, 12)
    canvas.drawCentredString(middle, height - 5.9 * cm, "diberikan kepada")
    _centred(canvas, a.name, bold, 20, middle, height - 7.0 * cm, room)
    canvas.setFont(font, 11)
    canvas.drawCentredString(middle, height - 7.7 * cm, f"NIP {format_nip(a.nip)}")
    canvas.setFont(font, 12)
    canvas.drawCentredString(middle, height - 8.8 * cm, "yang telah menyelesaikan pelatihan")
    _centred(canvas, a.course_title, bold, 16, middle, height - 9.8 * cm, room)
    canvas.setFont(font, 11)
    canvas.drawCentredString(
        middle,
        height - 10.6 * cm,
        f"sebanyak {a.jp} JP ({a.jp * 45} menit) dan dinyatakan lulus pada tanggal {tanggal(a.completed_on)}",
    )

    # Competencies and the levels reached, as a small two-column table.
    top = height - 11.8 * cm
    canvas.setFont(bold, 10)
    left, right = middle - 7.5 * cm, middle + 7.5 * cm
    canvas.drawString(left, top, "Kompetensi")
    canvas.drawRightString(right, top, "Level yang dicapai (1-5)")
    canvas.setStrokeColor(colors.grey)
    canvas.setLineWidth(0.5)
    canvas.line(left, top - 0.2 * cm, right, top - 0.2 * cm)
    # Rows tighten for a course with many competencies, so the table ends above the footer.
    step = min(0.55 * cm, 4.0 * cm / max(len(a.levels), 1))
    canvas.setFont(font, min(10.0, step / cm * 18))
    for row, (_, name, level) in enumerate(a.levels, start=1):
        y = top - row * step - 0.15 * cm
        canvas.drawString(left, y, name)
        canvas.drawRightString(right, y, LEVEL_NAMES.get(level, str(level)))

    # Issuer and date bottom left, QR code and verification bottom right.
    canvas.setFont(font, 10)
    canvas.drawString(2.2 * cm, 3.6 * cm, f"{issuer.kota}, {tanggal(a.issued_at.date())}")
    canvas.setFont(bold, 10)
    canvas.drawString(2.2 * cm, 3.0 * cm, issuer.instansi)
    canvas.setFont(font, 8)
    canvas.drawString(
        2.2 * cm, 2.4 * cm, "Ditandatangani secara elektronik (Ed25519); kredensial Open Badges 3.0 terlampir."
    )

    size = 3.6 * cm
    _qr(canvas, issuer.verification_url(a.code), width - 2.0 * cm - size, 2.2 * cm, size)
    canvas.setFont(font, 8)
    canvas.drawRightString(width - 2.0 * cm, 1.8 * cm, f"Kode verifikasi: {a.code}")
    canvas.drawRightString(width - 2.0 * cm - size - 0.3 * cm, 4.6 * cm, "Pindai untuk memeriksa keaslian:")
    canvas.drawRightString(width - 2.0 * cm - size - 0.3 * cm, 4.2 * cm, issuer.verifikasi)
    canvas.showPage()
    canvas.save()
    return path
