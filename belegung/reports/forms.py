"""The report pages' forms: which month, which reference night (GET forms: they change
nothing, so they carry no CSRF token)."""

from __future__ import annotations

from wtforms import DateField, StringField
from wtforms.validators import Optional, Regexp

from belegung import texts
from belegung.http.forms import PageForm

MONTH_PATTERN = r"^20\d{2}-(0[1-9]|1[0-2])$"


class MonthForm(PageForm):
    class Meta:
        csrf = False

    monat = StringField(
        texts.REPORT_PAGES["month"],
        validators=[Optional(), Regexp(MONTH_PATTERN, message=texts.VALIDATION["bad_month"])],
        render_kw={"type": "month", "placeholder": "2026-01", "pattern": MONTH_PATTERN[1:-1]},
    )


class NightForm(PageForm):
    class Meta:
        csrf = False

    nacht = DateField(
        texts.REPORT_PAGES["night"],
        validators=[Optional()],
        render_kw={"placeholder": "2026-01-31"},
    )
