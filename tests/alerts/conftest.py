"""Local servers that play Twilio and the weather services, one per test; recipients and an
SMS backend against the Twilio stand-in."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.ctx import AppContext
from sqlalchemy.orm import Session

from belegung.alerts.models import OutboxMessage, Recipient, RecipientRole
from belegung.alerts.recipients import create_recipient
from belegung.alerts.sms import TwilioBackend
from belegung.context import ServiceContext
from belegung.transaction import unit_of_work
from tests.alerts.twilio_standin import ACCOUNT_SID, AUTH_TOKEN, TwilioStandIn
from tests.alerts.weather_stub import WeatherStub
from tests.conftest import FakeClock

SMS_FROM = "+4923150000000"
# Drama numbers (never given to anyone) and made-up ones that phonenumbers takes as mobile.
MANAGER_PHONE = "+4915228817386"
CREW_PHONE = "+491729980752"
ADMIN_PHONE = "+4915228895456"

MakeRecipient = Callable[..., Recipient]


@pytest.fixture
def twilio_standin() -> Iterator[TwilioStandIn]:
    with TwilioStandIn() as server:
        yield server


@pytest.fixture
def weather_server() -> Iterator[WeatherStub]:
    with WeatherStub() as server:
        yield server


@pytest.fixture
def twilio(twilio_standin: TwilioStandIn) -> Iterator[TwilioBackend]:
    """The real twilio client, sending to the stand-in, giving up after half a second."""
    backend = TwilioBackend(
        ACCOUNT_SID, AUTH_TOKEN, SMS_FROM, api_base=twilio_standin.base_url, timeout=0.5
    )
    yield backend
    backend.close()


@pytest.fixture
def make_recipient(ctx: ServiceContext) -> MakeRecipient:
    counter = iter(range(10, 99))

    def make(
        role: RecipientRole = RecipientRole.MANAGER, phone: str | None = None, **fields: object
    ) -> Recipient:
        n = next(counter)
        return create_recipient(
            ctx,
            name=fields.pop("name", f"{role.value} {n}"),  # type: ignore[arg-type]
            phone=phone or f"+49151234567{n}",
            role=role,
            **fields,  # type: ignore[arg-type]
        )

    return make


def outbox(session: Session, cause: str | None = None) -> list[OutboxMessage]:
    stmt = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if cause is not None:
        stmt = stmt.where(OutboxMessage.cause.startswith(cause))
    return list(session.scalars(stmt.execution_options(populate_existing=True)))


Committed = Callable[..., object]


@pytest.fixture
def in_app(app: Flask, app_context: AppContext, clock: FakeClock) -> Iterator[Flask]:
    """The test runs inside the app context (as jobs and commands do), at the test's
    clock. (Pushing a context per call would close the test's session when it pops.)"""
    app.config["BELEGUNG_CLOCK"] = clock
    yield app
    app.config.pop("BELEGUNG_CLOCK", None)


@pytest.fixture
def committed(in_app: Flask, session: Session) -> Committed:
    """`committed(fn, *args)`: run fn in one unit of work, as an entry point does: its
    commit evaluates the alerts (at the test's clock)."""

    def run(fn: Callable[..., object], *args: object, **kwargs: object) -> object:
        with unit_of_work(session):
            return fn(*args, **kwargs)

    return run
