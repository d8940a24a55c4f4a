"""The alerts' pages: capacity rules, SMS recipients and the outbox, through the forms
(CSRF enabled), calling the same operations as the API."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from belegung.alerts.models import AlertRule, OutboxMessage, OutboxStatus, Recipient, RuleState
from belegung.facilities.models import Facility, TargetGroup
from tests.pageclient import PageClient


def test_an_admin_creates_edits_and_deletes_a_capacity_rule(
    pages: PageClient, dortmund: dict[str, Facility], session: Session
) -> None:
    page = pages.as_("admin").get("/alarme/regeln/neu")
    assert page.status_code == 200
    assert "Zielgruppe: Frauen" in page.text

    refused = pages.submit(
        page, {"scope": "facility:drogenhilfe", "metric": "occupancy", "threshold": "500"},
        path="/alarme/regeln/neu",
    )  # fmt: skip
    assert refused.status_code == 422
    assert "zwischen 0 und 200" in refused.text  # the operation's rule, next to the field

    done = pages.submit(
        pages.get("/alarme/regeln/neu"),
        {"scope": "facility:drogenhilfe", "metric": "occupancy", "threshold": "85", "margin": ""},
        path="/alarme/regeln/neu",
    )
    assert done.status_code == 303
    rule = session.scalars(
        sa.select(AlertRule).where(
            AlertRule.facility_id == dortmund["drogenhilfe"].id, AlertRule.threshold == 85
        )
    ).one()
    assert rule.margin == 5  # the default margin for a share
    assert rule.state == RuleState.ARMED

    edit = pages.get(done.location)
    assert "Auslastung ab 85 %" in edit.text
    changed = pages.submit(
        edit, {"threshold": "80", "margin": "3", "enabled": None}, path=done.location
    )
    assert changed.status_code == 303
    session.expire_all()
    assert (rule.threshold, rule.margin, rule.enabled) == (80, 3, False)  # the box unticked

    listed = pages.get("/alarme/regeln")
    assert f'data-rule="{rule.id}"' in listed.text
    assert "ausgeschaltet" in listed.text

    gone = pages.submit(pages.get(done.location), action="/loeschen")
    assert gone.status_code == 303
    assert session.scalar(sa.select(AlertRule.id).where(AlertRule.id == rule.id)) is None


def test_a_rule_for_a_target_group(
    pages: PageClient, dortmund: dict[str, Facility], session: Session
) -> None:
    page = pages.as_("manager").get("/alarme/regeln/neu")
    done = pages.submit(
        page, {"scope": "group:women", "metric": "free", "threshold": "0", "enabled": "y"},
        path="/alarme/regeln/neu",
    )  # fmt: skip
    assert done.status_code == 303
    rule = session.scalars(
        sa.select(AlertRule).where(AlertRule.target_group == TargetGroup.WOMEN)
        .order_by(AlertRule.id.desc())
    ).first()  # fmt: skip
    assert rule is not None
    assert rule.threshold == 0
    assert rule.margin == 2
    assert rule.enabled


def recipient_values(**changes: Any) -> dict[str, Any]:
    return {"name": "Bereitschaft Leitung", "phone": "0151 23456789", "role": "manager",
            **changes}  # fmt: skip


def test_an_admin_adds_a_recipient_with_a_validated_number(
    pages: PageClient, dortmund: dict[str, Facility], session: Session
) -> None:
    page = pages.as_("admin").get("/alarme/empfaenger/neu")
    refused = pages.submit(page, recipient_values(phone="12345"), path="/alarme/empfaenger/neu")
    assert refused.status_code == 422
    assert "diese Telefonnummer gibt es nicht" in refused.text
    assert 'id="phone-error"' in refused.text  # next to its field

    done = pages.submit(
        pages.get("/alarme/empfaenger/neu"),
        recipient_values(facilities=["unionstrasse", "drogenhilfe"], sms_queries="y"),
        path="/alarme/empfaenger/neu",
    )
    assert done.status_code == 303
    recipient = session.scalars(
        sa.select(Recipient).where(Recipient.phone == "+4915123456789")
    ).one()
    assert [f.slug for f in recipient.facilities] == ["unionstrasse", "drogenhilfe"]
    assert recipient.sms_queries
    assert recipient.user is not None

    edit = pages.get(done.location)
    assert 'value="+4915123456789"' in edit.text
    opted = pages.submit(edit, {"opted_out": "y", "facilities": []}, path=done.location)
    assert opted.status_code == 303
    session.expire_all()
    assert recipient.opted_out
    assert recipient.facilities == []

    listed = pages.get("/alarme/empfaenger")
    assert "abgemeldet" in listed.text
    assert "Bereitschaft Leitung" in listed.text

    gone = pages.submit(pages.get(done.location), action="/loeschen")
    assert gone.status_code == 303
    assert session.scalar(sa.select(Recipient.id).where(Recipient.id == recipient.id)) is None


def test_the_outbox_lists_messages_by_status_a_page_at_a_time(
    pages: PageClient, dortmund: dict[str, Facility], session: Session
) -> None:
    for n in range(55):
        session.add(
            OutboxMessage(
                phone="+4915123456789", body=f"Testnachricht {n}", cause=f"test:{n}",
                status=OutboxStatus.FAILED if n == 3 else OutboxStatus.SENT,
                error_code=21211 if n == 3 else None,
            )
        )  # fmt: skip
    session.flush()

    first = pages.as_("manager").get("/alarme/ausgang")
    assert first.status_code == 200
    assert "Testnachricht 54" in first.text
    assert "Testnachricht 3<" not in first.text
    assert "Seite 1 von 2 (55 Einträge)" in first.text
    second = pages.get("/alarme/ausgang?seite=2")
    assert "Testnachricht 3<" in second.text

    failed = pages.get("/alarme/ausgang?status=failed")
    assert "Testnachricht 3<" in failed.text
    assert "Testnachricht 4<" not in failed.text
    assert "21211" in failed.text
    assert pages.get("/alarme/ausgang?status=nonsense").status_code == 422

    overview = pages.get("/alarme")
    assert overview.status_code == 200
    assert "Testnachricht 54" in overview.text


def test_staff_and_crews_do_not_reach_the_alerts(
    pages: PageClient, dortmund: dict[str, Facility]
) -> None:
    for key in ("staff", "outreach"):
        assert pages.as_(key).get("/alarme/regeln").status_code == 403
