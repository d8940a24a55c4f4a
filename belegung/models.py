"""Imports every model so that the metadata (and Alembic) sees all tables."""

from belegung.audit.models import AuditEntry
from belegung.auth.models import Role, User, user_facilities
from belegung.facilities.models import Facility, OutOfService, Place, Unit
from belegung.idempotency import IdempotencyKey
from belegung.persons.models import Person
from belegung.stays.models import BanOverride, HouseBan, Stay, TurnAway
from belegung.winter.models import WinterEmergency

__all__ = [
    "AuditEntry",
    "BanOverride",
    "Facility",
    "HouseBan",
    "IdempotencyKey",
    "OutOfService",
    "Person",
    "Place",
    "Role",
    "Stay",
    "TurnAway",
    "Unit",
    "User",
    "WinterEmergency",
    "user_facilities",
]
