"""The pages' form bases and the fields the staff pages share."""

from __future__ import annotations

from datetime import date

from flask import request
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtforms_catalogue
from wtforms import DateField

#: WTForms' own messages that the staff forms can show, listed for ``make translations-extract``:
#: WTForms has no Azerbaijani catalogue, so ours carries them (``StaffForm`` looks them up there).
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Not a valid integer value."),
    _l("Number must be between %(min)s and %(max)s."),
    lazy_ngettext("Field cannot be longer than %(max)d character.",
                  "Field cannot be longer than %(max)d characters.", 2),
)


class _Messages:
    """WTForms' translations interface over our catalogue, falling back to WTForms' own. Raw
    lookups: WTForms fills in the placeholders itself."""

    def gettext(self, string):
        ours = get_translations().ugettext(string)
        return ours if ours != string else wtforms_catalogue.gettext(string)

    def ngettext(self, singular, plural, n):
        ours = get_translations().ungettext(singular, plural, n)
        return ours if ours not in (singular, plural) else wtforms_catalogue.ngettext(singular, plural, n)


_MESSAGES = _Messages()


class PageForm(FlaskForm):
    """A form of an HTML page, filled from the text fields of the form that was posted and nothing else.

    Flask-WTF also fills a form from the request's file parts, and from a JSON body when no form
    fields came: a field then holds a file, a number, a list or a dict, on which the validators of
    text fail (a 500), and a JSON body that is not an object failed before any validator ran. The
    pages send text fields only, so anything else counts as not sent. A form given ``formdata``
    (the filters read the query string, the API maps its JSON itself) takes what it is given.
    """

    def __init__(self, *args, **kwargs):
        if not args and "formdata" not in kwargs:
            posted = request.method in ("POST", "PUT", "PATCH", "DELETE") and request.form
            kwargs["formdata"] = request.form if posted else None
        super().__init__(*args, **kwargs)


def filter_query(form) -> dict[str, str]:
    """The query parameters a filter page's links carry on: the filter form's own fields and the
    page's language, as given, and nothing else. Every other parameter is dropped, so none can pose
    as one of ``url_for``'s arguments (``endpoint``, ``_external``, ``_anchor``)."""
    names = {name for name in form._fields if name != "csrf_token"} | {"lang"}
    return {name: value for name, value in request.args.items() if name in names}


class StaffForm(PageForm):
    """A form of the officers', managers' or administrators' pages, with every message in the
    page's language."""

    class Meta:
        def get_translations(self, form):
            return _MESSAGES

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
