"""The audit log page's filter (a GET form: it changes nothing, so no CSRF token)."""

from __future__ import annotations

from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from belegung import texts
from belegung.http.forms import PageForm, options
from belegung.limits import EARLIEST_NIGHT, LATEST_NIGHT, USER_NAME_MAX


class AuditFilterForm(PageForm):
    class Meta:
        csrf = False

    user = StringField(
        texts.AUDIT_PAGE["user"],
        validators=[Optional(), Length(max=USER_NAME_MAX)],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    action = StringField(
        texts.AUDIT_PAGE["action"],
        validators=[Optional(), Length(max=60)],
        render_kw={"list": "audit-actions", "autocapitalize": "none", "spellcheck": "false"},
    )
    object_type = SelectField(
        texts.AUDIT_PAGE["object_type"],
        choices=options(
            [("", texts.AUDIT_PAGE["all_objects"]), *list(texts.AUDIT_OBJECTS.items())]
        ),
        validators=[Optional()],
    )
    object_id = IntegerField(
        texts.AUDIT_PAGE["object_id"],
        validators=[Optional(), NumberRange(min=1, max=2**31 - 1)],
        render_kw={"inputmode": "numeric"},
    )
    person = IntegerField(
        texts.AUDIT_PAGE["person"],
        validators=[Optional(), NumberRange(min=1, max=2**31 - 1)],
        render_kw={"inputmode": "numeric"},
    )
    since = DateField(texts.AUDIT_PAGE["since"], validators=[Optional()])
    until = DateField(texts.AUDIT_PAGE["until"], validators=[Optional()])

    def validate_since(self, field: DateField) -> None:
        _in_range(field)

    def validate_until(self, field: DateField) -> None:
        _in_range(field)
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(texts.AUDIT_PAGE["until_before_since"])


def _in_range(field: DateField) -> None:
    if field.data and not EARLIEST_NIGHT <= field.data <= LATEST_NIGHT:
        raise ValidationError(texts.FORMS["not_a_date"])
