"""The reports as the API reads and writes them."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from belegung import texts
from belegung.housing.models import Outcome
from belegung.limits import SLUG_MAX
from belegung.reports.federal import FederalStatistic
from belegung.reports.monthly import TURN_AWAY_REASONS, Month
from belegung.schemas import Text, night_date

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class MonthField(fields.Field[Month]):
    """`YYYY-MM`, loaded as a reports.monthly.Month."""

    default_error_messages = {"invalid": texts.VALIDATION["bad_month"]}  # noqa: RUF012

    def _serialize(self, value: Month | None, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else str(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Month:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            month = Month.parse(value)
        except ValueError:
            raise self.make_error("invalid") from None
        if not 2000 <= month.year <= 2099:
            raise self.make_error("invalid")
        return month


class MonthlyQuerySchema(ma.Schema):
    month = MonthField(
        metadata={
            "type": "string",
            "pattern": r"^20\d{2}-(0[1-9]|1[0-2])$",
            "description": "Default: last month",
            "example": "2026-01",
        }
    )
    facility = Text(
        validate=validate.Length(min=1, max=SLUG_MAX), metadata={"description": "One facility"}
    )
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(["json", "csv", "xlsx"]),
        metadata={"description": "json, or a download: csv, xlsx"},
    )


class TurnAwaysSchema(ma.Schema):
    full = fields.Integer(required=True)
    banned = fields.Integer(required=True)
    wrong_target_group = fields.Integer(required=True)
    other = fields.Integer(required=True)
    total = fields.Integer(required=True)


assert set(TURN_AWAY_REASONS) <= set(TurnAwaysSchema().fields)  # noqa: S101  (kept in step)


class FiguresSchema(ma.Schema):
    capacity_nights = fields.Integer(
        required=True, metadata={"description": "Regular places in service × nights"}
    )
    occupied_nights = fields.Integer(
        required=True, metadata={"description": "Nights slept, emergency places included"}
    )
    occupancy_rate = fields.Float(
        required=True,
        allow_none=True,
        metadata={"description": "occupied / capacity (over 1 with emergency places)"},
    )
    persons = fields.Integer(required=True, metadata={"description": "Distinct persons"})
    new_persons = fields.Integer(
        required=True,
        metadata={"description": "First night ever here (in the totals: anywhere) this month"},
    )
    turn_aways = fields.Nested(TurnAwaysSchema, required=True)
    holds = fields.Integer(required=True)
    no_shows = fields.Integer(required=True, metadata={"description": "Holds that ran out unused"})
    average_run_nights = fields.Float(
        required=True,
        allow_none=True,
        metadata={"description": "Unbroken runs of nights that ended this month: mean length"},
    )
    median_run_nights = fields.Float(required=True, allow_none=True)


class HousingOutcomesSchema(ma.Schema):
    """Households that left the programme in the month, by where they went."""

    own_tenancy = fields.Integer(required=True)
    other_housing = fields.Integer(required=True)
    supported_housing = fields.Integer(required=True)
    shelter = fields.Integer(required=True)
    institution = fields.Integer(required=True)
    deceased = fields.Integer(required=True)
    # (Not a class attribute `unknown`: that is the schema's option of the same name.)
    unknown_ = fields.Integer(required=True, data_key="unknown", attribute="unknown")


assert {o.value for o in Outcome} == {  # noqa: S101  (kept in step)
    f.data_key or name for name, f in HousingOutcomesSchema().fields.items()
}


class HousingMonthSchema(ma.Schema):
    moved_in = fields.Integer(
        required=True,
        metadata={"description": "Households that came into the programme (not moves)"},
    )
    moved_out = fields.Integer(
        required=True, metadata={"description": "Households that left it, with an outcome"}
    )
    outcomes = fields.Nested(HousingOutcomesSchema, required=True)


class FacilityFiguresSchema(FiguresSchema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    target_group = fields.String(required=True)
    housing = fields.Nested(
        HousingMonthSchema,
        allow_none=True,
        metadata={
            "description": "The housing programme's own figures (moves in and out, "
            "outcomes), as /housing/figures counts them; null for the shelters"
        },
    )


class MonthlyReportSchema(ma.Schema):
    month = fields.Function(
        lambda report: str(report.month), required=True, metadata={"type": "string"}
    )
    first_night = fields.Date(required=True)
    end_night = fields.Date(
        required=True, metadata={"description": "The night after the last counted"}
    )
    generated_at = fields.AwareDateTime(required=True)
    facilities = fields.List(fields.Nested(FacilityFiguresSchema), required=True)
    totals = fields.Nested(FiguresSchema, required=True)


class FederalQuerySchema(ma.Schema):
    night = night_date(metadata={"description": "Default: the last 31 January that is over"})
    format = fields.String(
        load_default="csv",
        validate=validate.OneOf(["csv", "json", "summary_csv"]),
        metadata={
            "description": "csv: a row per person; json: the summary per characteristic; "
            "summary_csv: the summary as CSV"
        },
    )


class SummaryValueSchema(ma.Schema):
    code = fields.String(required=True)
    label = fields.String(required=True)
    persons = fields.Integer(required=True)


class SummarySchema(ma.Schema):
    characteristic = fields.String(required=True)
    values = fields.List(fields.Nested(SummaryValueSchema), required=True)


class FederalSummarySchema(ma.Schema):
    night = fields.Date(required=True)
    municipality_key = fields.String(required=True, metadata={"example": "05913000"})
    run_gap_nights = fields.Integer(
        required=True, metadata={"description": "Gaps up to this long join a run of nights"}
    )
    persons = fields.Integer(required=True, metadata={"description": "Persons counted"})
    characteristics = fields.List(fields.Nested(SummarySchema), required=True)

    @ma.pre_dump
    def _from_statistic(self, statistic: FederalStatistic, **_: Any) -> dict[str, Any]:
        return {
            "night": statistic.night,
            "municipality_key": statistic.municipality_key,
            "run_gap_nights": statistic.run_gap_nights,
            "persons": len(statistic.records),
            "characteristics": [
                {
                    "characteristic": name,
                    "values": [{"code": c, "label": label, "persons": n} for c, label, n in rows],
                }
                for name, rows in statistic.summary()
            ],
        }
