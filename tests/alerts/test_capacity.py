"""Capacity rules: evaluated in the transaction of every claim change and by the scheduler;
each crossing alerts once, and again only after the figure fell back past the margin."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from belegung.alerts import capacity, tasks
from belegung.alerts.models import AlertRule, RecipientRole, RuleMetric, RuleState
from belegung.alerts.presets import seed_rules
from belegung.context import ServiceContext
from belegung.facilities.models import Facility, TargetGroup
from belegung.persons.models import Gender
from belegung.stays.holds import create_hold
from belegung.stays.models import Stay, TurnAwayReason
from belegung.stays.out_of_service import take_out_of_service
from belegung.stays.service import check_in, check_out
from belegung.stays.turn_aways import record_turn_away
from tests.alerts.conftest import Committed, MakeRecipient, outbox
from tests.apiclient import ApiClient
from tests.apiclient import check_in as api_check_in
from tests.conftest import BERLIN, FakeClock

MakeFacility = Callable[..., Facility]
MakeStay = Callable[..., Stay]


def rule_for(
    ctx: ServiceContext,
    metric: RuleMetric,
    threshold: int,
    margin: int,
    facility: Facility | None = None,
    group: TargetGroup | None = None,
) -> AlertRule:
    return capacity.create_rule(
        ctx,
        metric=metric,
        threshold=threshold,
        margin=margin,
        facility=facility,
        target_group=group,
    )


# --- the Dortmund defaults, through the API ------------------------------------------------


def test_the_63rd_guest_at_unionstrasse_alerts_once_and_the_64th_not(
    api: ApiClient,
    ctx: ServiceContext,
    session: Session,
    dortmund: dict[str, Facility],
    make_stay: MakeStay,
    make_recipient: MakeRecipient,
) -> None:
    assert seed_rules(ctx) == 8
    manager_id = make_recipient(RecipientRole.MANAGER).id
    make_recipient(RecipientRole.CREW)
    union_id = dortmund["unionstrasse"].id
    for _ in range(62):
        make_stay(dortmund["unionstrasse"])

    response = api_check_in(api)  # the 63rd: 90 % of 70
    assert response.status_code == 201, response.json

    (alert,) = outbox(session)
    assert alert.recipient_id == manager_id
    assert alert.body == (
        "belegung: Männerübernachtungsstelle Unionstraße zu 90 % belegt "
        "(63 von 70 Betten, 7 frei). Stand 21:00 Uhr."
    )
    rule = session.scalar(
        sa.select(AlertRule).where(
            AlertRule.facility_id == union_id,
            AlertRule.metric == RuleMetric.OCCUPANCY,
        )
    )
    assert rule is not None
    assert alert.cause == f"rule:{rule.id}:1"

    assert api_check_in(api).status_code == 201  # the 64th
    assert len(outbox(session)) == 1


def test_seeding_the_rules_twice_changes_nothing(
    ctx: ServiceContext, dortmund: dict[str, Facility]
) -> None:
    assert seed_rules(ctx) == 8
    assert seed_rules(ctx) == 0
    rules = ctx.session.scalars(sa.select(AlertRule)).all()
    shelters = {f.id for slug, f in dortmund.items() if slug != "wvp"}
    assert {r.facility_id for r in rules if r.metric == RuleMetric.OCCUPANCY} == shelters
    assert {r.target_group for r in rules if r.metric == RuleMetric.FREE} == {
        TargetGroup.MEN,
        TargetGroup.WOMEN,
        TargetGroup.YOUNG_ADULTS,
        TargetGroup.DRUG_USERS,
    }
    assert all(r.state == RuleState.ARMED for r in rules)


# --- hysteresis ------------------------------------------------------------------------------


def test_crossed_fallen_back_and_crossed_again_gives_exactly_two_alerts(
    ctx: ServiceContext,
    session: Session,
    committed: Committed,
    make_facility: MakeFacility,
    make_person: Callable[..., object],
    make_recipient: MakeRecipient,
) -> None:
    shelter = make_facility(places=10)
    rule = rule_for(ctx, RuleMetric.OCCUPANCY, 80, 20, facility=shelter)
    make_recipient()
    stays: list[Stay] = []

    def arrive(n: int) -> None:
        for _ in range(n):
            stays.append(committed(check_in, ctx, shelter, make_person()))  # type: ignore[arg-type]

    def leave(n: int) -> None:
        for _ in range(n):
            committed(check_out, ctx, stays.pop().id)

    arrive(7)
    assert outbox(session) == []
    arrive(1)  # 8 of 10: 80 %
    assert [m.cause for m in outbox(session)] == [f"rule:{rule.id}:1"]

    leave(2)  # 60 %: not under 80 - 20
    arrive(2)
    assert len(outbox(session)) == 1, "no alert before the figure fell back past the margin"

    leave(3)  # 50 %: re-armed
    session.refresh(rule)
    assert rule.state == RuleState.ARMED
    arrive(3)
    assert [m.cause for m in outbox(session)] == [f"rule:{rule.id}:1", f"rule:{rule.id}:2"]
    session.refresh(rule)
    assert (rule.state, rule.fired_count) == (RuleState.FIRED, 2)


def test_a_target_group_with_no_bed_left_alerts_once_emergency_places_counted(
    ctx: ServiceContext,
    session: Session,
    committed: Committed,
    make_facility: MakeFacility,
    make_person: Callable[..., object],
    make_recipient: MakeRecipient,
) -> None:
    women = make_facility(places=3, emergency=1, target_group=TargetGroup.WOMEN)
    rule_for(ctx, RuleMetric.FREE, 0, 2, group=TargetGroup.WOMEN)
    make_recipient()

    for _ in range(3):
        committed(check_in, ctx, women, make_person(gender=Gender.FEMALE))
    assert outbox(session) == [], "the emergency place is still there"
    committed(check_in, ctx, women, make_person(gender=Gender.FEMALE))

    (alert,) = outbox(session)
    assert alert.body == (
        "belegung: Notschlafstellen für Frauen voll, kein Bett mehr frei (4 belegt, "
        "0 reserviert). Stand 21:00 Uhr."
    )


def test_holds_take_free_places_and_their_expiry_rearms_the_rule_at_the_next_evaluation(
    ctx: ServiceContext,
    session: Session,
    clock: FakeClock,
    committed: Committed,
    make_facility: MakeFacility,
    make_recipient: MakeRecipient,
) -> None:
    shelter = make_facility(places=4)
    rule = rule_for(ctx, RuleMetric.FREE, 1, 1, facility=shelter)
    make_recipient()
    for _ in range(3):
        committed(create_hold, ctx, shelter, minutes=30)
    (alert,) = outbox(session)
    assert "nur noch 1 Betten frei (0 belegt, 3 reserviert)" in alert.body

    clock.advance(minutes=31)
    tasks.evaluate_capacity_rules()
    session.refresh(rule)
    assert (rule.state, rule.last_value) == (RuleState.ARMED, 4.0)


def test_a_turn_away_or_a_place_out_of_service_evaluates_the_rules_too(
    ctx: ServiceContext,
    session: Session,
    committed: Committed,
    make_facility: MakeFacility,
    make_stay: MakeStay,
    make_recipient: MakeRecipient,
) -> None:
    shelter = make_facility(places=10)
    rule_for(ctx, RuleMetric.OCCUPANCY, 80, 10, facility=shelter)
    make_recipient()
    for _ in range(7):
        make_stay(shelter)  # not committed: nobody evaluated
    place = shelter.places[-1]

    committed(take_out_of_service, ctx, place, reason="Wasserschaden")  # 7 of 9: 77 %
    assert outbox(session) == []
    make_stay(shelter)  # 8 of 9, still unseen
    committed(record_turn_away, ctx, shelter, TurnAwayReason.FULL)

    assert len(outbox(session)) == 1


def test_only_managers_for_the_facility_and_not_opted_out_are_alerted(
    ctx: ServiceContext,
    session: Session,
    committed: Committed,
    make_facility: MakeFacility,
    make_person: Callable[..., object],
    make_recipient: MakeRecipient,
) -> None:
    shelter, other = make_facility(places=2), make_facility(places=2)
    rule_for(ctx, RuleMetric.OCCUPANCY, 50, 10, facility=shelter)
    everywhere = make_recipient()
    here = make_recipient(facilities=[shelter])
    make_recipient(facilities=[other])
    away = make_recipient()
    away.opted_out = True
    make_recipient(RecipientRole.CREW)
    make_recipient(RecipientRole.ADMIN)

    committed(check_in, ctx, shelter, make_person())

    assert sorted(m.recipient_id for m in outbox(session)) == sorted([everywhere.id, here.id])


def test_the_scheduled_evaluation_fires_what_no_commit_saw_and_notes_every_figure(
    in_app: Flask,
    ctx: ServiceContext,
    session: Session,
    clock: FakeClock,
    make_facility: MakeFacility,
    make_stay: MakeStay,
    make_recipient: MakeRecipient,
) -> None:
    shelter = make_facility(places=4)
    crossed = rule_for(ctx, RuleMetric.OCCUPANCY, 50, 10, facility=shelter)
    quiet = rule_for(ctx, RuleMetric.FREE, 0, 1, facility=shelter)
    make_recipient()
    for _ in range(2):
        make_stay(shelter)
    tasks.evaluate_capacity_rules()
    tasks.evaluate_capacity_rules()  # idempotent
    assert len(outbox(session)) == 1
    session.refresh(quiet)
    assert (quiet.state, quiet.last_value, quiet.evaluated_at) == (RuleState.ARMED, 2.0, clock())

    # The next day after the boundary: a new night, nobody in yet.
    clock.set_local(2026, 1, 16, 12, 5)
    tasks.evaluate_capacity_rules()
    session.refresh(crossed)
    assert crossed.state == RuleState.ARMED
    assert crossed.rearmed_at == datetime(2026, 1, 16, 12, 5, tzinfo=BERLIN)


def test_a_failing_evaluation_never_costs_the_check_in(
    api: ApiClient,
    ctx: ServiceContext,
    session: Session,
    dortmund: dict[str, Facility],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    seed_rules(ctx)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("Regel kaputt")

    monkeypatch.setattr(capacity, "evaluate", broken)
    with caplog.at_level(logging.ERROR, logger="belegung.alerts.hooks"):
        response = api_check_in(api)

    assert response.status_code == 201, response.json
    assert session.get(Stay, response.json["id"]) is not None
    assert "alerts not evaluated" in caplog.text


# --- rules through the API ------------------------------------------------------------------


def test_managers_create_change_and_delete_rules(api: ApiClient, session: Session) -> None:
    created = api.post(
        "/alert-rules",
        as_="manager",
        json={"target_group": "women", "metric": "free", "threshold": 2},
    )
    assert created.status_code == 201, created.json
    rule = created.json
    assert {k: rule[k] for k in ("facility", "target_group", "metric", "threshold", "margin")} == {
        "facility": None,
        "target_group": "women",
        "metric": "free",
        "threshold": 2,
        "margin": 2,
    }
    assert (rule["state"], rule["fired_count"], rule["enabled"]) == ("armed", 0, True)

    changed = api.patch(f"/alert-rules/{rule['id']}", as_="manager", json={"enabled": False})
    assert (changed.status_code, changed.json["enabled"]) == (200, False)
    listed = api.get("/alert-rules", as_="manager").json
    assert [r["id"] for r in listed["items"]] == [rule["id"]]

    assert api.delete(f"/alert-rules/{rule['id']}", as_="admin").status_code == 204
    assert api.get(f"/alert-rules/{rule['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"metric": "free", "threshold": 1}, "facility"),
        (
            {"facility": "unionstrasse", "target_group": "men", "metric": "free", "threshold": 1},
            "facility",
        ),
        ({"facility": "unionstrasse", "metric": "occupancy", "threshold": 250}, "threshold"),
        ({"facility": "unionstrasse", "metric": "fullness", "threshold": 1}, "metric"),
        ({"facility": "unionstrasse", "metric": "free", "threshold": "3"}, "threshold"),
    ],
)
def test_an_invalid_rule_is_refused_naming_the_field(
    api: ApiClient, body: dict[str, object], field: str
) -> None:
    response = api.post("/alert-rules", json=body)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]["json"]


def test_a_rule_for_an_unknown_facility_is_404(api: ApiClient) -> None:
    response = api.post(
        "/alert-rules", json={"facility": "gibtsnicht", "metric": "free", "threshold": 0}
    )
    assert (response.status_code, response.json["code"]) == (404, "not_found")
