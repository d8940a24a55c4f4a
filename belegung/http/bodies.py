"""Request bodies sent in chunks (`Transfer-Encoding: chunked`, no Content-Length) are held
to MAX_CONTENT_LENGTH like any other: 413.

Werkzeug limits such a stream to MAX_CONTENT_LENGTH but, reading it whole, stops at the
limit without noticing that more follows: a body over the limit arrived cut short (and was
refused as invalid JSON at best). This middleware reads a chunked body before the app
sees it, at most one byte past the limit, and hands it on with its Content-Length; a body
longer than the limit then fails werkzeug's Content-Length check like any other: 413.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any

from flask import Flask

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_CHUNK = 64 * 1024


def _read_up_to(stream: IO[bytes], size: int) -> bytes:
    parts: list[bytes] = []
    left = size
    while left > 0:
        part = stream.read(min(_CHUNK, left))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


class ChunkedBodyLimit:
    """WSGI middleware: a streamed body (the server set `wsgi.input_terminated`; the body
    is chunked or has no Content-Length) is read up to MAX_CONTENT_LENGTH + 1 bytes and
    passed on with its length."""

    def __init__(self, wsgi_app: WSGIApplication, app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        limit: Any = self.app.config.get("MAX_CONTENT_LENGTH")
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        streamed = chunked or not environ.get("CONTENT_LENGTH")
        if isinstance(limit, int) and environ.get("wsgi.input_terminated") and streamed:
            body = _read_up_to(environ["wsgi.input"], limit + 1)
            # The body as if it had come whole, with its length (the server has already
            # taken the chunks apart).
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            del environ["wsgi.input_terminated"]
        return self.wsgi_app(environ, start_response)


def init_bodies(app: Flask) -> None:
    app.wsgi_app = ChunkedBodyLimit(app.wsgi_app, app)  # type: ignore[method-assign]
