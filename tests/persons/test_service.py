"""Persons: only plausible data is kept, and staff find returning guests by name and year of
birth without the search itself being logged."""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from belegung.audit.models import AuditEntry
from belegung.context import ServiceContext
from belegung.errors import InvalidInput, NotFound
from belegung.persons.models import NAME_KEY_MAX, NAME_MAX, Gender, Person
from belegung.persons.operations import person_for
from belegung.persons.service import create_person, name_key, search_persons
from tests.conftest import FakeClock

MakePerson = Callable[..., Person]


def found_names(ctx: ServiceContext, query: str) -> list[str | None]:
    found, _total = search_persons(ctx, query)
    return [person.name for person in found]


# --- creating ------------------------------------------------------------------------


def test_person_keeps_the_name_as_given_with_tidy_spaces(ctx: ServiceContext) -> None:
    person = create_person(ctx, "  Jürgen   Müller ", birth_year=1971, gender=Gender.MALE)

    assert (person.name, person.birth_year, person.gender) == ("Jürgen Müller", 1971, Gender.MALE)
    assert person_for(ctx, person.id) is person


@pytest.mark.parametrize("name", ["", "   ", "x" * 121], ids=["empty", "blank", "121-chars"])
def test_person_needs_a_name_of_at_most_120_characters(ctx: ServiceContext, name: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        create_person(ctx, name)
    assert refused.value.params["field"] == "name"


def test_name_of_120_characters_is_accepted(ctx: ServiceContext) -> None:
    assert create_person(ctx, "x" * 120).name == "x" * 120


# The clock reads 2026.
@pytest.mark.parametrize("birth_year", [1900, 2026, None])
def test_plausible_or_unknown_birth_year_is_accepted(
    ctx: ServiceContext, birth_year: int | None
) -> None:
    assert create_person(ctx, "Gast", birth_year=birth_year).birth_year == birth_year


@pytest.mark.parametrize("birth_year", [1899, 2027])
def test_birth_year_before_1900_or_after_this_year_is_refused(
    ctx: ServiceContext, birth_year: int
) -> None:
    with pytest.raises(InvalidInput) as refused:
        create_person(ctx, "Gast", birth_year=birth_year)
    assert refused.value.params["field"] == "birth_year"


def test_birth_year_of_the_new_year_is_accepted_just_after_midnight(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    clock.set_local(2027, 1, 1, 0, 30)

    assert create_person(ctx, "Neugeborenes", birth_year=2027).birth_year == 2027


@pytest.mark.parametrize("size", [0, 31])
def test_household_of_implausible_size_is_refused(ctx: ServiceContext, size: int) -> None:
    with pytest.raises(InvalidInput):
        create_person(ctx, "Gast", household_size=size)


def test_anonymised_person_is_not_found_by_id(ctx: ServiceContext, make_person: MakePerson) -> None:
    person = make_person("Anna Schmidt")
    person.anonymised_at = ctx.now()

    with pytest.raises(NotFound):
        person_for(ctx, person.id)


# --- searching -----------------------------------------------------------------------


@pytest.fixture
def guests(make_person: MakePerson) -> None:
    for name, year in [
        ("Jürgen Müller", 1971),
        ("Karl Müller", 1980),
        ("Jürgen Schmidt", 1971),
        ("Anna-Lena Strauß", 1990),
        ("José García", 1985),
    ]:
        make_person(name, birth_year=year)


@pytest.mark.usefixtures("guests")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("müller", ["Jürgen Müller", "Karl Müller"]),
        ("müller 1971", ["Jürgen Müller"]),
        ("1971", ["Jürgen Müller", "Jürgen Schmidt"]),
        ("jürgen müller", ["Jürgen Müller"]),
        ("müller jürgen", ["Jürgen Müller"]),
        ("jürgen müller 1980", []),
        ("karl schmidt", []),
        ("MUELLER", ["Jürgen Müller", "Karl Müller"]),
        ("Strauss", ["Anna-Lena Strauß"]),
        ("lena", ["Anna-Lena Strauß"]),
        ("jose garcia", ["José García"]),
    ],
)
def test_search_finds_names_containing_every_word_and_the_birth_year(
    ctx: ServiceContext, query: str, expected: list[str]
) -> None:
    assert found_names(ctx, query) == expected


@pytest.mark.usefixtures("guests")
@pytest.mark.parametrize("query", ["%", "_", "m%r", "j_rgen"])
def test_search_takes_wildcards_literally(ctx: ServiceContext, query: str) -> None:
    assert found_names(ctx, query) == []


def test_search_finds_no_anonymised_person(ctx: ServiceContext, make_person: MakePerson) -> None:
    make_person("Anna Schmidt", birth_year=1990).anonymised_at = ctx.now()
    make_person("Anna Schmitz", birth_year=1990)

    assert found_names(ctx, "anna 1990") == ["Anna Schmitz"]


def test_search_returns_a_page_of_matches_and_their_total(
    ctx: ServiceContext, make_person: MakePerson
) -> None:
    for _ in range(5):
        make_person("Anna Schmidt")

    found, total = search_persons(ctx, "anna", limit=3)

    assert (len(found), total) == (3, 5)


def test_search_finds_a_name_typed_with_a_combining_umlaut(
    ctx: ServiceContext, make_person: MakePerson
) -> None:
    make_person(unicodedata.normalize("NFD", "Jürgen Müller"))

    assert found_names(ctx, "Müller") != []


def searches(ctx: ServiceContext) -> list[AuditEntry]:
    return list(
        ctx.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "person.search").order_by("id")
        )
    )


@pytest.mark.usefixtures("guests")
def test_search_is_audited_with_each_person_found_but_not_the_query(
    ctx: ServiceContext,
) -> None:
    found, _total = search_persons(ctx, "jürgen")

    entries = searches(ctx)
    assert [(e.object_type, e.object_id) for e in entries] == [("person", p.id) for p in found]
    assert [e.details for e in entries] == [{"results": 2}] * 2
    assert {e.actor_label for e in entries} == {ctx.actor.label}


@pytest.mark.usefixtures("guests")
def test_search_finding_nobody_is_audited_once_without_a_person(ctx: ServiceContext) -> None:
    search_persons(ctx, "niemand")

    assert [(e.object_id, e.details) for e in searches(ctx)] == [(None, {"results": 0})]


def test_search_audits_only_the_page_shown(ctx: ServiceContext, make_person: MakePerson) -> None:
    for _ in range(5):
        make_person("Anna Schmidt")

    found, _total = search_persons(ctx, "anna", limit=2, offset=2)

    assert [e.object_id for e in searches(ctx)] == [p.id for p in found]


# --- the search key ------------------------------------------------------------------


def test_name_key_of_120_sharp_s_is_240_letters_uncut() -> None:
    assert name_key("ß" * NAME_MAX) == "ss" * NAME_MAX
    assert len(name_key("ß" * NAME_MAX)) == 2 * NAME_MAX == NAME_KEY_MAX
    assert name_key("Ä" * NAME_MAX) == "a" * NAME_MAX  # an umlaut folds to its base letter


def test_name_key_of_a_ligature_expands_to_its_letters() -> None:
    assert name_key("Eﬃ") == "effi"


def test_name_key_fits_its_column_for_a_name_of_the_longest_folding_character() -> None:
    # Folding at most doubles a name of European letters, but not every name: find the
    # character whose key is longest (U+FDFA, an Arabic ligature of 18 characters).
    longest = max(
        (chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF),
        key=lambda c: len(name_key(c)),
    )
    assert len(name_key(longest)) * NAME_MAX > NAME_KEY_MAX

    key = name_key(longest * NAME_MAX)

    assert len(key) <= NAME_KEY_MAX
    # Cut at the end, where it doesn't matter for a search by the name's beginning.
    assert key.startswith(name_key(longest * 10))


def test_a_person_with_a_name_of_the_longest_folding_character_is_found(
    ctx: ServiceContext,
) -> None:
    person = create_person(ctx, "\ufdfa" * NAME_MAX)
    ctx.session.flush()

    assert found_names(ctx, "\ufdfa") == [person.name]
