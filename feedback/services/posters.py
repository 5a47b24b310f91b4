"""Printable A4 posters with the QR code and short address of a center's (or desk's) survey.

The QR code comes from segno and is drawn as vector squares, so it stays sharp at any print size.
A poster speaks every configured language at once, so each line is translated under
``force_locale`` rather than in the reader's locale. The font must cover ə ş ç ğ ı ö ü and
Cyrillic; DejaVu Sans (Debian's fonts-dejavu-core) does.
"""

from __future__ import annotations

import io
from collections.abc import Callable
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import segno
from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, WrapMode, XPos, YPos

from feedback.models import Center

A4_WIDTH = 210
A4_HEIGHT = 297
QR_SIZE = 120  # mm: readable from a couple of metres away
_SMALLEST_QR = 60  # mm: still scans from arm's length
_FOOTER = 16  # mm kept at the bottom for the footer line
_MARGIN = 15  # mm left and right
_TOP = 12  # mm above the titles
_TITLE_LINE = 13  # mm per title line (30 pt)
_LINE_MM_PER_PT = 7 / 15  # line spacing: 7 mm for 15 pt type
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


def _shrink_until(pdf: FPDF, fits: Callable[[], bool], smallest: float) -> None:
    """Lower the current font size in half points, to no less than ``smallest``, until ``fits()``."""
    while pdf.font_size_pt > smallest and not fits():
        pdf.set_font_size(max(smallest, pdf.font_size_pt - 0.5))


def _centered(pdf: FPDF, text: str, *, wrap: WrapMode = WrapMode.WORD, dry_run: bool = False) -> float:
    """Draw ``text`` centred across the page, wrapped over as many lines as it needs, with lines
    spaced for the current font; returns the height it takes (all it does when ``dry_run``)."""
    return pdf.multi_cell(A4_WIDTH - 2 * _MARGIN, pdf.font_size_pt * _LINE_MM_PER_PT, text, align="C",
                          new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=wrap, dry_run=dry_run,
                          output=MethodReturnValue.HEIGHT)


def poster_pdf(
    center: Center, *, base_url: str, languages: tuple[str, ...], font_dir: str, desk: str | None = None
) -> bytes:
    """An A4 poster for the center (and desk): names, trilingual call to rate, QR, short address.

    Whatever the lengths of the names, the desk and the address, nothing runs off the paper or into
    the code: the address wraps (a citizen types it from here), long names get a smaller type, and
    the code takes what room is left, down to a size that still scans.
    """
    fonts = _font_paths(font_dir)
    url = survey_url(base_url, center.code, desk)
    # An address has no spaces to wrap at: it breaks between any two characters.
    address = {"text": short_url(url), "wrap": WrapMode.CHAR}
    lines = poster_lines(languages, desk)
    names = list(dict.fromkeys(center.name(language) for language in languages))
    desk_line = " · ".join(dict.fromkeys(line.desk for line in lines)) if desk else None

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(f"Rəy · {center.code}" + (f" · {desk}" if desk else ""))
    pdf.set_creator("Rəy")
    pdf.set_auto_page_break(False)
    pdf.set_margins(_MARGIN, _TOP, _MARGIN)
    for style, path in fonts.items():
        pdf.add_font("DejaVu", style, str(path))
    pdf.add_page()
    width = A4_WIDTH - 2 * _MARGIN

    # Sizes first, from the bottom up: the address and instructions, then the desk, then the names.
    pdf.set_font("DejaVu", "B", 17)
    _shrink_until(pdf, lambda: pdf.get_string_width(address["text"]) <= width, smallest=11)
    address_size = pdf.font_size_pt
    below = 3 + _centered(pdf, **address, dry_run=True) + 3
    pdf.set_font("DejaVu", "", 11)
    below += sum(_centered(pdf, line.how, dry_run=True) + 1 for line in lines)
    desk_size, desk_height = 0.0, 0.0
    if desk_line:
        pdf.set_font("DejaVu", "B", 20)
        _shrink_until(pdf, lambda: pdf.get_string_width(desk_line) <= width, smallest=14)
        desk_size, desk_height = pdf.font_size_pt, 1 + _centered(pdf, desk_line, dry_run=True)
    titles_end = _TOP + _TITLE_LINE * len(lines) + 2
    pdf.set_font("DejaVu", "", 15)
    room = A4_HEIGHT - _FOOTER - below - _SMALLEST_QR - 8 - desk_height - titles_end
    _shrink_until(pdf, lambda: sum(_centered(pdf, name, dry_run=True) for name in names) <= room, smallest=8)
    names_size = pdf.font_size_pt

    pdf.set_font("DejaVu", "B", 30)
    for line in lines:
        pdf.cell(width, _TITLE_LINE, line.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font("DejaVu", "", names_size)
    for name in names:
        _centered(pdf, name)
    if desk_line:
        pdf.ln(1)
        pdf.set_font("DejaVu", "B", desk_size)
        _centered(pdf, desk_line)

    qr_y = pdf.get_y() + 8
    qr_size = max(_SMALLEST_QR, min(QR_SIZE, A4_HEIGHT - _FOOTER - below - qr_y))
    _draw_qr(pdf, url, (A4_WIDTH - qr_size) / 2, qr_y, qr_size)

    pdf.set_y(qr_y + qr_size + 3)
    pdf.set_font("DejaVu", "B", address_size)
    _centered(pdf, **address)
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 11)
    for line in lines:
        _centered(pdf, line.how)
        pdf.ln(1)
    pdf.set_y(-14)
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(width, 5, "Rəy", align="C")
    return bytes(pdf.output())
