"""Settings from the environment, validated once at start-up."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options(self.database_url),
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
    only the service's own user may enter it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def _secret_key(env: Mapping[str, str], instance_path: Path) -> str:
    key = env.get("BELEGUNG_SECRET_KEY")
    if key:
        if len(key) < 16:
            raise ConfigError("BELEGUNG_SECRET_KEY must be at least 16 characters long")
        return key
    # A first start needs no configuration: keep a random key in the instance folder so
    # sessions survive a restart. Production sets BELEGUNG_SECRET_KEY.
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    _make_instance_folder(instance_path)
    key = secrets.token_urlsafe(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


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

    tz_name = env.get("BELEGUNG_TIMEZONE") or "Europe/Berlin"
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"BELEGUNG_TIMEZONE is not a known time zone: {tz_name!r}") from None

    boundary_raw = env.get("BELEGUNG_DAY_BOUNDARY") or "12:00"
    try:
        boundary = time.fromisoformat(boundary_raw)
    except ValueError:
        raise ConfigError(
            f"BELEGUNG_DAY_BOUNDARY must be a time like 12:00, got {boundary_raw!r}"
        ) from None

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
    )


def settings_of(app: Flask) -> Settings:
    """The validated settings of an app (see create_app)."""
    settings: Settings = app.config["BELEGUNG"]
    return settings
