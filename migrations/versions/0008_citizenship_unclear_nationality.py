"""Persons: the citizenship (ISO 3166-1 alpha-2) and the nationality group `unclear`
(ungeklärt) beside `unknown`, for the federal statistic of housed homeless people.

The nationality group's CHECK constraint gains `unclear`. PostgreSQL changes it in
place. SQLite can only rebuild the table, and Alembic's batch mode (copy, drop, rename)
fails there: dropping persons orphans the stays, bans and turn-aways that refer to it,
and renaming the copy does not adopt them again. So on SQLite the foreign keys are
checked at the commit (`PRAGMA defer_foreign_keys`, which unlike `foreign_keys` may be
set inside the migration's transaction), the rows are kept in a scratch table, persons
is dropped and created anew, and the rows inserted into it again: each insert into the
parent table re-adopts its orphans, so that nothing is left to fail at the commit.

Revision ID: 0008
Revises: 0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0005"
branch_labels = None
depends_on = None

BEFORE = ("german", "eu", "non_eu", "stateless", "unknown")
AFTER = ("german", "eu", "non_eu", "stateless", "unclear", "unknown")
COLUMNS = (
    "id", "name", "birth_year", "gender", "nationality", "household_type",
    "household_size", "created_at", "anonymised_at", "name_key",
)  # fmt: skip
HOUSEHOLD_TYPES = (
    "single", "single_parent", "couple", "couple_with_children", "multi_person",
    "other_with_children",
)  # fmt: skip
INDEX = "ix_persons_name_key_birth_year"
CITIZENSHIP_CHECK = "citizenship IS NULL OR length(citizenship) = 2"


def _in(column: str, values) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values))


def _persons(nationalities, with_citizenship: bool) -> sa.Table:
    """The persons table as revision 0004 left it, with the given nationality groups and
    optionally the citizenship (SQLite's rebuild creates it from this)."""
    columns = [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("gender", sa.String(length=7), nullable=False),
        sa.Column("nationality", sa.String(length=9), nullable=False),
        sa.Column("household_type", sa.String(length=20), nullable=False),
        sa.Column("household_size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("name_key", sa.String(length=240), nullable=True),
    ]
    checks = [
        sa.CheckConstraint(
            "birth_year IS NULL OR (birth_year >= 1900 AND birth_year <= 2100)",
            name="ck_persons_birth_year_plausible",
        ),
        sa.CheckConstraint("household_size >= 1", name="ck_persons_household_size_positive"),
        sa.CheckConstraint(_in("gender", ("f", "m", "d", "unknown")), name="ck_persons_gender"),
        sa.CheckConstraint(_in("nationality", nationalities), name="ck_persons_nationality"),
        sa.CheckConstraint(
            _in("household_type", HOUSEHOLD_TYPES), name="ck_persons_household_type"
        ),
    ]
    if with_citizenship:
        columns.append(sa.Column("citizenship", sa.String(length=2), nullable=True))
        checks.append(sa.CheckConstraint(CITIZENSHIP_CHECK, name="ck_persons_citizenship_alpha_2"))
    return sa.Table(
        "persons",
        sa.MetaData(),
        *columns,
        *checks,
        sa.PrimaryKeyConstraint("id", name="pk_persons"),
        sa.Index(INDEX, "name_key", "birth_year"),
    )


def _rebuild_on_sqlite(table: sa.Table) -> None:
    bind = op.get_bind()
    op.execute("PRAGMA defer_foreign_keys = ON")
    op.execute("DROP TABLE IF EXISTS _persons_rows")
    op.execute("CREATE TABLE _persons_rows AS SELECT * FROM persons")
    op.drop_index(INDEX, table_name="persons")
    op.execute("DROP TABLE persons")
    table.create(bind)
    columns = ", ".join(COLUMNS)
    # The column names are this revision's constants.
    op.execute(f"INSERT INTO persons ({columns}) SELECT {columns} FROM _persons_rows")  # noqa: S608
    op.execute("DROP TABLE _persons_rows")


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_on_sqlite(_persons(AFTER, with_citizenship=True))
        return
    op.add_column("persons", sa.Column("citizenship", sa.String(length=2), nullable=True))
    op.create_check_constraint(op.f("ck_persons_citizenship_alpha_2"), "persons", CITIZENSHIP_CHECK)
    op.drop_constraint(op.f("ck_persons_nationality"), "persons", type_="check")
    op.create_check_constraint(op.f("ck_persons_nationality"), "persons", _in("nationality", AFTER))


def downgrade():
    # The old schema holds neither the country (its group stays) nor `unclear`, which
    # becomes `unknown`.
    op.execute("UPDATE persons SET nationality = 'unknown' WHERE nationality = 'unclear'")
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_on_sqlite(_persons(BEFORE, with_citizenship=False))
        return
    op.drop_constraint(op.f("ck_persons_nationality"), "persons", type_="check")
    op.create_check_constraint(
        op.f("ck_persons_nationality"), "persons", _in("nationality", BEFORE)
    )
    op.drop_constraint(op.f("ck_persons_citizenship_alpha_2"), "persons", type_="check")
    op.drop_column("persons", "citizenship")
