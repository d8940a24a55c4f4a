"""The forms of the alerts pages: capacity rules and SMS recipients."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from belegung import texts
from belegung.alerts.models import RECIPIENT_NAME_MAX, OutboxStatus, RecipientRole, RuleMetric
from belegung.http.forms import IdempotentForm, PageForm, options

REQUIRED = texts.FORMS["required"]
NUMBER = texts.FORMS["not_a_number"]
# The operation checks each metric's own upper bound (alerts.capacity.THRESHOLD_MAX).
_NUMBER_KW = {"inputmode": "numeric", "min": 0}


class RuleChangeForm(PageForm):
    """What a rule lets change: threshold, margin, whether it is enabled."""

    threshold = IntegerField(
        texts.ALERT_PAGES["threshold"],
        validators=[InputRequired(NUMBER), NumberRange(min=0)],
        render_kw=_NUMBER_KW,
    )
    margin = IntegerField(
        texts.ALERT_PAGES["margin"],
        validators=[Optional(), NumberRange(min=0)],
        render_kw=_NUMBER_KW,
    )
    enabled = BooleanField(texts.ALERT_PAGES["enabled"], default=True)


class NewRuleForm(RuleChangeForm, IdempotentForm):
    # "facility:<slug>" or "group:<target group>": one of the two, never both.
    scope = SelectField(
        texts.ALERT_PAGES["scope"], choices=[], validators=[InputRequired(texts.FORMS["choose"])]
    )
    metric = SelectField(
        texts.ALERT_PAGES["metric"],
        choices=options((m.value, texts.RULE_METRICS[m.value]) for m in RuleMetric),
    )


class RecipientForm(PageForm):
    name = StringField(
        texts.ALERT_PAGES["name"],
        validators=[DataRequired(REQUIRED), Length(max=RECIPIENT_NAME_MAX)],
    )
    phone = StringField(
        texts.ALERT_PAGES["phone"],
        validators=[DataRequired(REQUIRED), Length(max=40)],
        render_kw={"type": "tel", "autocomplete": "off", "inputmode": "tel"},
    )
    role = SelectField(
        texts.ALERT_PAGES["role"],
        choices=options((r.value, texts.RECIPIENT_ROLES[r.value]) for r in RecipientRole),
    )
    facilities = SelectMultipleField(texts.ALERT_PAGES["facilities"], choices=[])
    sms_queries = BooleanField(texts.ALERT_PAGES["sms_queries"])
    opted_out = BooleanField(texts.ALERT_PAGES["opted_out"])


class NewRecipientForm(RecipientForm, IdempotentForm):
    pass


class OutboxFilterForm(PageForm):
    """A GET form: no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    status = SelectField(
        texts.ALERT_PAGES["status"],
        choices=options(
            [("", texts.ALERT_PAGES["all_statuses"])]
            + [(s.value, texts.OUTBOX_STATUSES[s.value]) for s in OutboxStatus]
        ),
        validators=[Optional()],
    )


class ActionForm(PageForm):
    """A button that changes something (delete): the CSRF token."""
