"""What a service call needs besides its arguments: the session, who acts, when, and the
unit of work it runs in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from belegung.config import Settings
from belegung.limits import NIGHTS_PER_CALL
from belegung.nights import Clock, NightCalendar, system_clock
from belegung.transaction import UnitOfWork


class Role(StrEnum):
    """The roles of DESIGN.md; what each may do is auth.permissions' table."""

    STAFF = "staff"
    OUTREACH = "outreach"
    MANAGER = "manager"
    ADMIN = "admin"
    # Housing officers: the housing programme (apartments, households, placements).
    HOUSING = "housing"


@dataclass(frozen=True)
class Actor:
    """The user or process on whose behalf a service acts (audit log, permissions)."""

    user_id: int | None
    label: str
    role: Role
    facility_ids: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def system(cls, label: str) -> Actor:
        """The CLI, the scheduler or the seed: trusted processes without a user."""
        return cls(user_id=None, label=label, role=Role.ADMIN)

    @property
    def is_manager(self) -> bool:
        return self.role in (Role.MANAGER, Role.ADMIN)


@dataclass
class ServiceContext:
    """Passed to every service function. The clock is injectable so tests can set time.

    `uow` is the unit of work the call runs in (by default the session's): services
    register what must happen only after a successful commit (an SMS, a cache
    invalidation) with `ctx.uow.after_commit`, and say what they changed with
    `ctx.uow.changed`.
    """

    session: Session
    actor: Actor
    calendar: NightCalendar
    clock: Clock = system_clock
    hold_minutes_default: int = 60
    hold_minutes_max: int = 180
    # Live holds one user (a crew's phone) may have at once: no single token can
    # hold a whole shelter.
    holds_per_user: int = 5
    # Nights one check-in or extension in a night shelter may book (BELEGUNG_NIGHTS_PER_CALL).
    nights_per_call: int = NIGHTS_PER_CALL
    # None only until __post_init__: then the session's unit of work.
    uow: UnitOfWork = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.uow is None:
            self.uow = UnitOfWork.of(self.session)

    def now(self) -> datetime:
        return self.clock()

    def tonight(self) -> date:
        return self.calendar.night_of(self.now())


def service_context(
    session: Session,
    actor: Actor,
    settings: Settings,
    clock: Clock = system_clock,
    uow: UnitOfWork | None = None,
) -> ServiceContext:
    """A context with the calendar and hold limits of the configured settings."""
    return ServiceContext(
        session=session,
        actor=actor,
        calendar=settings.calendar,
        clock=clock,
        hold_minutes_default=settings.hold_minutes_default,
        hold_minutes_max=settings.hold_minutes_max,
        holds_per_user=settings.holds_per_user,
        nights_per_call=settings.nights_per_call,
        uow=uow or UnitOfWork.of(session),
    )
