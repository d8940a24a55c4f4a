"""Phone numbers of SMS recipients: parsed as people write them, stored in E.164."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from belegung.errors import InvalidInput

# Reason codes for InvalidInput(field="phone"); their German texts are in texts.REASONS.
UNREADABLE = "phone_unreadable"
INVALID = "phone_invalid"
NOT_MOBILE = "phone_not_mobile"

# Types that can receive an SMS; some countries (e.g. the US) don't tell mobile from fixed.
_SMS_CAPABLE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


def normalise_phone(raw: str, default_region: str = "DE", *, mobile_only: bool = False) -> str:
    """The number in E.164 (`+4915123456789`), from `0151 2345 6789`, `0049…`, `+49 (0)…`.

    A number without a country code is read as one of `default_region`. Raises
    InvalidInput(field="phone") with reason `phone_unreadable` (not a phone number),
    `phone_invalid` (no such number, or an extension, which an SMS can't reach) or, with
    `mobile_only`, `phone_not_mobile`.
    """
    try:
        number = phonenumbers.parse(raw, default_region)
    except NumberParseException:
        raise InvalidInput(field="phone", reason=UNREADABLE) from None
    if number.extension or not phonenumbers.is_valid_number(number):
        raise InvalidInput(field="phone", reason=INVALID)
    if mobile_only and phonenumbers.number_type(number) not in _SMS_CAPABLE:
        raise InvalidInput(field="phone", reason=NOT_MOBILE)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)
