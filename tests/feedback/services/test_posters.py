"""Poster layout: whatever the names, desk and address, nothing runs off the paper or overlaps.

The PDF is read back with pypdf: each text line's position and size, and the QR code's extent from
the rectangles its modules are drawn with (the poster has no other rectangles).
"""

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from factories import make_center
from feedback.extensions import db
from feedback.services.posters import A4_HEIGHT, poster_pdf, short_url, survey_url

MM_PER_PT = 25.4 / 72
LONG_AZ = ("Dövlət Xidmətləri və Sosial İnnovasiyalar üzrə Agentliyin Bakı şəhəri Xətai rayonu "
           "Regional Mərkəzi ") * 3
LONG_RU = "ШЩЖЮ Государственного агентства по обслуживанию граждан и социальным инновациям " * 3


def _layout(data: bytes):
    """Text lines as (x mm, baseline mm from the top, size mm, text); the QR code's top and bottom in
    mm, with the quiet zone of four modules that the code needs around it; the page's text."""
    page = PdfReader(io.BytesIO(data)).pages[0]
    lines = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            lines.append((tm[4] * MM_PER_PT, A4_HEIGHT - tm[5] * MM_PER_PT, size * MM_PER_PT, text.strip()))

    text = page.extract_text(visitor_text=visit)
    edges, module = [], A4_HEIGHT
    for operands, operator in page.get_contents().operations:
        if operator == b"re":
            y, height = float(operands[1]), float(operands[3])
            edges += [A4_HEIGHT - y * MM_PER_PT, A4_HEIGHT - (y + height) * MM_PER_PT]
            module = min(module, abs(height) * MM_PER_PT)
    return lines, (min(edges) - 4 * module, max(edges) + 4 * module), text


@pytest.mark.parametrize("names, desk, base_url, code", [
    (None, None, "https://rey.example.az", "baku-1"),
    (None, "12", "https://rey.example.az", "baku-1"),
    ({"az": LONG_AZ[:200], "ru": LONG_RU[:200], "en": "W" * 200}, "Desk-123456789012345",
     "https://feedback.public-services.example.gov.az/citizens/rey", "x" * 40),
    ({"az": "Ш" * 200, "ru": "Щ" * 200, "en": "M" * 200}, "W" * 20,
     "https://feedback.public-services.example.gov.az/" + "a" * 60, "y" * 40),
])
def test_nothing_runs_off_the_paper_or_into_the_code(app, names, desk, base_url, code):
    with app.test_request_context():
        center = make_center(code)
        if names:
            center.names = names
        db.session.flush()
        data = poster_pdf(center, base_url=base_url, languages=("az", "ru", "en"),
                          font_dir=app.config["POSTER_FONT_DIR"], desk=desk)
    _assert_fits(data, short_url(survey_url(base_url, code, desk)))


class _Center:
    """What a poster reads of a center: its code and its name in a language."""

    def __init__(self, code: str, names: dict):
        self.code, self.names = code, names

    def name(self, language: str) -> str:
        return self.names.get(language) or self.code


_LETTERS = "abcçdeəfgğhxıijkqlmnoöprsştuüvyzƏŞÇĞİÖÜ абвгдежзийклмнопрстуфхцчшщъыьэюяЖШЩЮ WM-.,()№"


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(names=st.dictionaries(st.sampled_from(["az", "ru", "en"]),
                             st.text(_LETTERS, min_size=1, max_size=200).filter(str.strip), min_size=1),
       desk=st.none() | st.from_regex(r"\A[A-Za-z0-9-]{1,20}\Z"),
       code=st.from_regex(r"\A[a-z0-9-]{1,40}\Z"),
       host=st.from_regex(r"\A[a-z0-9-]{1,40}(\.[a-z0-9-]{1,20}){0,3}(/[a-z0-9-]{1,20}){0,2}\Z"))
def test_any_names_desk_and_address_fit(app, names, desk, code, host):
    base_url = f"https://{host}"
    with app.test_request_context():
        data = poster_pdf(_Center(code, names), base_url=base_url, languages=("az", "ru", "en"),
                          font_dir=app.config["POSTER_FONT_DIR"], desk=desk)
    _assert_fits(data, short_url(survey_url(base_url, code, desk)))


def _assert_fits(data: bytes, address: str) -> None:
    lines, (qr_top, qr_bottom), text = _layout(data)
    *body, footer = lines
    assert footer[3] == "Rəy"
    assert qr_bottom - qr_top >= 59.9, "the code must stay large enough to scan"
    for x, baseline, size, line in body:
        # Centred text starts at the margin or right of it only if it fits between the margins.
        assert x >= 14.9, f"runs off the paper: {line!r}"
        assert baseline <= qr_top or baseline - size >= qr_bottom, f"overlaps the code: {line!r}"
        assert baseline <= footer[1] - footer[2] - 1, f"runs into the footer: {line!r}"
    for (_, upper, _, _), (_, lower, size, line) in zip(body, body[1:]):
        if upper < qr_top < lower:
            continue
        assert lower - upper >= 0.9 * size, f"overlaps the line above: {line!r}"
    # The address is printed whole, if need be over two lines, for citizens whose camera fails.
    assert address in text.replace("\n", "")
