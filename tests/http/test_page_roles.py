"""The role matrix of the pages: every page route of the app's URL map, opened by a user
of every role and by nobody signed in. A role a page is for gets it (200, or is sent on
to its own page, never to the login), every other role 403, and nobody signed in is
sent to the login.

Built from the URL map, so a page added later (the housing programme's) is covered as it
is registered: it must say for whom it is (`@page(roles…)` or `@public`), and a page for
every role must be named in EVERY_ROLE. Who may open the existing pages is spelled out
below (DESIGN.md's roles), so that a changed `@page(…)` is a failing test, not a silent
widening. Path arguments come from real records (a stay, a hold, a rule, …); one this test
does not know is tried with id 1 (and may then be 404, never 403)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from belegung.alerts.capacity import create_rule
from belegung.alerts.models import RuleMetric
from belegung.alerts.recipients import create_recipient
from belegung.auth.models import ApiToken, User
from belegung.auth.service import create_token, create_user
from belegung.context import Role, ServiceContext
from belegung.facilities.models import Facility, Place
from belegung.stays.bans import impose_ban
from belegung.stays.models import BanKind
from belegung.stays.out_of_service import take_out_of_service
from tests.apiclient import Caller
from tests.pageclient import PageClient, forms_of

# Operators' endpoints are not pages: /healthz and /readyz are open, /metrics takes a
# token or a network (tests/http/test_health.py).
NOT_PAGES = ("/api/", "/static/", "/sms/", "/healthz", "/readyz", "/metrics")
ADMIN = {Role.ADMIN}
MANAGERS = {Role.MANAGER, Role.ADMIN}
SHELTER = {Role.STAFF, Role.MANAGER, Role.ADMIN}
SHELTER_WRITERS = {Role.STAFF, Role.ADMIN}
CREWS = {Role.OUTREACH, Role.ADMIN}

# Who may open each page: by endpoint, or by blueprint ("alerts_pages.").
EXPECTED: dict[str, set[Role]] = {
    "auth.admin": ADMIN, "auth.users": ADMIN, "auth.new_user": ADMIN, "auth.edit_user": ADMIN,
    "auth.tokens": ADMIN, "auth.revoke_token": ADMIN,
    "facility_admin.": ADMIN,
    "alerts_pages.": MANAGERS, "winter_pages.": MANAGERS, "report_pages.": MANAGERS,
    "audit_pages.": MANAGERS, "dashboard.": MANAGERS, "bans.": MANAGERS,
    "person_pages.search": SHELTER, "person_pages.person": SHELTER,
    "person_pages.": MANAGERS,
    "board.index": SHELTER, "board.board": SHELTER, "board.stay": SHELTER,
    "board.hold": SHELTER, "board.evacuation": SHELTER,
    "board.": SHELTER_WRITERS,
    "crew.": CREWS,
}  # fmt: skip
# Pages for everyone, signed in or not.
PUBLIC = {"auth.start", "auth.login", "auth.logout", "public.free", "status.index"}
# Pages for every signed-in role (none yet): a page is for some roles, not all, unless
# named here.
EVERY_ROLE: set[str] = set()


def expected_roles(app: Flask, endpoint: str) -> set[Role] | None:
    """Who may open the page (None: everyone, signed in or not)."""
    if endpoint in PUBLIC:
        return None
    for key in (endpoint, endpoint.split(".")[0] + "."):
        if key in EXPECTED:
            return EXPECTED[key]
    declared = getattr(app.view_functions[endpoint], "page_roles", "missing")
    assert declared != "missing", f"{endpoint} says not for whom it is: @page(roles…)"
    assert declared is not None, f"{endpoint} is public: add it to PUBLIC"
    assert set(declared) != set(Role) or endpoint in EVERY_ROLE, (
        f"{endpoint} is for every role: name it in EVERY_ROLE if that is meant"
    )
    return set(declared)


def page_rules(app: Flask) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules()
         if not r.rule.startswith(NOT_PAGES) and r.endpoint != "static"),
        # The logout last: it ends the session the others are opened in.
        key=lambda r: (r.endpoint == "auth.logout", r.rule, r.endpoint),
    )  # fmt: skip


@dataclass
class Records:
    """A record of each kind a page's path names, and the caller of each role."""

    ids: dict[str, int]
    callers: dict[str, Caller]


@pytest.fixture
def records(ctx: ServiceContext, dortmund: dict[str, Facility], make_stay: Any,
            make_hold: Any, make_person: Any, session: Session) -> Records:  # fmt: skip
    union = dortmund["unionstrasse"]
    callers = {}
    for role in Role:
        facilities = [union] if role == Role.STAFF else []
        user = create_user(ctx, f"matrix-{role.value}", role, facilities=facilities)
        _, raw = create_token(ctx, user)
        callers[role.value] = Caller(user.name, role, raw, user.id)
    stay = make_stay(union)
    hold = make_hold(union, note="Matrix")
    place = session.scalar(
        sa.select(Place).where(Place.facility_id == union.id, Place.label == "70")
    )
    assert place is not None
    period = take_out_of_service(ctx, place, reason="Matrix")
    ban = impose_ban(ctx, make_person(), union, kind=BanKind.CONDUCT, reason="Matrix")
    rule = create_rule(ctx, metric=RuleMetric.FREE, threshold=0, facility=union)
    recipient = create_recipient(ctx, name="Matrix", phone="+4915123456789", role="manager")
    token_id = session.scalar(sa.select(sa.func.max(ApiToken.id)))
    user_id = session.scalar(sa.select(sa.func.max(User.id)))
    session.flush()
    ids = {
        "stay_id": stay.id, "hold_id": hold.id, "person_id": stay.person_id,
        "period_id": period.id, "ban_id": ban.id, "rule_id": rule.id,
        "recipient_id": recipient.id, "token_id": token_id or 1, "user_id": user_id or 1,
    }  # fmt: skip
    return Records(ids, callers)


def path_of(rule: Rule, records: Records) -> tuple[str, bool]:
    """The rule's path with sample arguments, and whether every argument is a known record."""
    known = True

    def value(match: re.Match[str]) -> str:
        nonlocal known
        converter, name = match.group(1) or "", match.group(2)
        if name == "slug":
            return "unionstrasse"
        if converter.startswith("any("):
            return converter[4:].split(",")[0].strip(" )'\"")
        if name in records.ids:
            return str(records.ids[name])
        known = False
        return "1"

    path = re.sub(r"<(?:([^:>]+):)?([^>]+)>", value, rule.rule)
    return path, known


@pytest.fixture
def client(
    app: Flask, session: Session, pages: PageClient, records: Records
) -> Iterator[PageClient]:
    pages.callers = records.callers
    return pages


def csrf_token(pages: PageClient, path: str) -> str:
    page = pages.get(path, follow_redirects=True)
    for form in forms_of(page.get_data(as_text=True)):
        if "csrf_token" in form["fields"]:
            return str(form["fields"]["csrf_token"])
    raise AssertionError(f"no form with a CSRF token on {path}")


def test_the_matrix_covers_every_page(app: Flask) -> None:
    rules = page_rules(app)
    assert len(rules) >= 60
    for rule in rules:
        expected_roles(app, rule.endpoint)  # fails for a page that says not for whom


@pytest.mark.parametrize("role", [*Role, None], ids=lambda r: r.value if r else "anonymous")
def test_each_role_opens_exactly_its_pages(
    app: Flask, client: PageClient, records: Records, role: Role | None
) -> None:
    client.as_(role.value if role else None)
    token = csrf_token(client, "/" if role else "/login")
    wrong = []
    for rule in page_rules(app):
        allowed = expected_roles(app, rule.endpoint)
        path, known = path_of(rule, records)
        if "GET" in (rule.methods or ()):
            answer = client.get(path)
        else:
            answer = client.post(path, {"csrf_token": token})
        status, location = answer.status_code, answer.headers.get("Location", "")
        if allowed is None:
            ok = status < 400
        elif role is None:
            ok = status == 302 and location.startswith("/login?next=")
        elif role not in allowed:
            ok = status == 403
        elif "GET" not in (rule.methods or ()):
            continue  # what a POST does is each page's own test
        else:
            # A page may send its user on (a staff user of one shelter: to its board).
            onwards = status in (302, 303) and not location.startswith("/login")
            ok = status == 200 or onwards or (not known and status == 404)
        if not ok:
            wrong.append(f"{rule.endpoint} {path}: {status} {location}")
    assert wrong == [], f"{role}: " + "; ".join(wrong)
