"""The benchmarks' WSGI entries (bench/serve.py copies this file into every source tree it
serves, so a baseline from an older commit is served the same way).

- `bench.wsgi_bench:app`: belegung, with `BENCH_EVENING=1` on a clock moved to this
  evening (20:00 in Dortmund, then ticking at the real pace);
- `bench.wsgi_bench:bare`: a bare Flask route answering any GET with the JSON body in the
  file `BENCH_BODY` (the body the availability route gave), read once at start.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, Response


def _evening_clock():  # type: ignore[no-untyped-def]
    zone = ZoneInfo("Europe/Berlin")
    started = datetime.now(UTC)
    local = started.astimezone(zone)
    evening = datetime.combine(local.date(), time(20, 0), zone).astimezone(UTC)
    offset: timedelta = evening - started

    def clock() -> datetime:
        return datetime.now(UTC) + offset

    return clock


def _belegung() -> Flask:
    from belegung import create_app

    application = create_app()
    if os.environ.get("BENCH_EVENING"):
        application.config["BELEGUNG_CLOCK"] = _evening_clock()
    return application


def _bare() -> Flask:
    application = Flask("bare")
    body = Path(os.environ.get("BENCH_BODY", "/dev/null")).read_bytes()

    @application.get("/", defaults={"path": ""})
    @application.get("/<path:path>")
    def answer(path: str) -> Response:
        return Response(body, mimetype="application/json")

    return application


if os.environ.get("BENCH_APP") == "bare":
    bare = _bare()
else:
    app = _belegung()
