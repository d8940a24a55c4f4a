"""Imports every model so that the metadata (and Alembic) sees all tables."""

from belegung.alerts.models import (
    AlertRule,
    InboundSms,
    OutboxMessage,
    Recipient,
    SmsEvent,
    WeatherCheck,
    recipient_facilities,
)
from belegung.audit.models import AuditEntry
from belegung.auth.models import Role, User, user_facilities
from belegung.facilities.models import Facility, OutOfService, Place, Unit
from belegung.housing.models import Apartment, Household, HouseholdMember, Placement, PlacementStay
from belegung.idempotency import IdempotencyKey
from belegung.jobstore import apscheduler_jobs
from belegung.persons.models import Person
from belegung.stays.models import BanOverride, HouseBan, Stay, TurnAway
from belegung.winter.models import WinterEmergency, WinterSwitch

__all__ = [
    "AlertRule",
    "Apartment",
    "AuditEntry",
    "BanOverride",
    "Facility",
    "HouseBan",
    "Household",
    "HouseholdMember",
    "IdempotencyKey",
    "InboundSms",
    "OutOfService",
    "OutboxMessage",
    "Person",
    "Place",
    "Placement",
    "PlacementStay",
    "Recipient",
    "Role",
    "SmsEvent",
    "Stay",
    "TurnAway",
    "Unit",
    "User",
    "WeatherCheck",
    "WinterEmergency",
    "WinterSwitch",
    "apscheduler_jobs",
    "recipient_facilities",
    "user_facilities",
]
