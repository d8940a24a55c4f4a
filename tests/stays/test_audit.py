"""Every write service leaves an audit entry naming who acted and what they did, and the
log holds no person's name."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from belegung.audit.models import AuditEntry
from belegung.auth.models import Role
from belegung.context import ServiceContext
from belegung.facilities.models import Facility, Place
from belegung.persons.models import Person
from belegung.persons.service import create_person
from belegung.stays.bans import impose_ban, lift_ban
from belegung.stays.holds import cancel_hold, convert_hold, create_hold
from belegung.stays.models import BanKind, HouseBan, Stay, TurnAwayReason
from belegung.stays.out_of_service import return_to_service, take_out_of_service
from belegung.stays.service import check_in, check_out, extend_stay
from belegung.stays.turn_aways import record_turn_away
from belegung.winter.service import switch_winter_emergency
from tests.stays.conftest import CtxAs, MakeFacility, MakePerson

NAME = "Zacharias Quellmann"


@dataclass
class Scene:
    """A manager at work in a shelter, with a guest whose name must not reach the log."""

    ctx: ServiceContext
    shelter: Facility
    guest: Person

    def stay(self) -> Stay:
        return check_in(self.ctx, self.shelter, self.guest)

    def ban(self) -> HouseBan:
        return impose_ban(
            self.ctx, self.guest, self.shelter, kind=BanKind.CONDUCT, reason=f"{NAME} schlug zu"
        )

    def place(self) -> Place:
        return self.shelter.places[0]


# action -> (the write, whether the entry belongs to the shelter)
WRITES: dict[str, tuple[Callable[[Scene], Any], bool]] = {
    "stay.check_in": (lambda s: s.stay(), True),
    "stay.extend": (lambda s: extend_stay(s.ctx, s.stay().id, nights=2), True),
    "stay.check_out": (lambda s: check_out(s.ctx, s.stay().id), True),
    "hold.create": (lambda s: create_hold(s.ctx, s.shelter, note=f"für {NAME}"), True),
    "hold.convert": (
        lambda s: convert_hold(s.ctx, create_hold(s.ctx, s.shelter).id, s.guest),
        True,
    ),
    "hold.cancel": (lambda s: cancel_hold(s.ctx, create_hold(s.ctx, s.shelter).id), True),
    "turn_away.create": (
        lambda s: record_turn_away(
            s.ctx, s.shelter, TurnAwayReason.BANNED, note=f"{NAME} wollte rein", person=s.guest
        ),
        True,
    ),
    "ban.create": (lambda s: s.ban(), True),
    "ban.lift": (lambda s: lift_ban(s.ctx, s.ban().id, reason=f"{NAME} entschuldigt"), True),
    "ban.override": (
        lambda s: (s.ban(), check_in(s.ctx, s.shelter, s.guest, override_ban_reason=NAME)),
        True,
    ),
    "place.out_of_service": (
        lambda s: take_out_of_service(s.ctx, s.place(), reason=f"{NAME} hat es beschädigt"),
        True,
    ),
    "place.return_to_service": (
        lambda s: return_to_service(
            s.ctx, take_out_of_service(s.ctx, s.place(), reason="Reparatur").id
        ),
        True,
    ),
    "person.create": (lambda s: create_person(s.ctx, f"{NAME} junior"), False),
    "winter.start": (lambda s: switch_winter_emergency(s.ctx, True, reason=NAME), False),
    "winter.end": (
        lambda s: (
            switch_winter_emergency(s.ctx, True),
            switch_winter_emergency(s.ctx, False, reason=NAME),
        ),
        False,
    ),
}


@pytest.fixture
def scene(ctx_as: CtxAs, make_facility: MakeFacility, make_person: MakePerson) -> Scene:
    return Scene(ctx_as(Role.MANAGER), make_facility(), make_person(NAME))


@pytest.mark.parametrize("action", WRITES)
def test_write_is_audited_with_its_actor_and_action(scene: Scene, action: str) -> None:
    write, about_shelter = WRITES[action]
    session = scene.ctx.session
    before = session.scalar(sa.select(sa.func.max(AuditEntry.id)))

    write(scene)

    (entry,) = session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action, AuditEntry.id > before)
    )
    assert entry.actor_label == scene.ctx.actor.label
    assert entry.at == scene.ctx.now()
    assert entry.facility_id == (scene.shelter.id if about_shelter else None)


@pytest.mark.parametrize("action", WRITES)
def test_audit_log_holds_no_person_name(scene: Scene, action: str) -> None:
    write, _ = WRITES[action]

    write(scene)

    session = scene.ctx.session
    logged = json.dumps(list(session.scalars(sa.select(AuditEntry.details))), ensure_ascii=False)
    assert "Quellmann" not in logged
