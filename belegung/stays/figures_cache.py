"""Availability as cheap as a constant where nothing changed: a cache of each night's
figures (per filter), checked against a version in the database.

Every unit of work that changed what the figures are made of bumps the version row
`figures_version` in its own transaction, just before it commits (a
`transaction.committing` receiver, connected last): a claim (`stays.claims` notes
`("claims", facility_id)`), the winter emergency (`"winter"`), or any facility, place,
out-of-service period or stay written through the session (noted here after a flush; a
session without a unit of work bumps at once). The new version is a random number,
never one seen before, so that a rolled-back bump can't bring an old entry back.

On PostgreSQL the bump also notifies the change feed (`belegung.changes`): while a
worker's feed vouches that nothing changed since an entry was read (its stamp), a read
answers from the cache without any statement. Otherwise a read asks the version (one
statement) and answers from the cache when it matches. Either way an entry expires at
the next moment a live hold runs out (the figures change then without any write), and
at the latest after `limits.FIGURES_CACHE_MAX_AGE`. The
cache is per engine, i.e. per app instance (each gunicorn worker has its own); the
version in the database is what keeps several workers and machines right: a check-in
through one is seen by the next read through any other. `as_of` is the moment the
figures were read from the database.
"""

from __future__ import annotations

import secrets
import threading
import weakref
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from belegung.changes import Stamp, notify, stamp_of
from belegung.facilities.models import Facility, FacilityKind, OutOfService, Place, TargetGroup
from belegung.limits import (
    FIGURES_CACHE_ENTRIES,
    FIGURES_CACHE_FOLLOW_WAIT,
    FIGURES_CACHE_MAX_AGE,
)
from belegung.lru import Lru
from belegung.stays.availability import Availability, availability
from belegung.stays.claims import CLAIMS
from belegung.stays.models import IS_HELD, FiguresVersion, Stay
from belegung.transaction import UnitOfWork, committing
from belegung.winter.models import WinterEmergency
from belegung.winter.service import WINTER

# The topic under which a flush notes that rows the figures are made of changed.
FIGURES = "figures"
TOPICS = (CLAIMS, WINTER, FIGURES)
_WATCHED = (Facility, Place, OutOfService, Stay, WinterEmergency)
VERSION_ID = 1


# --- the version -------------------------------------------------------------------------


def read_version(session: Session) -> int:
    return int(
        session.scalar(sa.select(FiguresVersion.version).where(FiguresVersion.id == VERSION_ID))
        or 0
    )


def bump_version(session: Session) -> None:
    """Give the figures a new version, in the session's transaction, and tell the other
    processes' change feeds once it commits."""
    _bump(session)


def _bump(session: Session) -> None:
    conn = session.connection()
    new = secrets.randbits(62)
    table = sa.table("figures_version", sa.column("id"), sa.column("version"))
    result = conn.execute(sa.update(table).where(table.c.id == VERSION_ID).values(version=new))
    if not result.rowcount:
        conn.execute(sa.insert(table).values(id=VERSION_ID, version=new))
    notify(session, FIGURES)


def on_committing(uow: UnitOfWork) -> None:
    if any(uow.changes(topic) for topic in TOPICS):
        bump_version(uow.session)


@event.listens_for(Session, "after_flush")
def _note_figure_rows(session: Session, _flush_context: Any) -> None:
    """Rows the figures are made of were written: note it in the running unit of work
    (the version is bumped before it commits), or bump the version at once in a session
    that runs none (a script's, a test's)."""
    if not any(
        isinstance(obj, _WATCHED) for obj in (*session.new, *session.dirty, *session.deleted)
    ):
        return
    uow = UnitOfWork.of(session)
    if uow.active:
        uow.changed(FIGURES, "rows")
    else:
        _bump(session)


def init_figures() -> None:
    """Connect the version bump (call after every other committing receiver, so that the
    version row is locked only for the last moment before the commit)."""
    committing.disconnect(on_committing)
    committing.connect(on_committing)


# --- the cache ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    version: int
    figures: Availability
    expires_at: datetime
    # The change feed's stamp the entry was read or last confirmed at (None: no feed).
    stamp: Stamp | None = None


class FiguresCache:
    """Each night's figures per filter, with the version they were read at (thread-safe;
    the least recently used entries are dropped beyond `size`)."""

    def __init__(self, size: int = FIGURES_CACHE_ENTRIES) -> None:
        self._entries: Lru[Hashable, Entry] = Lru(size)
        self._lock = threading.Lock()
        self._flights: dict[Hashable, threading.Event] = {}
        self.hits = 0
        self.misses = 0

    def peek(self, key: Hashable, now: datetime) -> Entry | None:
        """The entry of `key` unless it has expired (whatever its version)."""
        entry = self._entries.get(key)
        if entry is None or now >= entry.expires_at:
            return None
        return entry

    def hit(self) -> None:
        with self._lock:
            self.hits += 1

    def miss(self) -> None:
        with self._lock:
            self.misses += 1

    @contextmanager
    def flight(self, key: Hashable) -> Iterator[bool]:
        """Whether this thread leads the reading of `key` (yields True), or followed
        one that did (yields False, once the leader is done or after
        FIGURES_CACHE_FOLLOW_WAIT): several requests missing the same figures at once
        read them once, not each."""
        with self._lock:
            landed = self._flights.get(key)
            if landed is None:
                landed = self._flights[key] = threading.Event()
                leading = True
            else:
                leading = False
        if not leading:
            landed.wait(FIGURES_CACHE_FOLLOW_WAIT)
            yield False
            return
        try:
            yield True
        finally:
            with self._lock:
                self._flights.pop(key, None)
            landed.set()

    def put(self, key: Hashable, entry: Entry) -> None:
        self._entries.put(key, entry)

    def clear(self) -> None:
        self._entries.clear()


_caches: weakref.WeakKeyDictionary[sa.Engine, FiguresCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def cache_of(session: Session) -> FiguresCache:
    """The cache of the session's engine: one per app instance (each has its engine), so
    one per gunicorn worker."""
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, sa.Connection) else bind
    with _caches_lock:
        cache = _caches.get(engine)
        if cache is None:
            cache = _caches[engine] = FiguresCache()
    return cache


def next_hold_expiry(session: Session, now: datetime) -> datetime | None:
    """When the next live hold runs out (through the partial index of live holds)."""
    return session.scalar(
        sa.select(sa.func.min(Stay.hold_expires_at)).where(IS_HELD, Stay.hold_expires_at > now)
    )


def cached_availability(
    session: Session,
    night: date,
    as_of: datetime,
    *,
    target_group: TargetGroup | None = None,
    kind: FacilityKind | None = None,
) -> Availability:
    """availability() of a night, from the cache while nothing changed, read anew
    otherwise. `as_of` of the answer is when the figures were read.

    Whether nothing changed: the change feed says so without a statement (PostgreSQL,
    `belegung.changes`) while its stamp is the one the entry was read at; else the
    version row does, in one statement. A hit gives the very object the entry holds (its
    serialised form can be kept beside it)."""
    cache = cache_of(session)
    key = (night, target_group, kind)
    # Before any read: a change committed from now on moves the stamp on.
    stamp = stamp_of(session, FIGURES)
    entry = cache.peek(key, as_of)
    if entry is not None and stamp is not None and entry.stamp == stamp:
        cache.hit()
        return _in_zone(entry.figures, as_of)
    version = read_version(session)
    if entry is not None and entry.version == version:
        if stamp is not None:
            cache.put(key, replace(entry, stamp=stamp))
        cache.hit()
        return _in_zone(entry.figures, as_of)
    cache.miss()
    # One reader per worker reads the figures of a version; the others wait for it.
    with cache.flight((key, version)) as leading:
        if not leading:
            entry = cache.peek(key, as_of)
            if entry is not None and entry.version == version:
                return _in_zone(entry.figures, as_of)
        figures = availability(session, night, as_of, target_group=target_group, kind=kind)
        expires_at = as_of + timedelta(seconds=FIGURES_CACHE_MAX_AGE)
        hold_expiry = next_hold_expiry(session, as_of)
        if hold_expiry is not None:
            expires_at = min(expires_at, hold_expiry)
        cache.put(key, Entry(version, figures, expires_at, stamp))
        return figures


def _in_zone(figures: Availability, as_of: datetime) -> Availability:
    if figures.as_of.tzinfo == as_of.tzinfo:
        return figures
    return replace(figures, as_of=figures.as_of.astimezone(as_of.tzinfo))
