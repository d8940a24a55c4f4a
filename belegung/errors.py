"""Domain errors: one type per failure, each with a machine-readable code and an HTTP status.

The German message for each code lives in belegung.texts; pages and the API both map
errors through this one table.
"""

from __future__ import annotations

from typing import Any, ClassVar

from belegung import texts


class DomainError(Exception):
    code: ClassVar[str] = "error"
    http_status: ClassVar[int] = 400
    # What else an answer carries beside code and message (a route may set it, e.g. the
    # existing stay of a possible duplicate); JSON-ready.
    details: dict[str, Any] | None = None

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return texts.error_message(self.code, **self.params)


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class InvalidInput(DomainError):
    """A value the service refuses; `field` names it."""

    code = "invalid"
    http_status = 422


class Forbidden(DomainError):
    code = "forbidden"
    http_status = 403

    @property
    def message(self) -> str:
        # Say why, where the reason helps the caller (e.g. who may lift a ban).
        template = "forbidden_because" if "reason" in self.params else self.code
        return texts.error_message(template, **self.params)


class NoFreePlace(DomainError):
    code = "no_free_place"
    http_status = 409


class PlaceTaken(DomainError):
    code = "place_taken"
    http_status = 409


class PlaceOutOfService(DomainError):
    code = "place_out_of_service"
    http_status = 409


class EmergencyPlaceNotOffered(DomainError):
    code = "emergency_place_not_offered"
    http_status = 409


class EmergencyPlaceNotExtended(DomainError):
    """A guest on an emergency place is not kept there (after a winter emergency) while a
    regular place is free: they are offered a regular one, or a manager overrides."""

    code = "emergency_place_not_extended"
    http_status = 409


class PlaceOccupied(DomainError):
    """A place can't go out of service while someone is booked on it."""

    code = "place_occupied"
    http_status = 409


class FacilityNotOffering(DomainError):
    """Closed, or on standby outside a winter emergency."""

    code = "facility_not_offering"
    http_status = 409


class AlreadyCheckedIn(DomainError):
    code = "already_checked_in"
    http_status = 409


class Banned(DomainError):
    code = "banned"
    http_status = 403


class BannedBeyondTonight(Banned):
    """A `conduct` ban is suspended in a winter emergency for its nights only: tonight,
    one night at a time. More nights need a manager's override."""

    @property
    def message(self) -> str:
        return texts.error_message("banned_beyond_tonight", **self.params)


class WrongTargetGroup(DomainError):
    code = "wrong_target_group"
    http_status = 422


class HoldExpired(DomainError):
    code = "hold_expired"
    http_status = 409


class HoldLimitReached(DomainError):
    """The caller already holds as many places as one user may."""

    code = "hold_limit"
    http_status = 409


class InvalidState(DomainError):
    """The object is not in a state that allows this action (e.g. checking out twice)."""

    code = "invalid_state"
    http_status = 409


class IdempotencyKeyReused(DomainError):
    """An Idempotency-Key sent again with another request (method, path or body)."""

    code = "idempotency_key_reused"
    http_status = 422


# --- Housing programme -----------------------------------------------------------------


class ApartmentTaken(DomainError):
    """Another household lives (or will live) in the apartment, which isn't shared."""

    code = "apartment_taken"
    http_status = 409


class NoRoom(DomainError):
    """The apartment has fewer free places than the household has members."""

    code = "no_room"
    http_status = 409


class ApartmentBlocked(DomainError):
    """The apartment is blocked (or handed back) at that time."""

    code = "apartment_blocked"
    http_status = 409


class PossibleDuplicate(DomainError):
    """A new person of the same name and year of birth as a guest already checked in that
    night at the facility: most likely the same guest, sent twice."""

    code = "possible_duplicate"
    http_status = 409

    def __init__(self, stay: Any, **params: Any) -> None:
        self.stay = stay
        super().__init__(**params)
