"""The federal statistic: one record per person accommodated on the reference night,
never two; the start of the current accommodation (a gap of 3 nights joins, 4 breaks);
age from the year of birth; the nationality and provider codes from the table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from belegung.context import ServiceContext
from belegung.facilities.models import Facility
from belegung.persons.models import Gender, HouseholdType, Nationality, Person
from belegung.persons.service import create_person
from belegung.reports.federal import (
    CODES_FILE,
    CodesError,
    FederalStatistic,
    age_on,
    federal_statistic,
    load_codes,
    reference_night,
)
from belegung.stays.holds import create_hold
from belegung.stays.models import Stay, StayStatus
from belegung.stays.service import check_in, check_out, extend_stay
from tests.conftest import FakeClock

NIGHT = date(2026, 1, 31)


@dataclass
class Night:
    ctx: ServiceContext
    persons: dict[str, Person]


@pytest.fixture
def night(ctx: ServiceContext, clock: FakeClock, dortmund: dict[str, Facility]) -> Night:
    """Who slept where around 31 January 2026 (see each line)."""
    union, women = dortmund["unionstrasse"], dortmund["nortkirchenstrasse"]
    drugs, wvp = dortmund["drogenhilfe"], dortmund["wvp"]
    people = {
        "gap3": create_person(ctx, "Drei", gender=Gender.MALE, birth_year=1971, citizenship="PL"),
        "gap4": create_person(
            ctx, "Vier", gender=Gender.FEMALE, birth_year=1990, nationality=Nationality.UNCLEAR
        ),
        "housed": create_person(
            ctx, "Wohnung", gender=Gender.DIVERSE, household_type=HouseholdType.UNKNOWN
        ),
        "moved": create_person(
            ctx,
            "Umzug",
            gender=Gender.MALE,
            birth_year=2001,
            nationality=Nationality.STATELESS,
            household_type=HouseholdType.OTHER_MULTI,
            household_size=3,
        ),
        "left": create_person(ctx, "Fort", gender=Gender.MALE, birth_year=1960),
        "cancelled": create_person(ctx, "Nie", gender=Gender.MALE),
    }

    def stay(person: str, facility: Facility, first: date, nights: int) -> Stay:
        clock.set_local(first.year, first.month, first.day, 21, 0)
        # A shelter books at most 14 nights at once; more are an extension.
        booked = check_in(ctx, facility, people[person], nights=min(nights, 14))
        return booked if nights <= 14 else extend_stay(ctx, booked.id, nights=nights - 14)

    # 20–21 January, three nights missed (22, 23, 24), then from 25 January: joined.
    stay("gap3", union, date(2026, 1, 20), 2)
    stay("gap3", union, date(2026, 1, 25), 8)
    # 10–11 January, four nights missed (12–15), then from 16 January: a new run.
    stay("gap4", women, date(2026, 1, 10), 2)
    stay("gap4", women, date(2026, 1, 16), 16)
    # From one shelter to another without a gap: since the first.
    stay("moved", union, date(2026, 1, 28), 2)
    stay("moved", drugs, date(2026, 1, 30), 4)
    # Left on the morning of 31 January: not there that night.
    stay("left", union, date(2026, 1, 29), 2)
    # Checked in on the evening of 31 January and gone again that evening: no night.
    cancelled = stay("cancelled", union, NIGHT, 1)
    clock.set_local(2026, 1, 31, 22, 0)
    check_out(ctx, cancelled.id)
    create_hold(ctx, union)  # a hold for the night: nobody yet
    # The housing programme: moved in in June 2025, open-ended (as an import writes it).
    place = next(p for p in wvp.places if p.label == "W001-1")
    ctx.session.add(
        Stay(
            facility_id=wvp.id, place_id=place.id, person_id=people["housed"].id,
            first_night=date(2025, 6, 1), end_night=None, status=StayStatus.CHECKED_IN,
            checked_in_at=ctx.now(),
        )
    )  # fmt: skip
    clock.set_local(2026, 2, 2, 21, 0)
    ctx.session.flush()
    return Night(ctx, people)


def statistic(night: Night, gap: int = 3, on: date = NIGHT) -> FederalStatistic:
    return federal_statistic(
        night.ctx.session, on, municipality_key="05913000", run_gap_nights=gap, codes=load_codes()
    )


def by_person(result: FederalStatistic, night: Night) -> dict[str, dict[str, str]]:
    names = {p.id: key for key, p in night.persons.items()}
    from belegung.reports.federal import COLUMNS

    return {
        names[r.person_id]: dict(zip((c for c, _ in COLUMNS), r.row(), strict=True))
        for r in result.records
    }


def test_every_person_accommodated_that_night_is_one_record(night: Night) -> None:
    result = statistic(night)

    person_ids = [r.person_id for r in result.records]
    assert len(person_ids) == len(set(person_ids)) == 4
    assert set(by_person(result, night)) == {"gap3", "gap4", "housed", "moved"}
    assert [r.number for r in result.records] == [1, 2, 3, 4]


def test_the_records_carry_the_coded_characteristics(night: Night) -> None:
    rows = by_person(statistic(night), night)

    assert rows["gap3"] == {
        "lfd_nr": rows["gap3"]["lfd_nr"],
        "gemeindeschluessel": "05913000",
        "stichtag": "2026-01-31",
        "geschlecht": "männlich",
        "alter": "54",  # born 1971; on 31 January counted before a mid-year birthday
        "staatsangehoerigkeit": "PL",
        "haushaltstyp": "alleinstehend",
        "haushaltsgroesse": "1",
        "art_der_unterbringung": "Notunterkunft",
        "traeger": "gewerblich",  # European Homecare runs Unionstraße
        "wohlfahrtsverband": "",
        "beginn_unterbringung": "2026-01-20",
    }
    assert (rows["gap4"]["staatsangehoerigkeit"], rows["gap4"]["traeger"]) == (
        "ungeklärt",
        "freie Wohlfahrtspflege",
    )
    assert rows["gap4"]["wohlfahrtsverband"] == "Diakonie"
    assert (rows["housed"]["geschlecht"], rows["housed"]["alter"]) == ("divers", "unbekannt")
    assert (rows["housed"]["staatsangehoerigkeit"], rows["housed"]["traeger"]) == (
        "ohne Angabe",
        "Kommune",
    )
    assert rows["housed"]["art_der_unterbringung"] == "Wohnung"
    assert rows["moved"]["staatsangehoerigkeit"] == "staatenlos"
    # No household type recorded: exported as such, never guessed from the size.
    assert (rows["housed"]["haushaltstyp"], rows["housed"]["haushaltsgroesse"]) == (
        "unbekannt",
        "1",
    )
    assert (rows["moved"]["haushaltstyp"], rows["moved"]["haushaltsgroesse"]) == (
        "sonstiger Mehrpersonenhaushalt",
        "3",
    )


def test_a_gap_of_three_nights_joins_a_run_and_four_break_it(night: Night) -> None:
    rows = by_person(statistic(night), night)

    assert rows["gap3"]["beginn_unterbringung"] == "2026-01-20"
    assert rows["gap4"]["beginn_unterbringung"] == "2026-01-16"
    assert rows["moved"]["beginn_unterbringung"] == "2026-01-28"
    assert rows["housed"]["beginn_unterbringung"] == "2025-06-01"


def test_the_gap_is_configurable(night: Night) -> None:
    assert by_person(statistic(night, gap=4), night)["gap4"]["beginn_unterbringung"] == (
        "2026-01-10"
    )
    assert by_person(statistic(night, gap=2), night)["gap3"]["beginn_unterbringung"] == (
        "2026-01-25"
    )


def test_the_summary_counts_each_characteristic(night: Night) -> None:
    summary = dict(statistic(night).summary())

    assert {code: n for code, _, n in summary["geschlecht"]} == {
        "männlich": 2,
        "weiblich": 1,
        "divers": 1,
    }
    assert sum(n for _, _, n in summary["altersgruppe"]) == 4
    assert ("PL", "Polen", 1) in summary["staatsangehoerigkeit"]
    assert ("ungeklärt", "ungeklärt", 1) in summary["staatsangehoerigkeit"]
    assert ("ohne Angabe", "ohne Angabe", 1) in summary["staatsangehoerigkeit"]


@pytest.mark.parametrize(
    ("tonight", "reference"),
    [
        (date(2026, 2, 1), date(2026, 1, 31)),
        (date(2026, 12, 24), date(2026, 1, 31)),
        (date(2026, 1, 31), date(2025, 1, 31)),
        (date(2026, 1, 5), date(2025, 1, 31)),
    ],
)
def test_the_default_reference_night_is_the_last_31_january_that_is_over(
    tonight: date, reference: date
) -> None:
    assert reference_night(tonight) == reference


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (1971, NIGHT, 54), (2026, NIGHT, 0), (2025, NIGHT, 0), (1971, date(2026, 7, 1), 55),
        (None, NIGHT, None),
    ],
)  # fmt: skip
def test_age_from_the_year_of_birth_assumes_a_birthday_mid_year(
    born: int | None, on: date, age: int | None
) -> None:
    assert age_on(on, born) == age


# --- the table of codes ----------------------------------------------------------------------


def test_the_shipped_table_codes_every_value(tmp_path: Path) -> None:
    codes = load_codes(CODES_FILE)
    assert codes.code("citizenship", "XK") == "XK"
    assert codes.code("household_type", "other_multi") == "sonstiger Mehrpersonenhaushalt"
    assert codes.code("household_type", "unknown") == "unbekannt"


def test_a_table_missing_a_value_is_refused_naming_it(tmp_path: Path) -> None:
    lines = CODES_FILE.read_text(encoding="utf-8").splitlines()
    broken = tmp_path / "codes.csv"
    broken.write_text("\n".join(line for line in lines if not line.startswith("sex,d,")) + "\n")

    with pytest.raises(CodesError, match="no code for sex d"):
        load_codes(broken)


def test_a_changed_table_changes_the_export_without_code(night: Night, tmp_path: Path) -> None:
    lines = CODES_FILE.read_text(encoding="utf-8").splitlines()
    numeric = tmp_path / "numeric.csv"
    numeric.write_text(
        "\n".join(
            line.replace("sex,m,männlich,", "sex,m,1,").replace("sex,f,weiblich,", "sex,f,2,")
            for line in lines
        )
        + "\n",
        encoding="utf-8",
    )

    result = federal_statistic(
        night.ctx.session, NIGHT, municipality_key="05913000", run_gap_nights=3,
        codes=load_codes(numeric),
    )  # fmt: skip

    assert {r.sex for r in result.records} == {"1", "2", "divers"}


def test_a_night_later_counts_only_who_is_still_accommodated(night: Night) -> None:
    later = statistic(night, on=NIGHT + timedelta(days=300))

    assert [r.person_id for r in later.records] == [night.persons["housed"].id]
