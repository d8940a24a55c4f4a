"""The night board and its forms through the Flask test client (CSRF enabled): the board
in a fixed number of SQL statements, the three-step check-in, a conflict explained on the
same form with the next free bed, a double submit that makes one stay, a new guest,
extend, move, check out, turn-away, a hold's arrival, bans before check-in, the
evacuation list, and who may open what."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from belegung.context import ServiceContext
from belegung.facilities.models import Facility
from belegung.persons.models import Person
from belegung.stays.models import Stay, StayStatus, TurnAway
from tests.pageclient import PageClient

BOARD = "/nacht/unionstrasse"


@pytest.fixture
def guest(make_person) -> Person:  # type: ignore[no-untyped-def]
    return make_person("Heinz Wiederkehr", birth_year=1961)


def stays_of(session: Session, person: Person) -> list[Stay]:
    session.expire_all()
    return list(
        session.scalars(
            sa.select(Stay).where(Stay.person_id == person.id, Stay.status == StayStatus.CHECKED_IN)
        )
    )


@contextmanager
def counted_statements(session: Session) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = session.get_bind().engine

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_board_shows_every_bed_with_counts_and_the_time(
    pages: PageClient, dortmund: dict[str, Facility], make_stay, make_hold, guest: Person
) -> None:
    union = dortmund["unionstrasse"]
    stay = make_stay(union, guest, place_label="3")
    make_hold(union, note="Wärmebus: Mann, Hauptbahnhof", place_label="4")

    page = pages.as_("staff").get(BOARD)

    assert page.status_code == 200
    html = page.text
    assert "Männerübernachtungsstelle Unionstraße" in html
    assert "Stand 21:00 Uhr" in html
    assert html.count(" data-place=") == 70
    assert re.search(r'data-place="3" data-state="occupied"', html)
    assert "Heinz W." in html
    assert "Wärmebus: Mann, Hauptbahnhof" in html  # the incoming hold, with its note
    assert f"/nacht/unionstrasse/aufenthalt/{stay.id}" in html
    assert 'data-live-url="/nacht/unionstrasse"' in html
    assert page.headers["Cache-Control"] == "no-store"


def test_the_board_reads_in_the_same_number_of_statements_for_5_or_50_beds(
    pages: PageClient, session: Session, make_facility, make_stay, ctx: ServiceContext, callers
) -> None:
    from belegung.auth.models import User

    small, large = make_facility(places=5, emergency=1), make_facility(places=50, emergency=4)
    for facility in (small, large):
        for _ in range(3):
            make_stay(facility)
    staff = session.get(User, callers["staff"].user_id)
    assert staff is not None
    staff.facilities = [*staff.facilities, small, large]
    session.flush()
    pages.as_("staff")
    counts = []
    for facility in (small, large):
        pages.get(f"/nacht/{facility.slug}")  # warm-up: the first request loads the app
        with counted_statements(session) as seen:
            response = pages.get(f"/nacht/{facility.slug}")
        assert response.status_code == 200
        counts.append(len(seen))
    assert counts[0] == counts[1]
    assert counts[0] <= 8, counts


def test_a_returning_guest_is_checked_in_in_three_steps(
    pages: PageClient, dortmund: dict[str, Facility], guest: Person, session: Session
) -> None:
    pages.as_("staff")
    found = pages.get(f"{BOARD}/aufnahme?q=Wiederkehr+1961")  # 1: search
    assert found.status_code == 200
    link = re.search(rf'href="({BOARD}/aufnahme/{guest.id}[^"]*)"', found.text)
    assert link is not None
    confirm = pages.get(link.group(1))  # 2: pick
    assert "Aufnahme bestätigen" in confirm.text
    assert "Nächster freier Platz" in confirm.text or "Platz" in confirm.text
    done = pages.submit(confirm, path=link.group(1))  # 3: confirm

    assert done.status_code == 303
    assert done.location == BOARD
    (stay,) = stays_of(session, guest)
    assert stay.facility_id == dortmund["unionstrasse"].id
    board = pages.get(BOARD)
    assert "Heinz Wiederkehr ist aufgenommen" in board.text


def test_a_post_without_the_csrf_token_is_refused(
    pages: PageClient, dortmund: dict[str, Facility], guest: Person, session: Session
) -> None:
    pages.as_("staff")
    pages.get(f"{BOARD}/aufnahme?q=Wiederkehr")
    confirm = pages.get(f"{BOARD}/aufnahme/{guest.id}")
    fields = pages.form(confirm)["fields"]
    fields.pop("csrf_token")

    refused = pages.post(f"{BOARD}/aufnahme/{guest.id}", fields)

    assert refused.status_code == 400
    assert "Das Formular ist abgelaufen" in refused.text
    assert stays_of(session, guest) == []


def test_a_double_submit_makes_one_stay_and_answers_both_alike(
    pages: PageClient, dortmund: dict[str, Facility], guest: Person, session: Session
) -> None:
    pages.as_("staff")
    pages.get(f"{BOARD}/aufnahme?q=Wiederkehr")
    path = f"{BOARD}/aufnahme/{guest.id}"
    confirm = pages.get(path)

    first = pages.submit(confirm, path=path)
    second = pages.submit(confirm, path=path)  # the same form again: a double tap

    assert first.status_code == second.status_code == 303
    assert first.location == second.location
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert len(stays_of(session, guest)) == 1


def test_the_same_form_key_with_other_content_is_refused(
    pages: PageClient, dortmund: dict[str, Facility], guest: Person, session: Session
) -> None:
    pages.as_("staff")
    pages.get(f"{BOARD}/aufnahme?q=Wiederkehr")
    path = f"{BOARD}/aufnahme/{guest.id}"
    confirm = pages.get(path)
    assert pages.submit(confirm, path=path).status_code == 303

    changed = pages.submit(confirm, {"nights": "3"}, path=path)

    assert changed.status_code == 422
    assert "mit anderen Angaben" in changed.text
    (stay,) = stays_of(session, guest)
    assert stay.nights == 1


def test_a_bed_taken_meanwhile_is_explained_on_the_same_form_with_the_next_free_bed(
    pages: PageClient, dortmund: dict[str, Facility], guest: Person, make_stay, session: Session
) -> None:
    union = dortmund["unionstrasse"]
    pages.as_("staff")
    pages.get(f"{BOARD}/aufnahme?q=Wiederkehr")
    path = f"{BOARD}/aufnahme/{guest.id}?platz=5"
    confirm = pages.get(path)
    make_stay(union, place_label="5")  # another tablet was quicker

    refused = pages.submit(confirm, path=path)

    assert refused.status_code == 409
    assert "Aufnahme bestätigen" in refused.text  # the same page, not an error page
    assert "Platz 5 ist für diese Nacht bereits belegt oder reserviert." in refused.text
    assert "Nächster freier Platz: 1." in refused.text
    again = pages.submit(refused, path=path)
    assert again.status_code == 303
    (stay,) = stays_of(session, guest)
    assert stay.place.label == "1"


def test_a_new_guest_with_a_name_only(
    pages: PageClient, dortmund: dict[str, Facility], session: Session
) -> None:
    pages.as_("staff")
    form = pages.get(f"{BOARD}/neu")
    assert form.status_code == 200

    done = pages.submit(form, {"name": "Kalle", "gender": "m"}, path=f"{BOARD}/neu")

    assert done.status_code == 303
    person = session.scalar(sa.select(Person).where(Person.name == "Kalle"))
    assert person is not None
    assert len(stays_of(session, person)) == 1


def test_field_errors_are_german_and_next_to_the_field(
    pages: PageClient, dortmund: dict[str, Facility]
) -> None:
    pages.as_("staff")
    form = pages.get(f"{BOARD}/neu")

    refused = pages.submit(form, {"name": "", "birth_year": "neunzehnhundert"}, path=f"{BOARD}/neu")

    assert refused.status_code == 422
    assert 'id="name-error"' in refused.text
    assert "Bitte ausfüllen." in refused.text
    assert 'aria-describedby="name-error"' in refused.text
    assert 'id="birth_year-error"' in refused.text


def test_a_domain_refusal_reads_as_the_api_gives_it(
    pages: PageClient, dortmund: dict[str, Facility]
) -> None:
    pages.as_("staff_women")
    form = pages.get("/nacht/nortkirchenstrasse/neu")

    refused = pages.submit(
        form, {"name": "Kurt", "gender": "m"}, path="/nacht/nortkirchenstrasse/neu"
    )

    assert refused.status_code == 422
    assert "Frauenübernachtungsstelle Nortkirchenstraße ist nicht für diese Person vorgesehen" in (
        refused.text
    )


def test_a_past_night_is_recorded_within_the_backfill(
    pages: PageClient, dortmund: dict[str, Facility], session: Session
) -> None:
    pages.as_("staff")
    form = pages.get(f"{BOARD}/neu")
    two_nights_ago = date(2026, 1, 13)

    done = pages.submit(
        form, {"name": "Nachtrag", "night": two_nights_ago.isoformat()}, path=f"{BOARD}/neu"
    )
    assert done.status_code == 303
    person = session.scalar(sa.select(Person).where(Person.name == "Nachtrag"))
    (stay,) = stays_of(session, person)  # type: ignore[arg-type]
    assert stay.first_night == two_nights_ago

    too_old = pages.submit(
        pages.get(f"{BOARD}/neu"),
        {"name": "Zu alt", "night": (two_nights_ago - timedelta(days=10)).isoformat()},
        path=f"{BOARD}/neu",
    )
    assert too_old.status_code == 422
    assert "höchstens 7 Nächte zurück" in too_old.text


def test_extend_move_and_check_out_from_the_stay_page(
    pages: PageClient, dortmund: dict[str, Facility], make_stay, guest: Person, session: Session
) -> None:
    union = dortmund["unionstrasse"]
    stay = make_stay(union, guest, place_label="7")
    pages.as_("staff")
    path = f"{BOARD}/aufenthalt/{stay.id}"

    page = pages.get(path)
    assert page.status_code == 200
    extended = pages.submit(page, {"nights": "2"}, action=f"{path}/verlaengern")
    assert extended.status_code == 303
    session.expire_all()
    assert session.get(Stay, stay.id).nights == 3  # type: ignore[union-attr]

    moved = pages.submit(pages.get(path), {"place": "9"}, action=f"{path}/verlegen")
    assert moved.status_code == 303
    (current,) = stays_of(session, guest)
    assert current.place.label == "9"

    out = pages.submit(pages.get(path), action=f"{path}/abmelden")
    assert out.status_code == 303
    assert stays_of(session, guest) == []
    assert "ist abgemeldet" in pages.get(BOARD).text


def test_moving_onto_a_taken_bed_is_explained_on_the_stay_page(
    pages: PageClient, dortmund: dict[str, Facility], make_stay, guest: Person
) -> None:
    union = dortmund["unionstrasse"]
    stay = make_stay(union, guest, place_label="7")
    pages.as_("staff")
    path = f"{BOARD}/aufenthalt/{stay.id}"
    page = pages.get(path)
    make_stay(union, place_label="9")

    refused = pages.submit(page, {"place": "9"}, action=f"{path}/verlegen")

    assert refused.status_code == 409
    assert "Platz 9 ist für diese Nacht bereits belegt oder reserviert." in refused.text


def test_a_turn_away_with_its_reason(
    pages: PageClient, dortmund: dict[str, Facility], session: Session
) -> None:
    pages.as_("staff")
    board = pages.get(BOARD)

    done = pages.submit(board, {"reason": "full", "note": "kam um 23 Uhr"}, action="/abweisung")

    assert done.status_code == 303
    (turn_away,) = session.scalars(sa.select(TurnAway))
    assert turn_away.reason.value == "full"
    assert "Abweisung eingetragen (voll belegt)" in pages.get(BOARD).text


def test_a_hold_becomes_a_stay_when_the_guest_arrives(
    pages: PageClient, dortmund: dict[str, Facility], make_hold, guest: Person, session: Session
) -> None:
    hold = make_hold(dortmund["unionstrasse"], note="Wärmebus", place_label="12")
    pages.as_("staff")
    hold_page = pages.get(f"{BOARD}/reservierung/{hold.id}")
    assert hold_page.status_code == 200
    pages.get(f"{BOARD}/aufnahme?q=Wiederkehr&reservierung={hold.id}")
    path = f"{BOARD}/aufnahme/{guest.id}?reservierung={hold.id}"
    confirm = pages.get(path)
    assert "Ankunft eintragen" in confirm.text

    done = pages.submit(confirm, path=path)

    assert done.status_code == 303
    (stay,) = stays_of(session, guest)
    assert stay.id == hold.id
    assert stay.place.label == "12"


def test_cancelling_a_hold_on_the_board(
    pages: PageClient, dortmund: dict[str, Facility], make_hold, session: Session
) -> None:
    hold = make_hold(dortmund["unionstrasse"], place_label="12")
    pages.as_("staff")
    page = pages.get(f"{BOARD}/reservierung/{hold.id}")

    done = pages.submit(page, action="/freigeben")

    assert done.status_code == 303
    session.expire_all()
    assert session.get(Stay, hold.id).status == StayStatus.CANCELLED  # type: ignore[union-attr]


def test_a_ban_is_shown_before_check_in_and_a_manager_lets_the_guest_in(
    pages: PageClient, dortmund: dict[str, Facility], make_ban, guest: Person, session: Session
) -> None:
    union = dortmund["unionstrasse"]
    make_ban(guest, union, reason="Streit im Schlafsaal")
    pages.as_("staff")
    pages.get(f"{BOARD}/aufnahme?q=Wiederkehr")
    path = f"{BOARD}/aufnahme/{guest.id}"
    confirm = pages.get(path)
    assert "Hausverbot (Verhalten)" in confirm.text
    assert "Streit im Schlafsaal" in confirm.text
    assert "nur mit Freigabe der Leitung" in confirm.text
    refused = pages.submit(confirm, path=path)
    assert refused.status_code == 403
    assert "Für diese Person gilt in Männerübernachtungsstelle Unionstraße ein Hausverbot." in (
        refused.text
    )

    bans = pages.as_("manager").get("/hausverbote?einrichtung=unionstrasse")
    assert "Heinz Wiederkehr" in bans.text
    granted = pages.submit(
        bans,
        {next(k for k in pages.form(bans)["fields"] if k.endswith("reason")): "Kälte, Absprache"},
    )
    assert granted.status_code == 303

    pages.as_("staff")
    confirm = pages.get(path)
    assert "von der Leitung freigegeben" in confirm.text
    assert pages.submit(confirm, path=path).status_code == 303
    assert len(stays_of(session, guest)) == 1


def test_the_evacuation_list_names_who_is_in_the_building(
    pages: PageClient, dortmund: dict[str, Facility], make_stay, guest: Person
) -> None:
    make_stay(dortmund["unionstrasse"], guest, place_label="3")

    page = pages.as_("staff").get(f"{BOARD}/evakuierung")

    assert page.status_code == 200
    assert "Heinz Wiederkehr" in page.text
    assert "1961" in page.text
    assert "1 Personen im Haus" in page.text
    assert "<script" not in page.text.split("</head>")[1]  # plain HTML


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        (None, BOARD, 302),
        ("outreach", BOARD, 403),
        ("staff_women", BOARD, 403),
        ("manager", BOARD, 200),
        ("admin", BOARD, 200),
        ("manager", f"{BOARD}/neu", 403),
        ("staff", "/leitung", 403),
        ("staff", "/unterwegs", 403),
        ("outreach", "/admin", 403),
        ("manager", "/admin/benutzer", 403),
        ("staff", "/hausverbote", 403),
    ],
)
def test_who_may_open_which_page(
    pages: PageClient, dortmund: dict[str, Facility], who: str | None, path: str, status: int
) -> None:
    response = pages.as_(who).get(path)

    assert response.status_code == status
    if status == 302:
        assert response.location.startswith("/login?next=")


def test_a_manager_reads_the_board_without_the_forms(
    pages: PageClient, dortmund: dict[str, Facility]
) -> None:
    page = pages.as_("manager").get(BOARD)

    assert page.status_code == 200
    assert "Gast suchen" not in page.text
    assert "/abweisung" not in page.text


def test_staff_with_one_shelter_land_on_its_board(pages: PageClient, dortmund) -> None:  # type: ignore[no-untyped-def]
    start = pages.as_("staff").get("/")
    assert start.location == "/nacht"
    assert pages.get("/nacht").location == BOARD
