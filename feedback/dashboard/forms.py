"""The dashboard filter: a GET form whose choices depend on the user's scope (filled by the view)."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional

from feedback.fields import DayField, StaffForm
from feedback.services.metrics import (
    DEFAULT_PERIOD_DAYS, MAX_PERIOD_DAYS, DashboardFilter, FilterError, Period,
)



class DashboardFilterForm(StaffForm):
    """Filters in the query string; a GET form needs no CSRF token."""

    class Meta:
        csrf = False

    center = SelectField(_l("Center"), choices=[], validate_choice=False)
    region = SelectField(_l("Region"), choices=[], validate_choice=False)
    service = SelectField(_l("Service"), choices=[], validate_choice=False)
    start = DayField(_l("From"), validators=[Optional()])
    end = DayField(_l("Until"), validators=[Optional()])

    def set_choices(self, centers, services: dict[str, str], locale: str, any_label: str) -> None:
        self.center.choices = [("", any_label)] + [(str(c.id), c.name(locale)) for c in centers]
        regions = sorted({c.region for c in centers if c.region})
        self.region.choices = [("", any_label)] + [(r, r) for r in regions]
        self.service.choices = [("", any_label)] + sorted(services.items(), key=lambda kv: kv[1])

    def to_filter(self, today: date, tz: str) -> DashboardFilter:
        """The filter the form describes; unknown values become field errors and are ignored."""
        def known(field) -> str:
            value = field.data or ""
            if value and value not in {key for key, _label in field.choices}:
                field.errors = list(field.errors) + [_("Unknown choice; showing all instead.")]
                return ""
            return value

        center, region, service = known(self.center), known(self.region), known(self.service)
        start = self.start.data if not self.start.errors else None
        end = self.end.data if not self.end.errors else None
        end = end or today
        start = start or end - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
        try:
            period = Period(start, end, tz=tz)
        except FilterError:
            self.end.errors = list(self.end.errors) + [_("The period ends before it starts.")]
            period = Period(end - timedelta(days=DEFAULT_PERIOD_DAYS - 1), end, tz=tz)
        if (period.end - period.start).days >= MAX_PERIOD_DAYS:
            self.start.errors = list(self.start.errors) + [_("Choose a period of at most two years.")]
            period = Period(period.end - timedelta(days=MAX_PERIOD_DAYS - 1), period.end, tz=tz)
        self.start.data, self.end.data = period.start, period.end
        return DashboardFilter(period, center_id=int(center) if center else None, region=region or None,
                               service_code=service or None)
