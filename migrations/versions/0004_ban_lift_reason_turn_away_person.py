"""House bans: lifting one takes a reason, kept with the ban. Turn-aways get an index
on person_id (staff read a person known at their shelter, e.g. turned away there).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    # A nullable column is added in place on SQLite too; bans lifted before this
    # revision keep no reason.
    op.add_column("house_bans", sa.Column("lift_reason", sa.String(length=500), nullable=True))
    op.create_index(op.f("ix_turn_aways_person_id"), "turn_aways", ["person_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_turn_aways_person_id"), table_name="turn_aways")
    # SQLite 3.35 or later drops a column in place (no table rebuild, which the foreign
    # keys from ban_overrides would refuse).
    op.drop_column("house_bans", "lift_reason")
