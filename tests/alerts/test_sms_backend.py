"""SMS backends: the real twilio client against a local stand-in of Twilio's Messages API
(the form fields and basic auth that arrive, each error class), the log backend, and the
choice between them by configuration."""

from __future__ import annotations

import base64
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from belegung.alerts.sms import (
    LogBackend,
    PermanentSmsError,
    SentMessage,
    TransientSmsError,
    TwilioBackend,
    backend_for,
    mask_phone,
)
from belegung.config import ConfigError, load_settings
from tests.alerts.local_server import Reply
from tests.alerts.twilio_standin import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    MESSAGES_PATH,
    TwilioStandIn,
    accepted,
    invalid_number,
    opted_out,
    server_error,
    slow,
    too_many_requests,
    twilio_error,
)

TO = "+4915123456789"
FROM = "+4923150000000"
CALLBACK = "https://belegung.example.org/sms/status"
BODY = "Kältealarm: Winternothilfe ab heute 18 Uhr. Unionstraße 12 frei, Nortkirchenstraße 4."


@pytest.fixture
def backend(twilio_standin: TwilioStandIn) -> Iterator[TwilioBackend]:
    sender = TwilioBackend(
        ACCOUNT_SID, AUTH_TOKEN, FROM, api_base=twilio_standin.base_url, timeout=0.5
    )
    yield sender
    sender.close()


def test_message_arrives_with_to_from_body_and_status_callback(
    backend: TwilioBackend, twilio_standin: TwilioStandIn
) -> None:
    sent = backend.send(TO, BODY, status_callback=CALLBACK)

    [request] = twilio_standin.received
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.form == {"To": TO, "From": FROM, "Body": BODY, "StatusCallback": CALLBACK}
    assert sent == SentMessage(sid=twilio_standin.sids[0], status="queued")


def test_request_carries_basic_auth_of_the_account(
    backend: TwilioBackend, twilio_standin: TwilioStandIn
) -> None:
    backend.send(TO, BODY)

    [request] = twilio_standin.received
    scheme, _, credentials = request.headers["Authorization"].partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(credentials).decode() == f"{ACCOUNT_SID}:{AUTH_TOKEN}"


def test_without_status_callback_no_such_field_is_sent(
    backend: TwilioBackend, twilio_standin: TwilioStandIn
) -> None:
    backend.send(TO, BODY)
    assert twilio_standin.messages == [{"To": TO, "From": FROM, "Body": BODY}]


def test_messaging_service_sid_is_sent_instead_of_from(twilio_standin: TwilioStandIn) -> None:
    service_sid = "MG" + "f" * 32
    sender = TwilioBackend(ACCOUNT_SID, AUTH_TOKEN, service_sid, api_base=twilio_standin.base_url)
    try:
        sent = sender.send(TO, BODY)
    finally:
        sender.close()
    assert twilio_standin.messages == [{"To": TO, "MessagingServiceSid": service_sid, "Body": BODY}]
    assert sent.status == "accepted"


def test_wrong_credentials_are_a_permanent_error(twilio_standin: TwilioStandIn) -> None:
    sender = TwilioBackend(ACCOUNT_SID, "wrong-token", FROM, api_base=twilio_standin.base_url)
    try:
        with pytest.raises(PermanentSmsError) as caught:
            sender.send(TO, BODY)
    finally:
        sender.close()
    assert (caught.value.status, caught.value.code) == (401, 20003)


@pytest.mark.parametrize(
    ("reply", "status", "code"),
    [
        (invalid_number(), 400, 21211),
        (opted_out(), 400, 21610),
        (twilio_error(400, 21602, "Message body is required."), 400, 21602),
        (twilio_error(403, 20003, "Permission Denied"), 403, 20003),
    ],
)
def test_refusals_are_permanent_errors_with_twilio_code(
    backend: TwilioBackend, twilio_standin: TwilioStandIn, reply: Reply, status: int, code: int
) -> None:
    twilio_standin.script(reply)
    with pytest.raises(PermanentSmsError) as caught:
        backend.send(TO, BODY)
    assert (caught.value.status, caught.value.code) == (status, code)


@pytest.mark.parametrize(
    ("reply", "status", "code"),
    [
        (server_error(), 500, 20500),
        (Reply(503, b"<html>Service Unavailable</html>", "text/html"), 503, None),
        (too_many_requests(), 429, 20429),
    ],
)
def test_server_errors_and_rate_limits_are_transient(
    backend: TwilioBackend,
    twilio_standin: TwilioStandIn,
    reply: Reply,
    status: int,
    code: int | None,
) -> None:
    twilio_standin.script(reply)
    with pytest.raises(TransientSmsError) as caught:
        backend.send(TO, BODY)
    assert (caught.value.status, caught.value.code) == (status, code)


def test_a_400_without_twilio_body_is_permanent_without_code(
    backend: TwilioBackend, twilio_standin: TwilioStandIn
) -> None:
    twilio_standin.script(Reply(400, b"Bad Request", "text/plain"))
    with pytest.raises(PermanentSmsError) as caught:
        backend.send(TO, BODY)
    assert (caught.value.status, caught.value.code) == (400, None)


def test_answer_slower_than_the_timeout_is_transient(
    backend: TwilioBackend, twilio_standin: TwilioStandIn
) -> None:
    twilio_standin.script(slow(5))
    started = time.monotonic()
    with pytest.raises(TransientSmsError):
        backend.send(TO, BODY)
    assert time.monotonic() - started < 3


def test_unreachable_api_is_transient() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sender = TwilioBackend(ACCOUNT_SID, AUTH_TOKEN, FROM, api_base=f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(TransientSmsError):
            sender.send(TO, BODY)
    finally:
        sender.close()


def test_same_backend_succeeds_after_a_transient_error(
    backend: TwilioBackend, twilio_standin: TwilioStandIn
) -> None:
    twilio_standin.script(server_error(), accepted())
    with pytest.raises(TransientSmsError):
        backend.send(TO, BODY)
    sent = backend.send(TO, BODY)
    assert sent.sid == twilio_standin.sids[0]
    assert len(twilio_standin.messages) == 2


def test_unreadable_success_is_permanent_so_it_is_not_sent_twice(
    backend: TwilioBackend, twilio_standin: TwilioStandIn
) -> None:
    twilio_standin.script(Reply(201, b"<html>oops</html>", "text/html"))
    with pytest.raises(PermanentSmsError):
        backend.send(TO, BODY)


def test_api_base_path_is_kept_in_front_of_twilio_paths(twilio_standin: TwilioStandIn) -> None:
    sender = TwilioBackend(
        ACCOUNT_SID, AUTH_TOKEN, FROM, api_base=twilio_standin.base_url + "/twilio"
    )
    try:
        with pytest.raises(PermanentSmsError):  # the stand-in serves no /twilio prefix
            sender.send(TO, BODY)
    finally:
        sender.close()
    [request] = twilio_standin.received
    assert request.path == f"/twilio/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert not MESSAGES_PATH.match(request.path)


# --- the log backend -------------------------------------------------------------------


def test_log_backend_writes_the_body_with_a_masked_number(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="belegung.alerts.sms"):
        sent = LogBackend().send(TO, BODY, status_callback=CALLBACK)

    [record] = caplog.records
    assert "+49151…89" in record.getMessage()
    assert TO not in record.getMessage()
    assert "23456789" not in record.getMessage()
    assert BODY in record.getMessage()
    assert sent.status == "sent"
    assert sent.sid.startswith("LOG")
    assert sent.sid in record.getMessage()


def test_log_backend_gives_each_message_its_own_sid() -> None:
    backend = LogBackend(logging.getLogger("test.sms"))
    assert backend.send(TO, "a").sid != backend.send(TO, "a").sid


@pytest.mark.parametrize(
    ("number", "masked"),
    [("+4915123456789", "+49151…89"), ("+16502530000", "+16502…00"), ("+4912345", "+49…")],
)
def test_mask_phone_keeps_country_prefix_and_last_two_digits(number: str, masked: str) -> None:
    assert mask_phone(number) == masked


# --- chosen by configuration -----------------------------------------------------------


def test_without_twilio_credentials_the_log_backend_is_used(tmp_path: Path) -> None:
    settings = load_settings({"BELEGUNG_SECRET_KEY": "x" * 16}, instance_path=tmp_path)
    assert isinstance(backend_for(settings), LogBackend)


def test_with_credentials_twilio_is_used_at_the_configured_api_base(
    tmp_path: Path, twilio_standin: TwilioStandIn
) -> None:
    env = {
        "BELEGUNG_SECRET_KEY": "x" * 16,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "BELEGUNG_SMS_FROM": FROM,
        "TWILIO_API_BASE": twilio_standin.base_url + "/",
    }
    backend = backend_for(load_settings(env, instance_path=tmp_path))
    try:
        assert isinstance(backend, TwilioBackend)
        backend.send(TO, BODY)
    finally:
        backend.close()
    assert twilio_standin.messages == [{"To": TO, "From": FROM, "Body": BODY}]


def test_twilio_without_sender_is_a_config_error(tmp_path: Path) -> None:
    settings = load_settings({"BELEGUNG_SECRET_KEY": "x" * 16}, instance_path=tmp_path)
    # load_settings refuses this combination itself; backend_for must not rely on that.
    incomplete = settings.__class__(
        **{**settings.__dict__, "twilio_account_sid": ACCOUNT_SID, "twilio_auth_token": "t"}
    )
    with pytest.raises(ConfigError, match="BELEGUNG_SMS_FROM"):
        backend_for(incomplete)
