"""Local servers that play Twilio and the weather services, one per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.alerts.twilio_standin import TwilioStandIn
from tests.alerts.weather_stub import WeatherStub


@pytest.fixture
def twilio_standin() -> Iterator[TwilioStandIn]:
    with TwilioStandIn() as server:
        yield server


@pytest.fixture
def weather_server() -> Iterator[WeatherStub]:
    with WeatherStub() as server:
        yield server
