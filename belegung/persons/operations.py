"""What callers ask of the persons domain, by reference and checked against their rights:
find, register and read a person, and resolve the person a check-in, turn-away or ban
names. Pages, API routes and SMS commands call these, never the rules directly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, time
from typing import Any

import sqlalchemy as sa

from belegung.audit.models import AuditEntry
from belegung.audit.operations import about_person
from belegung.audit.service import record, record_apart
from belegung.auth.permissions import Action, authorize, person_facility_ids
from belegung.context import ServiceContext
from belegung.db import Page
from belegung.errors import InvalidInput, InvalidState, NotFound
from belegung.limits import REASON_MAX
from belegung.nights import months_before
from belegung.persons import service
from belegung.persons.models import Gender, HouseholdType, Nationality, Person
from belegung.stays import retention
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
        # A failed look-up is audited too (someone trying ids), in a transaction of its
        # own: the error answer rolls the caller's work back.
        hidden = ctx.session.get(Person, person_id) is not None
        record_apart(ctx, "person.lookup_refused", "person", person_id, hidden=hidden)
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
    try:
        found, total = service.search_persons(
            ctx, q, limit=page_size, offset=(page - 1) * page_size
        )
    except InvalidInput as refused:
        # Audited apart from the rolled-back request, with the refusal's code: the query
        # (a name) is never kept.
        record_apart(
            ctx, "person.search_refused", "person", None, reason=refused.params.get("reason")
        )
        raise
    return Page(items=found, page=page, page_size=page_size, total=total)


# --- retention, erasure and access (GDPR) -----------------------------------------------


@dataclass(frozen=True)
class Anonymisation:
    """What a retention run found (and, unless a dry run, anonymised)."""

    cutoff: datetime
    person_ids: Sequence[int]
    dry_run: bool


def anonymise_inactive(ctx: ServiceContext, *, months: int, dry_run: bool = False) -> Anonymisation:
    """Anonymise every person without a stay, hold, house ban or turn-away for `months`
    calendar months (BELEGUNG_ANONYMISE_AFTER_MONTHS), and forget the free text of
    their records; their records stay in the figures. A dry run only finds them."""
    authorize(ctx.actor, Action.ERASE_PERSONS)
    tz = ctx.calendar.timezone
    cutoff_night = months_before(ctx.tonight(), months)
    cutoff = datetime.combine(cutoff_night, time(0, 0), tzinfo=tz)
    persons = ctx.session.scalars(retention.inactive_persons(cutoff_night, cutoff)).all()
    if not dry_run:
        retention.forget_free_text(ctx.session, [p.id for p in persons])
        service.anonymise(ctx, persons, cause="retention")
    return Anonymisation(cutoff=cutoff, person_ids=[p.id for p in persons], dry_run=dry_run)


def erase_person(ctx: ServiceContext, person_id: int, *, reason: str) -> Person:
    """An erasure request (Art. 17 GDPR), granted by a manager: the person is anonymised
    at once, as by the retention run, and the request is logged with its reason. Refused
    while the person is checked in for tonight or later (check them out first)."""
    authorize(ctx.actor, Action.ERASE_PERSONS)
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput(field="reason", reason="reason_missing")
    person = ctx.session.get(Person, person_id)
    if person is None:
        record_apart(ctx, "person.lookup_refused", "person", person_id, hidden=False)
        raise NotFound(what="person")
    if person.anonymised_at is not None:
        raise InvalidState(reason="person_anonymised")
    if retention.staying(ctx.session, person.id, ctx.tonight()):
        raise InvalidState(reason="person_staying")
    retention.forget_free_text(ctx.session, [person.id])
    service.anonymise(ctx, [person], cause="erasure")
    # The one entry with free text: the request's reason is the record of the erasure.
    record(ctx, "person.erase", "person", person.id, reason=reason[:REASON_MAX])
    return person


@dataclass(frozen=True)
class PersonExport:
    """Everything stored about a person (an access request, Art. 15 GDPR)."""

    person: Person
    records: retention.PersonRecords
    audit: Sequence[AuditEntry]
    generated_at: datetime


def export_person(ctx: ServiceContext, person_id: int) -> PersonExport:
    """The person, their stays, holds, house bans (with overrides), turn-aways, and who
    created, changed or looked up any of it (the audit log, within its retention).
    Managers and admins; the export itself is audited (and listed)."""
    authorize(ctx.actor, Action.EXPORT_PERSONS)
    person = person_for(ctx, person_id)
    record(ctx, "person.export", "person", person.id)
    ctx.session.flush()
    audit = ctx.session.scalars(
        sa.select(AuditEntry).where(about_person(person.id)).order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    return PersonExport(
        person=person,
        records=retention.records_of(ctx.session, person.id),
        audit=audit,
        generated_at=ctx.now(),
    )
