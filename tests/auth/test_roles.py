"""The role matrix: every caller against every API route.

The table is DESIGN.md's Roles section as belegung/auth/permissions.py implements it:

- staff: stays, holds, turn-aways and bans in their own shelter; persons; read
  availability, facilities and the winter state. "staff" works in unionstrasse, where
  every object below lives; "staff_women" is staff of another shelter.
- outreach: availability, facilities, winter state; create, see and cancel their own holds.
- manager: read everything; ban overrides and lifting bans; the winter switch; reports,
  the federal statistic, the audit log, a person's export and erasure; alert rules, SMS
  recipients and the outbox.
- housing: the housing programme (apartments, households, placements, its figures);
  availability, facilities and the winter state. Managers and admins may do the same.
- admin: everything.

A denied call is 403 `forbidden`, except a record of another shelter (or another crew's
hold) for a role that may otherwise use the route: that is 404 `not_found`, exactly as
a record that does not exist (`hidden`). An allowed one is neither 401 nor 403 (a 404, 409 or
422 from the domain is fine). Without a token every route is 401. A route missing from
the table fails `test_the_matrix_covers_exactly_the_api_routes`.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from belegung.context import ServiceContext
from belegung.facilities.service import get_facility
from belegung.housing.service import ApartmentFields, create_apartment
from belegung.http.paths import DOCS_PATH, PREFIX, SPEC_PATH
from tests.apiclient import ApiClient, ban, check_in, new_person

ROLES = ("admin", "manager", "staff", "staff_women", "outreach", "housing")


class Rights(NamedTuple):
    allowed: frozenset[str]
    body: dict[str, Any] | None = None
    query: dict[str, str] | None = None
    # Roles to whom the record is as good as missing (404): staff of another shelter.
    hidden: frozenset[str] = frozenset()


def who(*roles: str) -> frozenset[str]:
    return frozenset(roles)


EVERYONE = who(*ROLES)
ADMIN = who("admin")
LEADS = who("admin", "manager")
# Lists of facility records: staff see their own shelter's, managers and admins all.
RECORD_READERS = who("admin", "manager", "staff", "staff_women")
# One record of unionstrasse: read, and write.
HERE_READ = who("admin", "manager", "staff")
HERE_WRITE = who("admin", "staff")
ELSEWHERE = who("staff_women")
# The housing programme: housing officers, managers, admins.
HOUSING = who("admin", "manager", "housing")

GUEST = {"name": "Gast", "gender": "m"}

# (method, rule under /api/v1) → who may, and a minimal valid request. In rules and
# bodies, "<…>" stands for an object of the `objects` fixture.
MATRIX: dict[tuple[str, str], Rights] = {
    ("GET", "/availability"): Rights(EVERYONE),
    ("GET", "/facilities"): Rights(EVERYONE),
    ("POST", "/facilities"): Rights(
        ADMIN, {"slug": "neu", "name": "Neu", "kind": "night_shelter", "target_group": "any"}
    ),
    ("GET", "/facilities/<slug>"): Rights(EVERYONE),
    ("PATCH", "/facilities/<slug>"): Rights(ADMIN, {"address": "Unionstraße 35"}),
    ("GET", "/facilities/<slug>/places"): Rights(EVERYONE),
    ("POST", "/facilities/<slug>/places"): Rights(ADMIN, {"label": "71"}),
    ("GET", "/out-of-service"): Rights(EVERYONE),
    ("POST", "/out-of-service"): Rights(
        ADMIN, {"facility": "unionstrasse", "place": "70", "reason": "Wasserschaden"}
    ),
    ("POST", "/out-of-service/<id:period_id>/end"): Rights(ADMIN, {}),
    ("GET", "/stays"): Rights(RECORD_READERS),
    ("POST", "/stays"): Rights(HERE_WRITE, {"facility": "unionstrasse", "person": GUEST}),
    ("GET", "/stays/<id:stay_id>"): Rights(HERE_READ, hidden=ELSEWHERE),
    ("POST", "/stays/<id:stay_id>/extend"): Rights(HERE_WRITE, {}, hidden=ELSEWHERE),
    ("POST", "/stays/<id:stay_id>/checkout"): Rights(HERE_WRITE, hidden=ELSEWHERE),
    ("GET", "/holds"): Rights(EVERYONE - {"housing"}),  # outreach: their own
    ("POST", "/holds"): Rights(HERE_WRITE | {"outreach"}, {"facility": "unionstrasse"}),
    # Made by outreach.
    ("GET", "/holds/<id:hold_id>"): Rights(HERE_READ | {"outreach"}, hidden=ELSEWHERE),
    ("POST", "/holds/<id:hold_id>/convert"): Rights(
        HERE_WRITE, {"person": GUEST}, hidden=ELSEWHERE
    ),
    ("DELETE", "/holds/<id:hold_id>"): Rights(HERE_WRITE | {"outreach"}, hidden=ELSEWHERE),
    ("GET", "/turnaways"): Rights(RECORD_READERS),
    ("POST", "/turnaways"): Rights(HERE_WRITE, {"facility": "unionstrasse", "reason": "full"}),
    ("GET", "/bans"): Rights(RECORD_READERS),
    ("POST", "/bans"): Rights(
        HERE_WRITE,
        {"facility": "unionstrasse", "person": "<person_id>", "kind": "conduct", "reason": "x"},
    ),
    # A `conduct` ban (the fixture's); a `danger` ban only managers lift.
    ("POST", "/bans/<id:ban_id>/lift"): Rights(
        HERE_WRITE | {"manager"}, {"reason": "Aussprache"}, hidden=ELSEWHERE
    ),
    ("POST", "/bans/<id:ban_id>/override"): Rights(LEADS, {"reason": "minus 12 Grad"}),
    ("GET", "/persons"): Rights(RECORD_READERS, query={"q": "Gast"}),
    ("POST", "/persons/search"): Rights(RECORD_READERS, {"q": "Gast"}),
    ("POST", "/persons"): Rights(who("admin", "staff", "staff_women"), {"name": "Gast"}),
    ("GET", "/persons/<id:person_id>"): Rights(RECORD_READERS),
    ("PATCH", "/persons/<id:person_id>"): Rights(
        who("admin", "staff", "staff_women"), {"household_size": 2}
    ),  # staff_women: 404, the person is not theirs
    ("GET", "/persons/<id:person_id>/export"): Rights(LEADS),
    ("POST", "/persons/<id:person_id>/erase"): Rights(LEADS, {"reason": "Antrag"}),
    ("GET", "/audit"): Rights(LEADS),
    ("GET", "/reports/monthly"): Rights(LEADS, query={"month": "2026-01"}),
    ("GET", "/reports/federal-statistic"): Rights(LEADS),
    ("GET", "/winter-emergency"): Rights(EVERYONE),
    ("PUT", "/winter-emergency"): Rights(LEADS, {"active": True, "reason": "Frost"}),
    ("POST", "/winter-emergency/release"): Rights(LEADS, {}),
    ("GET", "/winter-emergency/history"): Rights(EVERYONE),
    ("GET", "/alert-rules"): Rights(LEADS),
    ("POST", "/alert-rules"): Rights(
        LEADS, {"facility": "unionstrasse", "metric": "free", "threshold": 3}
    ),
    ("GET", "/alert-rules/<id:rule_id>"): Rights(LEADS),
    ("PATCH", "/alert-rules/<id:rule_id>"): Rights(LEADS, {"threshold": 85}),
    ("DELETE", "/alert-rules/<id:rule_id>"): Rights(LEADS),
    ("GET", "/recipients"): Rights(LEADS),
    ("POST", "/recipients"): Rights(
        LEADS, {"name": "Leitung", "phone": "0152 28895456", "role": "manager"}
    ),
    ("GET", "/recipients/<id:recipient_id>"): Rights(LEADS),
    ("PATCH", "/recipients/<id:recipient_id>"): Rights(LEADS, {"name": "Wärmebus 2"}),
    ("DELETE", "/recipients/<id:recipient_id>"): Rights(LEADS),
    ("GET", "/outbox"): Rights(LEADS),
    ("GET", "/housing/apartments"): Rights(HOUSING),
    ("GET", "/housing/apartments/<id:apartment_id>"): Rights(HOUSING),
    # Without a file: 422 for those who may, 403 for the others.
    ("POST", "/housing/apartments/import"): Rights(HOUSING, {}),
    ("POST", "/housing/apartments/<id:apartment_id>/block"): Rights(
        HOUSING, {"reason": "Schimmel"}
    ),
    ("POST", "/housing/apartments/<id:apartment_id>/unblock"): Rights(HOUSING, {}),
    ("GET", "/housing/vacancies"): Rights(HOUSING, query={"size": "2"}),
    ("POST", "/housing/households"): Rights(
        HOUSING, {"type": "single", "members": [{"name": "Gast"}]}
    ),
    ("GET", "/housing/households/<id:household_id>"): Rights(HOUSING),
    ("POST", "/housing/households/<id:household_id>/members"): Rights(
        HOUSING, {"person": {"name": "Kind"}}
    ),
    ("POST", "/housing/households/<id:household_id>/members/<id:person_id>/leave"): Rights(
        HOUSING, {}
    ),
    ("POST", "/housing/placements"): Rights(
        HOUSING, {"household": "<household_id>", "apartment": "<apartment_id>"}
    ),
    ("GET", "/housing/placements/<id:placement_id>"): Rights(HOUSING),
    ("POST", "/housing/placements/<id:placement_id>/move-out"): Rights(
        HOUSING, {"date": "2026-01-20", "outcome": "own_tenancy"}
    ),
    ("POST", "/housing/placements/<id:placement_id>/move"): Rights(
        HOUSING, {"apartment": "<apartment_id>"}
    ),
    ("GET", "/housing/figures"): Rights(HOUSING),
}

PLACEHOLDER = re.compile(r"<(?:\w+:)?(\w+)>")


@pytest.fixture
def objects(api: ApiClient, ctx: ServiceContext) -> dict[str, Any]:
    """One of each object at unionstrasse: a stay, a hold made by outreach, a banned
    person (not the one staying: extending the stay must not meet the ban), an
    out-of-service period."""
    person_id = new_person(api)
    banned = ban(api, person_id)
    stay = check_in(api)
    hold = api.post("/holds", as_="outreach", json={"facility": "unionstrasse"})
    period = api.post(
        "/out-of-service", json={"facility": "unionstrasse", "place": "69", "reason": "Reinigung"}
    )
    rule = api.post(
        "/alert-rules", json={"facility": "unionstrasse", "metric": "occupancy", "threshold": 90}
    )
    recipient = api.post(
        "/recipients", json={"name": "Wärmebus", "phone": "0172 9980752", "role": "crew"}
    )
    apartment = create_apartment(
        ctx,
        get_facility(ctx.session, "wvp"),
        ApartmentFields(number="R-1", address="Rollenweg 1"),
        3,
    )
    household = api.post(
        "/housing/households", json={"type": "couple", "members": [{"name": "A"}, {"name": "B"}]}
    )
    placement = api.post(
        "/housing/placements",
        json={"household": household.json["id"], "apartment": apartment.id},
    )
    created = (banned, stay, hold, period, rule, recipient, household, placement)
    assert [r.status_code for r in created] == [201] * 8, [r.json for r in created]
    return {
        "apartment_id": apartment.id,
        "household_id": household.json["id"],
        "placement_id": placement.json["id"],
        "slug": "unionstrasse",
        "person_id": person_id,
        "ban_id": banned.json["id"],
        "stay_id": stay.json["id"],
        "hold_id": hold.json["id"],
        "period_id": period.json["id"],
        "rule_id": rule.json["id"],
        "recipient_id": recipient.json["id"],
    }


def fill(template: Any, objects: dict[str, Any]) -> Any:
    """The rule or body with each "<…>" replaced by the object's id (or slug)."""
    if isinstance(template, dict):
        return {key: fill(value, objects) for key, value in template.items()}
    if isinstance(template, str):
        whole = PLACEHOLDER.fullmatch(template)
        if whole:
            return objects[whole.group(1)]
        return PLACEHOLDER.sub(lambda m: str(objects[m.group(1)]), template)
    return template


def api_routes(app: Flask) -> set[tuple[str, str]]:
    """Every (method, rule under /api/v1) the app serves, except the public documentation."""
    return {
        (method, rule.rule.removeprefix(PREFIX))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIX + "/")
        and rule.rule != SPEC_PATH
        and not rule.rule.startswith(DOCS_PATH)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_the_matrix_covers_exactly_the_api_routes(app: Flask) -> None:
    assert set(MATRIX) == api_routes(app)


def send(
    api: ApiClient, route: tuple[str, str], role: str | None, objects: dict[str, Any]
) -> TestResponse:
    """The route's minimal request, as `role` (None: without a token)."""
    method, rule = route
    rights = MATRIX[route]
    kwargs: dict[str, Any] = {"query_string": rights.query}
    if rights.body is not None:
        kwargs["json"] = fill(rights.body, objects)
    return api.request(method, fill(rule, objects), as_=role, **kwargs)


CASES = [(route, role) for route in MATRIX for role in ROLES]


@pytest.mark.parametrize(
    ("route", "role"),
    CASES,
    ids=[f"{method} {rule} as {role}" for (method, rule), role in CASES],
)
def test_each_role_may_use_exactly_its_routes(
    api: ApiClient, objects: dict[str, Any], route: tuple[str, str], role: str
) -> None:
    response = send(api, route, role, objects)

    if role in MATRIX[route].allowed:
        assert response.status_code not in (401, 403), response.json
        assert response.status_code < 500, response.json
    elif role in MATRIX[route].hidden:
        assert (response.status_code, response.json["code"]) == (404, "not_found")
    else:
        assert (response.status_code, response.json["code"]) == (403, "forbidden")


def test_every_route_needs_a_token(api: ApiClient, objects: dict[str, Any]) -> None:
    for route in MATRIX:
        response = send(api, route, None, objects)
        assert (response.status_code, response.json["code"]) == (401, "unauthorized"), route
