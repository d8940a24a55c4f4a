"""Limits defined once: the schemas, the services and the columns all read them here."""

from __future__ import annotations

from datetime import date

# Ids are integer columns: anything beyond would fail in the database (on PostgreSQL as
# an error, not as "not found").
MAX_ID = 2**31 - 1

# Nights a request may name. Far beyond them, date arithmetic ("the night after") would
# overflow; nothing in a shelter's work needs them.
EARLIEST_NIGHT = date(2000, 1, 1)
LATEST_NIGHT = date(2099, 12, 31)
# Nights one stay, extension or override may cover at once, and how far ahead it may begin.
MAX_NIGHTS = 366
# How far back a check-in may be recorded (a guest recorded late, after the day boundary).
BACKFILL_DAYS = 7

# Lists are pages of at most this many items.
MAX_PAGE_SIZE = 200
MAX_PAGE = 100_000

# Persons.
NAME_MAX = 120
# The search key of a name is capped at this length (persons.service.name_key): folding
# usually at most doubles a name (ß → ss, ä → ae), but compatibility characters expand
# further ("ﬃ" → "ffi", one Arabic ligature to 18 characters).
NAME_KEY_MAX = 240
BIRTH_YEAR_MIN = 1900
BIRTH_YEAR_MAX = 2100
HOUSEHOLD_SIZE_MAX = 30
SEARCH_MAX = 100
# The young adults' shelter takes guests from 18 to under 27.
YOUNG_ADULT_AGES = (18, 27)

# Facilities and places.
SLUG_MAX = 60
FACILITY_NAME_MAX = 200
ADDRESS_MAX = 300
PLACE_LABEL_MAX = 40
UNIT_LABEL_MAX = 60

# Free text kept with a record (reasons of bans, overrides, out-of-service periods…).
REASON_MAX = 500
OUT_OF_SERVICE_REASON_MAX = 300
HOLD_NOTE_MAX = 300
TURN_AWAY_NOTE_MAX = 500

# Holds: the upper bound any configuration may set (BELEGUNG_HOLD_MINUTES_MAX).
HOLD_MINUTES_LIMIT = 180

# Users and tokens.
USER_NAME_MAX = 80
TOKEN_NAME_MAX = 80
PASSWORD_MIN = 10

# Login attempts (auth.views): failed ones counted per account and per address, in the
# storage of BELEGUNG_RATELIMIT_STORAGE_URI (memory: per worker process).
LOGIN_FAILURES_PER_ACCOUNT = "5 per 15 minutes"
LOGIN_FAILURES_PER_ADDRESS = "30 per 15 minutes"

# The public page's traffic light: up to this many places free tonight in a target group
# reads as "few" (wenige Plätze), more as "free".
FEW_PLACES = 5

# Availability's cache (stays.figures): the figures of a night are read anew at the
# latest after this many seconds even if no write bumped their version (a safety net:
# every claim-changing write bumps it), and at most this many nights × filters are kept
# per worker.
FIGURES_CACHE_MAX_AGE = 60
FIGURES_CACHE_ENTRIES = 256
