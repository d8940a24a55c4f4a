"""Default capacity rules for the Dortmund preset, and sample recipients for `--demo`.

The defaults follow what managers asked for (DESIGN.md, "The people who use it"): an
SMS when a shelter is nearly full (90 % of its regular places), and when all beds of a
target group are gone (no free place left in its shelters, emergency places included).
Dortmund has one shelter per target group, so a "full" rule per shelter would say the
same as its group's, twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from belegung.alerts.capacity import create_rule
from belegung.alerts.models import AlertRule, Recipient, RecipientRole, RuleMetric
from belegung.alerts.recipients import create_recipient
from belegung.context import ServiceContext
from belegung.facilities.models import Facility, FacilityKind
from belegung.facilities.presets import DORTMUND, FacilitySpec

NEARLY_FULL_PERCENT = 90
FULL = 0


@dataclass(frozen=True)
class DemoRecipient:
    name: str
    phone: str
    role: RecipientRole
    sms_queries: bool = False


# Numbers the Bundesnetzagentur keeps for films and books ("drama numbers"): never
# given to anyone, so a demo can't text a stranger even with Twilio configured.
DEMO_RECIPIENTS = (
    DemoRecipient("Leitung Sozialamt (Beispiel)", "+4915228817386", RecipientRole.MANAGER),
    DemoRecipient("Wärmebus 1 (Beispiel)", "+491729980752", RecipientRole.CREW, sms_queries=True),
)


def seed_rules(ctx: ServiceContext, specs: tuple[FacilitySpec, ...] = DORTMUND) -> int:
    """Create the default rules once, when there are no rules yet (so that seeding again,
    as every `serve` does, brings back no rule an admin deleted). Returns how many."""
    if ctx.session.scalar(sa.select(sa.func.count()).select_from(AlertRule)):
        return 0
    shelters = [s for s in specs if s.kind == FacilityKind.NIGHT_SHELTER]
    facilities = {
        f.slug: f
        for f in ctx.session.scalars(
            sa.select(Facility).where(Facility.slug.in_([s.slug for s in shelters]))
        )
    }
    created = 0
    for spec in shelters:
        facility = facilities.get(spec.slug)
        if facility is not None:
            create_rule(
                ctx, metric=RuleMetric.OCCUPANCY, threshold=NEARLY_FULL_PERCENT, facility=facility
            )
            created += 1
    for group in dict.fromkeys(s.target_group for s in shelters if s.slug in facilities):
        create_rule(ctx, metric=RuleMetric.FREE, threshold=FULL, target_group=group)
        created += 1
    return created


def seed_demo_recipients(ctx: ServiceContext) -> int:
    """A manager and a crew phone to try the alerts and SMS queries with (demo only)."""
    created = 0
    for demo in DEMO_RECIPIENTS:
        exists = ctx.session.scalar(sa.select(Recipient.id).where(Recipient.phone == demo.phone))
        if exists is None:
            create_recipient(
                ctx, name=demo.name, phone=demo.phone, role=demo.role, sms_queries=demo.sms_queries
            )
            created += 1
    return created
