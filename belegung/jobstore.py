"""The scheduler's job store table, declared here so that the migrations create it and
the schema check knows it (APScheduler's SQLAlchemyJobStore would create it itself)."""

from __future__ import annotations

import sqlalchemy as sa

from belegung.db import Base

JOBS_TABLE = "apscheduler_jobs"

# As apscheduler.jobstores.sqlalchemy declares it (3.11): 191 is MySQL's longest
# indexable key, Float(25) an 8-byte float (the next run time in UTC seconds).
apscheduler_jobs = sa.Table(
    JOBS_TABLE,
    Base.metadata,
    sa.Column("id", sa.Unicode(191), primary_key=True),
    sa.Column("next_run_time", sa.Float(25), index=True),
    sa.Column("job_state", sa.LargeBinary, nullable=False),
)
