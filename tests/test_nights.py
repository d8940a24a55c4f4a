"""The night calendar: day boundary, time zone and daylight-saving changes."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from belegung.nights import NightCalendar, fixed_clock, nights_between
from tests.conftest import BERLIN

CAL = NightCalendar(BERLIN)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("moment", "night"),
    [
        (local(2026, 3, 2, 0, 30), date(2026, 3, 1)),
        (local(2026, 3, 2, 11, 59), date(2026, 3, 1)),
        (local(2026, 3, 2, 11, 59, 59, 999999), date(2026, 3, 1)),
        (local(2026, 3, 2, 12, 0), date(2026, 3, 2)),
        (local(2026, 3, 2, 23, 59), date(2026, 3, 2)),
    ],
    ids=["00:30", "11:59", "just-before-noon", "12:00", "23:59"],
)
def test_moment_belongs_to_the_night_that_began_the_evening_before(
    moment: datetime, night: date
) -> None:
    assert CAL.night_of(moment) == night


def test_the_same_instant_is_read_in_local_time() -> None:
    # 10:30 UTC is 11:30 in Berlin in winter (still last night), 12:30 in summer.
    assert CAL.night_of(datetime(2026, 1, 10, 10, 30, tzinfo=UTC)) == date(2026, 1, 9)
    assert CAL.night_of(datetime(2026, 7, 10, 10, 30, tzinfo=UTC)) == date(2026, 7, 10)


def test_spring_forward_night_keeps_its_moments() -> None:
    # Clocks jump from 02:00 to 03:00 on 29 March 2026: the night of 28 March is an
    # hour shorter, and every moment in it still belongs to it.
    start = CAL.starts_at(date(2026, 3, 28))
    end = CAL.ends_at(date(2026, 3, 28))
    assert end - start == timedelta(hours=23)
    moment = start
    while moment < end:
        assert CAL.night_of(moment) == date(2026, 3, 28)
        moment += timedelta(minutes=15)
    assert CAL.night_of(end) == date(2026, 3, 29)
    assert CAL.night_of(local(2026, 3, 29, 1, 59)) == date(2026, 3, 28)
    assert CAL.night_of(local(2026, 3, 29, 3, 0)) == date(2026, 3, 28)


def test_fall_back_night_keeps_both_of_its_two_oclock_hours() -> None:
    # Clocks go back from 03:00 to 02:00 on 25 October 2026: 02:30 happens twice.
    first = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN, fold=0)
    second = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN, fold=1)
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=1)
    assert CAL.night_of(first) == CAL.night_of(second) == date(2026, 10, 24)
    assert CAL.ends_at(date(2026, 10, 24)) - CAL.starts_at(date(2026, 10, 24)) == timedelta(
        hours=25
    )
    assert CAL.night_of(local(2026, 10, 25, 12, 0)) == date(2026, 10, 25)


def test_configurable_day_boundary() -> None:
    early = NightCalendar(BERLIN, time(9, 0))
    assert early.night_of(local(2026, 3, 2, 8, 59)) == date(2026, 3, 1)
    assert early.night_of(local(2026, 3, 2, 9, 0)) == date(2026, 3, 2)


def test_naive_moments_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.night_of(datetime(2026, 3, 2, 12, 0))  # noqa: DTZ001
    with pytest.raises(ValueError, match="timezone-aware"):
        fixed_clock(datetime(2026, 3, 2, 12, 0))  # noqa: DTZ001


def test_nights_between_counts_a_half_open_range() -> None:
    assert nights_between(date(2026, 1, 30), date(2026, 2, 2)) == 3
