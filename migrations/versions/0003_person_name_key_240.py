"""Persons: the folded search key may be twice as long as the name (ß → ss, ä → ae),
so persons.name_key widens from 120 to 240 characters.

SQLite would change the column in batch mode by rebuilding the table: copy, drop,
rename. Dropping persons fails while stays, bans and turn-aways refer to it and foreign
keys are enforced (PRAGMA foreign_keys can't be switched off inside the migration's
transaction), so there the column is replaced in place instead (SQLite 3.35 or later).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEX = "ix_persons_name_key_birth_year"


def upgrade():
    _retype_name_key(120, 240)


def downgrade():
    # Longer keys are cut: a key is only a search aid, folded from the name.
    op.execute(
        "UPDATE persons SET name_key = substr(name_key, 1, 120) WHERE length(name_key) > 120"
    )
    _retype_name_key(240, 120)


def _retype_name_key(old: int, new: int) -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column(
            "persons",
            "name_key",
            existing_type=sa.String(length=old),
            type_=sa.String(length=new),
            existing_nullable=True,
        )
        return
    op.drop_index(INDEX, table_name="persons")
    op.add_column("persons", sa.Column("name_key_new", sa.String(length=new), nullable=True))
    op.execute("UPDATE persons SET name_key_new = name_key")
    op.execute("ALTER TABLE persons DROP COLUMN name_key")
    op.execute("ALTER TABLE persons RENAME COLUMN name_key_new TO name_key")
    op.create_index(INDEX, "persons", ["name_key", "birth_year"], unique=False)
