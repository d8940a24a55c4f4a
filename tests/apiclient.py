"""Talking to the API in tests: a caller per role with a real token, a client whose
requests run in the test's rolled-back transaction at the test's clock, and the helpers
the API tests share (requests they make often, assertions on answers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from belegung.audit.models import AuditEntry
from belegung.auth.models import Role


@dataclass(frozen=True)
class Caller:
    name: str
    role: Role
    token: str
    user_id: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


# Who calls: one caller per role, and a second staff member in another shelter.
CALLERS: dict[str, tuple[Role, tuple[str, ...]]] = {
    "admin": (Role.ADMIN, ()),
    "manager": (Role.MANAGER, ()),
    "staff": (Role.STAFF, ("unionstrasse",)),
    "staff_women": (Role.STAFF, ("nortkirchenstrasse",)),
    "outreach": (Role.OUTREACH, ()),
    "housing": (Role.HOUSING, ()),
}


class ApiClient:
    """`api.post("/stays", as_="staff", json={...})` → the response (prefix added).

    Before each request the test's own writes are committed (into the test's outer,
    rolled-back transaction), as data set up by others would be in real life: a request
    that fails rolls back its own work only.
    """

    def __init__(self, client: FlaskClient, callers: dict[str, Caller], session: Session) -> None:
        self.client = client
        self.callers = callers
        self.session = session

    def request(
        self, method: str, path: str, *, as_: str | None = "admin", **kwargs: Any
    ) -> TestResponse:
        headers = dict(kwargs.pop("headers", {}))
        if as_ is not None:
            headers.update(self.callers[as_].headers)
        url = path if path.startswith("/api/") else f"/api/v1{path}"
        self.session.commit()
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("DELETE", path, **kwargs)


def check_in(
    api: ApiClient, facility: str = "unionstrasse", *, as_: str = "staff", **person: Any
) -> TestResponse:
    """POST /stays for a new person (a man, unless told otherwise)."""
    person = {"name": "Gast", "gender": "m", **person}
    return api.post("/stays", as_=as_, json={"facility": facility, "person": person})


TONIGHT = "2026-01-15"
TOMORROW = "2026-01-16"
YESTERDAY = "2026-01-14"
FACILITY_FIELDS = {
    "slug", "name", "kind", "target_group", "capacity", "emergency_capacity",
    "out_of_service", "occupied", "held", "free", "free_emergency",
}  # fmt: skip
COUNTS = FACILITY_FIELDS - {"slug", "name", "kind", "target_group"}
# A request names nights from 2000 to 2099 (the night after 9999-12-31 doesn't exist).
NIGHTS_OUT_OF_RANGE = ("1999-12-31", "2100-01-01", "9999-12-31")
PERSON_FIELDS = {
    "id", "name", "birth_year", "gender", "nationality", "citizenship", "household_type",
    "household_size",
}  # fmt: skip


def figures(api: ApiClient, slug: str, **query: str) -> dict[str, Any]:
    """One facility's row of GET /availability."""
    response = api.get("/availability", query_string=query)
    assert response.status_code == 200, response.json
    (row,) = [f for f in response.json["facilities"] if f["slug"] == slug]
    return row


def new_person(api: ApiClient, **fields: Any) -> int:
    response = api.post("/persons", as_="staff", json={"name": "Gast", "gender": "m", **fields})
    assert response.status_code == 201, response.json
    return int(response.json["id"])


def check_in_body(api: ApiClient, as_: str = "staff", **body: Any) -> TestResponse:
    """POST /stays with the given body (facility default unionstrasse)."""
    return api.post("/stays", as_=as_, json={"facility": "unionstrasse", **body})


def assert_invalid(response: TestResponse, location: str = "json") -> dict[str, Any]:
    """A 422 naming the bad fields; returns them."""
    assert response.status_code == 422, response.json
    assert response.json["code"] == "invalid"
    errors: dict[str, Any] = response.json["errors"][location]
    return errors


def assert_error(response: TestResponse, status: int, code: str) -> None:
    assert (response.status_code, response.json["code"]) == (status, code), response.json
    assert response.json["message"]


def audited(session: Session, action: str) -> list[AuditEntry]:
    """The audit log's entries of one action."""
    return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def item_ids(response: TestResponse) -> list[int]:
    """The ids on a page of a list (GET /stays, /holds, /bans, …)."""
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["items"]]


def ban(api: ApiClient, person_id: int, as_: str = "staff", **body: Any) -> TestResponse:
    """POST /bans: a `conduct` ban at unionstrasse from tonight (unless told otherwise)."""
    body = {"facility": "unionstrasse", "kind": "conduct", "reason": "Streit", **body}
    return api.post("/bans", as_=as_, json={"person": person_id, **body})


def hold(api: ApiClient, as_: str = "outreach", **body: Any) -> TestResponse:
    """POST /holds at unionstrasse (unless told otherwise)."""
    return api.post("/holds", as_=as_, json={"facility": "unionstrasse", **body})


def held(api: ApiClient, as_: str = "outreach", **body: Any) -> dict[str, Any]:
    response = hold(api, as_, **body)
    assert response.status_code == 201, response.json
    result: dict[str, Any] = response.json
    return result


def convert(api: ApiClient, hold_id: int, as_: str = "staff", **body: Any) -> TestResponse:
    body.setdefault("person", {"name": "Ankömmling", "gender": "m"})
    return api.post(f"/holds/{hold_id}/convert", as_=as_, json=body)
