"""`flask --app belegung housing …`: the apartment-list import."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from belegung import texts
from belegung.config import settings_of
from belegung.context import Actor, service_context
from belegung.extensions import session
from belegung.housing import operations
from belegung.housing.imports import ImportResult
from belegung.transaction import unit_of_work

# A progress bar is shown from this many apartments on (a short file is done at once).
PROGRESS_FROM = 200
# Apartments missing from the file are named up to this many (then counted).
MISSING_SHOWN = 30


@click.group("housing")
def housing_group() -> None:
    """The housing programme (Wohnraumvorhalteprogramm)."""


def _report(result: ImportResult) -> None:
    t = texts.HOUSING_CLI
    for issue in result.errors:
        click.echo(_issue_line(t["error"], issue.line, issue.column, issue.message), err=True)
    for issue in result.warnings:
        click.echo(_issue_line(t["warning"], issue.line, issue.column, issue.message), err=True)
    click.echo(
        t["summary"].format(
            rows=result.rows,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            missing=len(result.missing),
            errors=len(result.errors),
            warnings=len(result.warnings),
        )
    )
    if result.missing:
        shown = result.missing[:MISSING_SHOWN]
        more = len(result.missing) - len(shown)
        numbers = ", ".join(shown) + (t["more"].format(count=more) if more else "")
        click.echo(t["missing"].format(numbers=numbers))
    if result.errors:
        click.echo(t["nothing_written"], err=True)
    elif result.dry_run:
        click.echo(t["dry_run"])
    else:
        click.echo(t["written"])


def _issue_line(kind: str, line: int | None, column: str | None, message: str) -> str:
    where = []
    if line is not None:
        where.append(texts.HOUSING_CLI["line"].format(line=line))
    if column:
        where.append(texts.HOUSING_CLI["column"].format(column=column))
    return f"{kind} {', '.join(where)}: {message}" if where else f"{kind}: {message}"


@housing_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@with_appcontext
def housing_import(file: Path, dry_run: bool) -> None:
    """Import the apartment list FILE (CSV or XLSX; docs/housing-import.md): all or
    nothing; exits 1 if the file has errors."""
    stack = ExitStack()
    bars: list[Any] = []

    def parsed(rows: int) -> None:
        if rows >= PROGRESS_FROM:
            label = texts.HOUSING_CLI["progress"]
            bars.append(stack.enter_context(click.progressbar(length=rows, label=label)))

    def progress(n: int) -> None:
        for bar in bars:
            bar.update(n)

    with file.open("rb") as handle, unit_of_work(session()) as uow, stack:
        ctx = service_context(
            session(), Actor.system("housing-import"), settings_of(current_app), uow=uow
        )
        result = operations.import_file(
            ctx, handle, file.name, dry_run=dry_run, progress=progress, on_parsed=parsed
        )
    _report(result)
    if result.errors:
        raise SystemExit(1)
