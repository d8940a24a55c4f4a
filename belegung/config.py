"""Settings from the environment, validated once at start-up."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from belegung.limits import MAX_NIGHTS, NIGHTS_PER_CALL
from belegung.nights import NightCalendar

if TYPE_CHECKING:
    from flask import Flask

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# Amtlicher Gemeindeschlüssel: Land (2), Regierungsbezirk (1), Kreis (2), Gemeinde (3).
MUNICIPALITY_KEY = re.compile(r"^\d{8}$")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    timezone: ZoneInfo
    day_boundary: time
    hold_minutes_default: int
    hold_minutes_max: int
    holds_per_user: int
    anonymise_after_months: int
    public_url: str | None
    twilio_account_sid: str | None
    twilio_auth_token: str | None
    sms_from: str | None
    twilio_api_base: str
    # Reports and data protection (issue 12).
    audit_retention_months: int = 24
    # Amtlicher Gemeindeschlüssel of the reporting municipality (Dortmund).
    municipality_key: str = "05913000"
    # A gap of up to this many nights does not end a guest's current accommodation (the
    # federal statistic's start date).
    run_gap_nights: int = 3
    # A replacement for the federal statistic's table of codes (reports/federal_codes.csv).
    federal_codes_file: Path | None = None
    # Web pages: how long a login lasts, where the login attempts are counted, and how
    # many proxies in front of the app may be trusted for the caller's address and scheme.
    session_hours: int = 13
    ratelimit_storage_uri: str = "memory://"
    trusted_proxies: int = 0
    # How long one request to Twilio may take (seconds); also how long a message being
    # sent is left alone before another dispatcher asks the provider about it.
    sms_timeout: float = 10.0
    # The outbox is dispatched every this many seconds by the scheduler.
    dispatch_seconds: int = 5
    # Winter emergency from the forecast (see alerts/winter_watch.py).
    weather_source: str = "brightsky"
    weather_latitude: float = 51.514
    weather_longitude: float = 7.468
    brightsky_url: str = "https://api.brightsky.dev"
    openmeteo_url: str = "https://api.open-meteo.com"
    weather_checks: tuple[time, ...] = (
        time(6), time(10), time(13), time(16), time(19), time(22),
    )  # fmt: skip
    winter_threshold: float = 0.0
    winter_wind_chill: bool = False
    winter_frost_warnings: bool = False
    # Tonight's free places to managers at this local time; None: no summary.
    evening_summary: time | None = time(21, 0)
    # Nights one check-in or extension in a night shelter may book (limits.NIGHTS_PER_CALL).
    nights_per_call: int = NIGHTS_PER_CALL
    # --- ops (issue 13): bounded waits on the database, metrics -------------------------
    # Seconds: connecting to PostgreSQL (also waiting for a pooled connection), one
    # statement, one lock; SQLite's wait for its write lock.
    db_connect_timeout: float = 5.0
    db_statement_timeout: float = 10.0
    db_lock_timeout: float = 5.0
    sqlite_busy_timeout: float = 5.0
    # /metrics: the SHA-256 (hex) of a bearer token that may read it, and the networks
    # that may read it without one.
    metrics_token_sha256: str | None = None
    metrics_networks: tuple[str, ...] = ("127.0.0.0/8", "::1/128")

    @property
    def calendar(self) -> NightCalendar:
        """The night calendar of the configured time zone and day boundary."""
        return NightCalendar(self.timezone, self.day_boundary)

    @property
    def sms_backend(self) -> str:
        """`twilio` when credentials are configured, else `log` (a first start needs no account)."""
        return "twilio" if self.twilio_account_sid else "log"

    def flask_config(self) -> dict[str, object]:
        return {
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": self.engine_options(),
            # No request of ours comes near this; a larger one is refused (413).
            "MAX_CONTENT_LENGTH": 1024 * 1024,
            # A login lasts one night shift (evening to morning), not longer.
            "PERMANENT_SESSION_LIFETIME": timedelta(hours=self.session_hours),
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_NAME": "belegung_session",
            # A form stays valid as long as the login: a tablet's board is open all night.
            "WTF_CSRF_TIME_LIMIT": None,
            # CSRF is checked by our own hook, which leaves the API (bearer tokens) out.
            "WTF_CSRF_CHECK_DEFAULT": False,
            # WTForms' own German messages (no Flask-Babel).
            "WTF_I18N_ENABLED": False,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_uri,
            "RATELIMIT_HEADERS_ENABLED": False,
            "BELEGUNG": self,
        }

    def engine_options(self) -> dict[str, object]:
        """The engine's options (engine_options) with the bounded waits; connect
        arguments of both are kept."""
        options = engine_options(self.database_url)
        waits = self.bounded_waits()
        connect_args: dict[str, object] = {}
        for part in (options.get("connect_args"), waits.get("connect_args")):
            if isinstance(part, dict):
                connect_args.update(part)
        return {**options, **waits, "connect_args": connect_args}

    def bounded_waits(self) -> dict[str, object]:
        """Engine options that bound every wait on the database (issue 13): nothing hangs
        longer than these; a timeout is answered 503 (http.errors)."""
        if self.database_url.startswith("sqlite"):
            # Wait this long for the write lock (BEGIN IMMEDIATE, see db.py), then fail.
            return {"connect_args": {"timeout": self.sqlite_busy_timeout}}

        def ms(seconds: float) -> int:
            return max(1, round(seconds * 1000))

        return {
            # Waiting for a connection from a full pool is bounded like connecting.
            "pool_timeout": self.db_connect_timeout,
            "connect_args": {
                # libpq takes whole seconds (at least 2).
                "connect_timeout": max(2, round(self.db_connect_timeout)),
                # JIT compilation is off: it pays only for long analytical queries, and
                # it sets in by estimated cost, which availability's facility-by-facility
                # plan reaches at a few hundred facilities (then +0.4 s of compiling for
                # a query of 0.15 s).
                "options": (
                    f"-c statement_timeout={ms(self.db_statement_timeout)} "
                    f"-c lock_timeout={ms(self.db_lock_timeout)} "
                    "-c jit=off"
                ),
                # A database host that vanishes (network, power) is noticed on an open
                # connection too: unacknowledged data and idle keepalives time out.
                "tcp_user_timeout": ms(self.db_statement_timeout),
                "keepalives": 1,
                "keepalives_idle": 10,
                "keepalives_interval": 5,
                "keepalives_count": 3,
            },
        }


def engine_options(url: str) -> dict[str, object]:
    # Bound values can be names: keep them out of error messages and logs.
    options: dict[str, object] = {"hide_parameters": True}
    if url.startswith("sqlite"):
        # Wait for the write lock instead of failing at once; the lock itself is taken by
        # BEGIN IMMEDIATE (see db.py).
        options["connect_args"] = {"timeout": 30}
    else:
        # No ping round trip per checkout: connections are replaced after 30 minutes
        # (before a server or firewall drops them idle), and a connection that broke
        # anyway fails its request once and is discarded by the pool.
        options["pool_recycle"] = 1800
    return options


def _normalise_database_url(raw: str) -> str:
    # psycopg 3 is the driver; accept the usual spellings of a PostgreSQL URL.
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def _int(env: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{name} must be between {lo} and {hi}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float, lo: float, hi: float) -> float:
    raw = (env.get(name) or "").strip()
    if raw == "":
        return default
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if not lo <= value <= hi:  # also refuses nan
        raise ConfigError(f"{name} must be between {lo:g} and {hi:g}, got {raw}")
    return value


TRUE = ("1", "true", "yes", "on", "ja")
FALSE = ("0", "false", "no", "off", "nein")


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _clock_time(name: str, raw: str) -> time:
    try:
        value = time.fromisoformat(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a time like 21:00, got {raw!r}") from None
    if value.tzinfo is not None:
        raise ConfigError(f"{name} is a local time, without a UTC offset: {raw!r}")
    return value


def _times(env: Mapping[str, str], name: str, default: tuple[time, ...]) -> tuple[time, ...]:
    raw = (env.get(name) or "").strip()
    if raw == "":
        return default
    if raw.lower() in FALSE:
        return ()
    return tuple(sorted({_clock_time(name, part) for part in raw.split(",") if part.strip()}))


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    url = (env.get(name) or default).rstrip("/")
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise ConfigError(f"{name} must be an http(s) URL, got {url!r}")
    return url


WEATHER_SOURCES = ("brightsky", "openmeteo", "off")


def _make_instance_folder(path: Path) -> None:
    """The instance folder holds the SQLite database (personal data) and the secret key:
    only the service's own user may enter it — also when it existed before (mkdir's mode
    applies to a new folder only, and then through the umask)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)


# The files SQLite keeps beside a database (it gives them the database file's mode).
SQLITE_COMPANIONS = ("", "-journal", "-wal", "-shm")


def _private_sqlite_file(url: str) -> None:
    """A SQLite database file holds personal data: readable by the service's user only
    (0600). It is created empty with that mode before SQLite opens it (an empty file is
    an empty database), so it is never readable by others, not even for a moment."""
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.is_dir():
        return  # SQLite will report it, with the path, at the first connection.
    # Never open an existing database file here: closing any descriptor of a file drops
    # every POSIX lock this process holds on it, SQLite's included (a second app in one
    # process would break the first one's locking, and with it the database).
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    for suffix in SQLITE_COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.chmod(0o600)


def _secret_key(env: Mapping[str, str], instance_path: Path) -> str:
    key = env.get("BELEGUNG_SECRET_KEY")
    if key:
        if len(key) < 16:
            raise ConfigError("BELEGUNG_SECRET_KEY must be at least 16 characters long")
        return key
    # A first start needs no configuration: keep a random key in the instance folder so
    # sessions survive a restart. Production sets BELEGUNG_SECRET_KEY.
    _make_instance_folder(instance_path)
    path = instance_path / "secret_key"
    if path.exists():
        path.chmod(0o600)
        return path.read_text().strip()
    # Written whole into a file that is 0600 from its creation (mkstemp), then linked
    # into place: never readable by others, never seen half-written, and of two workers
    # starting at once the first one's key wins.
    key = secrets.token_urlsafe(32)
    fd, tmp = tempfile.mkstemp(dir=instance_path, prefix=".secret_key.")
    try:
        with os.fdopen(fd, "w") as file:
            file.write(key)
        try:
            os.link(tmp, path)
        except FileExistsError:
            key = path.read_text().strip()
    finally:
        os.unlink(tmp)
    return key


def _day_boundary(raw: str, tz: ZoneInfo) -> time:
    """The day boundary: a wall-clock time every day has. One inside a daylight-saving
    gap (02:30 in Europe/Berlin) does not exist on the day the clocks go forward, and
    that night would begin at a moment nobody can name."""
    try:
        boundary = time.fromisoformat(raw)
    except ValueError:
        raise ConfigError(f"BELEGUNG_DAY_BOUNDARY must be a time like 12:00, got {raw!r}") from None
    start = datetime.now(tz).date().replace(month=1, day=1)
    for offset in range(2 * 366):
        day = start + timedelta(days=offset)
        local = datetime.combine(day, boundary, tzinfo=tz)
        if local.astimezone(UTC).astimezone(tz).time() != boundary:
            raise ConfigError(
                f"BELEGUNG_DAY_BOUNDARY {raw!r} does not exist on {day.isoformat()} in "
                f"{tz.key} (the clocks skip it for daylight saving time): choose a time "
                "outside the daylight-saving change, such as 12:00"
            )
    return boundary


def load_settings(env: Mapping[str, str] | None = None, *, instance_path: Path) -> Settings:
    """Read and validate every setting; raise ConfigError naming the first bad variable."""
    env = os.environ if env is None else env

    raw_url = env.get("BELEGUNG_DATABASE_URL") or ""
    if raw_url:
        url = _normalise_database_url(raw_url)
        scheme = urlsplit(url).scheme
        if not (scheme.startswith("sqlite") or scheme.startswith("postgresql")):
            raise ConfigError(
                "BELEGUNG_DATABASE_URL must be a sqlite:/// or postgresql:// URL, "
                f"got scheme {scheme!r}"
            )
    else:
        _make_instance_folder(instance_path)
        url = f"sqlite:///{instance_path / 'belegung.sqlite3'}"
    if url.startswith("sqlite"):
        _private_sqlite_file(url)

    tz_name = env.get("BELEGUNG_TIMEZONE") or "Europe/Berlin"
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"BELEGUNG_TIMEZONE is not a known time zone: {tz_name!r}") from None

    boundary = _day_boundary(env.get("BELEGUNG_DAY_BOUNDARY") or "12:00", tz)

    hold_max = _int(env, "BELEGUNG_HOLD_MINUTES_MAX", 180, 5, 180)
    hold_default = _int(env, "BELEGUNG_HOLD_MINUTES", 60, 5, hold_max)

    public_url = (env.get("BELEGUNG_PUBLIC_URL") or "").rstrip("/") or None
    if public_url:
        parts = urlsplit(public_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"BELEGUNG_PUBLIC_URL must be an http(s) URL, got {public_url!r}")

    sid = env.get("TWILIO_ACCOUNT_SID") or None
    token = env.get("TWILIO_AUTH_TOKEN") or None
    sms_from = env.get("BELEGUNG_SMS_FROM") or None
    if bool(sid) != bool(token):
        raise ConfigError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set together")
    if sid and not sms_from:
        raise ConfigError("BELEGUNG_SMS_FROM is required when Twilio credentials are set")
    if sms_from and not (E164.match(sms_from) or sms_from.startswith("MG")):
        raise ConfigError(
            "BELEGUNG_SMS_FROM must be a phone number in E.164 form (+49…) "
            f"or a Messaging Service SID, got {sms_from!r}"
        )
    api_base = (env.get("TWILIO_API_BASE") or "https://api.twilio.com").rstrip("/")
    if urlsplit(api_base).scheme not in ("http", "https"):
        raise ConfigError(f"TWILIO_API_BASE must be an http(s) URL, got {api_base!r}")

    municipality_key = env.get("BELEGUNG_MUNICIPALITY_KEY") or "05913000"
    if not MUNICIPALITY_KEY.match(municipality_key):
        raise ConfigError(
            "BELEGUNG_MUNICIPALITY_KEY must be an Amtlicher Gemeindeschlüssel of 8 digits "
            f"(Dortmund: 05913000), got {municipality_key!r}"
        )
    codes_raw = env.get("BELEGUNG_FEDERAL_CODES") or None
    codes_file = Path(codes_raw) if codes_raw else None
    if codes_file is not None and not codes_file.is_file():
        raise ConfigError(f"BELEGUNG_FEDERAL_CODES is not a readable file: {codes_raw!r}")
    storage_uri = env.get("BELEGUNG_RATELIMIT_STORAGE_URI") or "memory://"
    if "://" not in storage_uri:
        raise ConfigError(
            "BELEGUNG_RATELIMIT_STORAGE_URI must be a storage URI such as memory:// or "
            f"redis://host:6379, got {storage_uri!r}"
        )
    weather_source = (env.get("BELEGUNG_WEATHER_SOURCE") or "brightsky").strip().lower()
    if weather_source not in WEATHER_SOURCES:
        raise ConfigError(
            "BELEGUNG_WEATHER_SOURCE must be one of "
            + ", ".join(WEATHER_SOURCES)
            + f", got {weather_source!r}"
        )
    summary_raw = (env.get("BELEGUNG_EVENING_SUMMARY") or "21:00").strip()
    evening_summary = (
        None
        if summary_raw.lower() in FALSE
        else _clock_time("BELEGUNG_EVENING_SUMMARY", summary_raw)
    )

    return Settings(
        database_url=url,
        secret_key=_secret_key(env, instance_path),
        timezone=tz,
        day_boundary=boundary,
        hold_minutes_default=hold_default,
        hold_minutes_max=hold_max,
        holds_per_user=_int(env, "BELEGUNG_HOLDS_PER_USER", 5, 1, 100),
        anonymise_after_months=_int(env, "BELEGUNG_ANONYMISE_AFTER_MONTHS", 24, 1, 240),
        public_url=public_url,
        twilio_account_sid=sid,
        twilio_auth_token=token,
        sms_from=sms_from,
        twilio_api_base=api_base,
        audit_retention_months=_int(env, "BELEGUNG_AUDIT_RETENTION_MONTHS", 24, 1, 240),
        municipality_key=municipality_key,
        run_gap_nights=_int(env, "BELEGUNG_RUN_GAP_NIGHTS", 3, 0, 31),
        federal_codes_file=codes_file,
        session_hours=_int(env, "BELEGUNG_SESSION_HOURS", 13, 1, 24),
        ratelimit_storage_uri=storage_uri,
        trusted_proxies=_int(env, "BELEGUNG_TRUSTED_PROXIES", 0, 0, 5),
        sms_timeout=_float(env, "BELEGUNG_SMS_TIMEOUT", 10.0, 0.1, 60.0),
        dispatch_seconds=_int(env, "BELEGUNG_DISPATCH_SECONDS", 5, 1, 300),
        weather_source=weather_source,
        weather_latitude=_float(env, "BELEGUNG_WEATHER_LATITUDE", 51.514, -90, 90),
        weather_longitude=_float(env, "BELEGUNG_WEATHER_LONGITUDE", 7.468, -180, 180),
        brightsky_url=_url(env, "BELEGUNG_BRIGHTSKY_URL", "https://api.brightsky.dev"),
        openmeteo_url=_url(env, "BELEGUNG_OPENMETEO_URL", "https://api.open-meteo.com"),
        weather_checks=_times(
            env,
            "BELEGUNG_WEATHER_CHECKS",
            (time(6), time(10), time(13), time(16), time(19), time(22)),
        ),
        winter_threshold=_float(env, "BELEGUNG_WINTER_THRESHOLD", 0.0, -40.0, 15.0),
        winter_wind_chill=_bool(env, "BELEGUNG_WINTER_WIND_CHILL", False),
        winter_frost_warnings=_bool(env, "BELEGUNG_WINTER_FROST_WARNINGS", False),
        evening_summary=evening_summary,
        nights_per_call=_int(env, "BELEGUNG_NIGHTS_PER_CALL", NIGHTS_PER_CALL, 1, MAX_NIGHTS),
        **_ops_settings(env),
    )


class _OpsSettings(TypedDict):
    db_connect_timeout: float
    db_statement_timeout: float
    db_lock_timeout: float
    sqlite_busy_timeout: float
    metrics_token_sha256: str | None
    metrics_networks: tuple[str, ...]


def _ops_settings(env: Mapping[str, str]) -> _OpsSettings:
    """Bounded waits and metrics (issue 13)."""
    token_hash = (env.get("BELEGUNG_METRICS_TOKEN_SHA256") or "").strip().lower() or None
    if token_hash is not None and not re.fullmatch(r"[0-9a-f]{64}", token_hash):
        raise ConfigError(
            "BELEGUNG_METRICS_TOKEN_SHA256 must be the SHA-256 of the token in hex "
            "(64 characters; `printf %s TOKEN | sha256sum`)"
        )
    networks_raw = env.get("BELEGUNG_METRICS_NETWORKS")
    networks: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
    if networks_raw is not None:
        parts = [part.strip() for part in networks_raw.split(",") if part.strip()]
        for part in parts:
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError:
                raise ConfigError(
                    f"BELEGUNG_METRICS_NETWORKS must list networks such as 10.0.0.0/8, got {part!r}"
                ) from None
        networks = tuple(parts)
    return {
        "db_connect_timeout": _float(env, "BELEGUNG_DB_CONNECT_TIMEOUT", 5.0, 1.0, 60.0),
        "db_statement_timeout": _float(env, "BELEGUNG_DB_STATEMENT_TIMEOUT", 10.0, 0.1, 3600.0),
        "db_lock_timeout": _float(env, "BELEGUNG_DB_LOCK_TIMEOUT", 5.0, 0.1, 600.0),
        "sqlite_busy_timeout": _float(env, "BELEGUNG_SQLITE_BUSY_TIMEOUT", 5.0, 0.1, 600.0),
        "metrics_token_sha256": token_hash,
        "metrics_networks": networks,
    }


def settings_of(app: Flask) -> Settings:
    """The validated settings of an app (see create_app)."""
    settings: Settings = app.config["BELEGUNG"]
    return settings
