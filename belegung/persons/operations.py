"""What callers ask of the persons domain, by reference and checked against their rights:
find, register and read a person, and resolve the person a check-in, turn-away or ban
names. Pages, API routes and SMS commands call these, never the rules directly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa

from belegung.audit.service import record
from belegung.auth.permissions import Action, authorize, person_facility_ids
from belegung.context import ServiceContext
from belegung.db import Page
from belegung.errors import NotFound
from belegung.persons import service
from belegung.persons.models import Gender, HouseholdType, Nationality, Person
from belegung.stays.queries import known_at


@dataclass(frozen=True)
class NewPerson:
    """A person to register: only the name is required."""

    name: str
    birth_year: int | None = None
    gender: Gender = Gender.UNKNOWN
    # None: from the citizenship where one is given, else unknown.
    nationality: Nationality | None = None
    citizenship: str | None = None
    household_type: HouseholdType = HouseholdType.SINGLE
    household_size: int = 1


@dataclass(frozen=True)
class PersonUpdate:
    """The fields of a person to change, and only those (persons.service.CHANGEABLE)."""

    changes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ExistingPerson:
    """A person already registered, by id."""

    id: int


PersonRef = NewPerson | ExistingPerson


def person_for(ctx: ServiceContext, person_id: int) -> Person:
    """A person the caller may read and act on (check in, turn away, ban).

    Staff: a person known at one of their facilities (a stay, house ban or turn-away
    there), or one their own search showed them (or they registered) within
    persons.service.SHOWN_FOR. Any other id is not found to them: a 403 would tell that
    it exists, and a record made about the person (a turn-away) must not become a way to
    read them.
    """
    scope = person_facility_ids(ctx.actor)
    stmt = sa.select(Person).where(Person.id == person_id, Person.anonymised_at.is_(None))
    if scope is not None:
        visible = known_at(person_id, scope)
        if ctx.actor.user_id is not None:
            since = ctx.now() - service.SHOWN_FOR
            visible = sa.or_(visible, service.shown_to(person_id, ctx.actor.user_id, since))
        stmt = stmt.where(visible)
    person = ctx.session.scalars(stmt).one_or_none()
    if person is None:
        raise NotFound(what="person")
    return person


def person_from_ref(ctx: ServiceContext, ref: PersonRef) -> Person:
    """The person a check-in names: an existing one the caller may read, or a new one
    (which needs the right to register persons)."""
    if isinstance(ref, ExistingPerson):
        authorize(ctx.actor, Action.READ_PERSONS)
        return person_for(ctx, ref.id)
    return register_person(ctx, ref)


def register_person(ctx: ServiceContext, new: NewPerson) -> Person:
    authorize(ctx.actor, Action.WRITE_PERSONS)
    fields = asdict(new)
    return service.create_person(ctx, fields.pop("name"), **fields)


def read_person(ctx: ServiceContext, person_id: int) -> Person:
    """A person as the caller may read them (see person_for), audited."""
    authorize(ctx.actor, Action.READ_PERSONS)
    person = person_for(ctx, person_id)
    record(ctx, "person.read", "person", person.id)
    return person


def update_person(ctx: ServiceContext, person_id: int, update: PersonUpdate) -> Person:
    """Correct or complete a person the caller may read (see person_for)."""
    authorize(ctx.actor, Action.READ_PERSONS)
    authorize(ctx.actor, Action.WRITE_PERSONS)
    return service.update_person(ctx, person_for(ctx, person_id), update.changes)


def search_persons(ctx: ServiceContext, q: str, *, page: int, page_size: int) -> Page[Person]:
    """Find returning guests (see persons.service.search_persons), a page at a time."""
    authorize(ctx.actor, Action.READ_PERSONS)
    found, total = service.search_persons(ctx, q, limit=page_size, offset=(page - 1) * page_size)
    return Page(items=found, page=page, page_size=page_size, total=total)
