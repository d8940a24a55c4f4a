"""Twilio's webhooks: crews' SMS commands at /sms/inbound and delivery callbacks at
/sms/status, signed as Twilio signs them (against BELEGUNG_PUBLIC_URL)."""

from __future__ import annotations

import dataclasses
import secrets
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

from belegung.alerts.models import InboundSms, OutboxStatus, Recipient, RecipientRole, SmsEvent
from belegung.alerts.outbox import queue
from belegung.config import settings_of
from belegung.context import ServiceContext
from belegung.facilities.models import Facility
from belegung.persons.models import Gender
from belegung.stays.models import Stay, StayStatus
from belegung.stays.service import check_in
from tests.alerts.conftest import CREW_PHONE, MANAGER_PHONE, MakeRecipient, outbox
from tests.alerts.twilio_standin import ACCOUNT_SID, AUTH_TOKEN
from tests.apiclient import ApiClient
from tests.conftest import FakeClock

PUBLIC_URL = "https://belegung.example.org"
SERVICE_NUMBER = "+4923150000000"


@pytest.fixture
def twilio_app(app: Flask, clock: FakeClock) -> Iterator[Flask]:
    """The app with Twilio configured and a public address, at the test's clock."""
    settings = settings_of(app)
    app.config["BELEGUNG"] = dataclasses.replace(
        settings,
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        sms_from=SERVICE_NUMBER,
        public_url=PUBLIC_URL,
    )
    app.config["BELEGUNG_CLOCK"] = clock
    yield app
    app.config["BELEGUNG"] = settings
    app.config.pop("BELEGUNG_CLOCK", None)


class Twilio:
    """Posts as Twilio does: a form, signed with the auth token over the public URL."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    def post(
        self,
        path: str,
        form: dict[str, str],
        *,
        token: str = AUTH_TOKEN,
        url: str | None = None,
        signed: bool = True,
    ) -> TestResponse:
        headers = {}
        if signed:
            signature = RequestValidator(token).compute_signature(url or PUBLIC_URL + path, form)
            headers["X-Twilio-Signature"] = signature
        self.api.session.commit()
        return self.api.client.post(path, data=form, headers=headers)

    def sms(self, body: str, sender: str = CREW_PHONE, sid: str | None = None, **kw: Any):
        form = {
            "MessageSid": sid or "SM" + secrets.token_hex(16),
            "AccountSid": ACCOUNT_SID,
            "From": sender,
            "To": SERVICE_NUMBER,
            "Body": body,
            "NumMedia": "0",
        }
        return self.post("/sms/inbound", form, **kw)


def reply_of(response: TestResponse) -> str | None:
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)  # noqa: S314  (our own answer)
    assert root.tag == "Response"
    messages = root.findall("Message")
    assert len(messages) <= 1
    return messages[0].text if messages else None


@pytest.fixture
def twilio(api: ApiClient, twilio_app: Flask) -> Twilio:
    return Twilio(api)


@pytest.fixture
def crew(make_recipient: MakeRecipient, dortmund: dict[str, Facility]) -> Recipient:
    return make_recipient(RecipientRole.CREW, phone=CREW_PHONE, sms_queries=True)


# --- FREI --------------------------------------------------------------------------------


def test_frei_answers_the_free_beds_per_shelter(twilio: Twilio, crew: Recipient) -> None:
    assert reply_of(twilio.sms("FREI")) == (
        "Frei um 21:00 Uhr: Unionstr. 70, Nortkirchenstr. 50, Junge Erw. 20, Drogenhilfe 20. "
        "HALTEN <Ort> reserviert ein Bett."
    )


@pytest.mark.parametrize("text", ["FREI FRAUEN", "frei frauen", "Frei Frau", "FRIE FRAUN"])
def test_frei_frauen_answers_nortkirchenstrasse(twilio: Twilio, crew: Recipient, text: str) -> None:
    assert reply_of(twilio.sms(text)) == "Frei für Frauen um 21:00 Uhr: Nortkirchenstr. 50."


@pytest.mark.parametrize("text", ["FREI MÄNNER", "frei maenner", "FREI MANNER", "Frei Männer!"])
def test_frei_for_men_in_every_spelling(twilio: Twilio, crew: Recipient, text: str) -> None:
    assert reply_of(twilio.sms(text)) == "Frei für Männer um 21:00 Uhr: Unionstr. 70."


def test_frei_shows_emergency_places_once_they_are_offered(
    twilio: Twilio,
    crew: Recipient,
    ctx: ServiceContext,
    dortmund: dict[str, Facility],
    make_person: Any,
) -> None:
    women_id = dortmund["nortkirchenstrasse"].id

    def arrive(n: int) -> None:
        women = ctx.session.get(Facility, women_id)
        assert women is not None
        for _ in range(n):
            check_in(ctx, women, make_person(gender=Gender.FEMALE))

    arrive(50)
    assert reply_of(twilio.sms("FREI FRAUEN")) == (
        "Frei für Frauen um 21:00 Uhr: Nortkirchenstr. 0 +4 Not."
    )
    arrive(4)
    assert reply_of(twilio.sms("FREI FRAUEN")) == "Für Frauen ist um 21:00 Uhr kein Bett frei."


# --- HALTEN ------------------------------------------------------------------------------


def held(session: Session) -> list[Stay]:
    return list(session.scalars(sa.select(Stay).where(Stay.status == StayStatus.HELD)))


def test_halten_frauen_holds_a_bed_for_the_crew_phone(
    twilio: Twilio, crew: Recipient, session: Session
) -> None:
    user_id = crew.user_id
    answer = reply_of(twilio.sms("HALTEN FRAUEN Frau mit Hund, Stadtgarten"))

    (hold,) = held(session)
    assert answer == (
        f"Reserviert: Nortkirchenstr., Bett 1, bis 22:00 Uhr. Bei Ankunft Nr. {hold.id} nennen."
    )
    assert (hold.facility.slug, hold.hold_note, hold.created_by_id) == (
        "nortkirchenstrasse",
        "Frau mit Hund, Stadtgarten",
        user_id,
    )


@pytest.mark.parametrize("target", ["union", "UNIONSTR.", "Unionstraße", "unoin"])
def test_halten_names_a_shelter_as_crews_write_it(
    twilio: Twilio, crew: Recipient, session: Session, target: str
) -> None:
    answer = reply_of(twilio.sms(f"halten {target}"))
    assert answer is not None
    assert answer.startswith("Reserviert: Unionstr., Bett 1, bis 22:00 Uhr.")
    assert [h.facility.slug for h in held(session)] == ["unionstrasse"]


def test_halten_without_or_with_an_unknown_place_explains(
    twilio: Twilio, crew: Recipient, session: Session
) -> None:
    assert reply_of(twilio.sms("HALTEN")) == (
        "Wo? Beispiele: HALTEN FRAUEN, HALTEN MÄNNER, HALTEN UNION."
    )
    assert reply_of(twilio.sms("HALTEN Hauptbahnhof")) == (
        "'hauptbahnhof' ist unbekannt. Beispiele: HALTEN FRAUEN, HALTEN MÄNNER, HALTEN UNION."
    )
    assert held(session) == []


def test_halten_stops_at_the_crews_hold_limit(
    twilio: Twilio, crew: Recipient, session: Session
) -> None:
    for _ in range(5):
        assert (reply_of(twilio.sms("HALTEN MÄNNER")) or "").startswith("Reserviert:")
    assert reply_of(twilio.sms("HALTEN MÄNNER")) == (
        "Schon 5 Reservierungen aktiv. Bitte erst eine freigeben lassen."
    )
    assert len(held(session)) == 5


def test_halten_in_a_full_group_holds_nothing(
    twilio: Twilio,
    crew: Recipient,
    ctx: ServiceContext,
    session: Session,
    dortmund: dict[str, Facility],
    make_person: Any,
) -> None:
    for _ in range(20):
        check_in(ctx, dortmund["drogenhilfe"], make_person())
    assert reply_of(twilio.sms("HALTEN DROGEN")) == (
        "Kein Bett frei: Drogenabhängige. Nichts reserviert."
    )
    assert held(session) == []


def test_a_message_twilio_delivers_twice_is_answered_the_same_and_holds_one_bed(
    twilio: Twilio, crew: Recipient, session: Session
) -> None:
    sid = "SM" + "1" * 32
    first = reply_of(twilio.sms("HALTEN FRAUEN", sid=sid))
    again = reply_of(twilio.sms("HALTEN FRAUEN", sid=sid))
    assert first == again
    assert len(held(session)) == 1


# --- HILFE and the rest -------------------------------------------------------------------


def test_hilfe_lists_the_commands(twilio: Twilio, crew: Recipient) -> None:
    assert reply_of(twilio.sms("Hilfe")) == (
        "FREI: freie Betten. FREI MÄNNER, FRAUEN, JUNG oder DROGEN: nur diese. HALTEN <Ort "
        "oder Gruppe> [Notiz]: Bett 60 Min. reservieren. HILFE: diese Liste."
    )


@pytest.mark.parametrize("text", ["Hallo?", "", "FREI BITTE"])
def test_anything_else_gets_a_short_help_text(twilio: Twilio, crew: Recipient, text: str) -> None:
    assert reply_of(twilio.sms(text)) == "Unbekannter Befehl. HILFE schicken für die Befehle."


def test_an_unknown_number_learns_nothing(
    twilio: Twilio, crew: Recipient, session: Session
) -> None:
    for text in ("FREI", "HALTEN FRAUEN", "HILFE", "Hallo"):
        assert reply_of(twilio.sms(text, sender="+4915199999999")) is None
    assert held(session) == []


def test_a_manager_phone_without_sms_queries_learns_nothing(
    twilio: Twilio, make_recipient: MakeRecipient, dortmund: dict[str, Facility]
) -> None:
    make_recipient(RecipientRole.MANAGER, phone=MANAGER_PHONE)
    assert reply_of(twilio.sms("FREI", sender=MANAGER_PHONE)) is None


def test_stop_opts_out_and_start_opts_in_again(
    twilio: Twilio, crew: Recipient, session: Session
) -> None:
    crew_id = crew.id
    assert reply_of(twilio.sms("STOP")) is None
    recipient = session.get(Recipient, crew_id)
    assert recipient is not None
    assert recipient.opted_out is True
    assert reply_of(twilio.sms("FREI")) is None, "an opted-out number gets no data"

    assert reply_of(twilio.sms("START")) is None
    session.refresh(recipient)
    assert recipient.opted_out is False
    assert (reply_of(twilio.sms("FREI")) or "").startswith("Frei um")


def test_only_the_command_is_kept_not_the_text(
    twilio: Twilio, crew: Recipient, session: Session
) -> None:
    reply_of(twilio.sms("HALTEN FRAUEN Frau Müller kommt"))
    (inbound,) = session.scalars(sa.select(InboundSms))
    assert inbound.command == "halten"
    columns = {c.name for c in InboundSms.__table__.columns}
    assert "body" not in columns


# --- signatures -----------------------------------------------------------------------------


def test_a_bad_signature_is_refused_and_nothing_happens(
    twilio: Twilio, crew: Recipient, session: Session
) -> None:
    assert twilio.sms("HALTEN FRAUEN", token="not-the-auth-token").status_code == 403
    assert twilio.sms("HALTEN FRAUEN", signed=False).status_code == 403
    assert held(session) == []
    assert session.scalar(sa.select(sa.func.count()).select_from(InboundSms)) == 0


def test_the_signature_is_checked_against_the_public_url(twilio: Twilio, crew: Recipient) -> None:
    # Signed for the address the app sees behind the proxy, not the one Twilio called.
    response = twilio.sms("FREI", url="http://localhost/sms/inbound")
    assert response.status_code == 403


def test_without_twilio_credentials_every_webhook_is_refused(
    api: ApiClient, crew: Recipient
) -> None:
    response = Twilio(api).sms("FREI")
    assert response.status_code == 403


def test_a_webhook_from_another_account_is_refused(twilio: Twilio, crew: Recipient) -> None:
    form = {"MessageSid": "SM" + "2" * 32, "AccountSid": "AC" + "f" * 32, "From": CREW_PHONE,
            "Body": "FREI"}  # fmt: skip
    assert twilio.post("/sms/inbound", form).status_code == 403


# --- status callbacks ------------------------------------------------------------------------


def test_a_status_callback_is_kept_and_moves_its_message_forward(
    twilio: Twilio, ctx: ServiceContext, session: Session, clock: FakeClock
) -> None:
    queue(ctx, MANAGER_PHONE, "Test", "test:1")
    (message,) = outbox(session)
    message.status = OutboxStatus.SENT
    message.provider_sid = "SM" + "3" * 32
    form = {"MessageSid": message.provider_sid, "MessageStatus": "delivered",
            "AccountSid": ACCOUNT_SID}  # fmt: skip

    response = twilio.post("/sms/status", form)
    assert response.status_code == 204
    late = twilio.post("/sms/status", {**form, "MessageStatus": "sent"})
    assert late.status_code == 204

    (done,) = outbox(session)
    assert done.status == OutboxStatus.DELIVERED
    assert session.scalars(sa.select(SmsEvent.status).order_by(SmsEvent.id)).all() == [
        "delivered",
        "sent",
    ]
    bad = twilio.post("/sms/status", {**form, "MessageStatus": "failed"}, token="wrong")
    assert bad.status_code == 403
    assert session.scalar(sa.select(sa.func.count()).select_from(SmsEvent)) == 2


def test_the_webhooks_need_no_token_or_session_only_the_signature(
    twilio: Twilio, crew: Recipient
) -> None:
    response = twilio.sms("FREI")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
