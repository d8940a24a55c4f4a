"""The winter emergency page's forms: switch it by hand, hand it back to the forecast."""

from __future__ import annotations

from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from belegung import texts
from belegung.http.forms import PageForm
from belegung.limits import REASON_MAX


class SwitchForm(PageForm):
    active = HiddenField(validators=[AnyOf(["1", "0"])])
    reason = StringField(
        texts.WINTER_PAGE["switch_reason"],
        validators=[DataRequired(texts.FORMS["required"]), Length(max=REASON_MAX)],
    )


class ReleaseForm(PageForm):
    release_reason = StringField(
        texts.WINTER_PAGE["release_reason"], validators=[Optional(), Length(max=REASON_MAX)]
    )
