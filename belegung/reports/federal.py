"""The federal statistic of housed homeless persons (§ 4 WoBerichtsG): one record per
person accommodated on the reference night, with the statistic's characteristics coded
by one table (federal_codes.csv, replaceable by BELEGUNG_FEDERAL_CODES), and a summary
per characteristic. See docs/federal-statistic.md."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.facilities.models import Facility, FacilityKind, OperatorType, WelfareAssociation
from belegung.persons.countries import country_names
from belegung.persons.models import Gender, HouseholdType, Nationality, Person
from belegung.reports.sql import days_between
from belegung.stays.models import OCCUPYING, Stay

CODES_FILE = Path(__file__).with_name("federal_codes.csv")
UNKNOWN = "unknown"
NO_ASSOCIATION = "none"

# The characteristics whose every value of ours needs a row in the table of codes.
REQUIRED: dict[str, tuple[str, ...]] = {
    "sex": tuple(g.value for g in Gender),
    "age": (UNKNOWN,),
    "nationality": tuple(n.value for n in Nationality),
    "citizenship": tuple(country_names()),
    "household_type": tuple(h.value for h in HouseholdType),
    "accommodation": tuple(k.value for k in FacilityKind),
    "provider": tuple(o.value for o in OperatorType),
    "welfare_association": (NO_ASSOCIATION, *(w.value for w in WelfareAssociation)),
}

# Age groups of the summary: (lowest age, label); each up to the next one's lowest.
AGE_GROUPS = (
    (0, "unter 18"),
    (18, "18 bis unter 25"),
    (25, "25 bis unter 30"),
    (30, "30 bis unter 40"),
    (40, "40 bis unter 50"),
    (50, "50 bis unter 65"),
    (65, "65 und älter"),
)

# The record's columns, in order: (CSV header, FederalRecord attribute).
COLUMNS = (
    ("lfd_nr", "number"),
    ("gemeindeschluessel", "municipality_key"),
    ("stichtag", "reference_date"),
    ("geschlecht", "sex"),
    ("alter", "age"),
    ("staatsangehoerigkeit", "nationality"),
    ("haushaltstyp", "household_type"),
    ("haushaltsgroesse", "household_size"),
    ("art_der_unterbringung", "accommodation"),
    ("traeger", "provider"),
    ("wohlfahrtsverband", "welfare_association"),
    ("beginn_unterbringung", "accommodated_since"),
)
# The summary's characteristics, in order: (name, FederalRecord attribute or "age_group").
SUMMARY = (
    ("geschlecht", "sex"),
    ("altersgruppe", "age_group"),
    ("staatsangehoerigkeit", "nationality"),
    ("haushaltstyp", "household_type"),
    ("haushaltsgroesse", "household_size"),
    ("art_der_unterbringung", "accommodation"),
    ("traeger", "provider"),
    ("wohlfahrtsverband", "welfare_association"),
)


class CodesError(Exception):
    """The table of codes is unreadable or misses a value; the message says which."""


@dataclass(frozen=True)
class Codes:
    """Our value → (the statistic's code, its label), per characteristic."""

    table: Mapping[str, Mapping[str, tuple[str, str]]]

    def code(self, characteristic: str, value: str) -> str:
        return self.table[characteristic][value][0]

    def label(self, characteristic: str, code: str) -> str:
        for mapped, label in self.table[characteristic].values():
            if mapped == code:
                return label
        return code


@cache
def load_codes(path: Path = CODES_FILE) -> Codes:
    """Read and check a table of codes (CSV: characteristic, value, code, label)."""
    table: dict[str, dict[str, tuple[str, str]]] = {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            reader = csv.DictReader(file)
            if reader.fieldnames is None or not {"characteristic", "value", "code"} <= set(
                reader.fieldnames
            ):
                raise CodesError(f"{path}: the header must name characteristic, value, code")
            for line, row in enumerate(reader, start=2):
                characteristic, value = row["characteristic"].strip(), row["value"].strip()
                code = (row["code"] or "").strip()
                label = (row.get("label") or "").strip() or code
                if value in table.setdefault(characteristic, {}):
                    raise CodesError(f"{path}, line {line}: {characteristic}/{value} twice")
                table[characteristic][value] = (code, label)
    except OSError as exc:
        raise CodesError(f"{path}: {exc.strerror}") from None
    for characteristic, values in REQUIRED.items():
        missing = [v for v in values if v not in table.get(characteristic, {})]
        if missing:
            raise CodesError(f"{path}: no code for {characteristic} {', '.join(missing[:5])}")
    return Codes(table)


def reference_night(tonight: date) -> date:
    """The last night of 31 January to 1 February that is over: this year's once it
    has passed, else last year's."""
    this_year = date(tonight.year, 1, 31)
    return this_year if tonight > this_year else date(tonight.year - 1, 1, 31)


def age_on(reference: date, birth_year: int | None) -> int | None:
    """Age in completed years on the reference date, from the year of birth alone: the
    birthday is taken to be 1 July (the middle of the year), so a person is counted one
    year younger before July and the error is at most a year either way. On 31 January
    that is the reference year minus the year of birth minus one."""
    if birth_year is None:
        return None
    return max(
        0, reference.year - birth_year - (1 if (reference.month, reference.day) < (7, 1) else 0)
    )


def age_group(age: int | None) -> str:
    if age is None:
        return "unbekannt"
    label = AGE_GROUPS[0][1]
    for lowest, name in AGE_GROUPS:
        if age >= lowest:
            label = name
    return label


@dataclass(frozen=True)
class FederalRecord:
    """One person accommodated on the reference night, coded."""

    number: int
    municipality_key: str
    reference_date: date
    sex: str
    age: str
    nationality: str
    household_type: str
    household_size: int
    accommodation: str
    provider: str
    welfare_association: str
    accommodated_since: date
    # Not exported: the age group of the summary, and who it is (for tests).
    age_group: str
    person_id: int

    def row(self) -> list[str]:
        return [_text(getattr(self, attribute)) for _, attribute in COLUMNS]


def _text(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


@dataclass(frozen=True)
class FederalStatistic:
    night: date
    municipality_key: str
    run_gap_nights: int
    records: Sequence[FederalRecord]
    codes: Codes

    def summary(self) -> list[tuple[str, list[tuple[str, str, int]]]]:
        """Per characteristic: (code, label, persons), most persons first."""
        result = []
        for name, attribute in SUMMARY:
            counts = Counter(str(getattr(r, attribute)) for r in self.records)
            characteristic = _characteristic(attribute)
            rows = [
                (code, self._label(characteristic, code), persons)
                for code, persons in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            ]
            result.append((name, rows))
        return result

    def _label(self, characteristic: str | None, code: str) -> str:
        if characteristic is None:
            return code
        if characteristic == "nationality":
            label = self.codes.label("citizenship", code)
            return label if label != code else self.codes.label("nationality", code)
        return self.codes.label(characteristic, code)


def _characteristic(attribute: str) -> str | None:
    """The table's characteristic of a record's attribute (None: no codes)."""
    return None if attribute in ("age_group", "household_size") else attribute


def federal_statistic(
    session: Session,
    night: date,
    *,
    municipality_key: str,
    run_gap_nights: int,
    codes: Codes,
) -> FederalStatistic:
    """The records of the persons accommodated on `night`, in two queries: who slept
    where, and since when their current accommodation runs (gaps of up to
    `run_gap_nights` nights joined)."""
    on_night = sa.and_(
        Stay.status.in_(OCCUPYING),
        Stay.first_night <= night,
        sa.or_(Stay.end_night.is_(None), Stay.end_night > night),
    )
    rows = session.execute(
        sa.select(Person, Facility)
        .join(Stay, Stay.person_id == Person.id)
        .join(Facility, Facility.id == Stay.facility_id)
        .where(on_night)
        .order_by(Facility.id, Person.id)
    ).all()
    starts = {
        person_id: first
        for person_id, first in session.execute(
            _accommodated_since(night, on_night, run_gap_nights)
        )
    }
    records: list[FederalRecord] = []
    seen: set[int] = set()
    for person, facility in rows:
        # The database refuses two stays of a person in one night (PostgreSQL's
        # exclusion constraint; SQLite's write lock): this only guards the count.
        if person.id in seen:
            continue
        seen.add(person.id)
        age = age_on(night, person.birth_year)
        if person.citizenship:
            nationality = codes.code("citizenship", person.citizenship)
        else:
            nationality = codes.code("nationality", person.nationality.value)
        association = (
            facility.welfare_association.value if facility.welfare_association else NO_ASSOCIATION
        )
        records.append(
            FederalRecord(
                number=len(records) + 1,
                municipality_key=municipality_key,
                reference_date=night,
                sex=codes.code("sex", person.gender.value),
                age=str(age) if age is not None else codes.code("age", UNKNOWN),
                nationality=nationality,
                household_type=codes.code("household_type", person.household_type.value),
                household_size=person.household_size,
                accommodation=codes.code("accommodation", facility.kind.value),
                provider=codes.code("provider", facility.operator_type.value),
                welfare_association=codes.code("welfare_association", association),
                accommodated_since=_as_date(starts[person.id]),
                age_group=age_group(age),
                person_id=person.id,
            )
        )
    return FederalStatistic(night, municipality_key, run_gap_nights, records, codes)


def _as_date(value: date | str) -> date:
    # SQLite returns the MAX() of a date column as its ISO text.
    return value if isinstance(value, date) else date.fromisoformat(value)


def _accommodated_since(
    night: date, on_night: sa.ColumnElement[bool], gap: int
) -> sa.Select[tuple[int, date]]:
    """(person, first night of the current accommodation) for the persons accommodated
    on `night`: walking back through their stays (at any facility) from that night, a
    gap of more than `gap` nights between one stay's end and the next one's beginning
    ends the run."""
    # Uncorrelated: the stays of the persons present, not a condition on each row.
    present = sa.select(Stay.person_id).where(on_night).correlate(None)
    previous_end = sa.func.lag(Stay.end_night).over(
        partition_by=Stay.person_id, order_by=Stay.first_night
    )
    stays = (
        sa.select(
            Stay.person_id,
            Stay.first_night,
            sa.case(
                (previous_end.is_(None), 1),
                (days_between(Stay.first_night, previous_end) > gap, 1),
                else_=0,
            ).label("begins"),
        )
        .where(Stay.status.in_(OCCUPYING), Stay.person_id.in_(present), Stay.first_night <= night)
        .subquery()
    )
    return (
        sa.select(stays.c.person_id, sa.func.max(stays.c.first_night))
        .where(stays.c.begins == 1)
        .group_by(stays.c.person_id)
    )
