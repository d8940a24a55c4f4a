"""The unit of work: one commit at the end, a rollback on any error, and after-commit
callbacks that run only after a successful commit."""

from __future__ import annotations

from collections.abc import Hashable

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.facilities.models import Facility, FacilityKind, TargetGroup
from belegung.transaction import UnitOfWork, committing, unit_of_work


def facility(slug: str) -> Facility:
    return Facility(
        slug=slug, name=slug, kind=FacilityKind.NIGHT_SHELTER, target_group=TargetGroup.ANY
    )


def slugs(session: Session) -> list[str]:
    return list(session.scalars(sa.select(Facility.slug).order_by(Facility.slug)))


def test_work_is_committed_once_and_then_the_callbacks_run(session: Session) -> None:
    seen: list[list[str]] = []

    with unit_of_work(session) as uow:
        session.add(facility("a"))
        # The callback reads through another transaction's eyes: the commit is done.
        uow.after_commit(lambda: seen.append(slugs(session)))
        assert seen == []

    assert seen == [["a"]]
    assert not uow.active


def test_an_error_rolls_the_work_back_and_drops_the_callbacks(session: Session) -> None:
    ran: list[str] = []

    def work() -> None:
        with unit_of_work(session) as uow:
            session.add(facility("b"))
            session.flush()
            uow.after_commit(lambda: ran.append("sms"))
            raise RuntimeError("kaputt")

    with pytest.raises(RuntimeError, match="kaputt"):
        work()

    assert ran == []
    assert slugs(session) == []


def test_a_refused_commit_rolls_back_and_runs_no_callback(session: Session) -> None:
    ran: list[str] = []
    with unit_of_work(session):
        session.add(facility("dup"))

    def work() -> None:
        with unit_of_work(session) as uow:
            uow.after_commit(lambda: ran.append("sms"))
            session.add(facility("dup"))

    with pytest.raises(sa.exc.IntegrityError):
        work()

    assert ran == []
    assert slugs(session) == ["dup"]


def test_a_failing_callback_does_not_undo_the_commit_or_stop_the_others(
    session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[str] = []

    def broken() -> None:
        raise ValueError("Twilio nicht erreichbar")

    with unit_of_work(session) as uow:
        session.add(facility("c"))
        uow.after_commit(broken)
        uow.after_commit(lambda: ran.append("next"))

    assert ran == ["next"]
    assert slugs(session) == ["c"]
    assert "after-commit callback" in caplog.text


def test_a_second_unit_of_work_on_the_same_session_is_refused(session: Session) -> None:
    with unit_of_work(session), pytest.raises(RuntimeError), unit_of_work(session):
        pass


def test_listeners_see_the_changes_before_the_commit_and_may_add_to_it(
    session: Session,
) -> None:
    seen: list[frozenset[Hashable]] = []

    def evaluate(uow: UnitOfWork) -> None:
        seen.append(uow.changes("claims"))
        if uow.changes("claims"):
            uow.session.add(facility("from-listener"))

    with committing.connected_to(evaluate), unit_of_work(session) as uow:
        uow.changed("claims", 7)
        uow.changed("claims", 7)
        uow.changed("claims", 8)

    assert seen == [frozenset({7, 8})]
    assert slugs(session) == ["from-listener"]
    # The changes belong to one unit of work: the next starts empty.
    assert UnitOfWork.of(session).changes("claims") == frozenset()
