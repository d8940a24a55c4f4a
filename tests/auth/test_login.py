"""Logging in to the pages: Argon2 hashes (older werkzeug hashes replaced at the next
login), failed attempts limited per account and per address, a session that lasts one
night shift and ends with a new password, each role's start page, the security headers,
and the API left to its bearer tokens (no CSRF there)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from belegung.auth.models import User
from belegung.auth.service import (
    create_user,
    first_start_users,
    one_time_password,
    set_password,
)
from belegung.context import Role, ServiceContext
from belegung.facilities.models import Facility
from tests.apiclient import Caller
from tests.conftest import FakeClock
from tests.pageclient import PageClient

PASSWORD = "ein langes Passwort"


@pytest.fixture
def staff_user(session: Session, callers: dict[str, Caller]) -> User:
    user = session.get(User, callers["staff"].user_id)
    assert user is not None
    set_password(user, PASSWORD)
    session.flush()
    return user


def log_in(pages: PageClient, name: str, password: str, next_: str = "") -> object:
    page = pages.as_(None).get("/login" + next_)
    return pages.submit(page, {"name": name, "password": password}, path="/login" + next_)


def test_a_user_logs_in_and_lands_on_their_start_page(pages: PageClient, staff_user: User) -> None:
    done = log_in(pages, "staff", PASSWORD)

    assert done.status_code == 303  # type: ignore[attr-defined]
    assert pages.get("/").location == "/nacht"
    assert pages.get("/nacht/unionstrasse").status_code == 200
    cookie = done.headers["Set-Cookie"]  # type: ignore[attr-defined]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # served over http (a first start on 127.0.0.1)


def test_the_session_cookie_is_secure_over_https(pages: PageClient, staff_user: User) -> None:
    page = pages.client.get("/login", base_url="https://localhost")
    token = pages.form(page)["fields"]["csrf_token"]
    done = pages.client.post(
        "/login",
        base_url="https://localhost",
        data={"csrf_token": token, "name": "staff", "password": PASSWORD},
        headers={"Referer": "https://localhost/login"},
    )

    assert done.status_code == 303
    assert "Secure" in done.headers["Set-Cookie"]
    assert done.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_wrong_password_is_refused_in_german(pages: PageClient, staff_user: User) -> None:
    refused = log_in(pages, "staff", "falsch-falsch")

    assert refused.status_code == 401  # type: ignore[attr-defined]
    assert "Benutzername oder Passwort stimmt nicht." in refused.text  # type: ignore[attr-defined]
    assert pages.get("/nacht").status_code == 302


def test_a_login_without_the_csrf_token_is_refused(pages: PageClient, staff_user: User) -> None:
    refused = pages.as_(None).post("/login", {"name": "staff", "password": PASSWORD})

    assert refused.status_code == 400
    assert pages.get("/nacht").status_code == 302


def test_a_werkzeug_hash_is_replaced_by_argon2_at_the_next_login(
    pages: PageClient, staff_user: User, session: Session
) -> None:
    staff_user.password_hash = generate_password_hash(PASSWORD)
    session.flush()

    assert log_in(pages, "staff", PASSWORD).status_code == 303  # type: ignore[attr-defined]

    stored = session.scalar(sa.select(User.password_hash).where(User.id == staff_user.id))
    assert stored is not None
    assert stored.startswith("$argon2id$")


def test_failed_logins_are_limited_per_account(pages: PageClient, staff_user: User) -> None:
    for _ in range(5):
        assert log_in(pages, "staff", "falsch-falsch").status_code == 401  # type: ignore[attr-defined]

    blocked = log_in(pages, "staff", PASSWORD)

    assert blocked.status_code == 429  # type: ignore[attr-defined]
    assert "Zu viele Anmeldeversuche" in blocked.text  # type: ignore[attr-defined]
    # Another account from the same address may still log in.
    assert log_in(pages, "unknown-user", "x").status_code == 401  # type: ignore[attr-defined]


def test_failed_logins_are_limited_per_address(pages: PageClient, staff_user: User) -> None:
    for i in range(30):
        assert log_in(pages, f"nobody-{i}", "falsch-falsch").status_code == 401  # type: ignore[attr-defined]

    assert log_in(pages, "staff", PASSWORD).status_code == 429  # type: ignore[attr-defined]


def test_a_session_lasts_one_night_shift(
    pages: PageClient, staff_user: User, clock: FakeClock
) -> None:
    log_in(pages, "staff", PASSWORD)
    clock.advance(hours=12, minutes=50)
    assert pages.get("/nacht/unionstrasse").status_code == 200

    clock.advance(minutes=20)

    assert pages.get("/nacht/unionstrasse").status_code == 302


def test_a_new_password_ends_the_old_sessions(
    pages: PageClient, staff_user: User, session: Session
) -> None:
    log_in(pages, "staff", PASSWORD)
    user = session.get(User, staff_user.id)
    assert user is not None
    set_password(user, "ein ganz neues Passwort")
    session.flush()

    assert pages.get("/nacht/unionstrasse").status_code == 302


def test_a_deactivated_user_is_signed_out(
    pages: PageClient, staff_user: User, session: Session
) -> None:
    log_in(pages, "staff", PASSWORD)
    user = session.get(User, staff_user.id)
    assert user is not None
    user.active = False
    session.flush()

    assert pages.get("/nacht/unionstrasse").status_code == 302


def test_the_login_returns_to_the_page_asked_for_but_never_off_site(
    pages: PageClient, staff_user: User
) -> None:
    asked = pages.as_(None).get("/nacht/unionstrasse/evakuierung")
    assert asked.location == "/login?next=/nacht/unionstrasse/evakuierung"
    done = log_in(pages, "staff", PASSWORD, "?next=/nacht/unionstrasse/evakuierung")
    assert done.location == "/nacht/unionstrasse/evakuierung"  # type: ignore[attr-defined]

    off_site = log_in(pages, "staff", PASSWORD, "?next=//evil.example/")
    assert off_site.location == "/"  # type: ignore[attr-defined]


def test_logging_out_ends_the_session(pages: PageClient, staff_user: User) -> None:
    log_in(pages, "staff", PASSWORD)
    board = pages.get("/nacht/unionstrasse")

    out = pages.submit(board, action="/logout")

    assert out.status_code == 303
    assert pages.get("/nacht/unionstrasse").status_code == 302


@pytest.mark.parametrize(
    ("who", "start"),
    [
        ("staff", "/nacht"),
        ("outreach", "/unterwegs"),
        ("manager", "/leitung"),
        ("admin", "/admin"),
        (None, "/login"),
    ],
)
def test_each_role_has_its_own_start_page(
    pages: PageClient, dortmund: dict[str, Facility], who: str | None, start: str
) -> None:
    assert pages.as_(who).get("/").location == start


def test_every_page_sends_the_security_headers(pages: PageClient) -> None:
    page = pages.as_(None).get("/login")

    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp
    assert "style-src 'self';" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert 'style="' not in page.text
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)  # no inline script


def test_the_api_takes_bearer_tokens_without_csrf(
    pages: PageClient, dortmund: dict[str, Facility], callers: dict[str, Caller]
) -> None:
    answer = pages.client.post(
        "/api/v1/stays",
        json={"facility": "unionstrasse", "person": {"name": "Über die API", "gender": "m"}},
        headers=callers["staff"].headers,
    )

    assert answer.status_code == 201


def test_the_api_ignores_a_login_session(pages: PageClient, staff_user: User) -> None:
    log_in(pages, "staff", PASSWORD)

    assert pages.get("/api/v1/availability").status_code == 401


def test_the_first_start_creates_users_with_one_time_passwords(
    ctx: ServiceContext, dortmund: dict[str, Facility], session: Session
) -> None:
    created = first_start_users(ctx, demo=True)

    assert [(u.name, u.role.value) for u, _ in created] == [
        ("admin", "admin"),
        ("nachtdienst", "staff"),
        ("waermebus", "outreach"),
        ("leitung", "manager"),
        ("wohnraum", "housing"),
    ]
    passwords = [p for _, p in created]
    assert len(set(passwords)) == 5
    assert all(re.fullmatch(r"([a-z2-9]{4}-){3}[a-z2-9]{4}", p) for p in passwords)
    assert created[1][0].facilities == [dortmund["unionstrasse"]]
    assert first_start_users(ctx, demo=True) == []  # only on a database without users


def test_the_first_start_without_demo_creates_only_the_admin(
    ctx: ServiceContext, dortmund: dict[str, Facility]
) -> None:
    assert [u.name for u, _ in first_start_users(ctx, demo=False)] == ["admin"]
    assert one_time_password() != one_time_password()


def test_the_first_start_counts_only_users_who_can_log_in(
    ctx: ServiceContext, dortmund: dict[str, Facility]
) -> None:
    """A crew phone's device user (no web password, made with the demo's SMS recipients)
    must not keep the first start from creating someone who can log in."""
    create_user(ctx, "sms-4915228817386", Role.OUTREACH)

    assert [u.name for u, _ in first_start_users(ctx, demo=False)] == ["admin"]
