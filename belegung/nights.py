"""The night calendar: which night a moment belongs to, in the service's time zone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Clock:
    """A clock that always reads `moment` (for tests, replays and benchmarks)."""
    if moment.tzinfo is None:
        raise ValueError("fixed_clock needs a timezone-aware moment")
    return lambda: moment


@dataclass(frozen=True)
class NightCalendar:
    """A night is named by the date of its evening.

    Until the day boundary (default 12:00 local time) a moment belongs to the night that
    began the evening before: at 00:30 and at 11:59 on 2 March it is still the night of
    1 March; from 12:00 on it is the night of 2 March. Local wall-clock time decides, so
    the daylight-saving changes (which happen at 02:00/03:00, long before the boundary)
    move no moment into another night.
    """

    timezone: ZoneInfo
    day_boundary: time = time(12, 0)

    def night_of(self, moment: datetime) -> date:
        if moment.tzinfo is None:
            raise ValueError("night_of needs a timezone-aware moment")
        local = moment.astimezone(self.timezone)
        if local.time() < self.day_boundary:
            return local.date() - timedelta(days=1)
        return local.date()

    def before_midnight(self, moment: datetime) -> bool:
        """True from the day boundary until midnight: the evening of the current night,
        which nobody has slept yet. From midnight to the boundary the night is being
        slept (or has been)."""
        return self.night_of(moment) == moment.astimezone(self.timezone).date()

    def starts_at(self, night: date) -> datetime:
        """The moment night `night` begins (its day boundary), as an aware UTC datetime."""
        local = datetime.combine(night, self.day_boundary, tzinfo=self.timezone)
        return local.astimezone(UTC)

    def ends_at(self, night: date) -> datetime:
        """The moment night `night` ends: the day boundary of the next day."""
        return self.starts_at(night + timedelta(days=1))


def nights_between(first: date, end: date) -> int:
    """Number of nights in the half-open range [first, end)."""
    return (end - first).days


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day where the
    month is shorter: 31 March minus one month is 28 or 29 February)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (following - timedelta(days=1)).day))
