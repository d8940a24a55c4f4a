"""What other processes committed, so that a cache can answer without asking the
database: a board in shared memory for the processes of this machine, and PostgreSQL's
LISTEN/NOTIFY for those of other machines.

A transaction that changed something a cache holds (the figures of a night, a token or
a user) calls `notify(session, topic)`. Then:

- on PostgreSQL it sends `NOTIFY belegung_changes, '<topic>:<nonce>'` in the same
  transaction: delivered to every listener when it commits, never if it rolls back.
  Each process (each gunicorn worker, on every machine) keeps one listening connection
  in a thread of its own (`ChangeFeed`) and counts per topic what it has seen;
- right after the commit (before the writer answers anyone), the writer writes a new
  random value into the topic's slot of the machine's *board* (`Board`: a small file
  mapped into every process's memory: next to a SQLite database file, or in the instance
  folder for a PostgreSQL database).

`stamp_of(session, topic)` is what a cache keeps with an entry, read before the entry's data
is read; the entry is right while the stamp is the same. The board makes this exact for
every process of the machine: a write committed by any of them has changed the board
before its client got the answer, so the client's next request, through any worker,
sees a new stamp. Writes on other machines reach the stamp through the feed (within
the moment PostgreSQL takes to deliver a notification; the writer also waits for its own
echo, `ECHO_WAIT`, before it answers).

A stamp is given only when it can be vouched for, else None (and the cache asks the
database):

- only for a session bound to the engine itself (not the tests' sessions joined to a
  transaction that is rolled back: their writes never reach anyone else);
- on PostgreSQL only while the feed's connection is up, answered a ping within
  `HEALTHY_FOR`, and has nothing waiting unread on its socket (reading and counting
  happen under the feed's lock, the check too). On a (re)connect every stamp moves on;
- on SQLite the board alone vouches: every writer of the file is a process on this
  machine, and they share the board next to it.
"""

from __future__ import annotations

import hashlib
import logging
import mmap
import os
import secrets
import select
import threading
import time
import weakref
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import pq
from psycopg.conninfo import make_conninfo
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

CHANNEL = "belegung_changes"
# How often the listener pings its server, and how long a ping's answer vouches for it.
PING_EVERY = 2.0
HEALTHY_FOR = 5.0
# How long a writer waits for its own notification after its commit.
ECHO_WAIT = 0.25
# Wait between attempts to (re)connect.
RECONNECT_AFTER = 1.0

_PENDING_KEY = "belegung.changes.pending"
# The board's size: slots of 8 bytes, a topic's slot by the CRC of its name.
BOARD_BYTES = 4096
_SLOT = 8

# (the feed's connection epoch, how many changes of the topic it has seen, the board's
# slot of the topic); the feed's part is (0, 0) on SQLite.
Stamp = tuple[int, int, bytes]


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

    def stamp(self, topic: str) -> tuple[int, int] | None:
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


class Board:
    """A small file mapped into the memory of every process of this machine that uses
    the same database: a write puts a new random value into its topic's slot."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < BOARD_BYTES:
                os.ftruncate(fd, BOARD_BYTES)
            self._map = mmap.mmap(fd, BOARD_BYTES)
        finally:
            os.close(fd)

    @staticmethod
    def _slot(topic: str) -> int:
        return zlib.crc32(topic.encode()) % (BOARD_BYTES // _SLOT) * _SLOT

    def read(self, topic: str) -> bytes:
        slot = self._slot(topic)
        return self._map[slot : slot + _SLOT]

    def touch(self, topic: str) -> None:
        slot = self._slot(topic)
        self._map[slot : slot + _SLOT] = secrets.token_bytes(_SLOT)


# --- one feed and one board per engine and process ----------------------------------------

_feeds: weakref.WeakKeyDictionary[sa.Engine, tuple[int, ChangeFeed]] = weakref.WeakKeyDictionary()
_boards: weakref.WeakKeyDictionary[sa.Engine, Board | None] = weakref.WeakKeyDictionary()
_lock = threading.Lock()
# Where the board of a PostgreSQL database lives: the app's instance folder (0700).
INSTANCE = Path(__file__).resolve().parent.parent / "instance"


def _engine(session: Session) -> sa.Engine | None:
    """The session's engine, if it is bound to one (not to a connection whose
    transaction it does not own)."""
    bind = session.get_bind()
    return bind if isinstance(bind, sa.Engine) else None


def _board_path(engine: sa.Engine) -> Path | None:
    url = engine.url
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        return Path(database + "-belegung-changes")
    name = url.render_as_string(hide_password=True).encode()
    return INSTANCE / f"changes-{hashlib.sha256(name).hexdigest()[:16]}"


def board_of(engine: sa.Engine) -> Board | None:
    with _lock:
        if engine in _boards:
            return _boards[engine]
        path = _board_path(engine)
        board = None
        if path is not None:
            try:
                board = Board(path)
            except OSError as exc:
                log.warning("change board unavailable (%s)", type(exc).__name__)
        _boards[engine] = board
        return board


def feed_of(engine: sa.Engine, *, start: bool = True) -> ChangeFeed | None:
    """The feed of a PostgreSQL engine in this process (started on first use unless
    `start` is false, anew in a forked worker)."""
    if engine.dialect.name != "postgresql":
        return None
    pid = os.getpid()
    with _lock:
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


def stamp_of(session: Session, topic: str) -> Stamp | None:
    """The stamp of `topic` for a cache entry read from now on, or None when nothing can
    vouch for it (see the module's description)."""
    engine = _engine(session)
    if engine is None:
        return None
    board = board_of(engine)
    if board is None:
        return None
    if engine.dialect.name != "postgresql":
        return (0, 0, board.read(topic))
    feed = feed_of(engine)
    seen = feed.stamp(topic) if feed is not None else None
    if seen is None:
        return None
    return (*seen, board.read(topic))


# --- the writing side -------------------------------------------------------------------


def notify(session: Session, topic: str) -> None:
    """Note that `topic` changed in the session's transaction: on PostgreSQL a NOTIFY in
    it (one statement, once per topic and transaction); once it has committed, the
    board's slot and this process's own feed (see the module's description)."""
    pending = _pending(session)
    if topic in pending:
        return
    payload = None
    if session.get_bind().dialect.name == "postgresql":
        payload = f"{topic}:{secrets.token_hex(8)}"
        session.connection().execute(sa.select(sa.func.pg_notify(CHANNEL, payload)))
    pending[topic] = payload


def _pending(session: Session) -> dict[str, str | None]:
    """The topics (with their NOTIFY's payload) noted in the session's running
    transaction."""
    transaction = session.get_transaction()
    kept = session.info.get(_PENDING_KEY)
    if kept is None or kept[0] is not transaction:
        kept = session.info[_PENDING_KEY] = (transaction, {})
    return kept[1]


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    kept = session.info.pop(_PENDING_KEY, None)
    pending: dict[str, str | None] = kept[1] if kept is not None else {}
    engine = _engine(session)
    if not pending or engine is None:
        return
    board = board_of(engine)
    # Only a process that reads through a feed waits for its echo (a worker, not a
    # command-line tool that merely writes).
    feed = feed_of(engine, start=False)
    for topic in pending:
        if board is not None:
            board.touch(topic)
        if feed is not None:
            feed.note(topic)
    if feed is not None:
        for payload in pending.values():
            if payload is not None:
                feed.wait_seen(payload)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)
