"""Creating and finding persons."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa

from belegung.audit.service import record
from belegung.context import ServiceContext
from belegung.errors import InvalidInput, NotFound
from belegung.persons.models import (
    NAME_KEY_MAX,
    NAME_MAX,
    Gender,
    HouseholdType,
    Nationality,
    Person,
)

_YEAR = re.compile(r"^\d{4}$")


def name_key(name: str) -> str:
    """Fold a name for search: case, accents and ß don't matter ("Müller" finds "mueller")."""
    # NFC first: "ü" may arrive as "u" plus a combining diaeresis.
    folded = unicodedata.normalize("NFC", name).casefold().replace("ß", "ss")
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue")):
        folded = folded.replace(umlaut, spelled)
    decomposed = unicodedata.normalize("NFKD", folded)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    # Folding mostly at most doubles a name (ß → ss, ä → ae), but compatibility
    # characters expand further ("ﬃ" → "ffi", U+FDFA to 18 characters): the key is cut
    # to fit its column. A name that long is still found by its first 240 letters.
    return " ".join(stripped.split())[:NAME_KEY_MAX].rstrip()


def _check_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(field="name", reason="Der Name fehlt.")
    if len(name) > NAME_MAX:
        raise InvalidInput(field="name", reason=f"höchstens {NAME_MAX} Zeichen")
    return name


def _check_birth_year(ctx: ServiceContext, birth_year: int | None) -> int | None:
    if birth_year is None:
        return None
    this_year = ctx.now().astimezone(ctx.calendar.timezone).year
    if not 1900 <= birth_year <= this_year:
        raise InvalidInput(field="birth_year", reason=f"zwischen 1900 und {this_year}")
    return birth_year


def create_person(
    ctx: ServiceContext,
    name: str,
    *,
    birth_year: int | None = None,
    gender: Gender = Gender.UNKNOWN,
    nationality: Nationality = Nationality.UNKNOWN,
    household_type: HouseholdType = HouseholdType.SINGLE,
    household_size: int = 1,
) -> Person:
    name = _check_name(name)
    if not 1 <= household_size <= 30:
        raise InvalidInput(field="household_size", reason="zwischen 1 und 30")
    person = Person(
        name=name,
        name_key=name_key(name),
        birth_year=_check_birth_year(ctx, birth_year),
        gender=Gender(gender),
        nationality=Nationality(nationality),
        household_type=HouseholdType(household_type),
        household_size=household_size,
        created_at=ctx.now(),
    )
    ctx.session.add(person)
    ctx.session.flush()
    record(ctx, "person.create", "person", person.id)
    return person


def get_person(ctx: ServiceContext, person_id: int) -> Person:
    person = ctx.session.get(Person, person_id)
    if person is None or person.anonymised_at is not None:
        raise NotFound(what="person")
    return person


def matching_persons(q: str) -> sa.Select[tuple[Person]] | None:
    """Persons whose name holds every word of `q`; a four-digit word is the year of birth
    ("müller 1971"). None when `q` holds nothing to search for."""
    words = q.split()
    years = [int(w) for w in words if _YEAR.match(w)]
    names = [name_key(w) for w in words if not _YEAR.match(w)]
    if not names and not years:
        return None
    stmt = sa.select(Person).where(Person.anonymised_at.is_(None))
    for word in names:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Person.name_key.like(f"%{escaped}%", escape="\\"))
    if years:
        stmt = stmt.where(Person.birth_year.in_(years))
    return stmt.order_by(Person.name_key, Person.birth_year, Person.id)


def search_persons(
    ctx: ServiceContext, q: str, *, limit: int = 20, offset: int = 0
) -> tuple[Sequence[Person], int]:
    """Find returning guests: a page of matches and the number of all matches."""
    stmt = matching_persons(q)
    if stmt is None:
        found: Sequence[Person] = []
        total = 0
    else:
        found = ctx.session.scalars(stmt.limit(limit).offset(offset)).all()
        total = (
            ctx.session.scalar(
                sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
            )
            or 0
        )
    # A look-up is audited, but not what was looked up: the query is a name.
    record(ctx, "person.search", "person", None, results=len(found))
    return found, total
