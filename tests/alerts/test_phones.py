"""Recipient phone numbers: German spellings become E.164; anything else is refused with a
reason that has a German text."""

from __future__ import annotations

import pytest

from belegung.alerts.phones import normalise_phone
from belegung.errors import InvalidInput

MOBILE = "+4915123456789"


@pytest.mark.parametrize(
    "raw",
    [
        "0151 2345 6789",
        "01512 3456789",
        "0151-234 567 89",
        "(0151) 23456789",
        "0151/23456789",
        "+49 151 23456789",
        "+49 (0) 151 23456789",
        "+4915123456789",
        "0049 151 23456789",
        "0049151 23456789",
        "  0151 23456789 ",
    ],
)
def test_german_mobile_spellings_become_e164(raw: str) -> None:
    assert normalise_phone(raw) == MOBILE


def test_landline_and_foreign_numbers_are_accepted() -> None:
    assert normalise_phone("0231 50-0") == "+49231500"
    assert normalise_phone("+1 650 253 0000") == "+16502530000"
    assert normalise_phone("650 253 0000", "US") == "+16502530000"


def test_mobile_only_refuses_a_landline() -> None:
    assert normalise_phone("0151 23456789", mobile_only=True) == MOBILE
    with pytest.raises(InvalidInput) as caught:
        normalise_phone("0231 50-0", mobile_only=True)
    assert caught.value.params == {"field": "phone", "reason": "phone_not_mobile"}


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "phone_unreadable"),
        ("abc", "phone_unreadable"),
        ("+", "phone_unreadable"),
        ("0151", "phone_invalid"),
        ("12", "phone_invalid"),
        ("00000000", "phone_invalid"),
        ("0151 2345678", "phone_invalid"),  # one digit short
        ("0049 151 234567891234", "phone_invalid"),  # far too long
        ("0151 23456789 ext. 12", "phone_invalid"),  # an SMS can't reach an extension
    ],
)
def test_invalid_numbers_are_refused_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise_phone(raw)
    assert caught.value.params == {"field": "phone", "reason": reason}
    assert caught.value.http_status == 422


@pytest.mark.parametrize("reason", ["phone_unreadable", "phone_invalid", "phone_not_mobile"])
def test_every_phone_reason_reads_as_german_text(reason: str) -> None:
    message = InvalidInput(field="phone", reason=reason).message
    assert message.startswith("Ungültige Angabe bei „phone“: ")
    assert reason not in message
