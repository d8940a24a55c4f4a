"""No personal data in application logs: a full check-in of a new guest, a person search
(a found one and a refused one), a look-up refused as hidden, and an erasure, with every
logger at DEBUG, leave no name and no year of birth in any log record."""

from __future__ import annotations

import logging

import pytest

from tests.apiclient import ApiClient

NAME = "Zacharias Quellmann"
BIRTH_YEAR = 1937


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every logger at DEBUG, before the test's database connection opens: SQLAlchemy
    decides per connection whether to log its statements (parameters hidden)."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    return caplog


# A record's own bookkeeping (times, thread and process ids) holds numbers that may
# contain a year's digits by chance ("relativeCreated": 1964…); it holds no data.
BOOKKEEPING = {"created", "msecs", "relativeCreated", "thread", "process", "taskName"}


def readable(record: logging.LogRecord) -> str:
    """All a record carries that a log handler could write out."""
    fields = {k: v for k, v in record.__dict__.items() if k not in BOOKKEEPING}
    return f"{record.getMessage()} {record.args!r} {fields!r}"


def test_no_name_and_no_year_of_birth_reach_the_logs(
    debug_logs: pytest.LogCaptureFixture, api: ApiClient
) -> None:
    caplog = debug_logs

    stay = api.post(
        "/stays",
        as_="staff",
        json={
            "facility": "unionstrasse",
            "person": {"name": NAME, "birth_year": BIRTH_YEAR, "gender": "m", "citizenship": "DE"},
        },
    )
    person_id = stay.json["person"]["id"]
    found = api.get("/persons", as_="staff", query_string={"q": f"Quellmann {BIRTH_YEAR}"})
    refused = api.get("/persons", as_="staff", query_string={"q": "Qu"})
    hidden = api.get(f"/persons/{person_id}", as_="staff_women")
    api.post(f"/stays/{stay.json['id']}/checkout", as_="staff")
    erased = api.post(
        f"/persons/{person_id}/erase", as_="manager", json={"reason": "Antrag (Art. 17)"}
    )

    statuses = [r.status_code for r in (stay, found, refused, hidden, erased)]
    assert statuses == [201, 200, 422, 404, 409] or statuses == [201, 200, 422, 404, 200]
    assert caplog.records, "nothing was logged: the test would prove nothing"
    logged = "\n".join(f"{record.name} {readable(record)}" for record in caplog.records)
    leaks = [
        f"{record.name}: {record.getMessage()[:300]}"
        for record in caplog.records
        for word in ("Quellmann", "Zacharias", str(BIRTH_YEAR))
        if word in readable(record)
    ]
    assert leaks == []
    assert "Quellmann" not in logged
