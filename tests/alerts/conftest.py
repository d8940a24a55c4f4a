"""Local servers that play Twilio and the weather services, one per test; recipients and an
SMS backend against the Twilio stand-in."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.alerts.models import OutboxMessage, Recipient, RecipientRole
from belegung.alerts.recipients import create_recipient
from belegung.alerts.sms import TwilioBackend
from belegung.context import ServiceContext
from tests.alerts.twilio_standin import ACCOUNT_SID, AUTH_TOKEN, TwilioStandIn
from tests.alerts.weather_stub import WeatherStub

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
