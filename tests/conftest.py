"""Fixtures: one per database backend, schema built by the migrations, each test in a
rolled-back transaction; a settable clock; factories for facilities, persons, stays,
holds and bans; the API's callers and client."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.ctx import AppContext
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from belegung import create_app
from belegung.auth.service import create_token, create_user
from belegung.context import Actor, ServiceContext
from belegung.db import Base
from belegung.extensions import db
from belegung.facilities.models import (
    Facility,
    FacilityKind,
    FacilityStatus,
    Place,
    TargetGroup,
)
from belegung.facilities.presets import seed
from belegung.facilities.service import get_facility
from belegung.nights import NightCalendar
from belegung.persons.models import Gender, Person
from belegung.persons.service import create_person
from belegung.stays.bans import impose_ban
from belegung.stays.holds import create_hold
from belegung.stays.models import BanKind, HouseBan, Stay
from belegung.stays.service import check_in
from tests.apiclient import CALLERS, ApiClient, Caller
from tests.pageclient import PageClient

BERLIN = ZoneInfo("Europe/Berlin")
PG_URL = os.environ.get("BELEGUNG_TEST_DATABASE_URL")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]
SECRET = "test-secret-key-0123456789"


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CI") == "true" and not PG_URL:
        raise pytest.UsageError(
            "CI=true but BELEGUNG_TEST_DATABASE_URL is not set: the PostgreSQL tests would "
            "silently not run. Use .ci/run."
        )


@pytest.fixture(autouse=True)
def _cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with the least work: the tests log in often; the parameters of production
    are argon2-cffi's defaults (belegung.auth.passwords)."""
    from argon2 import PasswordHasher

    from belegung.auth import passwords

    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


# --- time ----------------------------------------------------------------------------


class FakeClock:
    """A clock tests can set and move; reads as an aware UTC datetime."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.moment

    def set_local(self, *args: int) -> None:
        self.moment = datetime(*args, tzinfo=BERLIN).astimezone(UTC)  # type: ignore[misc]

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    # A winter evening: 21:00 in Dortmund, the night of 15 January 2026.
    return FakeClock(datetime(2026, 1, 15, 21, 0, tzinfo=BERLIN))


# --- databases -----------------------------------------------------------------------


@dataclass
class TestDatabase:
    __test__ = False

    backend: str
    url: str
    app: Flask

    @property
    def engine(self) -> sa.Engine:
        with self.app.app_context():
            return db.engine


def _fresh_postgres(url: str) -> None:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def make_app(url: str, **config: object) -> Flask:
    return create_app(
        env={"BELEGUNG_DATABASE_URL": url, "BELEGUNG_SECRET_KEY": SECRET},
        config={"TESTING": True, **config},
    )


@pytest.fixture(scope="session", params=BACKENDS)
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestDatabase]:
    """An empty database per backend, its schema built by running the migrations."""
    from flask_migrate import upgrade

    backend: str = request.param
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    else:
        assert PG_URL is not None
        _fresh_postgres(PG_URL)
        url = PG_URL
    app = make_app(url)
    with app.app_context():
        upgrade()
        db.session.remove()
    yield TestDatabase(backend, url, app)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def backend(database: TestDatabase) -> str:
    return database.backend


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("postgres_only") is None:
        return
    if "database" not in request.fixturenames:
        return
    if request.getfixturevalue("backend") != "postgresql":
        pytest.skip("needs PostgreSQL (set BELEGUNG_TEST_DATABASE_URL)")


@pytest.fixture
def app(database: TestDatabase) -> Flask:
    return database.app


@pytest.fixture
def connection(database: TestDatabase) -> Iterator[sa.Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with database.engine.connect() as conn:
        trans = conn.begin()
        try:
            yield conn
        finally:
            trans.rollback()


@pytest.fixture
def session(app: Flask, connection: sa.Connection) -> Iterator[Session]:
    """The test's session. Flask-SQLAlchemy's `db.session` (used by routes and commands)
    is bound to the same rolled-back transaction; commits become savepoint releases."""
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    scoped = scoped_session(factory)
    original = db.session
    db.session = scoped  # type: ignore[assignment]
    try:
        yield scoped()
    finally:
        scoped.remove()
        db.session = original


@pytest.fixture
def app_context(app: Flask, session: Session) -> Iterator[AppContext]:
    with app.app_context() as ctx:
        yield ctx


@pytest.fixture
def calendar() -> NightCalendar:
    return NightCalendar(BERLIN)


@pytest.fixture
def make_ctx(
    session: Session, calendar: NightCalendar, clock: FakeClock
) -> Callable[..., ServiceContext]:
    def make(actor: Actor | None = None) -> ServiceContext:
        return ServiceContext(
            session=session,
            actor=actor or Actor.system("test"),
            calendar=calendar,
            clock=clock,
        )

    return make


@pytest.fixture
def ctx(make_ctx: Callable[..., ServiceContext]) -> ServiceContext:
    return make_ctx()


# --- factories -----------------------------------------------------------------------


@pytest.fixture
def make_facility(session: Session) -> Callable[..., Facility]:
    counter = iter(range(1, 10_000))

    def make(
        *,
        slug: str | None = None,
        places: int = 5,
        emergency: int = 0,
        kind: FacilityKind = FacilityKind.NIGHT_SHELTER,
        target_group: TargetGroup = TargetGroup.ANY,
        status: FacilityStatus = FacilityStatus.ACTIVE,
    ) -> Facility:
        n = next(counter)
        facility = Facility(
            slug=slug or f"shelter-{n}",
            name=f"Testunterkunft {n}",
            kind=kind,
            target_group=target_group,
            status=status,
        )
        session.add(facility)
        session.flush()
        for i in range(places):
            session.add(Place(facility_id=facility.id, label=str(i + 1), position=i))
        for i in range(emergency):
            session.add(
                Place(facility_id=facility.id, label=f"N{i + 1}", emergency=True, position=100 + i)
            )
        session.flush()
        return facility

    return make


@pytest.fixture
def make_person(ctx: ServiceContext) -> Callable[..., Person]:
    counter = iter(range(1, 100_000))

    def make(name: str | None = None, **fields: object) -> Person:
        fields.setdefault("gender", Gender.MALE)
        return create_person(ctx, name or f"Gast {next(counter)}", **fields)  # type: ignore[arg-type]

    return make


@pytest.fixture
def make_stay(
    ctx: ServiceContext, make_facility: Callable[..., Facility], make_person: Callable[..., Person]
) -> Callable[..., Stay]:
    """`make_stay(facility, person, **check_in_options)`: a guest checked in through the
    real check-in (a new shelter and a new guest unless given), by the test's context
    unless `by=` another."""

    def make(
        facility: Facility | None = None,
        person: Person | None = None,
        *,
        by: ServiceContext | None = None,
        **options: Any,
    ) -> Stay:
        return check_in(by or ctx, facility or make_facility(), person or make_person(), **options)

    return make


@pytest.fixture
def make_hold(ctx: ServiceContext, make_facility: Callable[..., Facility]) -> Callable[..., Stay]:
    """`make_hold(facility, **hold_options)`: a hold made through the real rule."""

    def make(
        facility: Facility | None = None, *, by: ServiceContext | None = None, **options: Any
    ) -> Stay:
        return create_hold(by or ctx, facility or make_facility(), **options)

    return make


@pytest.fixture
def make_ban(
    ctx: ServiceContext, make_facility: Callable[..., Facility], make_person: Callable[..., Person]
) -> Callable[..., HouseBan]:
    """`make_ban(person, facility, kind, **nights)`: a house ban (conduct, from tonight,
    open-ended unless told otherwise) imposed through the real rule."""

    def make(
        person: Person | None = None,
        facility: Facility | None = None,
        kind: BanKind = BanKind.CONDUCT,
        *,
        by: ServiceContext | None = None,
        reason: str = "Streit im Schlafsaal",
        **nights: date,
    ) -> HouseBan:
        return impose_ban(
            by or ctx,
            person or make_person(),
            facility or make_facility(),
            kind=kind,
            reason=reason,
            **nights,
        )

    return make


# --- the API: the Dortmund preset, a caller per role, a client ---------------------------


@pytest.fixture
def dortmund(ctx: ServiceContext) -> dict[str, Facility]:
    seed(ctx)
    return {
        slug: get_facility(ctx.session, slug)
        for slug in ("unionstrasse", "nortkirchenstrasse", "junge-erwachsene", "drogenhilfe", "wvp")
    }


@pytest.fixture
def callers(ctx: ServiceContext, dortmund: dict[str, Facility]) -> dict[str, Caller]:
    made = {}
    for key, (role, slugs) in CALLERS.items():
        user = create_user(
            ctx, key.replace("_", "-"), role, facilities=[dortmund[s] for s in slugs]
        )
        _, raw = create_token(ctx, user)
        made[key] = Caller(user.name, role, raw, user.id)
    ctx.session.flush()
    return made


@pytest.fixture
def api(
    app: Flask, session: Any, clock: FakeClock, callers: dict[str, Caller]
) -> Iterator[ApiClient]:
    app.config["BELEGUNG_CLOCK"] = clock
    try:
        yield ApiClient(app.test_client(), callers, session)
    finally:
        app.config.pop("BELEGUNG_CLOCK", None)


@pytest.fixture
def pages(
    app: Flask, session: Any, clock: FakeClock, callers: dict[str, Caller]
) -> Iterator[PageClient]:
    """A browser-like client for the pages (CSRF enabled), signed in with `.as_(key)`."""
    from belegung.extensions import limiter

    app.config["BELEGUNG_CLOCK"] = clock
    limiter.reset()
    client = PageClient(app.test_client(), session, callers)
    client.clock = clock
    try:
        yield client
    finally:
        app.config.pop("BELEGUNG_CLOCK", None)


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def table_names() -> list[str]:
    return [t.name for t in reversed(Base.metadata.sorted_tables)]
