"""One crew's holds are counted under a lock: thirty simultaneous holds by one user give
exactly BELEGUNG_HOLDS_PER_USER (5) holds, not one more (PostgreSQL; SQLite lets one
writer in at a time anyway)."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.live import LiveApi, live  # noqa: F401 - the fixture

pytestmark = [pytest.mark.slow, pytest.mark.postgres_only]

SIMULTANEOUS = 30


def test_30_simultaneous_holds_by_one_crew_give_exactly_the_limit(live: LiveApi) -> None:  # noqa: F811
    hold = ("POST", "/holds", {"as_": "outreach", "json": {"facility": "unionstrasse"}})
    replies = live.at_once(*[hold] * SIMULTANEOUS)

    statuses = Counter(r.status for r in replies)
    assert statuses == {201: 5, 409: SIMULTANEOUS - 5}, [(r.status, r.body) for r in replies]
    assert {r.body["code"] for r in replies if r.status == 409} == {"hold_limit"}
    listed = live.get("/holds", as_="outreach", query_string={"page_size": 100})
    assert listed.body["total"] == 5
