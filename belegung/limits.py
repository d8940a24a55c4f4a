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
# Nights one check-in, conversion or extension in a night shelter books at most (default of
# BELEGUNG_NIGHTS_PER_CALL): a shelter's bed is for the coming nights, booked again as
# they pass, not a lease. The housing programme is open-ended.
NIGHTS_PER_CALL = 14
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

# The database was too slow or away (http.errors, 503): ask clients to come back after
# this many seconds (Retry-After).
DATABASE_RETRY_AFTER_SECONDS = 5
# --- Housing programme (belegung/housing) ---------------------------------------------------
APARTMENT_NUMBER_MAX = 32
APARTMENT_ADDRESS_MAX = 200
APARTMENT_DISTRICT_MAX = 80
APARTMENT_LANDLORD_MAX = 200
HOUSEHOLD_NOTE_MAX = 500
# Members of one household (the same bound as a person's household size).
HOUSEHOLD_MEMBERS_MAX = HOUSEHOLD_SIZE_MAX
# A move-in, move-out or move may be recorded this many days late, and planned up to
# MAX_NIGHTS ahead.
HOUSING_BACKFILL_DAYS = 31
# The vacancy search leaves out an apartment whose lease ends within this many days of
# the move-in date: a household should not have to move again within months.
LEASE_REMAINING_MIN_DAYS = 90
# The board of apartments shows this many weeks ahead at most.
BOARD_WEEKS_MAX = 26

# The apartment-list import (belegung/housing/importing.py, docs/housing-import.md).
HOUSING_IMPORT_MAX_FILE_BYTES = 5 * 1024 * 1024
# An XLSX file is a zip archive: a few kilobytes can unpack to gigabytes of XML. A sheet
# of HOUSING_IMPORT_MAX_ROWS apartments unpacks to about 5 MB.
HOUSING_IMPORT_MAX_UNPACKED_BYTES = 25 * 1024 * 1024
# Apartments (non-empty rows below the header) in one file; the programme has about 600.
HOUSING_IMPORT_MAX_ROWS = 5_000
# Rows read at most, empty ones included. A sheet formatted down to row 1,048,576 holds
# that many empty rows: reading stops after a run of HOUSING_IMPORT_MAX_EMPTY_RUN of them
# (with a warning), and a sheet that still goes on past HOUSING_IMPORT_MAX_LINES is
# refused, so that no file keeps a worker busy for long.
HOUSING_IMPORT_MAX_EMPTY_RUN = 1_000
HOUSING_IMPORT_MAX_LINES = 10 * HOUSING_IMPORT_MAX_ROWS
HOUSING_IMPORT_MAX_COLUMNS = 50
# The upload routes' request size limit: twice the file limit, so that a file somewhat over
# it is answered with the import's own message (file_too_large), a huge one with 413. Every
# other request keeps the application's MAX_CONTENT_LENGTH.
HOUSING_IMPORT_MAX_REQUEST_BYTES = 2 * HOUSING_IMPORT_MAX_FILE_BYTES
HOUSING_IMPORT_PLACES_RANGE = (1, 12)
HOUSING_IMPORT_FLOOR_RANGE = (-3, 60)
HOUSING_IMPORT_ROOMS_RANGE = ("0.5", "20")
HOUSING_IMPORT_AREA_RANGE = ("5", "1000")
HOUSING_IMPORT_AREA_DECIMALS = 2
HOUSING_IMPORT_LEASE_DATE_RANGE = (date(1990, 1, 1), date(2099, 12, 31))
# Availability's cache (stays.figures_cache): the figures of a night are read anew at the
# latest after this many seconds even if no write bumped their version (a safety net:
# every claim-changing write bumps it), and at most this many nights × filters are kept
# per worker.
FIGURES_CACHE_MAX_AGE = 60
FIGURES_CACHE_ENTRIES = 256
# A request that misses figures another thread of its worker is reading waits at most this
# many seconds for them before it reads them itself.
FIGURES_CACHE_FOLLOW_WAIT = 10.0
# API tokens once authenticated (auth.bearer): kept per worker while the change feed says
# no user or token changed, at most this many seconds, at most this many tokens.
TOKEN_CACHE_MAX_AGE = 60
TOKEN_CACHE_ENTRIES = 1024
