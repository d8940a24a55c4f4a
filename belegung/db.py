"""Declarative base, naming convention, shared column types, SQLite transaction setup, and
the SQL shapes every domain shares (night ranges, pages of a list)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeAlias, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, QueryableAttribute, Session, mapped_column, registry

# Named constraints keep Alembic migrations stable and let error handling recognise a
# violated rule by its name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite stores it naive, in UTC)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


intpk = Annotated[int, mapped_column(primary_key=True)]


def enum_type(enum: type[StrEnum], name: str) -> sa.Enum:
    """A portable enum: VARCHAR plus a named CHECK constraint, storing the member values."""
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum),
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- no personal data in logs ---------------------------------------------------------
# Bound parameters are hidden (config.engine_options: hide_parameters), but at DEBUG
# SQLAlchemy also logs every result row, names and years of birth included. Whatever
# level an operator turns on, the engine's records below INFO (rows and columns) are
# dropped; the statements themselves (INFO) carry no values.


def _no_result_rows(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.INFO


logging.getLogger("sqlalchemy.engine.Engine").addFilter(_no_result_rows)


# --- SQLite: take the write lock before reading -------------------------------------
# pysqlite would open transactions lazily (and DEFERRED), so two check-ins could both
# read "place 3 is free" and both write. With isolation_level=None we emit the BEGIN
# ourselves, as BEGIN IMMEDIATE: every transaction holds SQLite's single write lock from
# its first statement, which serialises writers and makes read-check-insert atomic. This
# is the SQLite half of the no-double-booking rule (PostgreSQL has the exclusion
# constraint). See SQLAlchemy's pysqlite notes on "Serializable isolation / Savepoints".


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    # WAL is a property of the database file: switch only once (the switch needs the
    # file to itself; asking on every connection made connects fail beside busy writers).
    (mode,) = cursor.execute("PRAGMA journal_mode").fetchone()
    if str(mode).lower() not in ("wal", "memory"):
        cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


# Read-only work (a request for the figures, marked `http.transactions.read_only`) takes
# no write lock: its transaction is a plain, deferred BEGIN, which in WAL mode reads a
# consistent snapshot while a writer works. Everything else keeps BEGIN IMMEDIATE.
reading_only: ContextVar[bool] = ContextVar("belegung.reading_only", default=False)


@contextmanager
def writing() -> Iterator[None]:
    """Run a block's transactions with the write lock even inside read-only work (e.g. a
    note written after a read-only request)."""
    token = reading_only.set(False)
    try:
        yield
    finally:
        reading_only.reset(token)


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN" if reading_only.get() else "BEGIN IMMEDIATE")


def is_postgresql(bind: Engine | Connection) -> bool:
    return bind.dialect.name == "postgresql"


def built_on(dialect_name: str) -> Any:
    """Alembic's `include_object` for comparing the models with a database of
    `dialect_name`: an index the models build on another backend only
    (`Index(…).ddl_if(dialect=…)`) is not expected there."""

    def include(obj: Any, _name: Any, type_: str, reflected: bool, _compare_to: Any) -> bool:
        only_on = getattr(getattr(obj, "_ddl_if", None), "dialect", None)
        return not (type_ == "index" and not reflected and only_on not in (None, dialect_name))

    return include


# A column as the range helpers below take it: a Core column or a mapped attribute.
ColumnArg: TypeAlias = sa.ColumnElement[Any] | QueryableAttribute[Any]


def overlap_arms(
    first_col: ColumnArg,
    end_col: ColumnArg,
    first: Any,
    end: Any | None,
) -> tuple[sa.ColumnElement[bool], sa.ColumnElement[bool]]:
    """ "[first_col, end_col) overlaps [first, end)" as its two halves: ranges that end
    after `first`, and open-ended ones (NULL end).

    Each half alone is a range (or equality) on `end_col`, which an index led by
    `(…, end_col)` answers without reading history; their OR is not (both SQLite and
    PostgreSQL then scan). Queries that must stay fast however long history grows ask
    the two halves separately.
    """
    begun = [first_col < end] if end is not None else []
    return sa.and_(end_col > first, *begun), sa.and_(end_col.is_(None), *begun)


def overlaps(
    first_col: ColumnArg,
    end_col: ColumnArg,
    first: Any,
    end: Any | None,
) -> sa.ColumnElement[bool]:
    """SQL for "the half-open range [first_col, end_col) overlaps [first, end)".

    A NULL end (column or argument) is open-ended.
    """
    return sa.or_(*overlap_arms(first_col, end_col, first, end))


def exists_overlapping(
    first_col: ColumnArg,
    end_col: ColumnArg,
    first: Any,
    end: Any | None,
    *conditions: sa.ColumnElement[bool],
) -> sa.ColumnElement[bool]:
    """EXISTS a row matching `conditions` whose range overlaps [first, end), asked as
    two index-friendly EXISTS (see overlap_arms)."""
    return sa.or_(
        *(
            sa.exists().where(arm, *conditions)
            for arm in overlap_arms(first_col, end_col, first, end)
        )
    )


def on_night(first_col: ColumnArg, end_col: ColumnArg, night: Any) -> sa.ColumnElement[bool]:
    """SQL for "the range [first_col, end_col) includes the night `night`"."""
    return overlaps(first_col, end_col, night, night + timedelta(days=1))


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, with the number of all items."""

    items: Sequence[T]
    page: int
    page_size: int
    total: int


def paginate(session: Session, stmt: sa.Select[tuple[T]], page: int, page_size: int) -> Page[T]:
    """One page of a query's rows, with the total."""
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    items = session.scalars(stmt.limit(page_size).offset((page - 1) * page_size)).all()
    return Page(items=items, page=page, page_size=page_size, total=total or 0)
