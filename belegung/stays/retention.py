"""What the occupancy records keep about a person over time: who has had no stay, hold,
house ban or turn-away for a while (and is anonymised), the free text to forget with
them, and every record about one person (an access request)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from belegung.persons.models import Person
from belegung.stays.models import BanOverride, HouseBan, Stay, StayStatus, TurnAway

# What a reason of a ban or an override reads once its person is anonymised: the column
# keeps a value, the text (which may name people) is gone.
FORGOTTEN = "–"


def inactive_persons(cutoff_night: date, cutoff_moment: datetime) -> sa.Select[tuple[Person]]:
    """Persons not yet anonymised who were registered before `cutoff_moment` and since
    `cutoff_night` have had no stay (or converted hold), no house ban in force or lifted,
    and no turn-away."""
    person = Person.id
    return (
        sa.select(Person)
        .where(
            Person.anonymised_at.is_(None),
            Person.created_at < cutoff_moment,
            ~sa.exists().where(
                Stay.person_id == person,
                sa.or_(Stay.end_night.is_(None), Stay.end_night > cutoff_night),
            ),
            ~sa.exists().where(
                HouseBan.person_id == person,
                sa.or_(
                    HouseBan.created_at >= cutoff_moment,
                    HouseBan.lifted_at >= cutoff_moment,
                    sa.and_(
                        HouseBan.lifted_at.is_(None),
                        sa.or_(HouseBan.end_night.is_(None), HouseBan.end_night > cutoff_night),
                    ),
                ),
            ),
            ~sa.exists().where(TurnAway.person_id == person, TurnAway.night >= cutoff_night),
        )
        .order_by(Person.id)
    )


def staying(session: Session, person_id: int, tonight: date) -> bool:
    """Is the person checked in for tonight or a night after?"""
    return bool(
        session.scalar(
            sa.select(
                sa.exists().where(
                    Stay.person_id == person_id,
                    Stay.status == StayStatus.CHECKED_IN,
                    sa.or_(Stay.end_night.is_(None), Stay.end_night > tonight),
                )
            )
        )
    )


def forget_free_text(session: Session, person_ids: Collection[int]) -> None:
    """Clear the free text kept with the persons' records (reasons of bans and their
    overrides, notes of turn-aways and holds), which may name or describe them. The
    records themselves stay: they are the figures."""
    if not person_ids:
        return
    ids = list(person_ids)
    bans = sa.select(HouseBan.id).where(HouseBan.person_id.in_(ids))
    session.execute(
        sa.update(HouseBan)
        .where(HouseBan.person_id.in_(ids))
        .values(reason=FORGOTTEN, lift_reason=None)
    )
    session.execute(
        sa.update(BanOverride).where(BanOverride.ban_id.in_(bans)).values(reason=FORGOTTEN)
    )
    session.execute(sa.update(TurnAway).where(TurnAway.person_id.in_(ids)).values(note=None))
    session.execute(sa.update(Stay).where(Stay.person_id.in_(ids)).values(hold_note=None))


@dataclass(frozen=True)
class PersonRecords:
    """Every occupancy record about one person."""

    stays: Sequence[Stay]
    holds: Sequence[Stay]
    bans: Sequence[HouseBan]
    overrides: Sequence[BanOverride]
    turn_aways: Sequence[TurnAway]


def records_of(session: Session, person_id: int) -> PersonRecords:
    """The person's stays, the holds that became their stays, their house bans with the
    overrides granted, and the turn-aways naming them; oldest first."""
    stays = session.scalars(
        sa.select(Stay)
        .options(selectinload(Stay.facility), selectinload(Stay.place))
        .where(Stay.person_id == person_id)
        .order_by(Stay.first_night, Stay.id)
    ).all()
    bans = session.scalars(
        sa.select(HouseBan)
        .options(selectinload(HouseBan.facility))
        .where(HouseBan.person_id == person_id)
        .order_by(HouseBan.first_night, HouseBan.id)
    ).all()
    overrides = session.scalars(
        sa.select(BanOverride)
        .where(BanOverride.ban_id.in_([ban.id for ban in bans]))
        .order_by(BanOverride.first_night, BanOverride.id)
    ).all()
    turn_aways = session.scalars(
        sa.select(TurnAway)
        .options(selectinload(TurnAway.facility))
        .where(TurnAway.person_id == person_id)
        .order_by(TurnAway.occurred_at, TurnAway.id)
    ).all()
    return PersonRecords(
        stays=stays,
        holds=[s for s in stays if s.held_at is not None],
        bans=bans,
        overrides=overrides,
        turn_aways=turn_aways,
    )
