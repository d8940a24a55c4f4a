"""The migrations build the whole schema, and models and migrations don't drift."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from belegung.db import Base
from belegung.extensions import db
from tests.conftest import PG_URL, TestDatabase, make_app


def test_migrated_schema_matches_the_models(database: TestDatabase) -> None:
    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
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


@pytest.mark.skipif(PG_URL is None, reason="needs PostgreSQL (set BELEGUNG_TEST_DATABASE_URL)")
def test_migrations_downgrade_to_empty_and_back_on_postgres() -> None:
    assert PG_URL is not None
    admin_url = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    base, _, name = admin_url.rpartition("/")
    scratch = f"{name.split('?')[0]}_roundtrip"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{scratch}"'))
    try:
        _round_trip(f"{base}/{scratch}")
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}"'))
        admin.dispose()
