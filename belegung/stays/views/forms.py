"""The forms of the shelter pages: finding and checking in a guest, a new guest, a
stay's actions, turn-aways, holds and ban overrides."""

from __future__ import annotations

from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from belegung import texts
from belegung.http.forms import IdempotentForm, PageForm, options
from belegung.limits import (
    BIRTH_YEAR_MIN,
    HOLD_NOTE_MAX,
    MAX_NIGHTS,
    NAME_MAX,
    PLACE_LABEL_MAX,
    REASON_MAX,
    SEARCH_MAX,
    TURN_AWAY_NOTE_MAX,
)
from belegung.persons.forms import citizenship_field
from belegung.persons.models import Gender, Nationality
from belegung.stays.models import TurnAwayReason

REQUIRED = texts.FORMS["required"]
NUMBER = texts.FORMS["not_a_number"]


def _nights_field(label: str) -> IntegerField:
    return IntegerField(
        label,
        default=1,
        validators=[InputRequired(NUMBER), NumberRange(min=1, max=MAX_NIGHTS)],
        render_kw={"inputmode": "numeric", "min": 1, "max": MAX_NIGHTS},
    )


class SearchForm(PageForm):
    """A GET form: no CSRF token needed (it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(
        texts.CHECK_IN["search_label"],
        validators=[DataRequired(REQUIRED), Length(max=SEARCH_MAX)],
        render_kw={"autocomplete": "off", "autocapitalize": "words", "spellcheck": "false"},
    )


class CheckInForm(IdempotentForm):
    """Confirm a check-in (or a hold's conversion) of a person found by the search."""

    place = SelectField(texts.CHECK_IN["place"], choices=[], validate_choice=False)
    night = DateField(
        texts.CHECK_IN["night"], validators=[InputRequired(texts.FORMS["not_a_date"])]
    )
    nights = _nights_field(texts.CHECK_IN["nights"])
    override_ban_reason = StringField(
        texts.CHECK_IN["override_reason"], validators=[Optional(), Length(max=REASON_MAX)]
    )


class NewGuestForm(CheckInForm):
    name = StringField(
        texts.CHECK_IN["name"],
        validators=[DataRequired(REQUIRED), Length(max=NAME_MAX)],
        render_kw={"autocomplete": "off", "autocapitalize": "words", "spellcheck": "false"},
    )
    birth_year = IntegerField(
        texts.CHECK_IN["birth_year"],
        validators=[Optional(), NumberRange(min=BIRTH_YEAR_MIN, max=2100)],
        render_kw={"inputmode": "numeric"},
    )
    gender = SelectField(
        texts.CHECK_IN["gender"],
        choices=options((g.value, texts.GENDERS[g.value]) for g in Gender),
        default=Gender.UNKNOWN.value,
    )
    # The country where known (the nationality group follows from it), else the group.
    citizenship = citizenship_field()
    nationality = SelectField(
        texts.CHECK_IN["nationality"],
        choices=options((n.value, texts.NATIONALITIES[n.value]) for n in Nationality),
        default=Nationality.UNKNOWN.value,
    )
    # Shown once the check-in was refused as a possible duplicate (see stays.checks).
    confirm_new_person = BooleanField(texts.CHECK_IN["confirm_new_person"])


class ExtendForm(IdempotentForm):
    nights = _nights_field(texts.STAY_PAGE["extend_nights"])


class MoveForm(PageForm):
    place = SelectField(texts.STAY_PAGE["move_to"], choices=[], validate_choice=False)


class ActionForm(PageForm):
    """A button that changes something (check out, cancel a hold): the CSRF token."""


class TurnAwayForm(IdempotentForm):
    reason = SelectField(
        texts.TURN_AWAY_PAGE["reason"],
        choices=options((r.value, texts.TURN_AWAY_REASONS[r.value]) for r in TurnAwayReason),
        validators=[InputRequired(texts.FORMS["choose"])],
    )
    note = StringField(
        texts.TURN_AWAY_PAGE["note"], validators=[Optional(), Length(max=TURN_AWAY_NOTE_MAX)]
    )


class HoldForm(IdempotentForm):
    facility = SelectField(texts.PHONE["facility"], choices=[], validate_choice=True)
    note = StringField(
        texts.PHONE["note"],
        validators=[Optional(), Length(max=HOLD_NOTE_MAX)],
        render_kw={"placeholder": texts.PHONE["note_placeholder"], "autocomplete": "off"},
    )
    minutes = IntegerField(
        texts.PHONE["minutes"],
        default=60,
        validators=[InputRequired(NUMBER), NumberRange(min=5, max=180)],
        render_kw={"inputmode": "numeric", "step": 15},
    )


class OverrideForm(IdempotentForm):
    reason = StringField(
        texts.BANS_PAGE["override_reason"],
        validators=[DataRequired(REQUIRED), Length(max=REASON_MAX)],
    )
    nights = _nights_field(texts.BANS_PAGE["override_nights"])


PLACE_MAX = PLACE_LABEL_MAX
