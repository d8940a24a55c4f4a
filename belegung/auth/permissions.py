"""Who may do what: the roles of DESIGN.md as one table, and the rules for single records
(whose hold, which ban). The domains' operations check them for every caller."""

from __future__ import annotations

from enum import StrEnum

from belegung.context import Actor, Role
from belegung.errors import Forbidden, NotFound


class Action(StrEnum):
    READ_AVAILABILITY = "availability.read"
    READ_FACILITIES = "facilities.read"
    MANAGE_FACILITIES = "facilities.manage"  # facilities, places, out-of-service periods
    READ_STAYS = "stays.read"
    WRITE_STAYS = "stays.write"  # check-in, extend, check-out, convert a hold
    READ_HOLDS = "holds.read"
    WRITE_HOLDS = "holds.write"  # create and cancel
    READ_TURN_AWAYS = "turn_aways.read"
    WRITE_TURN_AWAYS = "turn_aways.write"
    READ_PERSONS = "persons.read"
    WRITE_PERSONS = "persons.write"
    READ_BANS = "bans.read"
    WRITE_BANS = "bans.write"  # impose and lift
    OVERRIDE_BANS = "bans.override"
    READ_WINTER = "winter.read"
    SWITCH_WINTER = "winter.switch"
    # Reports and data protection: managers and admins only (as every ".read" not given
    # to staff explicitly).
    READ_REPORTS = "reports.read"  # monthly figures, the federal statistic
    READ_AUDIT = "audit.read"
    EXPORT_PERSONS = "persons.export"  # an access request (Art. 15 GDPR)
    ERASE_PERSONS = "persons.erase"  # an erasure request (Art. 17 GDPR)
    MANAGE_USERS = "users.manage"  # users, their roles and facilities, tokens
    # Alert rules, SMS recipients and the outbox (managers and admins).
    READ_ALERTS = "alerts.read"
    MANAGE_ALERTS = "alerts.manage"
    # The housing programme: apartments, households, placements, its figures (housing
    # officers, managers and admins).
    READ_HOUSING = "housing.read"
    WRITE_HOUSING = "housing.write"  # households, moves, blocks, the apartment import


READS = frozenset(a for a in Action if a.value.endswith(".read"))

# Staff's rights on stays, holds, turn-aways and bans hold only in their own facilities.
# Persons belong to no facility: see person_facility_ids.
FACILITY_SCOPED = frozenset({
    Action.READ_STAYS, Action.WRITE_STAYS, Action.READ_HOLDS, Action.WRITE_HOLDS,
    Action.READ_TURN_AWAYS, Action.WRITE_TURN_AWAYS, Action.READ_BANS, Action.WRITE_BANS,
})  # fmt: skip

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.STAFF: frozenset({
        Action.READ_AVAILABILITY, Action.READ_FACILITIES, Action.READ_WINTER,
        Action.READ_PERSONS, Action.WRITE_PERSONS,
        *FACILITY_SCOPED,
    }),
    Role.OUTREACH: frozenset({
        Action.READ_AVAILABILITY, Action.READ_FACILITIES, Action.READ_WINTER,
        Action.READ_HOLDS, Action.WRITE_HOLDS,
    }),
    Role.MANAGER: READS | {
        Action.OVERRIDE_BANS, Action.SWITCH_WINTER, Action.EXPORT_PERSONS, Action.ERASE_PERSONS,
        Action.MANAGE_ALERTS, Action.WRITE_HOUSING,
    },
    Role.HOUSING: frozenset({
        Action.READ_AVAILABILITY, Action.READ_FACILITIES, Action.READ_WINTER,
        Action.READ_HOUSING, Action.WRITE_HOUSING,
    }),
    Role.ADMIN: frozenset(Action),
}  # fmt: skip


def allowed(actor: Actor, action: Action, facility_id: int | None = None) -> bool:
    """May `actor` do `action` (in the facility, where the action is facility-scoped)?

    `facility_id=None` on a scoped action asks whether the actor may do it anywhere
    (e.g. to list, filtered to their facilities afterwards).
    """
    if action not in PERMISSIONS[actor.role]:
        return False
    if actor.role == Role.STAFF and action in FACILITY_SCOPED and facility_id is not None:
        return facility_id in actor.facility_ids
    return True


def authorize(actor: Actor, action: Action, facility_id: int | None = None) -> None:
    if not allowed(actor, action, facility_id):
        raise Forbidden()


def authorize_record(actor: Actor, action: Action, facility_id: int, what: str) -> None:
    """A single record (a stay, hold or ban) of a facility. A role without the right at
    all is refused (403); a record outside the caller's facilities answers exactly as one
    that does not exist (404), so that ids reveal nothing about other shelters."""
    if action not in PERMISSIONS[actor.role]:
        raise Forbidden()
    if not allowed(actor, action, facility_id):
        raise NotFound(what=what)


def authorize_hold(
    actor: Actor, action: Action, facility_id: int, created_by_id: int | None
) -> None:
    """A hold: as any record of its facility; outreach crews see and cancel only the
    holds they made themselves (another's is 404 to them, as if it did not exist)."""
    authorize_record(actor, action, facility_id, "hold")
    if actor.role == Role.OUTREACH and created_by_id != actor.user_id:
        raise NotFound(what="hold")


def own_holds_only(actor: Actor) -> int | None:
    """The user whose holds alone `actor` may list (outreach crews), or None for all."""
    return actor.user_id if actor.role == Role.OUTREACH else None


def authorize_ban_lift(actor: Actor, facility_id: int) -> None:
    """Managers lift any ban; staff the bans of their facilities (a `danger` ban only a
    manager lifts: that rule is the ban's own, stays.bans.lift_ban)."""
    if not allowed(actor, Action.OVERRIDE_BANS):
        authorize_record(actor, Action.WRITE_BANS, facility_id, "ban")


def visible_facility_ids(actor: Actor, action: Action) -> frozenset[int] | None:
    """The facilities whose records `actor` may see for `action`; None means all."""
    if actor.role == Role.STAFF and action in FACILITY_SCOPED:
        return actor.facility_ids
    return None


def person_facility_ids(actor: Actor) -> frozenset[int] | None:
    """The facilities whose persons `actor` may read one by one; None means every person.

    Staff read (and name by id) a person known at one of their facilities (a stay,
    house ban or turn-away there), or one their own search showed them lately
    (persons.service.person_for). A returning guest who slept elsewhere before they
    find by a search, which must be specific and shows only a few hits.
    """
    if actor.is_manager:
        return None
    return actor.facility_ids
