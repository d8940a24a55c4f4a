"""API fixtures: the Dortmund preset, one caller per role with a real token, and a client
whose requests run in the test's rolled-back transaction at the test's clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from belegung.auth.models import Role
from belegung.auth.service import create_token, create_user
from belegung.context import ServiceContext
from belegung.facilities.models import Facility
from belegung.facilities.presets import seed
from belegung.facilities.service import get_facility
from tests.conftest import FakeClock


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
}


@pytest.fixture
def dortmund(ctx: ServiceContext) -> dict[str, Facility]:
    seed(ctx)
    return {
        slug: get_facility(ctx.session, slug)
        for slug in ("unionstrasse", "nortkirchenstrasse", "junge-erwachsene", "drogenhilfe", "wvp")
    }


@pytest.fixture
def callers(ctx: ServiceContext, dortmund: dict[str, Facility]) -> dict[str, Caller]:
    made = {}
    for key, (role, slugs) in CALLERS.items():
        user = create_user(
            ctx, key.replace("_", "-"), role, facilities=[dortmund[s] for s in slugs]
        )
        _, raw = create_token(ctx, user)
        made[key] = Caller(user.name, role, raw, user.id)
    ctx.session.flush()
    return made


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


@pytest.fixture
def api(
    app: Flask, session: Any, clock: FakeClock, callers: dict[str, Caller]
) -> Iterator[ApiClient]:
    app.config["BELEGUNG_CLOCK"] = clock
    try:
        yield ApiClient(app.test_client(), callers, session)
    finally:
        app.config.pop("BELEGUNG_CLOCK", None)


def check_in(
    api: ApiClient, facility: str = "unionstrasse", *, as_: str = "staff", **person: Any
) -> TestResponse:
    """POST /stays for a new person (a man, unless told otherwise)."""
    person = {"name": "Gast", "gender": "m", **person}
    return api.post("/stays", as_=as_, json={"facility": facility, "person": person})
