"""The CSV exports' cells: what a spreadsheet would run as a formula goes out as text."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from factories import make_case, make_center, make_submission
from feedback.services import exports
from feedback.services.metrics import DashboardFilter, Period

DAY = date(2026, 11, 2)


def _rows(lines) -> list[dict]:
    return list(csv.DictReader(io.StringIO("".join(lines).lstrip("\ufeff"))))


@pytest.mark.parametrize("text", [
    " =HYPERLINK(\"http://x\",\"y\")",   # a leading space does not make a formula harmless
    "  @SUM(A1)",
    "\u00a0+cmd|' /C calc'!A0",         # nor does a no-break space
    "\n-2+3",
    " \t=1+1",
    "\tnot a formula, but a tab first was always set apart",
])
def test_a_formula_after_leading_whitespace_is_neutralised(app_ctx, text):
    center = make_center("baku-1")
    make_submission(center, rating=1, comment=text, comment_masked=text, desk=text[:20],
                    created_dt=datetime(2026, 11, 2, 9, tzinfo=timezone.utc))
    (row,) = _rows(exports.submissions_csv(DashboardFilter(Period(DAY, DAY)), sa.true()))
    assert row["comment_masked"] == "'" + text and row["desk"] == "'" + text[:20]


def test_ordinary_text_and_phone_numbers_stay_as_they_are(app_ctx):
    center = make_center("baku-1")
    make_case(center, rating=2, comment=" Çox sağ olun", comment_masked=" Çox sağ olun",
              contact="+994 50 123 45 67", created_dt=datetime(2026, 11, 2, 9, tzinfo=timezone.utc))
    (row,) = _rows(exports.submissions_csv(DashboardFilter(Period(DAY, DAY)), sa.true(), contact_cases=sa.true()))
    assert row["comment_masked"] == " Çox sağ olun" and row["contact"] == "+994 50 123 45 67"
