"""Household types as DESIGN.md names them: `single`, `couple`, `couple_with_children`,
`single_parent`, `other_multi`, `unknown`. The stored `multi_person` and
`other_with_children` become `other_multi`, in persons and in the housing programme's
households; the CHECK constraints of both columns change with them.

PostgreSQL changes the constraints in place. SQLite can only rebuild a table, and both
tables are referred to (persons by stays, bans, turn-aways and household members;
households by members and placements), so the rebuild is revision 0008's: foreign keys
checked at the commit (`PRAGMA defer_foreign_keys`), the rows kept and mapped in a
scratch table, the table dropped and created anew and the rows inserted again. The new
table is created from the table's own SQL in `sqlite_master` with only the list of
household types replaced, so that every other column and constraint stays as it was.

The downgrade is lossy: `other_multi` becomes `multi_person`; `unknown` becomes `single`
for a person in a household of one and `multi_person` otherwise (households, which have
no size column, `multi_person`).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

BEFORE = (
    "single", "single_parent", "couple", "couple_with_children", "multi_person",
    "other_with_children",
)  # fmt: skip
AFTER = ("single", "couple", "couple_with_children", "single_parent", "other_multi", "unknown")
# (table, column, CHECK constraint's name, tables whose rows the table's drop deletes)
COLUMNS = (
    ("persons", "household_type", "ck_persons_household_type", ()),
    ("households", "type", "ck_households_type", ("household_members",)),
)
UPGRADE = "CASE WHEN {c} IN ('multi_person', 'other_with_children') THEN 'other_multi' ELSE {c} END"
DOWNGRADE = {
    "persons": (
        "CASE WHEN {c} = 'other_multi' THEN 'multi_person' "
        "WHEN {c} = 'unknown' AND household_size = 1 THEN 'single' "
        "WHEN {c} = 'unknown' THEN 'multi_person' ELSE {c} END"
    ),
    "households": "CASE WHEN {c} IN ('other_multi', 'unknown') THEN 'multi_person' ELSE {c} END",
}


def _in(column: str, values) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values))


def _rebuild_on_sqlite(table: str, column: str, values, mapping: str, cascades) -> None:
    bind = op.get_bind()
    (create,) = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"), {"t": table}
    ).one()
    indexes = bind.execute(
        sa.text(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t "
            "AND sql IS NOT NULL"
        ),
        {"t": table},
    ).scalars()
    create_indexes = list(indexes)
    create, replaced = re.subn(rf"(?<![\w\"]){column} IN \([^)]*\)", _in(column, values), create)
    if replaced != 1:
        raise RuntimeError(f"{table}: the CHECK of {column} was not found")
    scratch = f"_{table}_rows"
    # The names are this revision's constants.
    op.execute("PRAGMA defer_foreign_keys = ON")
    op.execute(f"DROP TABLE IF EXISTS {scratch}")
    op.execute(f"CREATE TABLE {scratch} AS SELECT * FROM {table}")  # noqa: S608
    op.execute(f"UPDATE {scratch} SET {column} = {mapping.format(c=column)}")  # noqa: S608
    # Dropping a table deletes its rows first, and ON DELETE CASCADE acts on that even
    # while the foreign keys are checked only at the commit: keep the children's rows.
    for child in cascades:
        op.execute(f"DROP TABLE IF EXISTS _{child}_rows")
        op.execute(f"CREATE TABLE _{child}_rows AS SELECT * FROM {child}")  # noqa: S608
    op.execute(f"DROP TABLE {table}")
    op.execute(create)
    for sql in create_indexes:
        op.execute(sql)
    op.execute(f"INSERT INTO {table} SELECT * FROM {scratch}")  # noqa: S608
    op.execute(f"DROP TABLE {scratch}")
    for child in cascades:
        op.execute(f"DELETE FROM {child}")  # noqa: S608
        op.execute(f"INSERT INTO {child} SELECT * FROM _{child}_rows")  # noqa: S608
        op.execute(f"DROP TABLE _{child}_rows")


def _change(values, mappings) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column, check, cascades in COLUMNS:
        mapping = mappings[table]
        if sqlite:
            _rebuild_on_sqlite(table, column, values, mapping, cascades)
            continue
        op.drop_constraint(op.f(check), table, type_="check")
        # The names are this revision's constants.
        op.execute(f"UPDATE {table} SET {column} = {mapping.format(c=column)}")  # noqa: S608
        op.create_check_constraint(op.f(check), table, _in(column, values))


def upgrade():
    _change(AFTER, {"persons": UPGRADE, "households": UPGRADE})


def downgrade():
    _change(BEFORE, DOWNGRADE)
