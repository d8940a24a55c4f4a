"""What callers ask of the housing programme, by id and checked against their rights:
apartments and their history, the vacancy search, households, moves in and out, blocks,
the figures and the apartment-list import. A page, an API route and a CLI command call
the same one function."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import BinaryIO

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from belegung.audit.service import record
from belegung.auth.permissions import Action, allowed, authorize
from belegung.context import ServiceContext
from belegung.db import Page, paginate
from belegung.errors import InvalidInput, NotFound
from belegung.facilities.models import Unit
from belegung.housing import service
from belegung.housing.figures import Figures, housing_figures
from belegung.housing.importing import parse_apartment_file
from belegung.housing.imports import ImportResult, import_apartments
from belegung.housing.matching import Matches, Need, find_vacancies
from belegung.housing.models import (
    Apartment,
    ApartmentStatus,
    Household,
    HouseholdMember,
    Outcome,
    Placement,
)
from belegung.housing.occupancy import ApartmentState, apartment_states, occupied_on
from belegung.limits import BOARD_WEEKS_MAX
from belegung.persons.models import HouseholdType, Person
from belegung.persons.operations import NewPerson, PersonRef, person_for
from belegung.persons.service import create_person

# --- requests --------------------------------------------------------------------------


@dataclass(frozen=True)
class ApartmentFilter:
    status: ApartmentStatus | None = None
    district: str | None = None
    q: str | None = None
    # Only apartments with (True) or without (False) a household now.
    occupied: bool | None = None
    page: int = 1
    page_size: int = 50


@dataclass(frozen=True)
class VacancyQuery:
    size: int
    from_: date | None = None
    step_free: bool = False
    district: str | None = None
    min_rooms: Decimal | float | None = None
    explain: bool = False


@dataclass(frozen=True)
class HouseholdRequest:
    type: HouseholdType
    members: list[PersonRef]
    note: str | None = None


@dataclass(frozen=True)
class PlacementRequest:
    household: int
    apartment: int
    from_: date | None = None


@dataclass(frozen=True)
class MoveOutRequest:
    outcome: Outcome
    date: date | None = None


@dataclass(frozen=True)
class MoveRequest:
    apartment: int
    date: date | None = None


@dataclass(frozen=True)
class MemberRequest:
    person: PersonRef
    date: date | None = None


@dataclass(frozen=True)
class BlockRequest:
    reason: str
    from_: date | None = None
    until: date | None = None


# --- answers ---------------------------------------------------------------------------


@dataclass
class ApartmentView:
    """An apartment with what is derived from the claims on its places today."""

    apartment: Apartment
    places: int
    occupied_places: int
    free_places: int
    occupied: bool
    household: Household | None = None
    placement: Placement | None = None
    history: list[Placement] = field(default_factory=list)

    def __getattr__(self, name: str) -> object:
        # The apartment's own fields, for the schemas and templates.
        return getattr(self.apartment, name)


@dataclass
class BoardRow:
    apartment: Apartment
    # Per week: "occupied", "free" or "blocked".
    weeks: list[str]


@dataclass
class Board:
    weeks: list[date]
    rows: list[BoardRow]


def _view(state: ApartmentState, placement: Placement | None = None) -> ApartmentView:
    return ApartmentView(
        apartment=state.apartment,
        places=len(state.places),
        occupied_places=len(state.claimed),
        free_places=len(state.free_places),
        occupied=state.occupied,
        placement=placement,
        household=placement.household if placement is not None else None,
    )


def _current_placements(ctx: ServiceContext, ids: Sequence[int], day: date) -> dict[int, Placement]:
    rows = ctx.session.scalars(
        sa.select(Placement)
        .where(
            Placement.apartment_id.in_(ids),
            Placement.first_night <= day,
            sa.or_(Placement.end_night.is_(None), Placement.end_night > day),
        )
        .options(selectinload(Placement.household).selectinload(Household.memberships))
        .order_by(Placement.first_night)
    )
    return {p.apartment_id: p for p in rows}


# --- apartments ------------------------------------------------------------------------


def list_apartments(ctx: ServiceContext, which: ApartmentFilter) -> Page[ApartmentView]:
    """Apartments by number, filtered by status, district and a search over number,
    address and landlord; each with its places occupied and free today."""
    authorize(ctx.actor, Action.READ_HOUSING)
    facility = service.programme(ctx.session)
    stmt = sa.select(Apartment).join(Unit, Unit.id == Apartment.id).order_by(Apartment.number)
    stmt = stmt.where(Unit.facility_id == facility.id)
    if which.status is not None:
        stmt = stmt.where(Apartment.status == which.status)
    if which.district:
        stmt = stmt.where(sa.func.lower(Apartment.district) == which.district.casefold())
    if which.q:
        for word in which.q.split():
            like = f"%{word.casefold()}%"
            stmt = stmt.where(
                sa.or_(
                    sa.func.lower(Apartment.number).like(like),
                    sa.func.lower(Apartment.address).like(like),
                    sa.func.lower(Apartment.landlord).like(like),
                )
            )
    today = ctx.tonight()
    if which.occupied is not None:
        occupied_ids = occupied_on(ctx.session, facility, [today])[today]
        condition = Apartment.id.in_(occupied_ids)
        stmt = stmt.where(condition if which.occupied else ~condition)
    stmt = stmt.options(selectinload(Apartment.unit).selectinload(Unit.places))
    page = paginate(ctx.session, stmt, which.page, which.page_size)
    states = apartment_states(
        ctx.session, facility, today, today + timedelta(days=1), list(page.items)
    )
    current = _current_placements(ctx, [a.id for a in page.items], today)
    views = [_view(s, current.get(s.apartment.id)) for s in states]
    return Page(items=views, page=page.page, page_size=page.page_size, total=page.total)


def read_apartment(ctx: ServiceContext, apartment_id: int) -> ApartmentView:
    """One apartment with its household today and every placement it had."""
    authorize(ctx.actor, Action.READ_HOUSING)
    facility = service.programme(ctx.session)
    apartment = service.get_apartment(ctx.session, apartment_id)
    today = ctx.tonight()
    (state,) = apartment_states(
        ctx.session, facility, today, today + timedelta(days=1), [apartment]
    )
    view = _view(state, _current_placements(ctx, [apartment.id], today).get(apartment.id))
    view.history = list(service.placements_of_apartment(ctx.session, apartment))
    return view


def apartment_by_number(ctx: ServiceContext, number: str) -> int | None:
    """The id of the apartment with this number (ignoring case and spaces), or None."""
    authorize(ctx.actor, Action.READ_HOUSING)
    key = "".join(number.split()).casefold()
    if not key:
        return None
    return ctx.session.scalar(
        sa.select(Apartment.id).where(sa.func.lower(Apartment.number) == key).limit(1)
    )


def districts(ctx: ServiceContext) -> list[str]:
    authorize(ctx.actor, Action.READ_HOUSING)
    return [
        d
        for d in ctx.session.scalars(
            sa.select(Apartment.district).distinct().order_by(Apartment.district)
        )
        if d
    ]


def block(ctx: ServiceContext, apartment_id: int, request: BlockRequest) -> ApartmentView:
    authorize(ctx.actor, Action.WRITE_HOUSING)
    apartment = service.get_apartment(ctx.session, apartment_id)
    service.block_apartment(ctx, apartment, request.reason, request.from_, request.until)
    return read_apartment(ctx, apartment_id)


def unblock(ctx: ServiceContext, apartment_id: int, day: date | None = None) -> ApartmentView:
    authorize(ctx.actor, Action.WRITE_HOUSING)
    apartment = service.get_apartment(ctx.session, apartment_id)
    service.unblock_apartment(ctx, apartment, day)
    return read_apartment(ctx, apartment_id)


# --- vacancies -------------------------------------------------------------------------


def search_vacancies(ctx: ServiceContext, query: VacancyQuery) -> Matches:
    """The apartments that can take a household of `size` from the date (default today),
    best fit first; with `explain`, every other apartment with the reason it was left out."""
    authorize(ctx.actor, Action.READ_HOUSING)
    first = query.from_ or ctx.tonight()
    need = Need(
        size=query.size,
        first=first,
        step_free=query.step_free,
        district=query.district or None,
        min_rooms=None if query.min_rooms is None else Decimal(str(query.min_rooms)),
    )
    matches = find_vacancies(ctx.session, service.programme(ctx.session), need)
    if not query.explain:
        matches = Matches(matches.need, matches.vacancies, [])
    return matches


# --- households ------------------------------------------------------------------------


def _member(ctx: ServiceContext, ref: PersonRef) -> Person:
    """A member a household names: a new person, or one by id — one the caller may read,
    or (housing officers) one already in a household of the programme."""
    if isinstance(ref, NewPerson):
        return create_person(
            ctx,
            ref.name,
            birth_year=ref.birth_year,
            gender=ref.gender,
            nationality=ref.nationality,
            citizenship=ref.citizenship,
        )
    if allowed(ctx.actor, Action.READ_PERSONS):
        return person_for(ctx, ref.id)
    person = ctx.session.scalar(
        sa.select(Person)
        .join(HouseholdMember, HouseholdMember.person_id == Person.id)
        .where(Person.id == ref.id, Person.anonymised_at.is_(None))
        .limit(1)
    )
    if person is None:
        raise NotFound(what="person")
    return person


def create_household(ctx: ServiceContext, request: HouseholdRequest) -> Household:
    authorize(ctx.actor, Action.WRITE_HOUSING)
    members = [_member(ctx, ref) for ref in request.members]
    return service.create_household(ctx, request.type, members, request.note)


@dataclass
class HouseholdView:
    household: Household
    placement: Placement | None
    placements: list[Placement]

    def __getattr__(self, name: str) -> object:
        return getattr(self.household, name)


def read_household(ctx: ServiceContext, household_id: int) -> HouseholdView:
    authorize(ctx.actor, Action.READ_HOUSING)
    household = service.get_household(ctx.session, household_id)
    placements = list(
        ctx.session.scalars(
            sa.select(Placement)
            .where(Placement.household_id == household.id)
            .order_by(Placement.first_night.desc(), Placement.id.desc())
        )
    )
    today = ctx.tonight()
    current = next((p for p in placements if p.end_night is None or p.end_night > today), None)
    record(ctx, "housing.household_read", "household", household.id)
    return HouseholdView(household, current, placements)


def list_households(
    ctx: ServiceContext, *, unplaced: bool = False, page: int = 1, page_size: int = 50
) -> Page[Household]:
    authorize(ctx.actor, Action.READ_HOUSING)
    stmt = sa.select(Household).order_by(Household.id.desc())
    if unplaced:
        today = ctx.tonight()
        housed = sa.select(Placement.household_id).where(
            sa.or_(Placement.end_night.is_(None), Placement.end_night > today)
        )
        stmt = stmt.where(Household.id.not_in(housed))
    return paginate(ctx.session, stmt, page, page_size)


def add_member(ctx: ServiceContext, household_id: int, request: MemberRequest) -> HouseholdView:
    authorize(ctx.actor, Action.WRITE_HOUSING)
    household = service.get_household(ctx.session, household_id)
    day = service.check_day(ctx, request.date or ctx.tonight(), "date")
    service.member_joins(ctx, household, _member(ctx, request.person), day)
    return read_household(ctx, household_id)


def remove_member(
    ctx: ServiceContext, household_id: int, person_id: int, day: date | None
) -> HouseholdView:
    authorize(ctx.actor, Action.WRITE_HOUSING)
    household = service.get_household(ctx.session, household_id)
    person = ctx.session.get(Person, person_id)
    if person is None:
        raise NotFound(what="member")
    service.member_leaves(
        ctx, household, person, service.check_day(ctx, day or ctx.tonight(), "date")
    )
    return read_household(ctx, household_id)


# --- placements ------------------------------------------------------------------------


def place_household(ctx: ServiceContext, request: PlacementRequest) -> Placement:
    """Move a household into an apartment (409 apartment_taken, no_room, apartment_blocked)."""
    authorize(ctx.actor, Action.WRITE_HOUSING)
    household = service.get_household(ctx.session, request.household)
    apartment = service.get_apartment(ctx.session, request.apartment)
    first = service.check_day(ctx, request.from_ or ctx.tonight(), "from")
    return service.move_in(ctx, household, apartment, first)


def read_placement(ctx: ServiceContext, placement_id: int) -> Placement:
    authorize(ctx.actor, Action.READ_HOUSING)
    return service.get_placement(ctx.session, placement_id)


def move_out(ctx: ServiceContext, placement_id: int, request: MoveOutRequest) -> Placement:
    authorize(ctx.actor, Action.WRITE_HOUSING)
    placement = service.get_placement(ctx.session, placement_id)
    day = service.check_day(ctx, request.date or ctx.tonight(), "date")
    return service.move_out(ctx, placement, day, request.outcome)


def move(ctx: ServiceContext, placement_id: int, request: MoveRequest) -> Placement:
    authorize(ctx.actor, Action.WRITE_HOUSING)
    placement = service.get_placement(ctx.session, placement_id)
    apartment = service.get_apartment(ctx.session, request.apartment)
    day = service.check_day(ctx, request.date or ctx.tonight(), "date")
    return service.move(ctx, placement, apartment, day)


def placement_stays(ctx: ServiceContext, placement: Placement) -> Sequence[object]:
    return service.stays_of(ctx.session, placement)


# --- figures and the board ---------------------------------------------------------------


def figures(ctx: ServiceContext, day: date | None = None, months: int = 12) -> Figures:
    authorize(ctx.actor, Action.READ_HOUSING)
    return housing_figures(
        ctx.session, service.programme(ctx.session), day or ctx.tonight(), months
    )


def board(ctx: ServiceContext, weeks: int = 8, which: ApartmentFilter | None = None) -> Board:
    """Each apartment against the coming weeks (each week read at its first night, from
    tonight on): occupied, free or blocked."""
    authorize(ctx.actor, Action.READ_HOUSING)
    if not 1 <= weeks <= BOARD_WEEKS_MAX:
        raise InvalidInput(field="weeks", reason="between", low=1, high=BOARD_WEEKS_MAX)
    page = list_apartments(ctx, which or ApartmentFilter(page_size=1000))
    facility = service.programme(ctx.session)
    start = ctx.tonight()
    nights = [start + timedelta(weeks=i) for i in range(weeks)]
    occupied = occupied_on(ctx.session, facility, nights)
    rows = []
    for view in page.items:
        apartment = view.apartment
        cells = []
        for night in nights:
            if apartment.id in occupied[night]:
                cells.append("occupied")
            elif apartment.blocked_on(night):
                cells.append("blocked")
            else:
                cells.append("free")
        rows.append(BoardRow(apartment, cells))
    return Board(nights, rows)


# --- the import ------------------------------------------------------------------------


def import_file(
    ctx: ServiceContext,
    data: bytes | BinaryIO | None,
    filename: str,
    *,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
    on_parsed: Callable[[int], None] | None = None,
) -> ImportResult:
    """Read an apartment list and (unless a dry run, or the file has any error) create
    and update the apartments, all or nothing."""
    authorize(ctx.actor, Action.WRITE_HOUSING)
    if data is None:
        raise InvalidInput(field="file", reason="file_missing")
    parsed = parse_apartment_file(data, filename)
    if on_parsed is not None:
        on_parsed(len(parsed.rows))
    facility = service.programme(ctx.session)
    result = import_apartments(ctx, facility, parsed, dry_run=dry_run, progress=progress)
    record(
        ctx,
        "housing.import",
        "facility",
        facility.id,
        facility_id=facility.id,
        dry_run=dry_run,
        rows=result.rows,
        created=result.created,
        updated=result.updated,
        errors=len(result.errors),
    )
    return result
