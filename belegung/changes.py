"""The change feed: what other processes committed, told to this one by PostgreSQL's
LISTEN/NOTIFY, so that a cache can answer without asking the database.

A unit of work that changed something a cache holds (the figures of a night, a token or
a user) sends `NOTIFY belegung_changes, '<topic>:<nonce>'` in its own transaction
(`notify`); PostgreSQL delivers it to every listener once the transaction commits, never
if it rolls back. Each process (each gunicorn worker, on every machine) keeps one
listening connection in a thread of its own (`ChangeFeed`), and counts per topic how
many changes it has seen: the *stamp*. A cache entry keeps the stamp it was read at; it
is still right while the stamp is the same.

A stamp is given only when the feed can vouch for it, else `None` (and the cache asks
the database, as without a feed):

- the listening connection is up, and answered a ping within `HEALTHY_FOR` (a server
  gone silent without closing the connection is noticed within that time);
- nothing is waiting unread on its socket: a notification that has arrived but is not
  counted yet makes the caller ask the database. Reading and counting happen under the
  feed's lock, the check too, so a caller never sees a half-read feed.

After a commit, the writing process waits (briefly, `ECHO_WAIT`) until its own feed has
seen its own notification (`UnitOfWork.after_commit`): PostgreSQL signals every listener
at the same moment, so by the time the writer answers its client, the other workers'
listeners have been told too, and the client's next request, through any worker, sees
the change. (Exactly: the other listeners' server processes were signalled before ours
answered; that they wrote it to their sockets before the client's next request arrives
is a matter of microseconds against a network round trip — the residual window is
documented in docs/benchmarks.md.)

On a (re)connect every stamp moves on: whatever was cached before is read anew. SQLite
has no feed (`feed_of` gives None): the caches there ask the database each time.
"""

from __future__ import annotations

import logging
import os
import secrets
import select
import threading
import time
import weakref
from collections import Counter
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import pq
from psycopg.conninfo import make_conninfo
from sqlalchemy.orm import Session

from belegung.transaction import UnitOfWork

log = logging.getLogger(__name__)

CHANNEL = "belegung_changes"
# How often the listener pings its server, and how long a ping's answer vouches for it.
PING_EVERY = 2.0
HEALTHY_FOR = 5.0
# How long a writer waits for its own notification after its commit.
ECHO_WAIT = 0.25
# Wait between attempts to (re)connect.
RECONNECT_AFTER = 1.0

_NOTED_KEY = "belegung.changes.noted"

# (the connection's epoch, how many changes of a topic were seen in it)
Stamp = tuple[int, int]


class ChangeFeed:
    """One process's listening connection and what it has seen (thread-safe)."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._lock = threading.Lock()
        self._seen_cond = threading.Condition(self._lock)
        self._pgconn: pq.abc.PGconn | None = None
        self._counts: Counter[str] = Counter()
        self._epoch = 0
        self._pong_at = 0.0
        self._ping_out = False
        self._recent: dict[str, None] = {}
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="belegung-changes", daemon=True)
        self._thread.start()

    # --- what callers ask -----------------------------------------------------------------

    def stamp(self, topic: str) -> Stamp | None:
        """How many changes of `topic` this feed has seen (with the connection's epoch),
        or None when it can't vouch for that count this moment."""
        with self._lock:
            pgconn = self._pgconn
            if pgconn is None or time.monotonic() - self._pong_at > HEALTHY_FOR:
                return None
            try:
                readable, _, _ = select.select([pgconn.socket], [], [], 0)
            except (OSError, ValueError, psycopg.Error):
                return None
            if readable:
                return None
            return (self._epoch, self._counts[topic])

    def note(self, topic: str) -> None:
        """Count a change this process committed itself at once (its echo counts again)."""
        with self._lock:
            self._counts[topic] += 1

    def wait_seen(self, payload: str, timeout: float = ECHO_WAIT) -> bool:
        """Wait until this feed has seen the notification `payload` (own echo)."""
        deadline = time.monotonic() + timeout
        with self._seen_cond:
            while payload not in self._recent:
                left = deadline - time.monotonic()
                if left <= 0 or self._pgconn is None:
                    return False
                self._seen_cond.wait(left)
            return True

    @property
    def connected(self) -> bool:
        with self._lock:
            return self._pgconn is not None

    def stop(self) -> None:
        self._stopped.set()

    # --- the listener thread --------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                conn = self._connect()
            except Exception as exc:
                log.warning("change feed: cannot listen (%s)", type(exc).__name__)
                self._stopped.wait(RECONNECT_AFTER)
                continue
            pgconn = conn.pgconn
            with self._lock:
                self._pgconn = pgconn
                self._epoch += 1
                self._pong_at = time.monotonic()
                self._ping_out = False
            try:
                self._listen(pgconn)
            except Exception as exc:
                log.warning("change feed: connection lost (%s)", type(exc).__name__)
            finally:
                with self._seen_cond:
                    self._pgconn = None
                    self._epoch += 1
                    self._seen_cond.notify_all()
                conn.close()
            self._stopped.wait(RECONNECT_AFTER)

    def _connect(self) -> psycopg.Connection[Any]:
        # psycopg's connect waits without holding the GIL (libpq's blocking calls would
        # stop every thread of the process while a server does not answer).
        conn = psycopg.connect(self._conninfo, autocommit=True)
        try:
            conn.execute(f"LISTEN {CHANNEL}")
            conn.pgconn.nonblocking = 1
        except Exception:
            conn.close()
            raise
        return conn

    def _listen(self, pgconn: pq.abc.PGconn) -> None:
        next_ping = time.monotonic() + PING_EVERY
        while not self._stopped.is_set():
            readable, _, _ = select.select([pgconn.socket], [], [], PING_EVERY / 2)
            with self._seen_cond:
                if readable:
                    pgconn.consume_input()
                    self._take_results(pgconn)
                    self._take_notifications(pgconn)
                if pgconn.status != pq.ConnStatus.OK:
                    raise ConnectionError("connection closed")
                if time.monotonic() >= next_ping and not self._ping_out:
                    pgconn.send_query(b"SELECT 1")
                    pgconn.flush()
                    self._ping_out = True
                    next_ping = time.monotonic() + PING_EVERY

    def _take_results(self, pgconn: pq.abc.PGconn) -> None:
        while self._ping_out and not pgconn.is_busy():
            result = pgconn.get_result()
            if result is None:
                self._ping_out = False
                self._pong_at = time.monotonic()
            elif result.status != pq.ExecStatus.TUPLES_OK:
                raise ConnectionError("ping failed")

    def _take_notifications(self, pgconn: pq.abc.PGconn) -> None:
        seen = False
        while (note := pgconn.notifies()) is not None:
            payload = note.extra.decode()
            topic = payload.partition(":")[0]
            self._counts[topic] += 1
            self._recent[payload] = None
            seen = True
        while len(self._recent) > 1024:
            del self._recent[next(iter(self._recent))]
        if seen:
            self._seen_cond.notify_all()


# --- one feed per engine and process ----------------------------------------------------

_feeds: weakref.WeakKeyDictionary[sa.Engine, tuple[int, ChangeFeed]] = weakref.WeakKeyDictionary()
_feeds_lock = threading.Lock()


def feed_of(session: Session, *, start: bool = True) -> ChangeFeed | None:
    """The feed of the session's engine in this process (started on first use unless
    `start` is false, anew in a forked worker), or None where there is none: on SQLite,
    and for a session joined to a transaction it does not own (the tests'), whose
    commits others may never see."""
    bind = session.get_bind()
    if not isinstance(bind, sa.Engine) or bind.dialect.name != "postgresql":
        return None
    engine = bind
    pid = os.getpid()
    with _feeds_lock:
        known = _feeds.get(engine)
        if known is not None and known[0] == pid:
            return known[1]
        if not start:
            return None
        url = engine.url.set(drivername="postgresql")
        conninfo = make_conninfo(
            url.render_as_string(hide_password=False),
            connect_timeout=5,
            application_name="belegung-changes",
            keepalives=1,
            keepalives_idle=10,
            keepalives_interval=3,
            keepalives_count=3,
        )
        feed = ChangeFeed(conninfo)
        _feeds[engine] = (pid, feed)
        weakref.finalize(engine, feed.stop)
        return feed


# --- the writing side -------------------------------------------------------------------


def notify(session: Session, topic: str) -> None:
    """Tell every listener that `topic` changed, once the session's transaction commits
    (one statement on PostgreSQL, nothing elsewhere); the running unit of work then waits
    for this process's own feed to have seen it. Once per topic and transaction."""
    if session.get_bind().dialect.name != "postgresql":
        return
    uow = UnitOfWork.of(session)
    noted: set[str] = session.info.setdefault(_NOTED_KEY, set())
    if uow.active and topic in noted:
        return
    payload = f"{topic}:{secrets.token_hex(8)}"
    session.connection().execute(sa.select(sa.func.pg_notify(CHANNEL, payload)))
    if not uow.active:
        return
    noted.add(topic)
    # Only a process that reads through a feed waits for its echo (a worker, not a
    # command-line tool that merely writes).
    feed = feed_of(session, start=False)

    def forget() -> None:
        noted.discard(topic)

    uow.after_end(forget)
    if feed is not None:

        def told() -> None:
            feed.note(topic)
            feed.wait_seen(payload)

        uow.after_commit(told)
