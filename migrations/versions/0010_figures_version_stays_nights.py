"""Performance: the version of availability's figures (one row, bumped by every unit of
work that changed them; workers cache the figures while it holds), and on PostgreSQL a
GiST index on the stays' nights, so that a past night reads only the stays covering it.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "figures_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figures_version")),
    )
    op.bulk_insert(table, [{"id": 1, "version": 0}])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_stays_nights ON stays "
            "USING gist (daterange(first_night, end_night, '[)'))"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_stays_nights")
    op.drop_table("figures_version")
