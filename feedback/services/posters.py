"""Printable A4 posters with the QR code and short address of a center's (or desk's) survey.

The QR code comes from segno and is drawn as vector squares, so it stays sharp at any print size.
A poster speaks every configured language at once, so each line is translated under
``force_locale`` rather than in the reader's locale. The font must cover ə ş ç ğ ı ö ü and
Cyrillic; DejaVu Sans (Debian's fonts-dejavu-core) does.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import segno
from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from feedback.models import Center

A4_WIDTH = 210
A4_HEIGHT = 297
_BELOW_QR = 62  # mm kept under the code for the address, the three instructions and the footer
QR_SIZE = 120  # mm: readable from a couple of metres away
_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
# fpdf2 subsets fonts through fontTools, which reports every table it touches at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)


class PosterError(RuntimeError):
    """The poster cannot be drawn; the message says what to install or configure."""


@dataclass(frozen=True)
class PosterLines:
    language: str
    title: str
    how: str
    desk: str | None


def survey_url(base_url: str, center_code: str, desk: str | None = None) -> str:
    """The absolute address a poster's QR code opens."""
    url = f"{base_url.rstrip('/')}/c/{quote(center_code)}"
    return f"{url}?desk={quote(desk)}" if desk else url


def short_url(url: str) -> str:
    """The address as printed for typing by hand: no scheme."""
    return url.split("://", 1)[-1]


def poster_lines(languages: tuple[str, ...], desk: str | None) -> list[PosterLines]:
    lines = []
    for language in languages:
        with force_locale(language):
            lines.append(PosterLines(
                language=language,
                title=_("Rate your visit"),
                how=_("Scan the code with your phone's camera, or type the address below."),
                desk=_("Desk %(desk)s", desk=desk) if desk else None,
            ))
    return lines


def qr_png(url: str, *, scale: int = 10) -> bytes:
    """The QR code alone as a PNG, for other printed matter."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def _font_paths(font_dir: str) -> dict[str, Path]:
    paths = {style: Path(font_dir) / name for style, name in _FONT_FILES.items()}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise PosterError(
            f"poster font missing: {', '.join(missing)}; install Debian's fonts-dejavu-core "
            "or set REY_POSTER_FONT_DIR to a folder with DejaVuSans.ttf and DejaVuSans-Bold.ttf"
        )
    return paths


def _draw_qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    qr = segno.make(url, error="m")
    rows = list(qr.matrix_iter(border=4))
    module = size / len(rows)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                # One rectangle per run of dark modules keeps the file small.
                pdf.rect(x + start * module, y + r * module, (c - start) * module, module, style="F")
            else:
                c += 1


def poster_pdf(
    center: Center, *, base_url: str, languages: tuple[str, ...], font_dir: str, desk: str | None = None
) -> bytes:
    """An A4 poster for the center (and desk): names, trilingual call to rate, QR, short address."""
    fonts = _font_paths(font_dir)
    url = survey_url(base_url, center.code, desk)
    lines = poster_lines(languages, desk)

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(f"Rəy · {center.code}" + (f" · {desk}" if desk else ""))
    pdf.set_creator("Rəy")
    pdf.set_auto_page_break(False)
    pdf.set_margins(15, 12, 15)
    for style, path in fonts.items():
        pdf.add_font("DejaVu", style, str(path))
    pdf.add_page()
    width = A4_WIDTH - 30

    pdf.set_font("DejaVu", "B", 30)
    for line in lines:
        pdf.cell(width, 13, line.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 15)
    seen = []
    for language in languages:
        name = center.name(language)
        if name not in seen:
            seen.append(name)
    for name in seen:
        pdf.multi_cell(width, 7, name, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if desk:
        pdf.ln(1)
        pdf.set_font("DejaVu", "B", 20)
        desk_labels = list(dict.fromkeys(line.desk for line in lines))
        pdf.cell(width, 10, " · ".join(desk_labels), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    qr_y = pdf.get_y() + 8
    # Very long center names take room from the code, never push the address off the page.
    qr_size = max(60.0, min(QR_SIZE, A4_HEIGHT - _BELOW_QR - qr_y))
    _draw_qr(pdf, url, (A4_WIDTH - qr_size) / 2, qr_y, qr_size)
    pdf.set_y(qr_y + qr_size + 3)
    pdf.set_font("DejaVu", "B", 17)
    pdf.cell(width, 9, short_url(url), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 11)
    for line in lines:
        pdf.multi_cell(width, 5.5, line.how, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)
    pdf.set_y(-14)
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(width, 5, "Rəy", align="C")
    return bytes(pdf.output())
