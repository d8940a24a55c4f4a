"""How gunicorn serves belegung (gunicorn.conf.py and `flask --app belegung serve`): the
worker that slow clients cannot stall, the access log without query strings and with
escaped paths, one-line logs with the request id, and prometheus-client's multiprocess
hooks.

A slow client that sends its request a byte at a time would hold one of gunicorn's
threads for as long as it likes: gthread hands a connection to a thread as soon as its
first bytes arrive, and the thread then reads the rest blocking. Twelve such sockets
blocked every thread of two workers for over 40 s (issue 13). `BufferingThreadWorker`
reads each request — head and body, up to the app's size limit — in the worker's event
loop, without a thread, and only hands a complete request to the thread pool (as
waitress and nginx buffer); a request not complete within `REQUEST_READ_TIMEOUT` seconds
is dropped. Kept-alive connections are off (gunicorn.conf.py: keepalive = 0), so every
request arrives on a new connection and is buffered.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger  # type: ignore[import-untyped]
from gunicorn.workers.gthread import ThreadWorker  # type: ignore[import-untyped]

# Request lines without the query string (`?q=` may carry a name: no personal data in
# logs), and the request id the response carries (X-Request-Id).
ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'

# A request must have arrived completely (head and body) within this many seconds.
REQUEST_READ_TIMEOUT = 30.0
# Bodies up to this size are buffered before a thread sees them (the app refuses larger
# ones with 413 from their Content-Length, without reading them).
BUFFERED_BODY_MAX = 1024 * 1024 + 64 * 1024
# A head larger than this is handed on as it is: gunicorn's parser refuses it.
HEAD_MAX = 64 * 1024

_CONTENT_LENGTH = re.compile(rb"^content-length:[ \t]*(\d+)[ \t]*$", re.I | re.M)
_CHUNKED = re.compile(rb"^transfer-encoding:.*chunked", re.I | re.M)
_EXPECT = re.compile(rb"^expect:[ \t]*100-continue", re.I | re.M)


class AccessLogger(GunicornLogger):
    """gunicorn's logger with the path escaped: it arrives percent-decoded, and a %0A in
    it must not start a forged line in the access log."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: timedelta) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        # WSGI paths are bytes as Latin-1: non-ASCII bytes show as \xNN, controls too.
        atoms["U"] = str(atoms["U"] or "").encode("unicode_escape").decode("ascii")
        return atoms


# --- the worker ----------------------------------------------------------------------------


@dataclass
class _Incoming:
    """A connection whose request is still arriving."""

    conn: Any
    deadline: float
    data: bytearray = field(default_factory=bytearray)

    def complete(self) -> bool:
        """Whether the request has arrived (or is as complete as we will wait for)."""
        data = bytes(self.data)
        end = data.find(b"\r\n\r\n")
        if end < 0:
            return len(data) > HEAD_MAX
        head, body = data[: end + 2], data[end + 4 :]
        if _EXPECT.search(head):
            return True  # the client waits for "100 Continue" before it sends the body
        if _CHUNKED.search(head):
            return body.endswith(b"0\r\n\r\n") or len(body) > BUFFERED_BODY_MAX
        match = _CONTENT_LENGTH.search(head)
        if match is None:
            return True
        length = int(match.group(1))
        return length > BUFFERED_BODY_MAX or len(body) >= length


class BufferingThreadWorker(ThreadWorker):
    """gunicorn's threaded worker, reading every request completely before a thread
    sees it (see the module's notes)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.incoming: list[_Incoming] = []

    def enqueue_req(self, conn: Any) -> None:
        if conn.initialized or self.cfg.is_ssl:
            super().enqueue_req(conn)
            return
        conn.sock.setblocking(False)
        incoming = _Incoming(conn, time.monotonic() + REQUEST_READ_TIMEOUT)
        self.incoming.append(incoming)
        self.poller.register(conn.sock, 1, partial(self._readable, incoming))  # EVENT_READ

    def _readable(self, incoming: _Incoming, _sock: Any) -> None:
        try:
            chunk = incoming.conn.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._drop(incoming)
            return
        incoming.data += chunk
        if incoming.complete():
            self._forget(incoming)
            conn = incoming.conn
            conn.init()  # blocking again, with gunicorn's parser
            conn.parser.unreader.unread(bytes(incoming.data))
            conn.data_ready = True
            super().enqueue_req(conn)

    def _forget(self, incoming: _Incoming) -> None:
        self.incoming.remove(incoming)
        with contextlib.suppress(OSError, KeyError, ValueError):
            self.poller.unregister(incoming.conn.sock)

    def _drop(self, incoming: _Incoming) -> None:
        self._forget(incoming)
        self.nr_conns -= 1
        incoming.conn.close()

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        for incoming in list(self.incoming):
            if not self.alive or incoming.deadline <= now:
                self._drop(incoming)


# --- logs ----------------------------------------------------------------------------------


class OneLineFormatter(logging.Formatter):
    """Every record as one line (a traceback's lines joined by ' | '), so that a log
    line is an event and no value can start a forged one."""

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        text = super().format(record)
        return text.replace("\r", "\\r").replace("\n", " | ")


LOG_FORMAT = "%(asctime)s %(levelname)s [%(name)s] [%(request_id)s] %(message)s"


def one_line_logs(level: str = "INFO") -> dict[str, Any]:
    """gunicorn's `logconfig_dict`: the app's records and gunicorn's error log as one
    line each, with the request id (the access log keeps ACCESS_LOG_FORMAT)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "belegung.http.observe.RequestIdFilter"}},
        "formatters": {"line": {"()": OneLineFormatter, "format": LOG_FORMAT}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "line",
                "filters": ["request_id"],
                "stream": "ext://sys.stderr",
            },
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["stderr"], "propagate": False},
        },
    }


# --- prometheus-client's multiprocess mode ---------------------------------------------------


def metrics_dir() -> Path:
    """The folder where the workers keep their figures (PROMETHEUS_MULTIPROC_DIR): set
    before any worker imports prometheus_client; made if missing."""
    raw = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not raw:
        raw = os.environ["PROMETHEUS_MULTIPROC_DIR"] = f"/tmp/belegung-metrics-{os.getpid()}"  # noqa: S108
    path = Path(raw)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def clear_metrics(_server: Any) -> None:
    """on_starting: figures of an earlier run do not count."""
    path = metrics_dir()
    for entry in path.glob("*.db"):
        entry.unlink()


def worker_gone(_server: Any, worker: Any) -> None:
    """child_exit: a worker's live gauges end with it (its counters stay counted)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def remove_metrics(_server: Any) -> None:
    """on_exit: a folder this process made is removed again."""
    path = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR", ""))
    if path.name == f"belegung-metrics-{os.getpid()}":
        shutil.rmtree(path, ignore_errors=True)
