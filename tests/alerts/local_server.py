"""A threaded HTTP server on a free local port that records each request and answers from
a script: the base of the Twilio stand-in and of the weather stub."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Reply:
    """What the server answers; `delay` seconds pass first (cut short when it stops)."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    delay: float = 0.0

    @classmethod
    def json(cls, payload: Any, status: int = 200, delay: float = 0.0) -> Reply:
        return cls(status, json.dumps(payload).encode(), delay=delay)


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: dict[str, str]
    headers: Message  # case-insensitive .get()
    body: bytes = field(repr=False)

    @property
    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))


class LocalServer:
    """Subclasses decide the answer in `answer()`; every request lands in `received`."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                owner._handle(self)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep pytest's output clean

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # Join handler threads on close, so that no thread outlives the test.
        self._httpd.daemon_threads = False
        self._httpd.block_on_close = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def answer(self, request: Received) -> Reply:
        raise NotImplementedError

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        request = Received(
            method=handler.command,
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers=handler.headers,
            body=handler.rfile.read(length),
        )
        with self._lock:
            self.received.append(request)
            reply = self.answer(request)
        if reply.delay and self._stopping.wait(reply.delay):
            return
        try:
            handler.send_response(reply.status)
            handler.send_header("Content-Type", reply.content_type)
            handler.send_header("Content-Length", str(len(reply.body)))
            handler.end_headers()
            handler.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout test)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
