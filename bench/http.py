"""Availability over HTTP, side by side with a bare Flask route and with a baseline.

    python -m bench.http --database-url postgresql://postgres@127.0.0.1/belegung_bench \
        [--baseline main] [--seconds 10] [--connections 16]

The database must already hold a scale (`python -m bench.generate dortmund …`); the bench
adds one user and token per run and changes nothing else. For each source — the git ref
`--baseline` exported to a temporary directory (if given), then this checkout — it

- counts the SQL statements and transactions of each request in-process (Flask's test
  client on the same database, after warm-up);
- serves the app with gunicorn (`--workers 2 --threads 4`, gthread, no config file) and
  loads it with wrk (`-t2 -c16`, 10 s) on: tonight, a past night, a filtered query
  (target group, and kind), and a logged-in route that does almost nothing
  (`/api/v1/winter-emergency`); prints req/s, p50/p95/p99 and the workers' memory;

and last serves a bare Flask route answering with tonight's JSON body under the same
gunicorn settings: the ratio to it is the figure the targets name. Other work on the
machine moves absolute figures; compare the ratios within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import urllib.request
from collections import Counter
from pathlib import Path

from bench.serve import (
    Load,
    app_env,
    ensure_wrk,
    gunicorn,
    make_tokens,
    python_in,
    source_tree,
    wrk,
)

PATHS = {
    "tonight": "/api/v1/availability",
    "past night": "/api/v1/availability?night={past}",
    "filtered (target group)": "/api/v1/availability?target_group={group}",
    "filtered (kind)": "/api/v1/availability?kind=night_shelter",
    "winter emergency (logged-in, trivial)": "/api/v1/winter-emergency",
}

COUNT = """
import json, sys
from sqlalchemy import event
from belegung import create_app
from belegung.extensions import db
app = create_app()
paths = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
paths = PATHS
counts = {"statements": 0, "transactions": 0}
with app.app_context():
    engine = db.engine
event.listen(engine, "before_cursor_execute",
             lambda *a, **k: counts.__setitem__("statements", counts["statements"] + 1))
event.listen(engine, "begin",
             lambda *a, **k: counts.__setitem__("transactions", counts["transactions"] + 1))
client = app.test_client()
headers = {"Authorization": "Bearer " + TOKEN}
out = {}
for label, path in paths.items():
    for _ in range(3):
        assert client.get(path, headers=headers).status_code == 200, path
    counts.update(statements=0, transactions=0)
    for _ in range(10):
        client.get(path, headers=headers)
    out[label] = (counts["statements"] / 10, counts["transactions"] / 10, None)
# availability() itself, uncached (no HTTP): the median of 15 calls per query.
import statistics, time
from datetime import date, datetime, UTC
from urllib.parse import urlparse, parse_qs
from belegung.config import settings_of
from belegung.facilities.models import FacilityKind, TargetGroup
from belegung.stays.availability import availability
with app.app_context():
    calendar = settings_of(app).calendar
    now = datetime.now(UTC)
    for label, path in paths.items():
        if "availability" not in path:
            continue
        q = {k: v[0] for k, v in parse_qs(urlparse(path).query).items()}
        night = date.fromisoformat(q["night"]) if "night" in q else calendar.night_of(now)
        kw = {}
        if "target_group" in q:
            kw["target_group"] = TargetGroup(q["target_group"])
        if "kind" in q:
            kw["kind"] = FacilityKind(q["kind"])
        runs = []
        for i in range(18):
            t0 = time.perf_counter()
            availability(db.session, night, now.astimezone(calendar.timezone), **kw)
            runs.append((time.perf_counter() - t0) * 1000)
            db.session.rollback()
        out[label] = (out[label][0], out[label][1], statistics.median(runs[3:]))
print(json.dumps(out))
"""


class Writer:
    """With --writer: one client checking guests in and out at a shelter during the
    loads (the server runs on this evening's clock, so that a check-out frees the place)."""

    def __init__(self, base: str | None, token: str) -> None:
        self.base, self.token = base, token
        self.stop = threading.Event()
        self.codes: Counter[int] = Counter()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from bench.checkin import Client

        assert self.base is not None
        client = Client(self.base, self.token)
        i = 0
        while not self.stop.is_set():
            i += 1
            try:
                status, stay = client.post(
                    "/api/v1/stays",
                    {"facility": "unionstrasse", "person": {"name": f"Schreiber {i}"}},
                )
                self.codes[status] += 1
                if status == 201:
                    status, _ = client.post(f"/api/v1/stays/{stay['id']}/checkout")
                    self.codes[status] += 1
            except OSError:
                self.codes[0] += 1

    def summary(self) -> str:
        return ", ".join(
            f"{n} × {code or 'transport error'}" for code, n in sorted(self.codes.items())
        )

    def __enter__(self) -> Writer:
        if self.base:
            self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout=30)


def count_statements(source: Path, url: str, token: str, paths: dict[str, str]) -> dict:
    code = COUNT.replace("PATHS", repr(paths)).replace("TOKEN", repr(token))
    return dict(json.loads(python_in(source, code, app_env(url)).strip().splitlines()[-1]))


def measure(
    label: str, source: Path, args: argparse.Namespace, paths: dict[str, str]
) -> tuple[dict[str, Load], bytes]:
    print(f"\n== {label} ({source})", flush=True)
    token = make_tokens(source, args.database_url, ("outreach",))["outreach"]
    counts = count_statements(source, args.database_url, token, paths)
    loads: dict[str, Load] = {}
    env = {**app_env(args.database_url)}
    if args.writer:
        env["BENCH_EVENING"] = "1"
        admin = make_tokens(source, args.database_url, ("admin",))["admin"]
    with (
        gunicorn(source, "bench.wsgi_bench:app", env) as server,
        Writer(server.base if args.writer else None, admin if args.writer else "") as writer,
    ):
        request = urllib.request.Request(  # noqa: S310  (http://127.0.0.1 of our own)
            server.base + paths["tonight"], headers={"Authorization": f"Bearer {token}"}
        )
        body = urllib.request.urlopen(request).read()  # noqa: S310
        for name, path in paths.items():
            load = wrk(
                name,
                server.base + path,
                token=token,
                seconds=args.seconds,
                connections=args.connections,
            )
            loads[name] = load
            statements, transactions, uncached = counts[name]
            function = f", availability() uncached {uncached:.1f} ms" if uncached else ""
            print(
                f"{load.line(loads.get('tonight'), 'vs tonight')}"
                f"   [{statements:g} statements, {transactions:g} transactions per request"
                f"{function}]",
                flush=True,
            )
        if args.writer:
            print(f"the writer meanwhile: {writer.summary()}")
        rss = server.worker_rss_mb()
        print(f"worker memory after the loads: {', '.join(f'{r:.0f} MB' for r in rss)}")
    return loads, body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--baseline", help="a git ref to measure first (e.g. main)")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--past-night", default="2021-06-15")
    parser.add_argument("--target-group", default="women")
    parser.add_argument(
        "--writer", action="store_true", help="check guests in and out during the loads"
    )
    args = parser.parse_args(argv)
    ensure_wrk()
    paths = {
        name: path.format(past=args.past_night, group=args.target_group)
        for name, path in PATHS.items()
    }
    print(f"os.cpu_count() = {os.cpu_count()}; wrk -t2 -c{args.connections} -d{args.seconds}s")

    results: dict[str, dict[str, Load]] = {}
    body = b""
    if args.baseline:
        with source_tree(args.baseline) as source:
            results["baseline"], body = measure(f"baseline {args.baseline}", source, args, paths)
    with source_tree(None) as source:
        results["this checkout"], body = measure("this checkout", source, args, paths)

        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
            f.write(body)
        env = {"BENCH_APP": "bare", "BENCH_BODY": f.name}
        print(f"\n== bare Flask route, the same {len(body):,}-byte body", flush=True)
        with gunicorn(source, "bench.wsgi_bench:bare", env) as server:
            bare = wrk(
                "bare", server.base + "/", seconds=args.seconds, connections=args.connections
            )
            print(bare.line())
            print(f"worker memory: {', '.join(f'{r:.0f} MB' for r in server.worker_rss_mb())}")
        os.unlink(f.name)

    print("\n== ratios (req/s) in this run")
    for label, loads in results.items():
        for name, load in loads.items():
            line = f"{label:<14} {name:<40} {load.rps / bare.rps:5.3f}× bare"
            if label == "this checkout" and "baseline" in results:
                line += f"   {load.rps / results['baseline'][name].rps:5.2f}× baseline"
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
