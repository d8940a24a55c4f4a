"""Every SMS template, filled with realistic (and long) values, fits one GSM-7 segment; a
message split in parts arrives late and out of order on old phones, and one character
outside GSM-7 would cut a segment to 70 characters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from belegung import texts
from belegung.alerts import messages
from belegung.alerts.messages import FreeBeds
from belegung.alerts.segments import count_segments
from tests.conftest import BERLIN

NOW = datetime(2026, 1, 15, 23, 45, tzinfo=BERLIN)
# The longest names of the Dortmund preset.
LONGEST = "Frauenübernachtungsstelle Nortkirchenstraße"
DORTMUND_BEDS = [
    FreeBeds("Unionstr.", 17),
    FreeBeds("Nortkirchenstr.", 0, 4),
    FreeBeds("Junge Erw.", 12),
    FreeBeds("Drogenhilfe", 20),
]
A_LONG_REASON = "Minus 12 Grad und Schneesturm laut DWD, alle Notschlafplätze öffnen"

# Each template (texts.SMS), as the service fills it at its longest.
FILLED: dict[str, str] = {
    "capacity_occupancy": messages.capacity_occupancy(
        LONGEST, percent=100, occupied=150, capacity=150, free=0, time="23:45"
    ),
    "capacity_full": messages.capacity_free(
        messages.group_scope("young_adults"), free=0, occupied=120, held=12, time="23:45"
    ),
    "capacity_free": messages.capacity_free(LONGEST, free=10, occupied=140, held=12, time="23:45"),
    "winter_start": messages.winter_start(A_LONG_REASON, "16:00"),
    "winter_end": messages.winter_end(A_LONG_REASON, "09:30"),
    "summary": messages.summary(DORTMUND_BEDS, turn_aways=123, time="21:00"),
    "weather_outage": messages.weather_outage(
        texts.WEATHER_PROBLEMS["http_status"].format(source="Bright Sky (DWD)", status=503),
        active=True,
    ),
    "test": messages.test_message(NOW, BERLIN),
    "free_all": texts.SMS["free_all"].format(time="23:45", list=messages.free_list(DORTMUND_BEDS)),
    "free_group": texts.SMS["free_group"].format(
        group="junge Erwachsene", time="23:45", list="Junge Erw. 12"
    ),
    "free_none": texts.SMS["free_none"].format(group="Drogenabhängige", time="23:45"),
    "free_none_all": texts.SMS["free_none_all"].format(time="23:45"),
    "held": texts.SMS["held"].format(
        facility="Nortkirchenstr.", place="N4", until="23:59", hold=1234567
    ),
    "hold_no_place": texts.SMS["hold_no_place"].format(target="Drogenabhängige"),
    "hold_limit": texts.SMS["hold_limit"].format(limit=100),
    "hold_unknown_target": texts.SMS["hold_unknown_target"].format(
        target=messages.shorten("hauptbahnhofnordausgang", 20), example="UNION"
    ),
    "hold_missing_target": texts.SMS["hold_missing_target"].format(example="UNION"),
    "hold_not_allowed": texts.SMS["hold_not_allowed"],
    "hold_refused": texts.SMS["hold_refused"].format(
        message=messages.shorten(messages.gsm7("x" * 300), 120)
    ),
    "help": texts.SMS["help"].format(minutes=180),
    "unknown": texts.SMS["unknown"],
}
# Pieces of the messages above, not messages themselves.
FRAGMENTS = {
    "group_scope",
    "winter_no_reason",
    "winter_forecast_reason",
    "winter_forecast_wind_chill_reason",
    "winter_warning_reason",
    "winter_mild_reason",
    "state_active",
    "state_inactive",
    "free_item",
    "free_item_emergency",
    "hold_example",
}


def test_every_template_is_checked() -> None:
    assert set(FILLED) | FRAGMENTS == set(texts.SMS)
    assert not set(FILLED) & FRAGMENTS


@pytest.mark.parametrize("key", sorted(FILLED))
def test_each_template_fits_one_gsm7_segment(key: str) -> None:
    text = FILLED[key]
    count = count_segments(text)
    assert (count.encoding, count.segments) == ("GSM-7", 1), (count, text)


@pytest.mark.parametrize(
    "reason",
    [
        texts.SMS["winter_forecast_reason"].format(value=messages.degrees(-12.4)),
        texts.SMS["winter_forecast_wind_chill_reason"].format(value=messages.degrees(-21.7)),
        texts.SMS["winter_warning_reason"].format(event="STRENGER FROST"),
        "-8 °C erwartet – „Kältewelle“",  # a manager types typographic characters
    ],
)
def test_winter_alerts_with_every_kind_of_reason_fit_one_segment(reason: str) -> None:
    for text in (messages.winter_start(reason, "16:00"), messages.winter_end(reason, "09:30")):
        assert count_segments(text).segments == 1, text
        assert messages.is_gsm7(text), text


def test_typographic_characters_are_replaced_by_gsm7_ones() -> None:
    assert messages.gsm7("−8 °C – „kalt“ ‚sehr‘ …") == "-8 Grad - \"kalt\" 'sehr' ..."
    assert messages.degrees(-0.04) == "0,0"
    assert messages.degrees(-3.14) == "-3,1"


def test_long_facility_names_are_shortened_in_sms() -> None:
    assert messages.facility_short_name("unionstrasse", "x") == "Unionstr."
    assert messages.facility_short_name("kaeltehilfe", "Kältehilfe Bornstraße") == (
        "Kältehilfe Bornstr."
    )
    assert len(messages.facility_short_name("neu", "N" * 200)) == messages.SHORT_NAME_MAX


def test_the_test_message_says_when_it_was_sent() -> None:
    assert messages.test_message(datetime(2026, 1, 15, 20, 5, tzinfo=UTC), BERLIN) == (
        "belegung: Test-SMS vom 15.01.2026 um 21:05 Uhr. Der SMS-Versand funktioniert."
    )
