"""The SQL statements a check-in, an extension and a check-out send over the API (issue 14:
every round trip costs the CPU that throughput is made of). Budgets per backend; the
statements of authentication and of the figures' version are left out (the HTTP layer's
and the cache's to count), as are savepoints (in tests each request's transaction is one).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from tests.apiclient import ApiClient

# Statements of the occupancy domain per request (and of the alerts' hook: one read of the
# rules the claim moved). Before issue 14 point 4 on PostgreSQL: 11, 15 and 8.
BUDGET = {
    "postgresql": {"check_in": 7, "extend": 7, "check_out": 4},
    "sqlite": {"check_in": 7, "extend": 6, "check_out": 4},
}
NOT_COUNTED = ("api_tokens", "figures_version", "pg_notify")


@pytest.fixture
def statements(app: Flask, session: Any) -> Iterator[list[str]]:
    seen: list[str] = []
    conn = session.connection()

    def keep(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(conn, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        event.remove(conn, "before_cursor_execute", keep)


def _counted(statements: list[str]) -> list[str]:
    return [
        s
        for s in statements
        if s.split()[0] in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")
        and not any(table in s for table in NOT_COUNTED)
    ]


def _loads(statements: list[str], table: str) -> list[str]:
    """Statements that read rows of `table` (lazy loads and look-ups), not merely ask about
    them in a subquery."""
    return [s for s in statements if s.startswith(f"SELECT {table}.")]


def test_check_in_extend_and_check_out_stay_within_their_statement_budgets(
    api: ApiClient, statements: list[str], make_person: Any, backend: str
) -> None:
    person_id = make_person("Budget Gast").id
    api.get("/availability")
    budget = BUDGET[backend]

    statements.clear()
    reply = api.post("/stays", json={"facility": "unionstrasse", "person": {"id": person_id}})
    assert reply.status_code == 201, reply.get_json()
    stay_id = reply.get_json()["id"]
    check_in = _counted(statements)
    assert len(check_in) <= budget["check_in"], check_in
    # The answer names facility, place and guest without reading them again.
    assert len(_loads(check_in, "places")) == 1, check_in

    statements.clear()
    reply = api.post(f"/stays/{stay_id}/extend", json={"nights": 1})
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json()["nights"] == 2
    extend = _counted(statements)
    assert len(extend) <= budget["extend"], extend

    statements.clear()
    reply = api.post(f"/stays/{stay_id}/checkout")
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json()["person"]["id"] == person_id
    check_out = _counted(statements)
    assert len(check_out) <= budget["check_out"], check_out

    for sent in (extend, check_out):
        # The stay is read once, locked, with its facility, place and guest joined in.
        reads = _loads(sent, "stays")
        assert len(reads) == 1, sent
        assert "JOIN facilities" in reads[0], reads
        assert "JOIN persons" in reads[0], reads
        if backend == "postgresql":
            assert reads[0].endswith("FOR UPDATE OF stays"), reads
        assert not _loads(sent, "facilities"), sent
        assert not _loads(sent, "persons"), sent
