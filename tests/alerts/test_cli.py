"""`flask --app belegung alerts test PHONE` and `alerts inbound PHONE TEXT`; the rules the
Dortmund preset brings."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from belegung.alerts.models import AlertRule, OutboxStatus, RecipientRole
from belegung.config import settings_of
from belegung.facilities.models import Facility
from tests.alerts.conftest import CREW_PHONE, SMS_FROM, MakeRecipient, outbox
from tests.alerts.twilio_standin import ACCOUNT_SID, AUTH_TOKEN, TwilioStandIn


def invoke(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output


def test_alerts_test_sends_one_sms_through_the_outbox_to_the_log(
    app: Flask, session: Session
) -> None:
    code, output = invoke(app, "alerts", "test", "0152 2881 7386")

    assert code == 0, output
    assert "Test-SMS an +4915228817386 in den Postausgang gelegt" in output
    assert "Status: sent (LOG" in output
    (message,) = outbox(session)
    assert (message.status, message.cause[:5]) == (OutboxStatus.SENT, "test:")
    assert message.body.startswith("belegung: Test-SMS vom ")


def test_alerts_test_goes_through_the_real_twilio_client(
    app: Flask, session: Session, twilio_standin: TwilioStandIn
) -> None:
    settings = settings_of(app)
    app.config["BELEGUNG"] = dataclasses.replace(
        settings,
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        sms_from=SMS_FROM,
        twilio_api_base=twilio_standin.base_url,
        public_url="https://belegung.example.org",
    )
    try:
        code, output = invoke(app, "alerts", "test", "+4915228817386")
    finally:
        app.config["BELEGUNG"] = settings

    assert code == 0, output
    assert f"Status: sent ({twilio_standin.sids[0]})" in output
    (form,) = twilio_standin.messages
    assert (form["To"], form["From"], form["StatusCallback"]) == (
        "+4915228817386",
        SMS_FROM,
        "https://belegung.example.org/sms/status",
    )
    assert form["Body"].startswith("belegung: Test-SMS vom ")


def test_alerts_test_refuses_a_number_that_is_no_mobile(app: Flask, session: Session) -> None:
    code, output = invoke(app, "alerts", "test", "0231 500000")
    assert code == 1
    assert "SMS gehen nur an Mobilnummern" in output
    assert outbox(session) == []


def test_alerts_inbound_answers_as_a_crew_phone_would_be(
    app: Flask,
    session: Session,
    dortmund: dict[str, Facility],
    make_recipient: MakeRecipient,
) -> None:
    make_recipient(RecipientRole.CREW, phone=CREW_PHONE, sms_queries=True)
    session.commit()

    code, output = invoke(app, "alerts", "inbound", CREW_PHONE, "FREI FRAUEN")
    assert code == 0, output
    assert output.startswith("Frei für Frauen um ")
    assert "Nortkirchenstr. 50." in output

    code, output = invoke(app, "alerts", "inbound", "+4915199999999", "FREI")
    assert (code, output.strip()) == (0, "(keine Antwort: unbekannte oder abgemeldete Nummer)")


def test_seeding_dortmund_brings_the_default_rules_once(app: Flask, session: Session) -> None:
    code, output = invoke(app, "seed", "dortmund")
    assert code == 0, output
    assert "8 Alarmregeln angelegt" in output
    code, output = invoke(app, "seed", "dortmund")
    assert "bereits vollständig" in output
    assert "Alarmregeln" not in output
    assert session.scalar(sa.select(sa.func.count()).select_from(AlertRule)) == 8
