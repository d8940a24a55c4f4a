"""Performance: on PostgreSQL the GiST index of the stays' nights is led by the facility,
so that availability reads a facility's claims of a night, and only those, whatever the
night and however many facilities the system has (a filter by target group or kind then
reads only the chosen facilities' claims). It replaces the index on the nights alone
(0010), which nothing reads any more.

On SQLite, which has no such index, availability reads a night's claims in three parts,
each through an index bounded at both ends, a past night too: the stays begun in the 31
nights up to it, the long stays (over 31 nights, a partial index holds only those) that
end after it, and the open-ended ones; filtered to some facilities, per facility.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.create_index("ix_stays_first_night_end_night", "stays", ["first_night", "end_night"])
        op.create_index(
            "ix_stays_long_end_night",
            "stays",
            ["end_night", "first_night"],
            sqlite_where=sa.text("end_night > date(first_night, '+31 days')"),
        )
        op.create_index(
            "ix_stays_facility_id_end_night",
            "stays",
            ["facility_id", "end_night", "first_night"],
        )
    if op.get_bind().dialect.name == "postgresql":
        # btree_gist (0001) gives the integer column its GiST operator class.
        op.execute(
            "CREATE INDEX ix_stays_facility_nights ON stays "
            "USING gist (facility_id, daterange(first_night, end_night, '[)'))"
        )
        op.execute("DROP INDEX ix_stays_nights")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("ix_stays_facility_id_end_night", table_name="stays")
        op.drop_index("ix_stays_long_end_night", table_name="stays")
        op.drop_index("ix_stays_first_night_end_night", table_name="stays")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_stays_nights ON stays "
            "USING gist (daterange(first_night, end_night, '[)'))"
        )
        op.execute("DROP INDEX ix_stays_facility_nights")
