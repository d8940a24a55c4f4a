"""Authentication by bearer tokens on every API route."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.auth.models import ApiToken
from belegung.auth.service import hash_token, revoke_token
from belegung.context import ServiceContext
from tests.apiclient import ApiClient, Caller
from tests.conftest import FakeClock


def test_no_token_is_401_with_a_bearer_challenge(api: ApiClient) -> None:
    response = api.get("/availability", as_=None)
    assert response.status_code == 401
    assert response.json == {
        "code": "unauthorized",
        "message": "Anmeldung erforderlich: ein gültiges Token fehlt.",
    }
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_or_malformed_token_is_401(api: ApiClient, callers: dict[str, Caller]) -> None:
    good = callers["admin"].token
    for header in (f"Bearer {good}x", f"Basic {good}", "Bearer", good, "Bearer blg_nope"):
        response = api.get("/availability", as_=None, headers={"Authorization": header})
        assert response.status_code == 401, header


def test_a_revoked_token_is_401(
    api: ApiClient, callers: dict[str, Caller], ctx: ServiceContext, session: Session
) -> None:
    token_id = session.scalar(
        sa.select(ApiToken.id).where(ApiToken.token_hash == hash_token(callers["staff"].token))
    )
    assert api.get("/availability", as_="staff").status_code == 200
    revoke_token(ctx, token_id)
    assert api.get("/availability", as_="staff").status_code == 401


def test_tokens_are_stored_only_as_hashes(callers: dict[str, Caller], session: Session) -> None:
    stored = session.scalars(sa.select(ApiToken)).all()
    raw = {c.token for c in callers.values()}
    assert len(stored) == len(raw)
    for token in stored:
        assert token.token_hash not in raw
        assert all(r not in (token.token_hash, token.name, token.prefix) for r in raw)
    assert {t.token_hash for t in stored} == {hash_token(r) for r in raw}


def test_last_use_is_noted_at_most_once_a_minute(
    api: ApiClient, callers: dict[str, Caller], session: Session, clock: FakeClock
) -> None:
    def last_used() -> object:
        return session.scalar(
            sa.select(ApiToken.last_used_at).where(
                ApiToken.token_hash == hash_token(callers["outreach"].token)
            )
        )

    assert last_used() is None
    api.get("/availability", as_="outreach")
    first = last_used()
    assert first == clock()
    clock.advance(seconds=30)
    api.get("/availability", as_="outreach")
    assert last_used() == first
    clock.advance(minutes=1)
    api.get("/availability", as_="outreach")
    assert last_used() == first + timedelta(seconds=90)


def test_openapi_and_docs_need_no_token(api: ApiClient) -> None:
    assert api.get("/openapi.json", as_=None).status_code == 200
    docs = api.get("/docs/", as_=None)
    assert docs.status_code == 200
    page = docs.get_data(as_text=True)
    assert "swagger-ui-bundle.js" in page
    assert "https://" not in page  # no CDN
    with api.get("/docs/swagger-ui-bundle.js", as_=None) as asset:
        assert asset.status_code == 200
        assert asset.content_type.startswith(("application/javascript", "text/javascript"))
