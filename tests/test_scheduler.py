"""The scheduler: its fixed set of jobs, and as real processes — only one runs per database,
one killed in the middle of sending and started again sends nothing twice and loses
nothing, and a run missed while it was down is made up once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import pytest
import sqlalchemy as sa
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from apscheduler.util import ref_to_obj
from flask import Flask
from flask_migrate import upgrade

from belegung.alerts.models import OutboxMessage, OutboxStatus, Recipient, RecipientRole
from belegung.alerts.outbox import queue
from belegung.config import settings_of
from belegung.context import Actor, service_context
from belegung.extensions import db
from belegung.jobstore import apscheduler_jobs
from belegung.scheduler import ANOTHER_IS_RUNNING, _same_trigger, job_specs
from belegung.transaction import unit_of_work
from tests.alerts.twilio_standin import ACCOUNT_SID, AUTH_TOKEN, TwilioStandIn, slow
from tests.conftest import BERLIN, PG_URL, SECRET, make_app
from tests.test_migrations import _scratch_postgres

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]


# --- the jobs ----------------------------------------------------------------------------


def test_the_scheduler_owns_a_fixed_set_of_jobs_each_a_task_function(app: Flask) -> None:
    specs = job_specs(settings_of(app))
    assert [s.id for s in specs] == [
        "dispatch-outbox",
        "evaluate-capacity-rules",
        "expire-holds",
        "end-past-stays",
        "anonymise-persons",
        "purge-audit-log",
        "purge-idempotency-keys",
        "check-weather",
        "evening-summary",
    ]
    for spec in specs:
        module, _, _function = spec.task.partition(":")
        assert module.endswith(".tasks"), spec.task
        assert callable(ref_to_obj(spec.task))
        assert spec.grace >= 60, "a misfire grace of minutes"
    by_id = {s.id: s for s in specs}
    summary = by_id["evening-summary"].trigger
    assert isinstance(summary, CronTrigger)
    assert str(summary) == "cron[hour='21', minute='0', second='0']"
    assert str(by_id["check-weather"].trigger) == "cron[hour='6,10,13,16,19,22', minute='0']"
    assert str(by_id["end-past-stays"].trigger) == "cron[hour='12', minute='15']"


def test_switched_off_jobs_are_not_scheduled(app: Flask) -> None:
    settings = replace(settings_of(app), evening_summary=None, weather_source="off")
    ids = {s.id for s in job_specs(settings)}
    assert "evening-summary" not in ids
    assert "check-weather" not in ids


def test_an_unchanged_trigger_keeps_its_stored_next_run() -> None:
    assert _same_trigger(IntervalTrigger(seconds=5), IntervalTrigger(seconds=5))
    assert not _same_trigger(IntervalTrigger(seconds=5), IntervalTrigger(seconds=6))
    assert _same_trigger(
        CronTrigger(hour=21, timezone=BERLIN), CronTrigger(hour=21, timezone=BERLIN)
    )
    assert not _same_trigger(
        CronTrigger(hour=21, timezone=BERLIN), CronTrigger(hour=22, timezone=BERLIN)
    )


# --- real processes ------------------------------------------------------------------------


@dataclass
class Database:
    url: str
    app: Flask

    def run(self, fn: Callable[..., object]) -> object:
        with self.app.app_context():
            try:
                with unit_of_work(db.session()) as uow:
                    ctx = service_context(
                        db.session(), Actor.system("test"), settings_of(self.app), uow=uow
                    )
                    return fn(ctx)
            finally:
                db.session.remove()

    def outbox(self) -> list[sa.Row[Any]]:
        """The outbox's rows as they stand (plain rows: they outlive the session)."""
        table = OutboxMessage.__table__
        return self.run(  # type: ignore[return-value]
            lambda ctx: ctx.session.execute(sa.select(table).order_by(table.c.id)).all()
        )

    def stored_jobs(self) -> set[str]:
        return self.run(  # type: ignore[return-value]
            lambda ctx: set(ctx.session.scalars(sa.select(apscheduler_jobs.c.id)))
        )


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A new, migrated database the scheduler processes share with the test."""

    @contextmanager
    def url_for_backend() -> Iterator[str]:
        if request.param == "sqlite":
            yield f"sqlite:///{tmp_path / 'scheduler.sqlite3'}"
        else:
            with _scratch_postgres() as url:
                yield url

    with url_for_backend() as url:
        app = make_app(url)
        with app.app_context():
            upgrade()
            db.session.remove()
        yield Database(url, app)
        with app.app_context():
            db.engine.dispose()


class Scheduler:
    """`flask --app belegung scheduler` as its own process, its log in a file."""

    def __init__(self, database: Database, log: Path, **env: str) -> None:
        self.log = log
        self._out: IO[bytes] = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "belegung", "scheduler"],
            cwd=ROOT,
            env={
                **os.environ,
                "BELEGUNG_DATABASE_URL": database.url,
                "BELEGUNG_SECRET_KEY": SECRET,
                "BELEGUNG_WEATHER_SOURCE": "off",
                "BELEGUNG_EVENING_SUMMARY": "off",
                "BELEGUNG_DISPATCH_SECONDS": "1",
                **env,
            },
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"no {text!r} from the scheduler:\n{self.output()}")
            time.sleep(0.1)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=30)
        finally:
            self._out.close()


@pytest.fixture
def schedulers(tmp_path: Path) -> Iterator[list[Scheduler]]:
    started: list[Scheduler] = []
    yield started
    for scheduler in started:
        scheduler.stop(signal.SIGKILL)


def wait_until(condition: Callable[[], bool], timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.mark.slow
def test_two_schedulers_started_at_once_one_runs_the_other_refuses(
    fresh: Database, schedulers: list[Scheduler], tmp_path: Path
) -> None:
    schedulers += [Scheduler(fresh, tmp_path / f"scheduler-{n}.log") for n in range(2)]

    wait_until(
        lambda: any(s.process.poll() is not None for s in schedulers),
        what="one scheduler to give up",
    )
    (refused,) = [s for s in schedulers if s.process.poll() is not None]
    (running,) = [s for s in schedulers if s is not refused]
    assert refused.process.returncode == ANOTHER_IS_RUNNING
    assert "Ein anderer Scheduler läuft bereits" in refused.output()
    assert "Another scheduler is already running" in refused.output()
    running.wait_for("Scheduler started")
    assert running.process.poll() is None
    assert "dispatch-outbox" in fresh.stored_jobs()
    assert running.stop() == 0


@pytest.mark.slow
def test_a_scheduler_killed_mid_dispatch_and_started_again_sends_each_message_once(
    fresh: Database, schedulers: list[Scheduler], tmp_path: Path
) -> None:
    bodies = [f"belegung: Nachricht {n}" for n in range(6)]

    def fill(ctx: object) -> None:
        for n, body in enumerate(bodies):
            queue(ctx, f"+49151234567{n:02d}", body, f"test:{n}")  # type: ignore[arg-type]

    fresh.run(fill)
    with TwilioStandIn() as twilio:
        # The third answer comes late: the process is killed while it waits for it, after
        # Twilio took the message.
        twilio.script(*([slow(0.0)] * 2), slow(30))
        env = {
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "BELEGUNG_SMS_FROM": "+4923150000000",
            "TWILIO_API_BASE": twilio.base_url,
            "BELEGUNG_SMS_TIMEOUT": "1.5",
        }
        first = Scheduler(fresh, tmp_path / "first.log", **env)
        schedulers.append(first)
        wait_until(lambda: len(twilio.messages) == 3, what="the third message in flight")
        assert first.stop(signal.SIGKILL) == -signal.SIGKILL

        statuses = [m.status for m in fresh.outbox()]
        assert statuses[:2] == [OutboxStatus.SENT, OutboxStatus.SENT]
        # Killed while waiting for Twilio's answer (or just after its timeout).
        assert statuses[2] in (OutboxStatus.SENDING, OutboxStatus.QUEUED)
        assert statuses[3:] == [OutboxStatus.QUEUED] * 3

        again = Scheduler(fresh, tmp_path / "again.log", **env)
        schedulers.append(again)
        wait_until(
            lambda: all(m.status == OutboxStatus.SENT for m in fresh.outbox()),
            timeout=90,
            what="every message sent",
        )
        again.stop()

        sent = fresh.outbox()
        posted = [form["Body"] for form in twilio.messages]
        assert sorted(posted) == sorted(bodies), "each message reached Twilio exactly once"
        assert sorted(m.provider_sid or "" for m in sent) == sorted(twilio.sids)
        in_doubt = sent[2]
        assert in_doubt.attempts == 2
        assert twilio.lookups, "the restarted scheduler asked Twilio about the one in doubt"


@pytest.mark.slow
def test_an_evening_summary_missed_while_the_scheduler_was_down_is_sent_once_after_restart(
    fresh: Database, schedulers: list[Scheduler], tmp_path: Path
) -> None:
    now = datetime.now(BERLIN)
    if now.hour == 23 and now.minute >= 58:
        pytest.skip("the summary time must not cross midnight")

    def manager(ctx: object) -> None:
        session = ctx.session  # type: ignore[attr-defined]
        session.add(Recipient(name="Leitung", phone="+4915228817386", role=RecipientRole.MANAGER))

    fresh.run(manager)
    at = (now + timedelta(seconds=15)).replace(microsecond=0)
    env = {"BELEGUNG_EVENING_SUMMARY": at.strftime("%H:%M:%S")}

    first = Scheduler(fresh, tmp_path / "first.log", **env)
    schedulers.append(first)
    first.wait_for("Scheduler started")
    assert first.stop() == 0
    assert datetime.now(BERLIN) < at, "the machine was too slow to stop the scheduler in time"
    assert fresh.outbox() == []

    wait_until(lambda: datetime.now(BERLIN) > at + timedelta(seconds=1), what="the summary time")
    again = Scheduler(fresh, tmp_path / "again.log", **env)
    schedulers.append(again)
    wait_until(lambda: len(fresh.outbox()) == 1, what="the summary")
    time.sleep(1.5)
    assert again.stop() == 0

    third = Scheduler(fresh, tmp_path / "third.log", **env)
    schedulers.append(third)
    third.wait_for("Scheduler started")
    time.sleep(1.5)
    assert third.stop() == 0
    (summary,) = fresh.outbox()
    assert summary.cause.startswith("summary:")
    assert summary.body.startswith("Freie Betten heute um")
