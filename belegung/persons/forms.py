"""The forms of the persons' pages, and the citizenship field the new-guest form shares:
the country as an ISO 3166-1 alpha-2 code, chosen by its German name."""

from __future__ import annotations

import gettext
from functools import cache

import pycountry
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from belegung import texts
from belegung.http.forms import PageForm, options
from belegung.limits import (
    BIRTH_YEAR_MAX,
    BIRTH_YEAR_MIN,
    HOUSEHOLD_SIZE_MAX,
    NAME_MAX,
    REASON_MAX,
    SEARCH_MAX,
)
from belegung.persons.countries import country_names
from belegung.persons.models import Gender, HouseholdType, Nationality

REQUIRED = texts.FORMS["required"]


@cache
def country_choices() -> list[tuple[str, str]]:
    """Every accepted code with the country's German name, sorted by that name
    (pycountry's translations; Kosovo's XK has none)."""
    german = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["de"])
    named = [(code, german.gettext(name)) for code, name in country_names().items()]
    named = [(code, "Kosovo" if code == "XK" else name) for code, name in named]
    return sorted(named, key=lambda pair: pair[1].casefold())


def citizenship_field() -> SelectField:
    """The country of citizenship, optional (the empty choice: not known)."""
    return SelectField(
        texts.PERSON_PAGES["citizenship"],
        choices=options([("", texts.PERSON_PAGES["citizenship_none"]), *country_choices()]),
        validators=[Optional()],
        default="",
    )


def nationality_for(citizenship: str, chosen: str, before: str | None = None) -> str | None:
    """The nationality group to send with a citizenship: none when a country is chosen
    and the group was left as it was (it follows from the country); else the group
    chosen (the operation refuses one that contradicts the country)."""
    if citizenship and chosen in (before or Nationality.UNKNOWN.value, Nationality.UNKNOWN.value):
        return None
    return chosen


def nationality_field() -> SelectField:
    return SelectField(
        texts.PERSON_PAGES["nationality"],
        choices=options((n.value, texts.NATIONALITIES[n.value]) for n in Nationality),
        default=Nationality.UNKNOWN.value,
    )


class PersonSearchForm(PageForm):
    """A GET form: no CSRF token needed (it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(
        texts.PERSON_PAGES["search_label"],
        validators=[DataRequired(REQUIRED), Length(max=SEARCH_MAX)],
        render_kw={"autocomplete": "off", "autocapitalize": "words", "spellcheck": "false"},
    )


class PersonForm(PageForm):
    name = StringField(
        texts.PERSON_PAGES["name"],
        validators=[DataRequired(REQUIRED), Length(max=NAME_MAX)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    birth_year = IntegerField(
        texts.PERSON_PAGES["birth_year"],
        validators=[Optional(), NumberRange(min=BIRTH_YEAR_MIN, max=BIRTH_YEAR_MAX)],
        render_kw={"inputmode": "numeric"},
    )
    gender = SelectField(
        texts.PERSON_PAGES["gender"],
        choices=options((g.value, texts.GENDERS[g.value]) for g in Gender),
    )
    citizenship = citizenship_field()
    nationality = nationality_field()
    household_type = SelectField(
        texts.PERSON_PAGES["household_type"],
        choices=options((h.value, texts.HOUSEHOLD_TYPES[h.value]) for h in HouseholdType),
    )
    household_size = IntegerField(
        texts.PERSON_PAGES["household_size"],
        validators=[InputRequired(texts.FORMS["not_a_number"]),
                    NumberRange(min=1, max=HOUSEHOLD_SIZE_MAX)],
        render_kw={"inputmode": "numeric"},
    )  # fmt: skip


class EraseForm(PageForm):
    reason = StringField(
        texts.PERSON_PAGES["erase_reason"],
        validators=[DataRequired(REQUIRED), Length(max=REASON_MAX)],
    )
    confirm = BooleanField(texts.PERSON_PAGES["erase_confirm"], validators=[DataRequired(REQUIRED)])
