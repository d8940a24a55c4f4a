"""The context of work that runs outside a request: a scheduler job (and the alerts'
commit hook), or the command that runs a job by hand. One unit of work each (committed at
the end, rolled back on error), a system actor, the app's settings and clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app

from belegung.config import settings_of
from belegung.context import Actor, ServiceContext, service_context
from belegung.extensions import session
from belegung.nights import Clock, system_clock
from belegung.transaction import UnitOfWork, unit_of_work

SCHEDULER = "scheduler"


def app_clock() -> Clock:
    """The app's clock: the system clock, or the one a test set in BELEGUNG_CLOCK."""
    configured: Clock = current_app.config.get("BELEGUNG_CLOCK") or system_clock
    return configured


def context_for(uow: UnitOfWork, label: str = SCHEDULER) -> ServiceContext:
    """A context acting as a trusted process in an existing unit of work."""
    return service_context(
        uow.session, Actor.system(label), settings_of(current_app), app_clock(), uow=uow
    )


@contextmanager
def job_context(label: str = SCHEDULER) -> Iterator[ServiceContext]:
    """A service context for a job in one unit of work, acting as the system (`label`
    names it in the audit log: "scheduler", "cli")."""
    with unit_of_work(session()) as uow:
        yield context_for(uow, label)
