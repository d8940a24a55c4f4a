"""House bans: a banned person is refused, a winter emergency suspends `conduct` bans, and a
manager may override a ban with a reason."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.audit.models import AuditEntry
from belegung.auth.models import Role
from belegung.context import ServiceContext
from belegung.errors import Banned, Forbidden, InvalidInput, InvalidState, NotFound
from belegung.facilities.models import Facility
from belegung.persons.models import Person
from belegung.stays.bans import impose_ban, lift_ban
from belegung.stays.models import BanKind, BanOverride, StayStatus
from belegung.stays.service import check_in, extend_stay
from belegung.winter.service import switch_winter_emergency
from tests.stays.conftest import CtxAs, MakeBan, MakeFacility, MakePerson


@pytest.fixture
def shelter(make_facility: MakeFacility) -> Facility:
    return make_facility()


@pytest.fixture
def guest(make_person: MakePerson) -> Person:
    return make_person("Bernd Hausverbot")


# --- refusal -------------------------------------------------------------------------


def test_banned_person_is_refused(
    make_ban: MakeBan, ctx: ServiceContext, shelter: Facility, guest: Person
) -> None:
    make_ban(guest, shelter)

    with pytest.raises(Banned):
        check_in(ctx, shelter, guest)


def test_ban_applies_only_at_its_own_facility(
    make_ban: MakeBan,
    ctx: ServiceContext,
    shelter: Facility,
    guest: Person,
    make_facility: MakeFacility,
) -> None:
    make_ban(guest, shelter)

    stay = check_in(ctx, make_facility(), guest)

    assert stay.status == StayStatus.CHECKED_IN


def test_ban_starting_later_refuses_a_stay_that_reaches_it(
    make_ban: MakeBan, ctx: ServiceContext, shelter: Facility, guest: Person, tonight: date
) -> None:
    make_ban(guest, shelter, first_night=tonight + timedelta(days=2))

    check_in(ctx, shelter, guest, nights=2)
    with pytest.raises(Banned):
        check_in(ctx, shelter, guest, night=tonight + timedelta(days=2))


def test_ended_ban_no_longer_refuses(
    make_ban: MakeBan, ctx: ServiceContext, shelter: Facility, guest: Person, tonight: date
) -> None:
    make_ban(guest, shelter, first_night=tonight - timedelta(days=5), end_night=tonight)

    stay = check_in(ctx, shelter, guest)

    assert stay.first_night == tonight


def test_lifted_ban_no_longer_refuses(
    make_ban: MakeBan, ctx: ServiceContext, shelter: Facility, guest: Person
) -> None:
    lifted = lift_ban(ctx, make_ban(guest, shelter).id, reason="  Aussprache  geführt ")

    stay = check_in(ctx, shelter, guest)

    assert stay.status == StayStatus.CHECKED_IN
    assert (lifted.lifted_at, lifted.lift_reason) == (ctx.now(), "Aussprache geführt")


def test_lifting_a_ban_needs_a_reason(
    make_ban: MakeBan, ctx: ServiceContext, shelter: Facility, guest: Person
) -> None:
    with pytest.raises(InvalidInput):
        lift_ban(ctx, make_ban(guest, shelter).id, reason="  ")


def test_only_a_manager_lifts_a_danger_ban(
    make_ban: MakeBan, ctx_as: CtxAs, shelter: Facility, guest: Person
) -> None:
    staff, manager = ctx_as(Role.STAFF), ctx_as(Role.MANAGER)
    danger = make_ban(guest, shelter, kind=BanKind.DANGER, by=staff)
    conduct = make_ban(guest, shelter, by=staff)

    with pytest.raises(Forbidden):
        lift_ban(staff, danger.id, reason="vertragen sich wieder")
    assert lift_ban(staff, conduct.id, reason="entschuldigt").lifted_at is not None
    assert lift_ban(manager, danger.id, reason="Fallkonferenz").lifted_at is not None


def test_lifting_a_ban_twice_is_refused(
    make_ban: MakeBan, ctx: ServiceContext, shelter: Facility, guest: Person
) -> None:
    lifted = make_ban(guest, shelter)
    lift_ban(ctx, lifted.id, reason="entschuldigt")

    with pytest.raises(InvalidState):
        lift_ban(ctx, lifted.id, reason="entschuldigt")


def test_lifting_an_unknown_ban_is_refused(ctx: ServiceContext) -> None:
    with pytest.raises(NotFound):
        lift_ban(ctx, 999_999, reason="entschuldigt")


def test_extending_a_stay_into_a_ban_is_refused(
    make_ban: MakeBan, ctx: ServiceContext, shelter: Facility, guest: Person, tonight: date
) -> None:
    stay = check_in(ctx, shelter, guest)
    make_ban(guest, shelter, first_night=tonight + timedelta(days=1))

    with pytest.raises(Banned):
        extend_stay(ctx, stay.id)


@pytest.mark.parametrize("reason", ["", "   "])
def test_ban_needs_a_reason(
    ctx: ServiceContext, shelter: Facility, guest: Person, reason: str
) -> None:
    with pytest.raises(InvalidInput):
        impose_ban(ctx, guest, shelter, kind=BanKind.CONDUCT, reason=reason)


def test_ban_must_end_after_it_begins(
    make_ban: MakeBan, shelter: Facility, guest: Person, tonight: date
) -> None:
    with pytest.raises(InvalidInput):
        make_ban(guest, shelter, first_night=tonight, end_night=tonight)


# --- winter emergency ----------------------------------------------------------------


def test_winter_emergency_suspends_a_conduct_ban(
    make_ban: MakeBan, ctx: ServiceContext, shelter: Facility, guest: Person
) -> None:
    make_ban(guest, shelter, BanKind.CONDUCT)
    switch_winter_emergency(ctx, True)

    stay = check_in(ctx, shelter, guest)

    assert stay.status == StayStatus.CHECKED_IN


def test_danger_ban_holds_in_a_winter_emergency(
    make_ban: MakeBan, ctx: ServiceContext, shelter: Facility, guest: Person
) -> None:
    make_ban(guest, shelter, BanKind.DANGER)
    switch_winter_emergency(ctx, True)

    with pytest.raises(Banned):
        check_in(ctx, shelter, guest)


def test_conduct_ban_applies_again_once_the_winter_emergency_ends(
    make_ban: MakeBan, ctx: ServiceContext, shelter: Facility, guest: Person
) -> None:
    make_ban(guest, shelter, BanKind.CONDUCT)
    switch_winter_emergency(ctx, True)
    switch_winter_emergency(ctx, False)

    with pytest.raises(Banned):
        check_in(ctx, shelter, guest)


# --- override ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
def test_manager_may_override_a_ban_with_a_reason(
    make_ban: MakeBan, ctx_as: CtxAs, shelter: Facility, guest: Person, session: Session, role: Role
) -> None:
    banned = make_ban(guest, shelter, BanKind.DANGER)

    stay = check_in(ctx_as(role), shelter, guest, override_ban_reason="  Kältenacht, ruhig  ")

    override = session.scalars(sa.select(BanOverride)).one()
    assert (override.ban_id, override.stay_id) == (banned.id, stay.id)
    assert override.reason == "Kältenacht, ruhig"


def test_ban_override_is_logged_without_its_reason(
    make_ban: MakeBan, ctx_as: CtxAs, shelter: Facility, guest: Person, session: Session
) -> None:
    manager = ctx_as(Role.MANAGER)
    banned = make_ban(guest, shelter, by=manager)

    stay = check_in(manager, shelter, guest, override_ban_reason="Kältenacht")

    entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "ban.override")).one()
    override = session.scalars(sa.select(BanOverride)).one()
    assert (entry.object_type, entry.object_id) == ("house_ban", banned.id)
    assert entry.actor_label == manager.actor.label
    assert (entry.details["stay_id"], entry.details["override_id"]) == (stay.id, override.id)
    assert "Kältenacht" not in json.dumps(entry.details, ensure_ascii=False)


@pytest.mark.parametrize("role", [Role.STAFF, Role.OUTREACH])
def test_only_a_manager_may_override_a_ban(
    make_ban: MakeBan, ctx_as: CtxAs, shelter: Facility, guest: Person, session: Session, role: Role
) -> None:
    make_ban(guest, shelter)

    with pytest.raises(Forbidden):
        check_in(ctx_as(role), shelter, guest, override_ban_reason="Kältenacht")
    assert session.scalars(sa.select(BanOverride)).all() == []


@pytest.mark.parametrize("reason", ["", "   "])
def test_ban_override_needs_a_reason(
    make_ban: MakeBan, ctx_as: CtxAs, shelter: Facility, guest: Person, reason: str
) -> None:
    manager = ctx_as(Role.MANAGER)
    make_ban(guest, shelter, by=manager)

    with pytest.raises(InvalidInput):
        check_in(manager, shelter, guest, override_ban_reason=reason)
