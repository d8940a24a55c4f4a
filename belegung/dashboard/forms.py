"""The dashboard's form: switching the winter emergency by hand."""

from __future__ import annotations

from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from belegung import texts
from belegung.http.forms import PageForm
from belegung.limits import REASON_MAX


class WinterSwitchForm(PageForm):
    active = HiddenField(validators=[AnyOf(["1", "0"])])
    reason = StringField(
        texts.DASHBOARD["winter_reason"],
        validators=[DataRequired(texts.FORMS["required"]), Length(max=REASON_MAX)],
    )
