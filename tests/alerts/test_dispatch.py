"""The outbox and its dispatcher, through the real twilio client against the local stand-in:
the fields that arrive, retries with back-off, permanent errors, opt-outs, messages in
doubt, status callbacks in any order."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.alerts.dispatch import (
    MAX_ATTEMPTS,
    backoff,
    dispatch,
    lease,
    record_callback,
)
from belegung.alerts.models import OutboxMessage, OutboxStatus, RecipientRole, SmsEvent
from belegung.alerts.outbox import queue, queue_to
from belegung.alerts.recipients import delete_recipient
from belegung.alerts.sms import LogBackend, TwilioBackend
from belegung.context import ServiceContext
from belegung.transaction import unit_of_work
from tests.alerts.conftest import SMS_FROM, MakeRecipient, outbox
from tests.alerts.local_server import Reply
from tests.alerts.twilio_standin import (
    TwilioStandIn,
    invalid_number,
    opted_out,
    server_error,
    slow,
    too_many_requests,
    twilio_error,
)
from tests.conftest import FakeClock

TO = "+4915123456789"
BODY = "belegung: Männerübernachtungsstelle Unionstraße zu 90 % belegt (63 von 70 Betten)."
CALLBACK = "https://belegung.example.org/sms/status"


def send_all(session: Session, backend: object, clock: FakeClock, **kwargs: object):
    return dispatch(session, backend, clock, timeout=0.5, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def message(ctx: ServiceContext, session: Session) -> OutboxMessage:
    with unit_of_work(session):
        assert queue(ctx, TO, BODY, "rule:1:1")
    (queued,) = outbox(session)
    return queued


# --- queuing --------------------------------------------------------------------------


def test_one_message_per_phone_and_cause(ctx: ServiceContext, session: Session) -> None:
    assert queue(ctx, TO, BODY, "rule:1:1") is True
    assert queue(ctx, TO, "ein anderer Text", "rule:1:1") is False
    assert queue(ctx, TO, BODY, "rule:1:2") is True
    assert queue(ctx, "+4915123456788", BODY, "rule:1:1") is True
    assert [(m.phone, m.cause, m.body) for m in outbox(session)] == [
        (TO, "rule:1:1", BODY),
        (TO, "rule:1:2", BODY),
        ("+4915123456788", "rule:1:1", BODY),
    ]


def test_opted_out_recipients_are_not_queued(
    ctx: ServiceContext, session: Session, make_recipient: MakeRecipient
) -> None:
    keen, gone = make_recipient(), make_recipient()
    gone.opted_out = True
    assert queue_to(ctx, [keen, gone], BODY, "summary:2026-01-15") == 1
    assert [m.recipient_id for m in outbox(session)] == [keen.id]


# --- sending --------------------------------------------------------------------------


def test_the_message_arrives_at_twilio_with_to_from_body_and_callback(
    session: Session,
    clock: FakeClock,
    message: OutboxMessage,
    twilio: TwilioBackend,
    twilio_standin: TwilioStandIn,
) -> None:
    result = send_all(session, twilio, clock, status_callback=CALLBACK)

    assert twilio_standin.messages == [
        {"To": TO, "From": SMS_FROM, "Body": BODY, "StatusCallback": CALLBACK}
    ]
    (sent,) = outbox(session)
    assert (sent.status, sent.attempts, sent.provider_sid) == (
        OutboxStatus.SENT,
        1,
        twilio_standin.sids[0],
    )
    assert sent.provider_status == "queued"
    assert sent.sent_at == clock()
    assert result.sent == 1
    # Nothing is due any more: a second run sends nothing.
    assert send_all(session, twilio, clock).handled == 0
    assert len(twilio_standin.messages) == 1


def test_a_500_and_a_timeout_then_success_deliver_one_message_with_the_retries_recorded(
    session: Session,
    clock: FakeClock,
    message: OutboxMessage,
    twilio: TwilioBackend,
    twilio_standin: TwilioStandIn,
) -> None:
    # The timeout is an answer that never came: Twilio did not take the message.
    twilio_standin.script(server_error(), twilio_error(503, 20503, "Busy", delay=3))

    first = send_all(session, twilio, clock)
    (waiting,) = outbox(session)
    assert (first.retried, waiting.status, waiting.attempts) == (1, OutboxStatus.QUEUED, 1)
    assert (waiting.error_code, waiting.in_doubt) == (20500, False)
    assert waiting.next_attempt_at == clock() + backoff(1)
    # Not yet due: nothing happens.
    assert send_all(session, twilio, clock).handled == 0

    clock.advance(seconds=backoff(1).total_seconds())
    second = send_all(session, twilio, clock)
    (waiting,) = outbox(session)
    assert (second.retried, waiting.attempts, waiting.in_doubt) == (1, 2, True)
    assert "ReadTimeout" in (waiting.error or "")
    assert waiting.next_attempt_at == clock() + backoff(2)

    clock.advance(seconds=backoff(2).total_seconds())
    third = send_all(session, twilio, clock)

    (sent,) = outbox(session)
    assert (third.sent, sent.status, sent.attempts) == (1, OutboxStatus.SENT, 3)
    assert sent.provider_sid == twilio_standin.sids[0]
    assert len(twilio_standin.sids) == 1, "one message delivered"
    assert len(twilio_standin.messages) == 3
    # Before sending again after the timeout, Twilio was asked whether it had the message.
    assert twilio_standin.lookups == [{"To": TO, "PageSize": "50"}]


def test_a_timeout_after_twilio_took_the_message_is_not_sent_twice(
    session: Session,
    clock: FakeClock,
    message: OutboxMessage,
    twilio: TwilioBackend,
    twilio_standin: TwilioStandIn,
) -> None:
    twilio_standin.script(slow(3))  # accepted, but the answer comes too late

    send_all(session, twilio, clock)
    clock.advance(minutes=5)
    result = send_all(session, twilio, clock)

    (sent,) = outbox(session)
    assert (result.found, sent.status, sent.attempts) == (1, OutboxStatus.SENT, 2)
    assert sent.provider_sid == twilio_standin.sids[0]
    assert len(twilio_standin.messages) == 1
    assert len(twilio_standin.sids) == 1


@pytest.mark.parametrize(
    ("reply", "code"), [(invalid_number(), 21211), (twilio_error(400, 21602, "No body"), 21602)]
)
def test_a_permanent_error_fails_at_once_without_retry(
    session: Session,
    clock: FakeClock,
    message: OutboxMessage,
    twilio: TwilioBackend,
    twilio_standin: TwilioStandIn,
    reply: Reply,
    code: int,
) -> None:
    twilio_standin.script(reply)

    result = send_all(session, twilio, clock)
    clock.advance(hours=2)
    send_all(session, twilio, clock)

    (failed,) = outbox(session)
    assert (result.failed, failed.status, failed.error_code, failed.attempts) == (
        1,
        OutboxStatus.FAILED,
        code,
        1,
    )
    assert failed.final_at == clock() - timedelta(hours=2)
    assert len(twilio_standin.messages) == 1


def test_an_unsubscribed_recipient_is_marked_opted_out_and_gets_nothing_more(
    ctx: ServiceContext,
    session: Session,
    clock: FakeClock,
    make_recipient: MakeRecipient,
    twilio: TwilioBackend,
    twilio_standin: TwilioStandIn,
) -> None:
    recipient = make_recipient(RecipientRole.CREW)
    with unit_of_work(session):
        queue_to(ctx, [recipient], "Winternothilfe AKTIV", "winter:1:start")
        queue_to(ctx, [recipient], "Winternothilfe beendet", "winter:1:end")
    twilio_standin.script(opted_out())

    result = send_all(session, twilio, clock, limit=1)

    first, second = outbox(session)
    assert (first.status, first.error_code) == (OutboxStatus.FAILED, 21610)
    assert second.status == OutboxStatus.CANCELLED
    session.refresh(recipient)
    assert recipient.opted_out is True
    assert recipient.opted_out_at == clock()
    assert (result.failed, len(twilio_standin.messages)) == (1, 1)
    with unit_of_work(session):
        assert queue_to(ctx, [recipient], "noch eine", "winter:2:start") == 0


def test_rate_limits_and_outages_are_retried_until_the_attempts_run_out(
    session: Session,
    clock: FakeClock,
    message: OutboxMessage,
    twilio: TwilioBackend,
    twilio_standin: TwilioStandIn,
) -> None:
    twilio_standin.script(*([too_many_requests(), server_error()] * MAX_ATTEMPTS))
    for _ in range(MAX_ATTEMPTS):
        send_all(session, twilio, clock)
        clock.advance(hours=1)

    (failed,) = outbox(session)
    assert (failed.status, failed.attempts) == (OutboxStatus.FAILED, MAX_ATTEMPTS)
    assert len(twilio_standin.messages) == MAX_ATTEMPTS
    assert send_all(session, twilio, clock).handled == 0


def test_back_off_doubles_up_to_half_an_hour() -> None:
    assert [backoff(n).total_seconds() for n in range(1, 9)] == [
        10, 20, 40, 80, 160, 320, 640, 1280,
    ]  # fmt: skip
    assert backoff(20) == timedelta(minutes=30)


def test_a_message_left_sending_by_a_dead_dispatcher_is_sent_once_after_its_claim_ran_out(
    session: Session,
    clock: FakeClock,
    message: OutboxMessage,
    twilio: TwilioBackend,
    twilio_standin: TwilioStandIn,
) -> None:
    # A dispatcher claimed it and died before Twilio heard of it.
    with unit_of_work(session):
        session.execute(
            sa.update(OutboxMessage).values(
                status=OutboxStatus.SENDING,
                attempts=1,
                first_attempt_at=clock(),
                claimed_until=clock() + lease(0.5),
            )
        )
    assert send_all(session, twilio, clock).handled == 0, "its claim still runs"

    clock.advance(seconds=lease(0.5).total_seconds() + 1)
    result = send_all(session, twilio, clock)

    (sent,) = outbox(session)
    assert (result.sent, sent.status, sent.attempts) == (1, OutboxStatus.SENT, 2)
    assert len(twilio_standin.lookups) == 1, "Twilio was asked first"
    assert len(twilio_standin.messages) == 1


def test_a_message_of_a_recipient_removed_meanwhile_is_not_sent(
    ctx: ServiceContext,
    session: Session,
    clock: FakeClock,
    make_recipient: MakeRecipient,
    twilio: TwilioBackend,
    twilio_standin: TwilioStandIn,
) -> None:
    recipient = make_recipient()
    with unit_of_work(session):
        queue_to(ctx, [recipient], BODY, "summary:2026-01-15")
    with unit_of_work(session):
        delete_recipient(ctx, recipient)

    send_all(session, twilio, clock)

    (cancelled,) = outbox(session)
    assert cancelled.status == OutboxStatus.CANCELLED
    assert twilio_standin.messages == []


def test_the_log_backend_writes_the_message_and_marks_it_sent(
    session: Session, clock: FakeClock, message: OutboxMessage, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="belegung.alerts.sms"):
        result = send_all(session, LogBackend(), clock)

    (sent,) = outbox(session)
    assert (result.sent, sent.status) == (1, OutboxStatus.SENT)
    assert sent.provider_sid
    assert sent.provider_sid.startswith("LOG")
    assert BODY in caplog.text
    assert TO not in caplog.text  # masked


# --- status callbacks -------------------------------------------------------------------


@pytest.fixture
def sent(
    session: Session, clock: FakeClock, message: OutboxMessage, twilio: TwilioBackend
) -> OutboxMessage:
    send_all(session, twilio, clock)
    (done,) = outbox(session)
    return done


def callback(session: Session, clock: FakeClock, sid: str, status: str, code: int | None = None):
    with unit_of_work(session):
        return record_callback(session, sid, status, code, clock())


def test_callbacks_out_of_order_never_move_a_message_back_from_delivered(
    session: Session, clock: FakeClock, sent: OutboxMessage
) -> None:
    sid = sent.provider_sid or ""
    callback(session, clock, sid, "delivered")
    clock.advance(seconds=1)
    callback(session, clock, sid, "sent")
    callback(session, clock, sid, "queued")

    (done,) = outbox(session)
    assert (done.status, done.provider_status) == (OutboxStatus.DELIVERED, "delivered")
    assert done.final_at == clock() - timedelta(seconds=1)
    events = session.scalars(sa.select(SmsEvent.status).order_by(SmsEvent.id)).all()
    assert events == ["delivered", "sent", "queued"]


def test_a_repeated_callback_is_kept_once_and_keeps_its_error_code(
    session: Session, clock: FakeClock, sent: OutboxMessage
) -> None:
    sid = sent.provider_sid or ""
    assert callback(session, clock, sid, "sent") is True
    assert callback(session, clock, sid, "undelivered", 30003) is True
    assert callback(session, clock, sid, "undelivered") is False

    (done,) = outbox(session)
    assert (done.status, done.error_code) == (OutboxStatus.UNDELIVERED, 30003)
    assert session.scalar(sa.select(sa.func.count()).select_from(SmsEvent)) == 2


def test_a_callback_before_the_dispatcher_recorded_the_sid_is_applied_when_it_does(
    session: Session,
    clock: FakeClock,
    message: OutboxMessage,
    twilio_standin: TwilioStandIn,
    twilio: TwilioBackend,
) -> None:
    # Twilio took the message, its answer timed out; its callback came meanwhile.
    twilio_standin.script(slow(3))
    send_all(session, twilio, clock)
    callback(session, clock, twilio_standin.sids[0], "delivered")
    assert outbox(session)[0].status == OutboxStatus.QUEUED

    clock.advance(minutes=1)
    send_all(session, twilio, clock)

    (done,) = outbox(session)
    assert (done.status, done.provider_sid) == (OutboxStatus.DELIVERED, twilio_standin.sids[0])
    event = session.scalar(sa.select(SmsEvent))
    assert event is not None
    assert event.outbox_id == done.id


def test_a_failed_callback_for_an_unsubscribed_number_opts_the_recipient_out(
    ctx: ServiceContext,
    session: Session,
    clock: FakeClock,
    make_recipient: MakeRecipient,
    twilio: TwilioBackend,
) -> None:
    recipient = make_recipient()
    with unit_of_work(session):
        queue_to(ctx, [recipient], BODY, "rule:4:1")
    send_all(session, twilio, clock)
    (message,) = outbox(session)

    callback(session, clock, message.provider_sid or "", "failed", 21610)

    session.refresh(recipient)
    assert recipient.opted_out is True
    assert outbox(session)[0].status == OutboxStatus.FAILED
