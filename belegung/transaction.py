"""The unit of work: one transaction per entry point, committed once, with after-commit hooks.

Every entry point — an API request, a page, a CLI command, a scheduler job — runs its
work in one unit of work: begin, run, commit once at the end, roll back on any error.
Services never commit; they only flush. What must happen only once the work is durable
(an SMS leaving, a cache being invalidated) is registered during the transaction with
`uow.after_commit(callback)` and runs after a successful commit, never after a rollback
(Indico's request handler with its e-mail queue, Warehouse's after-commit tasks).

Services also say what they changed (`uow.changed("claims", facility_id)`); listeners
connected to the `committing` signal read those changes just before the commit and may
still write in the same transaction (e.g. evaluate the capacity rules a check-in moved).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager

from blinker import Namespace
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_signals = Namespace()
# Sent with the unit of work just before it commits; receivers may add to the transaction.
committing = _signals.signal("belegung.committing")

_INFO_KEY = "belegung.unit_of_work"


class UnitOfWork:
    """The transaction of one entry point on one session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.active = False
        self._after_commit: list[Callable[[], object]] = []
        self._after_end: list[Callable[[], object]] = []
        self._changes: dict[str, set[Hashable]] = {}

    @classmethod
    def of(cls, session: Session) -> UnitOfWork:
        """The unit of work of a session (one per session, begun or not)."""
        uow = session.info.get(_INFO_KEY)
        if not isinstance(uow, UnitOfWork):
            uow = session.info[_INFO_KEY] = cls(session)
        return uow

    @classmethod
    def begin(cls, session: Session) -> UnitOfWork:
        """Start the unit of work of an entry point. A second one on the same session
        while the first runs is a bug: its commit would end the first one's work."""
        uow = cls.of(session)
        if uow.active:
            raise RuntimeError("a unit of work is already running on this session")
        uow._reset()
        uow.active = True
        return uow

    def after_commit(self, callback: Callable[[], object]) -> None:
        """Run `callback` once this unit of work has committed (not if it rolls back)."""
        self._after_commit.append(callback)

    def after_end(self, callback: Callable[[], object]) -> None:
        """Run `callback` once this unit of work has ended, committed or rolled back (e.g.
        to record what a rollback must not erase, in a transaction of its own)."""
        self._after_end.append(callback)

    def changed(self, topic: str, key: Hashable) -> None:
        """Note that something of `topic` changed (e.g. the claims of a facility)."""
        self._changes.setdefault(topic, set()).add(key)

    def changes(self, topic: str) -> frozenset[Hashable]:
        return frozenset(self._changes.get(topic, ()))

    def commit(self) -> None:
        """Commit once, then run the after-commit callbacks.

        A failing callback is logged and does not undo the commit or stop the others:
        the work is durable, and what the callbacks start (an outbox dispatch) is
        retried by its own job.
        """
        if self._has_work():
            committing.send(self)
            self.session.commit()
        callbacks = [*self._after_commit, *self._after_end]
        self._reset()
        _run(callbacks)

    def _has_work(self) -> bool:
        """Whether there is anything to commit: a read that sent no statement (answered
        from a cache) has nothing, and costs no commit."""
        session = self.session
        return bool(
            self._changes
            or session.in_transaction()
            or session.new
            or session.dirty
            or session.deleted
        )

    def rollback(self) -> None:
        """Undo the work; the after-commit callbacks are dropped, the after-end ones run."""
        callbacks = self._after_end
        try:
            self.session.rollback()
        finally:
            self._reset()
        _run(callbacks)

    def _reset(self) -> None:
        self.active = False
        self._after_commit = []
        self._after_end = []
        self._changes = {}


def _run(callbacks: list[Callable[[], object]]) -> None:
    # "after-commit" also for after-end callbacks: the work they follow is over either way.
    for callback in callbacks:
        try:
            callback()
        except Exception:
            log.exception("after-commit callback %r failed", callback)


@contextmanager
def unit_of_work(session: Session) -> Iterator[UnitOfWork]:
    """Run a block as one unit of work: commit at its end, roll back if it raises."""
    uow = UnitOfWork.begin(session)
    try:
        yield uow
        uow.commit()
    except BaseException:
        uow.rollback()
        raise
