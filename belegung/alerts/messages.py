"""The SMS texts filled in: capacity alerts, the winter emergency, the evening summary,
notices to admins, and the answers to crews. Templates live in texts.SMS; here they get
their figures, in short forms that keep a message in one GSM-7 segment."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from belegung import texts
from belegung.alerts.segments import GSM7_BASIC, GSM7_EXTENSION

# Free text (a manager's reason) is cut to this in an SMS: the winter alerts then stay
# in one segment.
REASON_MAX_SMS = 35
SHORT_NAME_MAX = 24
# A facility's full name in a capacity alert.
SCOPE_MAX = 60

# Characters people type that GSM-7 lacks, and what stands in for them: one of them
# would make the whole message UCS-2 (70 instead of 160 characters per segment).
_GSM7_STAND_INS = {
    " °C": " Grad",
    " °": " Grad",
    "°C": " Grad",
    "°": " Grad",
    "\u2212": "-",  # minus sign
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u201e": '"',  # „
    "\u201c": '"',  # “
    "\u201d": '"',  # ”
    "\u201a": "'",  # ‚
    "\u2018": "'",  # ‘
    "\u2019": "'",  # ’
    "\u00bb": '"',  # »
    "\u00ab": '"',  # «
    "\u2026": "...",
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space
    "ç": "c",
}


def gsm7(text: str) -> str:
    """`text` with typographic characters replaced by GSM-7 ones; other characters stay
    (the message then goes as UCS-2, but nothing is lost)."""
    for char, stand_in in _GSM7_STAND_INS.items():
        text = text.replace(char, stand_in)
    return text


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def clock_time(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M")


def degrees(value: float) -> str:
    """-3.14 → "-3,1" (German decimal comma, ASCII minus)."""
    text = f"{value:.1f}".replace(".", ",")
    return "0,0" if text == "-0,0" else text


def facility_short_name(slug: str, name: str) -> str:
    """The name an SMS gives a facility: the preset's short names, else the name shortened
    ("…straße" → "…str.")."""
    if slug in texts.SMS_FACILITY_NAMES:
        return texts.SMS_FACILITY_NAMES[slug]
    short = gsm7(name).replace("straße", "str.").replace("strasse", "str.")
    return shorten(short, SHORT_NAME_MAX)


@dataclass(frozen=True)
class FreeBeds:
    """What an SMS says about one shelter: free regular places, and free emergency
    places where they are offered."""

    name: str
    free: int
    emergency: int = 0

    @property
    def any(self) -> bool:
        return self.free + self.emergency > 0


def free_list(items: Iterable[FreeBeds]) -> str:
    parts = []
    for item in items:
        if item.emergency:
            parts.append(
                texts.SMS["free_item_emergency"].format(
                    name=item.name, free=item.free, emergency=item.emergency
                )
            )
        else:
            parts.append(texts.SMS["free_item"].format(name=item.name, free=item.free))
    return ", ".join(parts)


def group_name(group: str) -> str:
    return texts.SMS_GROUPS[group]


# --- alerts -----------------------------------------------------------------------------


def capacity_occupancy(
    scope: str, *, percent: int, occupied: int, capacity: int, free: int, time: str
) -> str:
    return texts.SMS["capacity_occupancy"].format(
        scope=scope, percent=percent, occupied=occupied, capacity=capacity, free=free, time=time
    )


def capacity_free(scope: str, *, free: int, occupied: int, held: int, time: str) -> str:
    key = "capacity_full" if free <= 0 else "capacity_free"
    return texts.SMS[key].format(scope=scope, free=free, occupied=occupied, held=held, time=time)


def group_scope(group: str) -> str:
    return texts.SMS["group_scope"].format(group=group_name(group))


def winter_reason(reason: str | None) -> str:
    return shorten(gsm7(reason), REASON_MAX_SMS) if reason else texts.SMS["winter_no_reason"]


def winter_start(reason: str | None, time: str) -> str:
    return texts.SMS["winter_start"].format(time=time, reason=winter_reason(reason))


def winter_end(reason: str | None, time: str) -> str:
    return texts.SMS["winter_end"].format(time=time, reason=winter_reason(reason))


def summary(items: Iterable[FreeBeds], *, turn_aways: int, time: str) -> str:
    return texts.SMS["summary"].format(time=time, list=free_list(items), turn_aways=turn_aways)


def weather_outage(problem: str, *, active: bool) -> str:
    state = texts.SMS["state_active" if active else "state_inactive"]
    return texts.SMS["weather_outage"].format(problem=gsm7(problem), state=state)


def test_message(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return texts.SMS["test"].format(date=local.strftime("%d.%m.%Y"), time=local.strftime("%H:%M"))
