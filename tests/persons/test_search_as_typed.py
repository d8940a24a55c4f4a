"""Staff find a guest however they type the name: umlauts as the base letter or spelled
out, ß as ss, and names holding invisible characters by the plain name. Names are stored
without zero-width and direction marks; a name of only invisible characters is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from belegung.extensions import db
from belegung.persons.service import name_key
from tests.apiclient import ApiClient, assert_invalid, new_person
from tests.conftest import PG_URL, make_app
from tests.test_migrations import _fill_at_0002, _scratch_postgres


def found(api: ApiClient, q: str, as_: str = "staff") -> list[str]:
    response = api.get("/persons", as_=as_, query_string={"q": q})
    assert response.status_code == 200, response.json
    return sorted(p["name"] for p in response.json["items"])


@pytest.mark.parametrize("as_", ["staff", "manager"])
def test_umlauts_and_sharp_s_are_found_in_every_spelling(api: ApiClient, as_: str) -> None:
    for name in ("Thomas Müller", "Jürgen Straße", "Anna Mueller", "Olaf Muller"):
        new_person(api, name=name)
    millers = ["Anna Mueller", "Olaf Muller", "Thomas Müller"]

    assert found(api, "Muller", as_) == millers
    assert found(api, "Mueller", as_) == millers
    assert found(api, "Müller", as_) == millers
    assert found(api, "Strasse", as_) == ["Jürgen Straße"]
    assert found(api, "Straße", as_) == ["Jürgen Straße"]
    assert found(api, "Jurgen", as_) == ["Jürgen Straße"]
    assert found(api, "Juergen", as_) == ["Jürgen Straße"]
    assert found(api, "jürgen strasse", as_) == ["Jürgen Straße"]


def test_zero_width_and_direction_marks_are_removed_before_the_name_is_stored(
    api: ApiClient,
) -> None:
    marked = "\ufeffMül\u200bler\u200e Ah\u200dmed\u061c \u2060Ali\u200f"
    response = api.post("/persons", as_="staff", json={"name": marked})

    assert response.status_code == 201, response.json
    assert response.json["name"] == "Müller Ahmed Ali"
    changed = api.patch(f"/persons/{response.json['id']}", as_="staff", json={"name": "Ka\u200cya"})
    assert changed.json["name"] == "Kaya"


def test_a_name_with_an_invisible_character_is_found_by_the_plain_name(api: ApiClient) -> None:
    # A soft hyphen is kept in the name (it may be meant), but not in its search key.
    new_person(api, name="Mül\u00adler")
    new_person(api, name="Jür\u200bgen")

    assert found(api, "Müller") == ["Mül\u00adler"]
    assert found(api, "Jürgen") == ["Jürgen"]
    assert found(api, "Jur\u200bgen") == ["Jürgen"]


@pytest.mark.parametrize(
    "name",
    ["\u200b", "\u200b\u200c \ufeff", "\u3164\u3164", "\u2800", "\u00ad\u2061", "\u115f \u1160"],
)
def test_a_name_of_only_invisible_characters_is_refused(api: ApiClient, name: str) -> None:
    assert set(assert_invalid(api.post("/persons", as_="staff", json={"name": name}))) == {"name"}
    check_in = {"facility": "unionstrasse", "person": {"name": name, "gender": "m"}}
    assert "name" in str(assert_invalid(api.post("/stays", as_="staff", json=check_in)))


def test_a_search_for_only_invisible_characters_finds_nobody(api: ApiClient) -> None:
    new_person(api, name="Anna")
    assert found(api, "\u200b", as_="manager") == []


# --- 0009: existing keys are recomputed ---------------------------------------------------


def _recompute_with_data(url: str) -> None:
    app = make_app(url)
    old_key = "juergen mueller\u200b"
    with app.app_context():
        upgrade(revision="0002")
        with db.engine.begin() as conn:
            _fill_at_0002(conn)
        upgrade(revision="0006")
        with db.engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE persons SET name = :name, name_key = :key"),
                {"name": "Jürgen Müller\u200b", "key": old_key},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO persons (id, name, name_key, gender, nationality, "
                    "household_type, household_size, created_at) VALUES "
                    "(2, NULL, NULL, 'f', 'eu', 'single', 1, :now)"
                ),
                {"now": datetime(2026, 1, 15, tzinfo=UTC)},
            )

        upgrade(revision="0009")

        keys = lambda: dict(  # noqa: E731
            db.session.execute(sa.text("SELECT id, name_key FROM persons")).all()
        )
        assert keys() == {1: "jurgen muller", 2: None}
        assert name_key("Jürgen Müller\u200b") == "jurgen muller"
        db.session.remove()

        downgrade(revision="0006")

        assert keys() == {1: old_key, 2: None}
        db.session.remove()
        db.engine.dispose()


def test_0009_recomputes_the_search_keys_on_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _recompute_with_data(f"sqlite:///{tmp_path / 'keys.sqlite3'}")


@pytest.mark.skipif(PG_URL is None, reason="needs PostgreSQL (set BELEGUNG_TEST_DATABASE_URL)")
def test_0009_recomputes_the_search_keys_on_postgres() -> None:
    with _scratch_postgres() as url:
        _recompute_with_data(url)
