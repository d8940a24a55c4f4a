"""Writing a checked apartment list (housing.importing reads it): all or nothing, in one
transaction; a dry run runs the very same code in a savepoint and rolls it back.

An apartment is matched by its number (ignoring case): a new number creates one, a
changed row updates it (only the fields the file has a column for), an unchanged row
changes nothing, and an apartment missing from the file is reported, never deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from belegung.context import ServiceContext
from belegung.errors import DomainError
from belegung.facilities.models import Facility, Unit
from belegung.housing.importing import ApartmentRow, ImportIssue, ParsedFile
from belegung.housing.models import Apartment, ApartmentStatus
from belegung.housing.service import (
    FIELD_NAMES,
    ApartmentFields,
    block_apartment,
    create_apartment,
    hand_back,
    set_places,
    unblock_apartment,
    update_apartment,
)


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Numbers of the apartments the file doesn't list (not deleted).
    missing: list[str] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)
    warnings: list[ImportIssue] = field(default_factory=list)
    dry_run: bool = False
    # True when the apartments were written (not a dry run, no error).
    written: bool = False


def _fields(row: ApartmentRow) -> ApartmentFields:
    return ApartmentFields(number=row.number, **{name: getattr(row, name) for name in FIELD_NAMES})


def _status_changes(ctx: ServiceContext, apartment: Apartment, row: ApartmentRow) -> bool:
    wanted = ApartmentStatus(row.status)
    if wanted == apartment.status:
        if wanted == ApartmentStatus.BLOCKED and row.blocked_reason != apartment.blocked_reason:
            apartment.blocked_reason = row.blocked_reason
            return True
        return False
    if wanted == ApartmentStatus.AVAILABLE:
        unblock_apartment(ctx, apartment)
    elif wanted == ApartmentStatus.BLOCKED:
        if apartment.status == ApartmentStatus.HANDED_BACK:
            unblock_apartment(ctx, apartment)
        block_apartment(ctx, apartment, row.blocked_reason)
    else:
        hand_back(ctx, apartment)
    return True


def _apply_row(
    ctx: ServiceContext,
    facility: Facility,
    row: ApartmentRow,
    columns: frozenset[str],
    existing: Apartment | None,
    result: ImportResult,
) -> None:
    if existing is None:
        apartment = create_apartment(ctx, facility, _fields(row), row.places)
        if row.status != ApartmentStatus.AVAILABLE:
            _status_changes(ctx, apartment, row)
        result.created += 1
        return
    changes = {
        name: getattr(row, name)
        for name in FIELD_NAMES
        if name in columns and getattr(existing, name) != getattr(row, name)
    }
    changed = bool(changes)
    if changes:
        update_apartment(ctx, existing, changes)
    if len(existing.unit.places) != row.places:
        set_places(ctx, existing, row.places)
        changed = True
    if "status" in columns and _status_changes(ctx, existing, row):
        changed = True
    if changed:
        result.updated += 1
    else:
        result.unchanged += 1


def import_apartments(
    ctx: ServiceContext,
    facility: Facility,
    parsed: ParsedFile,
    *,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Create and update the apartments of a parsed file, or (dry run, or any error in
    the file or from the database's rules) write nothing and say what would happen."""
    result = ImportResult(
        rows=len(parsed.rows),
        errors=list(parsed.errors),
        warnings=list(parsed.warnings),
        dry_run=dry_run,
    )
    if not parsed.ok:
        return result
    apartments = ctx.session.scalars(
        sa.select(Apartment)
        .join(Unit, Unit.id == Apartment.id)
        .where(Unit.facility_id == facility.id)
    ).all()
    by_key = {a.number.casefold(): a for a in apartments}
    seen: set[str] = set()
    savepoint = ctx.session.begin_nested()
    try:
        for row in parsed.rows:
            key = row.number.casefold()
            seen.add(key)
            try:
                with ctx.session.begin_nested():
                    _apply_row(ctx, facility, row, parsed.columns, by_key.get(key), result)
            except DomainError as error:
                column = "status" if "reason" in error.params else None
                result.errors.append(
                    ImportIssue(row.line, column, "row_refused", {"message": error.message})
                )
            if progress is not None:
                progress(1)
    except BaseException:
        savepoint.rollback()
        raise
    result.missing = sorted(
        a.number
        for key, a in by_key.items()
        if key not in seen and a.status != ApartmentStatus.HANDED_BACK
    )
    if dry_run or result.errors:
        savepoint.rollback()
        if result.errors and not dry_run:
            result.created = result.updated = result.unchanged = 0
    else:
        savepoint.commit()
        result.written = True
    return result
