"""Form fields the staff pages share."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from wtforms import DateField

#: Days a filter can name. The pages compute with them (the day after the last, a default period
#: before it, UTC from Baku time), which at the ends of the calendar overflows.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


class DayField(DateField):
    """A day typed as YYYY-MM-DD, with errors in the page's language (WTForms' own message has no
    Azerbaijani translation)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Enter a date as YYYY-MM-DD, e.g. 2026-11-01.")) from None
        if self.data is not None and not FIRST_DAY <= self.data <= LAST_DAY:
            self.data = None
            raise ValueError(_("Choose a date from %(first)d to %(last)d.", first=FIRST_DAY.year, last=LAST_DAY.year))
