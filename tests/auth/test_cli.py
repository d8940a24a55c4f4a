"""`users create`, `tokens create|list|revoke`: the token is printed once and works."""

from __future__ import annotations

import sqlalchemy as sa
from click.testing import Result
from flask import Flask
from sqlalchemy.orm import Session

from belegung.auth.models import ApiToken, Role, User
from belegung.auth.service import check_password
from belegung.context import ServiceContext
from belegung.facilities.presets import seed


def run(app: Flask, *args: str, input: str | None = None) -> Result:
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_users_create_with_role_facilities_and_a_password_from_stdin(
    app: Flask, session: Session, ctx: ServiceContext
) -> None:
    seed(ctx)
    result = run(
        app, "users", "create", "nacht-union", "--role", "staff",
        "--facility", "unionstrasse", "--facility", "drogenhilfe",
        "--password-stdin", input="ein langes Passwort\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "nacht-union" in result.output
    user = session.scalars(sa.select(User).where(User.name == "nacht-union")).one()
    assert user.role == Role.STAFF
    assert sorted(f.slug for f in user.facilities) == ["drogenhilfe", "unionstrasse"]
    assert user.password_hash is not None
    assert user.password_hash.startswith("$argon2id$")
    assert check_password(user, "ein langes Passwort")
    assert "ein langes Passwort" not in result.output


def test_users_create_refuses_bad_input_with_a_message(
    app: Flask, session: Session, ctx: ServiceContext
) -> None:
    seed(ctx)
    cases = [
        (["users", "create", "x y", "--role", "admin"], "name"),
        # `$` in a pattern also matches before a final newline; the name is matched whole.
        (["users", "create", "nacht\n", "--role", "admin"], "name"),
        (["users", "create", "nacht", "--role", "staff"], "Einrichtung"),
        (
            ["users", "create", "nacht", "--role", "staff", "--facility", "nirgends"],
            "nicht gefunden",
        ),
        (["users", "create", "kurz", "--role", "admin", "--password-stdin"], "mindestens 10"),
    ]
    for args, message in cases:
        result = run(app, *args, input="zu kurz\n")
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output, (args, result.output)
    assert run(app, "users", "create", "x", "--role", "boss").exit_code == 2
    assert run(app, "users", "create", "leitung", "--role", "manager").exit_code == 0
    again = run(app, "users", "create", "leitung", "--role", "manager")
    assert again.exit_code == 1
    assert "vergeben" in again.output


def test_tokens_create_prints_a_working_token_on_its_last_line(
    app: Flask, session: Session
) -> None:
    assert run(app, "users", "create", "bus-1", "--role", "outreach").exit_code == 0
    result = run(app, "tokens", "create", "bus-1", "--label", "Wärmebus Handy 1")
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("blg_")
    session.commit()

    client = app.test_client()
    ok = client.get("/api/v1/winter-emergency", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200

    listed = run(app, "tokens", "list")
    assert listed.exit_code == 0
    assert "Wärmebus Handy 1" in listed.output
    assert token not in listed.output
    assert token[:12] + "…" in listed.output

    token_id = session.scalars(sa.select(ApiToken.id)).one()
    revoked = run(app, "tokens", "revoke", str(token_id))
    assert revoked.exit_code == 0
    session.commit()
    refused = client.get("/api/v1/winter-emergency", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    assert run(app, "tokens", "revoke", str(token_id)).exit_code == 1
    assert run(app, "tokens", "create", "niemand").exit_code == 1


def test_users_list_shows_roles_and_facilities(
    app: Flask, session: Session, ctx: ServiceContext
) -> None:
    seed(ctx)
    run(
        app,
        "users",
        "create",
        "nacht-frauen",
        "--role",
        "staff",
        "--facility",
        "nortkirchenstrasse",
    )
    listed = run(app, "users", "list")
    assert listed.exit_code == 0
    line = next(row for row in listed.output.splitlines() if row.startswith("nacht-frauen"))
    assert "staff" in line
    assert "nortkirchenstrasse" in line


def test_tokens_revoke_takes_only_ids_the_database_can_hold(app: Flask, session: Session) -> None:
    # 99999999999 once reached PostgreSQL and ended in a DataError traceback.
    for token_id in ("99999999999", "2147483648", "0", "-1"):
        result = run(app, "tokens", "revoke", "--", token_id)
        assert result.exit_code == 2, (token_id, result.output, result.exception)
        assert "2147483647" in result.output
    largest = run(app, "tokens", "revoke", "2147483647")
    assert largest.exit_code == 1
    assert "Token nicht gefunden." in largest.output


def test_names_labels_and_slugs_with_forbidden_characters_are_refused(
    app: Flask, session: Session, ctx: ServiceContext
) -> None:
    seed(ctx)
    assert run(app, "users", "create", "bus-2", "--role", "outreach").exit_code == 0
    # "\udcff" is how Python hands over an argument byte that is not UTF-8 (0xff).
    cases = [
        ["users", "create", "bus\udcff", "--role", "outreach"],
        ["users", "create", "nacht", "--role", "staff", "--facility", "union\x00strasse"],
        ["tokens", "create", "bus\x00"],
        ["tokens", "create", "bus-2", "--label", "Handy \u202e1"],
        ["tokens", "create", "bus-2", "--label", "Handy \udcff"],
        ["tokens", "list", "--user", "bus\x1b"],
    ]
    for args in cases:
        result = run(app, *args)
        assert result.exit_code == 2, (args, result.output, result.exception)
        assert "Unzulässiges Zeichen U+" in result.output, args
    assert session.scalars(sa.select(ApiToken)).all() == []


def test_a_password_that_is_not_utf8_is_refused_with_a_message(
    app: Flask, session: Session
) -> None:
    result = app.test_cli_runner().invoke(
        args=["users", "create", "leitung", "--role", "manager", "--password-stdin"],
        input=b"ein langes Passwort \xff\n",
    )
    assert result.exit_code == 1, (result.output, result.exception)
    assert "Das Passwort ist kein gültiger UTF-8-Text." in result.output
    assert session.scalars(sa.select(User)).all() == []
