"""The idempotency store: a key's first outcome is replayed, a key with another request is
refused, an expired key is forgotten, and two requests with one key at the same moment do
the work once (the unique constraint decides), on each database."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from belegung import idempotency
from belegung.auth.models import Role, User
from belegung.auth.tasks import purge_idempotency_keys
from belegung.db import Base
from belegung.idempotency import IdempotencyKey, KeyInvalid, KeyReused, Outcome
from tests.conftest import FakeClock, TestDatabase

NOW = datetime(2026, 1, 15, 20, 0, tzinfo=UTC)


@pytest.fixture
def user(session: Session) -> User:
    found = User(name="tablet", role=Role.STAFF)
    session.add(found)
    session.flush()
    return found


def test_the_fingerprint_ignores_the_order_of_fields_but_not_their_values() -> None:
    a = idempotency.fingerprint("POST", "/x", [("a", "1"), ("b", "2")])
    assert a == idempotency.fingerprint("post", "/x", [("b", "2"), ("a", "1")])
    assert a != idempotency.fingerprint("POST", "/x", [("a", "1"), ("b", "3")])
    assert a != idempotency.fingerprint("POST", "/y", [("a", "1"), ("b", "2")])


def test_a_finished_key_replays_its_outcome(session: Session, user: User) -> None:
    print_ = idempotency.fingerprint("POST", "/x", [])
    row = idempotency.begin(session, user.id, "k1", print_, NOW)
    assert isinstance(row, IdempotencyKey)
    idempotency.finish(session, row, Outcome(303, location="/nacht/x"))

    again = idempotency.begin(session, user.id, "k1", print_, NOW + timedelta(minutes=5))

    assert again == Outcome(303, location="/nacht/x")


def test_a_key_sent_with_another_request_is_refused(session: Session, user: User) -> None:
    row = idempotency.begin(session, user.id, "k1", "a" * 64, NOW)
    idempotency.finish(session, row, Outcome(303, location="/"))  # type: ignore[arg-type]

    with pytest.raises(KeyReused):
        idempotency.begin(session, user.id, "k1", "b" * 64, NOW)


def test_keys_are_per_user(session: Session, user: User) -> None:
    other = User(name="tablet-2", role=Role.STAFF)
    session.add(other)
    session.flush()
    row = idempotency.begin(session, user.id, "k1", "a" * 64, NOW)
    idempotency.finish(session, row, Outcome(303, location="/"))  # type: ignore[arg-type]

    assert isinstance(idempotency.begin(session, other.id, "k1", "a" * 64, NOW), IdempotencyKey)


def test_an_expired_key_is_forgotten_and_purged(session: Session, user: User) -> None:
    row = idempotency.begin(session, user.id, "k1", "a" * 64, NOW)
    idempotency.finish(session, row, Outcome(303, location="/"))  # type: ignore[arg-type]
    later = NOW + idempotency.KEEP_FOR + timedelta(seconds=1)

    assert isinstance(idempotency.begin(session, user.id, "k1", "b" * 64, later), IdempotencyKey)
    assert idempotency.purge_expired(session, later + idempotency.KEEP_FOR) == 1


@pytest.mark.parametrize("key", ["", "x" * 101])
def test_an_empty_or_overlong_key_is_refused(session: Session, user: User, key: str) -> None:
    with pytest.raises(KeyInvalid):
        idempotency.begin(session, user.id, key, "a" * 64, NOW)


@pytest.mark.slow
def test_two_requests_with_one_key_at_once_do_the_work_once(database: TestDatabase) -> None:
    """Each on its own connection, committing for real: one does the work, the other
    replays its outcome."""
    engine = sa.create_engine(database.engine.url, poolclass=NullPool)
    try:
        with Session(engine) as setup:
            setup.add(User(name="concurrent-tablet", role=Role.STAFF))
            setup.commit()
            user_id = setup.scalar(sa.select(User.id).where(User.name == "concurrent-tablet"))
        assert user_id is not None
        barrier = threading.Barrier(2)
        results: list[object] = []
        work: list[int] = []

        def request() -> None:
            with Session(engine) as s:
                barrier.wait()
                found = idempotency.begin(s, user_id, "double-tap", "f" * 64, NOW)
                if isinstance(found, IdempotencyKey):
                    work.append(1)
                    threading.Event().wait(0.2)  # the work takes a moment
                    idempotency.finish(s, found, Outcome(303, location="/done"))
                    s.commit()
                    results.append("did the work")
                else:
                    results.append(found)

        threads = [threading.Thread(target=request) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)

        assert work == [1]
        assert sorted(map(str, results)) == sorted(
            ["did the work", str(Outcome(303, location="/done"))]
        )
    finally:
        with engine.begin() as conn:
            conn.execute(sa.delete(Base.metadata.tables["idempotency_keys"]))
            conn.execute(sa.delete(User.__table__).where(User.name == "concurrent-tablet"))
        engine.dispose()


def test_the_hourly_job_purges_the_keys_past_their_day(
    app: Flask, session: Session, user: User, clock: FakeClock
) -> None:
    idempotency.begin(session, user.id, "old", "a" * 64, clock())
    app.config["BELEGUNG_CLOCK"] = clock
    try:
        with app.app_context():
            assert purge_idempotency_keys() == 0
            clock.advance(hours=25)
            assert purge_idempotency_keys() == 1
    finally:
        app.config.pop("BELEGUNG_CLOCK", None)
    assert session.scalars(sa.select(IdempotencyKey)).all() == []
