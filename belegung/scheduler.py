"""The scheduler: one APScheduler process (`flask --app belegung scheduler`) with a fixed set
of jobs, each a plain function in its domain's `tasks.py`.

- One only: a second scheduler on the same database refuses to start (a PostgreSQL
  advisory lock held on its own connection; a lock file beside the SQLite database).
  The web tier never adds jobs; it writes rows (the outbox, rule state) the jobs read.
- Jobs survive a restart: they live in a job store in the app's database (the
  `apscheduler_jobs` table, created by the migrations). A job whose trigger has not
  changed keeps its stored next run time, so a run missed while the scheduler was down
  is made up once at start (coalesced, within the job's misfire grace time).
- Every job runs inside the app context, in its own units of work, and is idempotent;
  the outbox's unique key per phone and cause is what keeps an SMS from going twice.
"""

from __future__ import annotations

import fcntl
import logging
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, Any

import sqlalchemy as sa
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from apscheduler.util import ref_to_obj, utc_timestamp_to_datetime
from flask import Flask

from belegung import texts
from belegung.config import Settings, engine_options, settings_of
from belegung.jobstore import JOBS_TABLE, apscheduler_jobs

log = logging.getLogger(__name__)

# Exit status of a scheduler that found another one running (serve then runs without).
ANOTHER_IS_RUNNING = 3
# pg_try_advisory_lock(class, key): "ben" next to the claims' "bel" (stays.claims).
LOCK_CLASS = 0x62656E
LOCK_KEY = 1
# How often the PostgreSQL lock's connection is checked: lost with it is the guarantee.
LOCK_CHECK_SECONDS = 30
MINUTE = 60


@dataclass(frozen=True)
class JobSpec:
    id: str
    task: str  # "module:function", run inside the app context
    trigger: BaseTrigger
    # How late a missed run may still be made up (seconds).
    grace: int = 5 * MINUTE


def job_specs(settings: Settings) -> list[JobSpec]:
    """The fixed set of jobs."""
    tz = settings.timezone
    specs = [
        JobSpec(
            "dispatch-outbox",
            "belegung.alerts.tasks:dispatch_outbox",
            IntervalTrigger(seconds=settings.dispatch_seconds, timezone=tz),
            grace=MINUTE,
        ),
        JobSpec(
            "evaluate-capacity-rules",
            "belegung.alerts.tasks:evaluate_capacity_rules",
            IntervalTrigger(minutes=5, timezone=tz),
        ),
        JobSpec(
            "expire-holds",
            "belegung.stays.tasks:expire_holds",
            IntervalTrigger(minutes=5, timezone=tz),
        ),
        JobSpec(
            # Just after the day boundary: last night is then over.
            "end-past-stays",
            "belegung.stays.tasks:end_past_stays",
            CronTrigger(
                hour=settings.day_boundary.hour,
                minute=min(settings.day_boundary.minute + 15, 59),
                timezone=tz,
            ),
            grace=6 * 60 * MINUTE,
        ),
        JobSpec(
            "anonymise-persons",
            "belegung.persons.tasks:anonymise_persons",
            CronTrigger(hour=3, minute=30, timezone=tz),
            grace=24 * 60 * MINUTE,
        ),
        JobSpec(
            "purge-audit-log",
            "belegung.audit.tasks:purge_audit_log",
            CronTrigger(hour=3, minute=45, timezone=tz),
            grace=24 * 60 * MINUTE,
        ),
        JobSpec(
            "purge-idempotency-keys",
            "belegung.auth.tasks:purge_idempotency_keys",
            IntervalTrigger(hours=1, timezone=tz),
            grace=60 * MINUTE,
        ),
    ]
    if settings.weather_source != "off" and settings.weather_checks:
        specs.append(
            JobSpec(
                "check-weather",
                "belegung.alerts.tasks:check_weather",
                _daily_at(settings.weather_checks, tz),
                grace=60 * MINUTE,
            )
        )
    if settings.evening_summary is not None:
        at = settings.evening_summary
        specs.append(
            JobSpec(
                "evening-summary",
                "belegung.alerts.tasks:send_evening_summary",
                CronTrigger(hour=at.hour, minute=at.minute, second=at.second, timezone=tz),
                # Late is better than never, up to a few hours into the night.
                grace=3 * 60 * MINUTE,
            )
        )
    return specs


def _daily_at(times: Any, tz: Any) -> BaseTrigger:
    """Several times a day; one cron trigger when the minutes agree."""
    minutes = {t.minute for t in times}
    if len(minutes) == 1:
        hours = ",".join(str(t.hour) for t in times)
        return CronTrigger(hour=hours, minute=minutes.pop(), timezone=tz)
    from apscheduler.triggers.combining import OrTrigger

    return OrTrigger([CronTrigger(hour=t.hour, minute=t.minute, timezone=tz) for t in times])


# --- running a job ----------------------------------------------------------------------

_app: Flask | None = None


def run_job(task: str) -> None:
    """What the job store keeps for every job: run `task` ("module:function") inside the
    scheduler's app context."""
    if _app is None:
        raise RuntimeError("run_job outside a running scheduler")
    func: Callable[[], object] = ref_to_obj(task)
    with _app.app_context():
        func()


# --- one scheduler only -----------------------------------------------------------------


class AnotherSchedulerRuns(Exception):
    def __init__(self, how: str) -> None:
        super().__init__(how)
        self.how = how


@contextmanager
def single_instance(settings: Settings, engine: sa.Engine) -> Iterator[None]:
    """Hold the one-scheduler lock for the block; AnotherSchedulerRuns if it is taken."""
    if engine.dialect.name == "postgresql":
        with _postgres_lock(engine):
            yield
    else:
        with _file_lock(_lock_path(settings)):
            yield


def _lock_path(settings: Settings) -> Path:
    url = sa.engine.make_url(settings.database_url)
    database = url.database or ""
    if not database or database == ":memory:":
        raise RuntimeError("the scheduler needs a database file or server")
    return Path(database + ".scheduler.lock")


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    handle: IO[str] = path.open("a")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AnotherSchedulerRuns(texts.ALERTS_CLI["lock_file"].format(path=path)) from None
        # The kernel drops the lock when the process ends, however it ends.
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        handle.close()


@contextmanager
def _postgres_lock(engine: sa.Engine) -> Iterator[None]:
    # A session-level lock on a connection of its own, kept for the scheduler's life;
    # the server drops it when the connection ends (also when the process is killed).
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        taken = conn.execute(
            sa.text("SELECT pg_try_advisory_lock(:cls, :key)"), {"cls": LOCK_CLASS, "key": LOCK_KEY}
        ).scalar()
        if not taken:
            how = texts.ALERTS_CLI["lock_postgresql"].format(key=f"{LOCK_CLASS}/{LOCK_KEY}")
            raise AnotherSchedulerRuns(how)
        stop = threading.Event()
        watcher = threading.Thread(target=_watch_lock, args=(conn, stop), daemon=True)
        watcher.start()
        try:
            yield
        finally:
            stop.set()
            watcher.join(timeout=5)
    finally:
        conn.close()


def _watch_lock(conn: sa.Connection, stop: threading.Event) -> None:
    """If the lock's connection dies (the database restarted), another scheduler could
    start: stop this one (serve restarts it, and it takes the lock again or yields)."""
    while not stop.wait(LOCK_CHECK_SECONDS):
        try:
            conn.execute(sa.text("SELECT 1"))
        except Exception:
            log.exception("lost the scheduler lock's connection; stopping")
            os.kill(os.getpid(), signal.SIGTERM)
            return


# --- the scheduler ----------------------------------------------------------------------


def _same_trigger(a: BaseTrigger, b: BaseTrigger) -> bool:
    if isinstance(a, IntervalTrigger) and isinstance(b, IntervalTrigger):
        return a.interval == b.interval and str(a.timezone) == str(b.timezone)
    return type(a) is type(b) and repr(a) == repr(b)


def _stored_next_run_times(engine: sa.Engine) -> dict[str, tuple[Any, Any]]:
    """The stored jobs: id → (trigger, next run time)."""
    stored: dict[str, tuple[Any, Any]] = {}
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(JOBS_TABLE):
            return stored
        for job_id, next_run_time, job_state in conn.execute(
            sa.select(apscheduler_jobs.c.id, apscheduler_jobs.c.next_run_time,
                      apscheduler_jobs.c.job_state)
        ):  # fmt: skip
            try:
                # Our own table, written by APScheduler, which reads it the same way.
                state = pickle.loads(job_state)  # noqa: S301
            except Exception:
                log.warning("unreadable stored job %r; it is replaced", job_id)
                continue
            stored[job_id] = (state.get("trigger"), utc_timestamp_to_datetime(next_run_time))
    return stored


def build_scheduler(settings: Settings, engine: sa.Engine) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        timezone=settings.timezone,
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)},
        executors={"default": ThreadPoolExecutor(max_workers=4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 5 * MINUTE},
    )
    specs = job_specs(settings)
    stored = _stored_next_run_times(engine)
    for spec in specs:
        kwargs: dict[str, Any] = {}
        trigger, next_run_time = stored.get(spec.id, (None, None))
        if trigger is not None and _same_trigger(trigger, spec.trigger):
            # Unchanged: keep the stored next run, so that one missed meanwhile is made up.
            kwargs["next_run_time"] = next_run_time
        scheduler.add_job(
            run_job,
            spec.trigger,
            args=[spec.task],
            id=spec.id,
            name=spec.id,
            replace_existing=True,
            misfire_grace_time=spec.grace,
            **kwargs,
        )
    # Jobs of an older version (or a switched-off weather check) go.
    gone = set(stored) - {spec.id for spec in specs}
    if gone:
        with engine.begin() as conn:
            conn.execute(apscheduler_jobs.delete().where(apscheduler_jobs.c.id.in_(gone)))
    return scheduler


def run_scheduler(app: Flask) -> int:
    """Run the scheduler until SIGTERM or Ctrl+C; returns the exit status."""
    global _app
    settings = settings_of(app)
    _quiet_job_logging()
    engine = sa.create_engine(settings.database_url, **engine_options(settings.database_url))
    try:
        with single_instance(settings, engine):
            _app = app
            scheduler = build_scheduler(settings, engine)

            def stop(_signum: int, _frame: FrameType | None) -> None:
                if scheduler.running:
                    scheduler.shutdown(wait=True)

            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
            log.info(
                texts.ALERTS_CLI["scheduler_running"].format(
                    timezone=settings.timezone.key,
                    jobs=len(job_specs(settings)),
                    backend=settings.sms_backend,
                )
            )
            scheduler.start()
    except AnotherSchedulerRuns as exc:
        log.error(texts.ALERTS_CLI["scheduler_taken"].format(how=exc.how))
        return ANOTHER_IS_RUNNING
    finally:
        _app = None
        engine.dispose()
    return 0


def _quiet_job_logging() -> None:
    # APScheduler logs every run of every job; the dispatch runs every few seconds.
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
