"""The shipped production set-up (gunicorn.conf.py) and the first-start server, as real
processes (issue 13, points 4 and 9): slow clients do not stall them, the metrics of
several workers add up, and the access log carries the request id but no query string.

The full 30-second run is `python -m bench.slow_clients` (figures in
docs/reliability.md); these are short versions of it.
"""

from __future__ import annotations

import http.client
import re
from pathlib import Path

import pytest

from bench.slow_clients import prepared_database, run, started

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def prepared(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, str], str]:
    folder = tmp_path_factory.mktemp("serving")
    env, token = prepared_database(folder)
    return folder, env, token


@pytest.mark.parametrize("kind", ["gunicorn", "first-start"])
def test_twenty_slow_clients_do_not_stall_the_server(
    prepared: tuple[Path, dict[str, str], str], kind: str
) -> None:
    folder, env, token = prepared
    with started(kind, folder, env) as (host, port):
        assert run(host, port, token, 6, kind), "a request took over 1 s with slow clients"


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def test_metrics_of_all_workers_add_up_and_the_access_log_has_no_query(
    prepared: tuple[Path, dict[str, str], str],
) -> None:
    folder, env, token = prepared
    auth = {"Authorization": f"Bearer {token}"}
    with started("gunicorn", folder, {**env, "BELEGUNG_WORKERS": "3"}) as (_host, port):
        for _ in range(30):
            assert _get(port, "/healthz")[0] == 200
        status, _ = _get(
            port, "/api/v1/persons?q=M%C3%BCller", {**auth, "X-Request-Id": "probe-1234-xyz"}
        )
        assert status == 200
        status, body = _get(port, "/metrics")
    assert status == 200
    counted = re.search(
        r'^belegung_http_requests_total\{method="GET",route="/healthz",status="200"\} (\S+)',
        body,
        re.M,
    )
    assert counted is not None, body
    # 30 probes, plus those `started` sent while waiting for the server: all workers' counts.
    assert float(counted.group(1)) >= 30, body
    assert re.search(r'^belegung_places_free\{facility="unionstrasse"', body, re.M), body
    log = (folder / "gunicorn.log").read_text()
    (line,) = [line for line in log.splitlines() if "probe-1234-xyz" in line and '"GET' in line]
    assert '"GET /api/v1/persons" 200' in line, line
    assert "Müller" not in log
    assert "M%C3%BCller" not in log
    # The app's own request line, one line, with the id.
    assert re.search(r"\[probe-1234-xyz\] request probe-1234-xyz GET /api/v1/persons 200", log), log
