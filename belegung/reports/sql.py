"""Date arithmetic in SQL that reads the same on SQLite and PostgreSQL: the nights
between two dates, and the earlier or later of two."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class days_between(FunctionElement[int]):
    """`days_between(end, first)`: the nights in [first, end), as an integer."""

    type = sa.Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    end, first = (compiler.process(arg, **kw) for arg in element.clauses)
    # PostgreSQL: date minus date is the number of days.
    return f"({end} - {first})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    end, first = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(julianday({end}) - julianday({first}) AS INTEGER)"


class later(FunctionElement[date]):
    """The later of two dates (GREATEST; SQLite's two-argument max())."""

    type = sa.Date()
    inherit_cache = True
    name = "later"


class earlier(FunctionElement[date]):
    """The earlier of two dates (LEAST; SQLite's two-argument min())."""

    type = sa.Date()
    inherit_cache = True
    name = "earlier"


@compiles(later)
def _later(element: later, compiler: SQLCompiler, **kw: Any) -> str:
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


@compiles(later, "sqlite")
def _later_sqlite(element: later, compiler: SQLCompiler, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


@compiles(earlier)
def _earlier(element: earlier, compiler: SQLCompiler, **kw: Any) -> str:
    return f"LEAST({compiler.process(element.clauses, **kw)})"


@compiles(earlier, "sqlite")
def _earlier_sqlite(element: earlier, compiler: SQLCompiler, **kw: Any) -> str:
    return f"min({compiler.process(element.clauses, **kw)})"


def day(value: date) -> sa.ColumnElement[date]:
    """A date as a bound value of the Date type (psycopg sends it typed, so PostgreSQL
    does date arithmetic with it; SQLite gets the ISO text its dates are stored as — a
    CAST there would turn it into a number)."""
    return sa.literal(value, sa.Date())


def nights_within(
    first_col: Any, end_col: Any, window_first: date, window_end: date
) -> sa.ColumnElement[int]:
    """SQL: how many nights of [first_col, end_col) (NULL end: open) lie in
    [window_first, window_end); for rows that overlap the window."""
    stop = earlier(sa.func.coalesce(end_col, day(window_end)), day(window_end))
    return days_between(stop, later(first_col, day(window_first)))
