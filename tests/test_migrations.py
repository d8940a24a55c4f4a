"""The migrations build the whole schema, and models and migrations don't drift."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from belegung.db import Base, built_on
from belegung.extensions import db
from tests.conftest import PG_URL, TestDatabase, make_app


# SQLite has no ix_stays_facility_nights (a PostgreSQL GiST index on an expression) and
# can't reflect expression indexes; PostgreSQL compares it like any other (and has no
# ix_stays_facility_id_end_night, SQLite's).
@pytest.mark.filterwarnings(
    "ignore:autogenerate skipping metadata-specified expression-based index "
    "'ix_stays_facility_nights'"
)
def test_migrated_schema_matches_the_models(database: TestDatabase) -> None:
    with database.engine.connect() as conn:
        # As `flask db check` compares (migrations/env.py): an index the models build on
        # the other backend only is not expected here.
        context = MigrationContext.configure(
            conn, opts={"include_object": built_on(conn.dialect.name)}
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_every_model_table_is_created_by_the_migrations(database: TestDatabase) -> None:
    tables = set(sa.inspect(database.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


@pytest.mark.postgres_only
def test_postgres_has_the_exclusion_constraints(database: TestDatabase) -> None:
    # Autogenerate can't see exclusion constraints, so check them by name.
    with database.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'x' AND conrelid = 'stays'::regclass ORDER BY conname"
            )
        ).all()
    definitions = dict(rows)
    assert set(definitions) == {"ex_stays_person_nights", "ex_stays_place_nights"}
    assert "place_id WITH =" in definitions["ex_stays_place_nights"]
    assert (
        "daterange(first_night, end_night, '[)'::text) WITH &&"
        in (definitions["ex_stays_place_nights"])
    )
    assert "'held'" in definitions["ex_stays_place_nights"]
    assert "'held'" not in definitions["ex_stays_person_nights"]


def _round_trip(url: str) -> None:
    app = make_app(url)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]
        upgrade()
        assert set(Base.metadata.tables) <= set(sa.inspect(db.engine).get_table_names())
        db.session.remove()
        db.engine.dispose()


def test_migrations_downgrade_to_empty_and_back_on_sqlite(tmp_path) -> None:
    _round_trip(f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}")


@contextmanager
def _scratch_postgres() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database beside the test database; dropped after."""
    assert PG_URL is not None
    admin_url = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    base, _, name = admin_url.rpartition("/")
    scratch = f"{name.split('?')[0]}_roundtrip"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{scratch}"'))
    try:
        yield f"{base}/{scratch}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}"'))
        admin.dispose()


@pytest.mark.skipif(PG_URL is None, reason="needs PostgreSQL (set BELEGUNG_TEST_DATABASE_URL)")
def test_migrations_downgrade_to_empty_and_back_on_postgres() -> None:
    with _scratch_postgres() as url:
        _round_trip(url)


# --- 0003: persons.name_key widened in a database that holds data ------------------------

LONG_KEY = "ss" * 120


def _fill_at_0002(conn: sa.Connection) -> None:
    """A person whom a stay, a house ban and a turn-away refer to, as 0002 left the schema."""
    tables = sa.MetaData()
    tables.reflect(conn)
    now = datetime(2026, 1, 15, 20, 0, tzinfo=UTC)
    night = date(2026, 1, 15)
    insert = {name: tables.tables[name].insert() for name in tables.tables}
    conn.execute(
        insert["facilities"],
        {
            "id": 1, "slug": "x", "name": "X", "kind": "night_shelter", "target_group": "any",
            "status": "active", "operator_type": "municipality", "created_at": now,
        },
    )  # fmt: skip
    conn.execute(
        insert["places"],
        {"id": 1, "facility_id": 1, "label": "1", "emergency": False, "position": 0},
    )
    conn.execute(
        insert["persons"],
        {
            "id": 1, "name": "Gast", "name_key": "gast", "birth_year": 1971, "gender": "m",
            "nationality": "eu", "household_type": "single", "household_size": 1,
            "created_at": now,
        },
    )  # fmt: skip
    conn.execute(
        insert["stays"],
        {
            "facility_id": 1, "place_id": 1, "person_id": 1, "first_night": night,
            "end_night": night + timedelta(days=1), "status": "checked_in", "created_at": now,
        },
    )  # fmt: skip
    conn.execute(
        insert["house_bans"],
        {
            "person_id": 1, "facility_id": 1, "first_night": night, "kind": "conduct",
            "reason": "x", "created_at": now,
        },
    )  # fmt: skip
    conn.execute(
        insert["turn_aways"],
        {"facility_id": 1, "person_id": 1, "night": night, "occurred_at": now, "reason": "full"},
    )


def _name_key_length(bind: sa.Engine) -> int | None:
    (column,) = [c for c in sa.inspect(bind).get_columns("persons") if c["name"] == "name_key"]
    length: int | None = column["type"].length
    return length


def _widen_with_data(url: str) -> None:
    app = make_app(url)
    with app.app_context():
        upgrade(revision="0002")
        with db.engine.begin() as conn:
            _fill_at_0002(conn)

        upgrade(revision="0003")

        assert _name_key_length(db.engine) == 240
        with db.engine.begin() as conn:
            assert conn.execute(sa.text("SELECT name_key FROM persons")).scalar_one() == "gast"
            conn.execute(sa.text("UPDATE persons SET name_key = :key"), {"key": LONG_KEY})
            for table in ("stays", "house_bans", "turn_aways"):
                referring = sa.select(sa.func.count()).select_from(sa.table(table))
                count = conn.execute(referring.where(sa.column("person_id") == 1))
                assert count.scalar_one() == 1, table
            if conn.dialect.name == "sqlite":
                assert conn.execute(sa.text("PRAGMA foreign_key_check")).all() == []
        indexes = {
            i["name"]: i["column_names"] for i in sa.inspect(db.engine).get_indexes("persons")
        }
        assert indexes["ix_persons_name_key_birth_year"] == ["name_key", "birth_year"]

        downgrade(revision="0002")

        assert _name_key_length(db.engine) == 120
        with db.engine.connect() as conn:
            key = conn.execute(sa.text("SELECT name_key FROM persons")).scalar_one()
        assert key == LONG_KEY[:120]
        db.session.remove()
        db.engine.dispose()


def test_name_key_widens_and_narrows_with_persons_referred_to_on_sqlite(tmp_path) -> None:
    # SQLite can't rebuild a table that others refer to while foreign keys are enforced.
    _widen_with_data(f"sqlite:///{tmp_path / 'widen.sqlite3'}")


@pytest.mark.skipif(PG_URL is None, reason="needs PostgreSQL (set BELEGUNG_TEST_DATABASE_URL)")
def test_name_key_widens_and_narrows_with_persons_referred_to_on_postgres() -> None:
    with _scratch_postgres() as url:
        _widen_with_data(url)


# --- 0008: citizenship and `unclear`, in a database that holds data ----------------------


def _citizenship_with_data(url: str) -> None:
    app = make_app(url)
    with app.app_context():
        upgrade(revision="0002")
        with db.engine.begin() as conn:
            _fill_at_0002(conn)
        upgrade(revision="0004")

        upgrade(revision="0008")

        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE persons SET nationality = 'unclear', citizenship = 'SY'"))
            for table in ("stays", "house_bans", "turn_aways"):
                referring = sa.select(sa.func.count()).select_from(sa.table(table))
                count = conn.execute(referring.where(sa.column("person_id") == 1))
                assert count.scalar_one() == 1, table
            if conn.dialect.name == "sqlite":
                assert conn.execute(sa.text("PRAGMA foreign_key_check")).all() == []
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE persons SET nationality = 'martian'"))
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE persons SET citizenship = 'X'"))

        downgrade(revision="0004")

        with db.engine.connect() as conn:
            row = conn.execute(sa.text("SELECT * FROM persons")).mappings().one()
        assert (row["nationality"], row["name"], "citizenship" in row) == ("unknown", "Gast", False)
        # A person may again be deleted only without references: the keys still hold.
        with db.engine.begin() as conn, pytest.raises(sa.exc.IntegrityError), conn.begin_nested():
            conn.execute(sa.text("DELETE FROM persons"))
        db.session.remove()
        db.engine.dispose()


def test_citizenship_and_unclear_arrive_with_persons_referred_to_on_sqlite(tmp_path) -> None:
    _citizenship_with_data(f"sqlite:///{tmp_path / 'citizenship.sqlite3'}")


@pytest.mark.skipif(PG_URL is None, reason="needs PostgreSQL (set BELEGUNG_TEST_DATABASE_URL)")
def test_citizenship_and_unclear_arrive_with_persons_referred_to_on_postgres() -> None:
    with _scratch_postgres() as url:
        _citizenship_with_data(url)


@pytest.mark.postgres_only
def test_postgres_has_the_gist_index_of_the_stays_facility_and_nights(
    database: TestDatabase,
) -> None:
    # An expression index (migration 0012, replacing 0010's on the nights alone):
    # autogenerate can't compare it, so by name.
    with database.engine.connect() as conn:
        definitions = dict(
            conn.execute(
                sa.text(
                    "SELECT indexname, indexdef FROM pg_indexes "
                    "WHERE indexname IN ('ix_stays_facility_nights', 'ix_stays_nights')"
                )
            ).all()
        )
    assert list(definitions) == ["ix_stays_facility_nights"]
    assert (
        "USING gist (facility_id, daterange(first_night, end_night, '[)'::text))"
        in definitions["ix_stays_facility_nights"]
    )


# --- 0011: household types as DESIGN.md names them, in a database that holds data ------


def _household_types_with_data(url: str) -> None:
    app = make_app(url)
    with app.app_context():
        upgrade(revision="0002")
        with db.engine.begin() as conn:
            _fill_at_0002(conn)
        upgrade(revision="0010")
        now = datetime(2026, 1, 15, 20, 0, tzinfo=UTC)
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO persons (id, name, birth_year, gender, nationality, "
                    "household_type, household_size, created_at) VALUES "
                    "(2, 'Zwei', 1980, 'f', 'german', 'multi_person', 3, :now), "
                    "(3, 'Drei', 1990, 'd', 'german', 'other_with_children', 2, :now)"
                ),
                {"now": now},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO households (id, type, created_at) VALUES "
                    "(1, 'multi_person', :now), (2, 'other_with_children', :now), "
                    "(3, 'couple', :now)"
                ),
                {"now": now},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO household_members (household_id, person_id, joined_on) "
                    "VALUES (1, 2, '2026-01-01'), (2, 3, '2026-01-01')"
                )
            )

        upgrade(revision="0011")

        def types() -> tuple[list, list]:
            with db.engine.connect() as conn:
                persons = conn.execute(
                    sa.text("SELECT household_type FROM persons ORDER BY id")
                ).scalars()
                households = conn.execute(
                    sa.text("SELECT type FROM households ORDER BY id")
                ).scalars()
                return list(persons), list(households)

        assert types() == (
            ["single", "other_multi", "other_multi"],
            ["other_multi", "other_multi", "couple"],
        )
        with db.engine.begin() as conn:
            for table, rows in (
                ("stays", 1),
                ("house_bans", 1),
                ("turn_aways", 1),
                ("household_members", 2),
            ):
                referring = sa.select(sa.func.count()).select_from(sa.table(table))
                assert conn.execute(referring).scalar_one() == rows, table
            if conn.dialect.name == "sqlite":
                assert conn.execute(sa.text("PRAGMA foreign_key_check")).all() == []
            conn.execute(sa.text("UPDATE persons SET household_type = 'unknown' WHERE id = 1"))
            conn.execute(sa.text("UPDATE households SET type = 'unknown' WHERE id = 3"))
        for update in (
            "UPDATE persons SET household_type = 'multi_person'",
            "UPDATE households SET type = 'other_with_children'",
        ):
            with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
                conn.execute(sa.text(update))
        indexes = {i["name"] for i in sa.inspect(db.engine).get_indexes("persons")}
        assert "ix_persons_name_key_birth_year" in indexes

        downgrade(revision="0010")

        # Lossy: `other_multi` was one of two; `unknown` is read from the size.
        assert types() == (
            ["single", "multi_person", "multi_person"],
            ["multi_person", "multi_person", "multi_person"],
        )
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE persons SET household_type = 'other_multi'"))
        with db.engine.connect() as conn:
            members = sa.select(sa.func.count()).select_from(sa.table("household_members"))
            assert conn.execute(members).scalar_one() == 2
        # A person may again be deleted only without references: the keys still hold.
        with db.engine.begin() as conn, pytest.raises(sa.exc.IntegrityError), conn.begin_nested():
            conn.execute(sa.text("DELETE FROM persons"))
        db.session.remove()
        db.engine.dispose()


def test_household_types_are_mapped_with_rows_referred_to_on_sqlite(tmp_path) -> None:
    _household_types_with_data(f"sqlite:///{tmp_path / 'household_types.sqlite3'}")


@pytest.mark.skipif(PG_URL is None, reason="needs PostgreSQL (set BELEGUNG_TEST_DATABASE_URL)")
def test_household_types_are_mapped_with_rows_referred_to_on_postgres() -> None:
    with _scratch_postgres() as url:
        _household_types_with_data(url)
