"""Registering and finding persons (guests): names folded for search, the staff's search
limits, and who was shown whom."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from belegung.audit.models import AuditEntry
from belegung.audit.service import record
from belegung.auth.permissions import person_facility_ids
from belegung.context import ServiceContext
from belegung.errors import InvalidInput, InvalidState
from belegung.limits import (
    BIRTH_YEAR_MIN,
    HOUSEHOLD_SIZE_MAX,
    NAME_KEY_MAX,
    NAME_MAX,
)
from belegung.persons.countries import nationality_group, normalise_citizenship
from belegung.persons.models import Gender, HouseholdType, Nationality, Person

_YEAR = re.compile(r"^\d{4}$")

# Staff search every person (a returning guest may have slept at another shelter), but
# only by a specific query, and only when it matches few persons: enough to pick the
# guest at the door, too few to page through the register. Shorter names (Li, Wu, Oz)
# are found together with the year of birth.
STAFF_SEARCH_MAX_HITS = 20
STAFF_SEARCH_MIN_LETTERS = 3
STAFF_SEARCH_MIN_LETTERS_WITH_YEAR = 2
# A person a staff member's search showed (or who they registered) is theirs to read and
# act on for one night's duty and the day after.
SHOWN_FOR = timedelta(hours=24)
SHOWING = ("person.search", "person.create")


# Zero-width and direction marks: invisible, they only make one name two for search and
# display ("Mül\u200bler" is not "Müller"). Removed from names before they are stored.
INVISIBLE_MARKS = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u061c"))
# Letters that show as nothing (Hangul fillers, the blank Braille pattern): a name of
# only these (and spaces or format characters) is no name.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# The spelled-out umlauts, folded like the umlauts themselves.
_DIGRAPHS = (("ae", "a"), ("oe", "o"), ("ue", "u"))


def clean_name(name: str) -> str:
    """A name as it is stored: without zero-width and direction marks, spaces collapsed."""
    return " ".join(name.translate(INVISIBLE_MARKS).split())


def _visible(name: str) -> bool:
    """Does the name show anything: a letter, digit, mark of punctuation or symbol?"""
    return any(unicodedata.category(c)[0] in "LNPS" and c not in BLANK_LETTERS for c in name)


def name_key(name: str) -> str:
    """Fold a name for search as staff type it: case, accents, invisible characters and
    the spelling of umlauts and ß don't matter. "Müller", "Mueller" and "Muller" all fold
    to "muller", "Straße" and "Strasse" to "strasse", "Mül\u200bler" to "muller".

    An umlaut folds to its base letter, and so does its two-letter form (ae, oe, ue): the
    one equivalence that lets each spelling find the others. (It also makes "Michael"
    find "Michal": a search shows a few more names, never fewer.)
    """
    # NFC first: "ü" may arrive as "u" plus a combining diaeresis. casefold makes ß "ss".
    folded = unicodedata.normalize("NFC", name).casefold()
    # Format characters (zero-width, direction marks, soft hyphen) show nothing.
    folded = "".join(c for c in folded if unicodedata.category(c) != "Cf")
    decomposed = unicodedata.normalize("NFKD", folded)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    for digraph, letter in _DIGRAPHS:
        stripped = stripped.replace(digraph, letter)
    # Compatibility characters expand ("ﬃ" → "ffi", U+FDFA to 18 characters): the key is
    # cut to fit its column. A name that long is still found by its first 240 letters.
    return " ".join(stripped.split())[:NAME_KEY_MAX].rstrip()


def short_name(name: str | None) -> str:
    """A guest's name as the night board shows it: the first word and the initial of the
    last ("Thomas Krämer" → "Thomas K."); an alias of one word stays as it is."""
    words = (name or "").split()
    if not words:
        return "–"
    if len(words) == 1:
        return words[0]
    last = words[-1]
    return f"{words[0]} {last if last.endswith('.') and len(last) <= 3 else last[0] + '.'}"


def _check_name(name: str) -> str:
    name = clean_name(name or "")
    if not name:
        raise InvalidInput(field="name", reason="name_missing")
    if not _visible(name):
        raise InvalidInput(field="name", reason="name_invisible")
    if len(name) > NAME_MAX:
        raise InvalidInput(field="name", reason="at_most_chars", max=NAME_MAX)
    return name


def _check_birth_year(ctx: ServiceContext, birth_year: int | None) -> int | None:
    if birth_year is None:
        return None
    this_year = ctx.now().astimezone(ctx.calendar.timezone).year
    if not BIRTH_YEAR_MIN <= birth_year <= this_year:
        raise InvalidInput(field="birth_year", reason="between", low=BIRTH_YEAR_MIN, high=this_year)
    return birth_year


def _check_household_size(size: int) -> int:
    if not 1 <= size <= HOUSEHOLD_SIZE_MAX:
        raise InvalidInput(field="household_size", reason="between", low=1, high=HOUSEHOLD_SIZE_MAX)
    return size


def _check_citizenship(code: str | None) -> str | None:
    if code is None:
        return None
    normalised = normalise_citizenship(code)
    if normalised is None:
        raise InvalidInput(field="citizenship", reason="unknown_country")
    return normalised


def _nationality(
    citizenship: str | None, given: Nationality | None, fallback: Nationality
) -> Nationality:
    """The nationality group: the citizenship's where one is known (a group given as
    well must agree with it), else the one given, else `fallback`."""
    if citizenship is None:
        return fallback if given is None else Nationality(given)
    group = nationality_group(citizenship)
    if given is not None and Nationality(given) != group:
        raise InvalidInput(field="nationality", reason="nationality_contradicts_citizenship")
    return group


def create_person(
    ctx: ServiceContext,
    name: str,
    *,
    birth_year: int | None = None,
    gender: Gender = Gender.UNKNOWN,
    nationality: Nationality | None = None,
    citizenship: str | None = None,
    household_type: HouseholdType = HouseholdType.SINGLE,
    household_size: int = 1,
) -> Person:
    """Register a person. With a `citizenship` (ISO 3166-1 alpha-2) the nationality group
    follows from it; without, it is the one given, or unknown."""
    name = _check_name(name)
    citizenship = _check_citizenship(citizenship)
    person = Person(
        name=name,
        name_key=name_key(name),
        birth_year=_check_birth_year(ctx, birth_year),
        gender=Gender(gender),
        nationality=_nationality(citizenship, nationality, Nationality.UNKNOWN),
        citizenship=citizenship,
        household_type=HouseholdType(household_type),
        household_size=_check_household_size(household_size),
        created_at=ctx.now(),
    )
    ctx.session.add(person)
    ctx.session.flush()
    record(ctx, "person.create", "person", person.id)
    return person


# The fields of a person a change may name.
CHANGEABLE = (
    "name",
    "birth_year",
    "gender",
    "nationality",
    "citizenship",
    "household_type",
    "household_size",
)


def update_person(ctx: ServiceContext, person: Person, changes: Mapping[str, Any]) -> Person:
    """Change the fields named in `changes` (see CHANGEABLE); audited with the names of
    the fields changed, never their values.

    A new citizenship brings its nationality group; a group given alone must agree with
    the citizenship the person keeps (clear the citizenship with `None` to set another).
    """
    unknown = set(changes) - set(CHANGEABLE)
    if unknown:
        raise InvalidInput(field=sorted(unknown)[0], reason="not_changeable")
    if person.anonymised_at is not None:
        raise InvalidState(reason="person_anonymised")
    values: dict[str, Any] = {}
    if "name" in changes:
        values["name"] = _check_name(changes["name"])
        values["name_key"] = name_key(values["name"])
    if "birth_year" in changes:
        values["birth_year"] = _check_birth_year(ctx, changes["birth_year"])
    if "gender" in changes:
        values["gender"] = Gender(changes["gender"])
    if "household_type" in changes:
        values["household_type"] = HouseholdType(changes["household_type"])
    if "household_size" in changes:
        values["household_size"] = _check_household_size(changes["household_size"])
    citizenship = person.citizenship
    if "citizenship" in changes:
        citizenship = values["citizenship"] = _check_citizenship(changes["citizenship"])
    if "citizenship" in changes or "nationality" in changes:
        values["nationality"] = _nationality(
            citizenship, changes.get("nationality"), person.nationality
        )
    changed = sorted(k for k, v in values.items() if k != "name_key" and getattr(person, k) != v)
    for key, value in values.items():
        setattr(person, key, value)
    ctx.session.flush()
    record(ctx, "person.update", "person", person.id, fields=changed)
    return person


def shown_to(person_id: int, user_id: int, since: datetime) -> sa.ColumnElement[bool]:
    """SQL: the person was shown to the user by a search, or registered by them, since
    `since` (the audit log knows)."""
    return sa.exists().where(
        AuditEntry.object_type == "person",
        AuditEntry.object_id == person_id,
        AuditEntry.actor_id == user_id,
        AuditEntry.action.in_(SHOWING),
        AuditEntry.at >= since,
    )


def matching_persons(q: str, *, whole_words: bool = False) -> sa.Select[tuple[Person]] | None:
    """Persons whose name holds every word of `q` (with `whole_words`, as a word of its
    own, not inside one); a four-digit word is the year of birth ("müller 1971"). None
    when `q` holds nothing to search for."""
    words = q.split()
    years = [int(w) for w in words if _YEAR.match(w)]
    # A word of only invisible characters folds to nothing: it names nobody.
    names = [key for w in words if not _YEAR.match(w) and (key := name_key(w))]
    if not names and not years:
        return None
    stmt = sa.select(Person).where(Person.anonymised_at.is_(None))
    # name_key separates words by single spaces.
    haystack = sa.literal(" ") + Person.name_key + " " if whole_words else Person.name_key
    for word in names:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"% {escaped} %" if whole_words else f"%{escaped}%"
        stmt = stmt.where(haystack.like(pattern, escape="\\"))
    if years:
        stmt = stmt.where(Person.birth_year.in_(years))
    return stmt.order_by(Person.name_key, Person.birth_year, Person.id)


def _specific(q: str) -> bool:
    """Is a staff search specific enough to match parts of names (see STAFF_SEARCH_*)?"""
    words = unicodedata.normalize("NFC", q).split()
    letters = sum(c.isalpha() for w in words if not _YEAR.match(w) for c in w)
    with_year = any(_YEAR.match(w) for w in words)
    needed = STAFF_SEARCH_MIN_LETTERS_WITH_YEAR if with_year else STAFF_SEARCH_MIN_LETTERS
    return letters >= needed


def _staff_hits(ctx: ServiceContext, q: str) -> Sequence[Person]:
    """A staff search: parts of names for a specific query, else (or when parts match
    too many) whole name words only, so that a guest known as "Wu" or "Ali" among many
    "Alina"s is still found. Refused when neither names a few persons."""

    more = STAFF_SEARCH_MAX_HITS + 1

    def first_hits(whole_words: bool) -> Sequence[Person]:
        stmt = matching_persons(q, whole_words=whole_words)
        return [] if stmt is None else ctx.session.scalars(stmt.limit(more)).all()

    specific = _specific(q)
    hits = first_hits(whole_words=False) if specific else []
    if not specific or len(hits) == more:
        # Whole words need a name word: a year alone would list a whole cohort.
        has_name = any(not _YEAR.match(w) for w in q.split())
        hits = first_hits(whole_words=True) if has_name else []
        if not specific and not hits:
            raise InvalidInput(
                field="q",
                reason="search_too_short",
                letters=STAFF_SEARCH_MIN_LETTERS,
                with_year=STAFF_SEARCH_MIN_LETTERS_WITH_YEAR,
            )
    if len(hits) == more:
        raise InvalidInput(field="q", reason="search_too_many", limit=STAFF_SEARCH_MAX_HITS)
    return hits


def search_persons(
    ctx: ServiceContext, q: str, *, limit: int = 20, offset: int = 0
) -> tuple[Sequence[Person], int]:
    """Find returning guests: a page of matches and the number of all matches.

    Managers and admins search freely. Staff search all persons too, but only by a
    specific query or by whole name words (see _staff_hits), and one matching more than
    STAFF_SEARCH_MAX_HITS persons is refused with a request to refine it (rather than
    cut: a cut list could hide the guest they look for, who would then be registered
    twice).
    """
    found: Sequence[Person]
    if person_facility_ids(ctx.actor) is not None:
        hits = _staff_hits(ctx, q)
        found, total = hits[offset : offset + limit], len(hits)
    elif (stmt := matching_persons(q)) is None:
        found, total = [], 0
    else:
        found = ctx.session.scalars(stmt.limit(limit).offset(offset)).all()
        total = (
            ctx.session.scalar(
                sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
            )
            or 0
        )
    # Who looked up whom: one entry per person shown (the query itself, a name, is not
    # kept), or one without a person when the search found nobody.
    shown: list[int | None] = [p.id for p in found]
    for person_id in shown or [None]:
        record(ctx, "person.search", "person", person_id, results=len(found))
    return found, total


def anonymise(ctx: ServiceContext, persons: Sequence[Person], *, cause: str) -> None:
    """Remove what identifies each person: name, year of birth and citizenship go, the
    search key is cleared. Gender, nationality group and household stay (the figures
    count them); so do their records. Audited per person with the `cause` (a code:
    "retention" or "erasure")."""
    now = ctx.now()
    for person in persons:
        person.name = None
        person.name_key = None
        person.birth_year = None
        person.citizenship = None
        person.anonymised_at = now
    ctx.session.flush()
    for person in persons:
        record(ctx, "person.anonymise", "person", person.id, cause=cause)
