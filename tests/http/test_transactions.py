"""Every request runs in one unit of work — a page as much as an API route: its writes are
committed once when it succeeds, rolled back when it fails, and after-commit callbacks
run only after the commit. A page and an API route checking a guest in go through the
same operation, the same rule and the request's unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Blueprint, Flask, g, redirect
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from belegung.context import Actor, Role, ServiceContext
from belegung.facilities import operations as facilities
from belegung.facilities.models import Facility, Place
from belegung.http.context import service_ctx, set_actor
from belegung.persons.operations import NewPerson
from belegung.stays import operations as stays
from belegung.stays import service
from belegung.stays.models import Stay
from tests.apiclient import ApiClient, Caller
from tests.conftest import FakeClock, TestDatabase, make_app

pages = Blueprint("test_pages", __name__, url_prefix="/_test")
callbacks: list[str] = []


@pages.post("/facilities/<slug>")
def add_facility(slug: str) -> tuple[str, int]:
    """A page that writes, and fails after the write when the slug says so."""
    set_actor(Actor.system("test page"))
    ctx = service_ctx()
    facilities.create_facility(
        ctx, slug, {"name": slug, "kind": "night_shelter", "target_group": "any"}
    )
    ctx.uow.after_commit(lambda: callbacks.append(slug))
    if slug.startswith("broken"):
        raise RuntimeError("the page broke after its write")
    return "angelegt", 201


@pages.post("/facilities/<slug>/refused")
def add_facility_refused(slug: str) -> tuple[str, int]:
    """A page that writes and then answers with an error status (a form re-shown)."""
    set_actor(Actor.system("test page"))
    ctx = service_ctx()
    facilities.create_facility(
        ctx, slug, {"name": slug, "kind": "night_shelter", "target_group": "any"}
    )
    ctx.uow.after_commit(lambda: callbacks.append(slug))
    return "Bitte prüfen", 422


@pages.post("/check-in/<int:user_id>")
def check_in_page(user_id: int) -> Response:
    """The night board's check-in form, as thin as its API twin."""
    set_actor(Actor(user_id, "staff", Role.STAFF, frozenset(g.facility_ids)))
    stays.check_in(service_ctx(), stays.CheckIn("unionstrasse", NewPerson("Gast", gender="m")))
    return redirect("/_test/board", code=303)


@pytest.fixture
def page_app(database: TestDatabase, session: Session, clock: FakeClock) -> Iterator[Flask]:
    """An app with the test pages above; its requests run in the test's transaction."""
    from belegung.extensions import csrf

    app = make_app(database.url, BELEGUNG_CLOCK=clock)
    # These pages test the unit of work, not the forms: no CSRF token to send.
    csrf.exempt(pages)
    app.register_blueprint(pages)
    callbacks.clear()
    yield app
    with app.app_context():
        from belegung.extensions import db

        db.engine.dispose()


def facility_slugs(session: Session) -> list[str]:
    return list(session.scalars(sa.select(Facility.slug).order_by(Facility.slug)))


def test_a_page_that_writes_commits_and_then_runs_its_callbacks(
    page_app: Flask, session: Session
) -> None:
    response = page_app.test_client().post("/_test/facilities/neu")

    assert response.status_code == 201
    assert callbacks == ["neu"]
    session.rollback()  # only what was committed survives
    assert facility_slugs(session) == ["neu"]


def test_a_page_that_fails_rolls_back_and_runs_no_callback(
    page_app: Flask, session: Session
) -> None:
    response = page_app.test_client().post("/_test/facilities/broken")

    assert response.status_code == 500
    assert "Das hat nicht geklappt" in response.text
    assert callbacks == []
    assert facility_slugs(session) == []


def test_a_page_answering_an_error_status_rolls_back(page_app: Flask, session: Session) -> None:
    response = page_app.test_client().post("/_test/facilities/halb/refused")

    assert response.status_code == 422
    assert callbacks == []
    assert facility_slugs(session) == []


def test_a_page_and_the_api_check_in_through_the_same_rule_and_unit_of_work(
    page_app: Flask,
    session: Session,
    callers: dict[str, Caller],
    dortmund: dict[str, Facility],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[str, bool]] = []
    real_check_in = service.check_in

    def spy(ctx: ServiceContext, *args: Any, **kwargs: Any) -> Stay:
        # The rule runs in the request's own unit of work, begun and not yet committed.
        seen.append((ctx.actor.label, ctx.uow is g.uow and ctx.uow.active))
        stay = real_check_in(ctx, *args, **kwargs)
        ctx.uow.after_commit(lambda: callbacks.append(f"stay {stay.id}"))
        return stay

    monkeypatch.setattr(service, "check_in", spy)
    staff = callers["staff"]
    union = dortmund["unionstrasse"].id
    session.commit()

    @page_app.before_request
    def facilities_of_the_staff() -> None:
        g.facility_ids = {union}

    by_page = page_app.test_client().post(f"/_test/check-in/{staff.user_id}")
    by_api = ApiClient(page_app.test_client(), callers, session).post(
        "/stays",
        as_="staff",
        json={"facility": "unionstrasse", "person": {"name": "Gast", "gender": "m"}},
    )

    assert by_page.status_code == 303
    assert by_api.status_code == 201, by_api.json
    assert seen == [("staff", True), ("staff", True)]
    session.rollback()
    taken = session.scalars(sa.select(Stay.id).join(Place).order_by(Stay.id)).all()
    assert callbacks == [f"stay {stay_id}" for stay_id in taken]
    assert len(taken) == 2
