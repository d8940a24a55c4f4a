"""Settings from the environment: sane defaults, and clear errors naming the variable."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from belegung import create_app
from belegung.config import ConfigError, load_settings


def settings(tmp_path: Path, **env: str):
    return load_settings(env, instance_path=tmp_path / "instance")


def test_defaults_need_no_configuration(tmp_path: Path) -> None:
    s = settings(tmp_path)
    assert s.database_url == f"sqlite:///{tmp_path / 'instance' / 'belegung.sqlite3'}"
    assert str(s.timezone) == "Europe/Berlin"
    assert s.day_boundary == time(12, 0)
    assert (s.hold_minutes_default, s.hold_minutes_max) == (60, 180)
    assert s.holds_per_user == 5
    assert settings(tmp_path, BELEGUNG_HOLDS_PER_USER="12").holds_per_user == 12
    assert s.anonymise_after_months == 24
    assert s.sms_backend == "log"
    assert s.twilio_api_base == "https://api.twilio.com"


def test_the_instance_folder_is_private_to_the_service_user(tmp_path: Path) -> None:
    settings(tmp_path)
    assert (tmp_path / "instance").stat().st_mode & 0o777 == 0o700


def test_a_generated_secret_key_survives_a_restart(tmp_path: Path) -> None:
    first = settings(tmp_path).secret_key
    assert len(first) >= 32
    assert settings(tmp_path).secret_key == first
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    "raw", ["postgresql://u@h/db", "postgres://u@h/db", "postgresql+psycopg://u@h/db"]
)
def test_postgres_urls_use_psycopg_3(tmp_path: Path, raw: str) -> None:
    assert settings(tmp_path, BELEGUNG_DATABASE_URL=raw).database_url == (
        "postgresql+psycopg://u@h/db"
    )


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"BELEGUNG_DATABASE_URL": "mysql://x/y"}, "BELEGUNG_DATABASE_URL"),
        ({"BELEGUNG_TIMEZONE": "Europe/Dortmund"}, "BELEGUNG_TIMEZONE"),
        ({"BELEGUNG_DAY_BOUNDARY": "noon"}, "BELEGUNG_DAY_BOUNDARY"),
        ({"BELEGUNG_HOLD_MINUTES": "500"}, "BELEGUNG_HOLD_MINUTES"),
        ({"BELEGUNG_HOLD_MINUTES": "sixty"}, "BELEGUNG_HOLD_MINUTES"),
        ({"BELEGUNG_HOLDS_PER_USER": "0"}, "BELEGUNG_HOLDS_PER_USER"),
        ({"BELEGUNG_SECRET_KEY": "short"}, "BELEGUNG_SECRET_KEY"),
        ({"BELEGUNG_PUBLIC_URL": "belegung.example"}, "BELEGUNG_PUBLIC_URL"),
        ({"TWILIO_ACCOUNT_SID": "AC123"}, "TWILIO_AUTH_TOKEN"),
        ({"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t"}, "BELEGUNG_SMS_FROM"),
        (
            {"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t", "BELEGUNG_SMS_FROM": "0231"},
            "BELEGUNG_SMS_FROM",
        ),
        ({"TWILIO_API_BASE": "localhost:8080"}, "TWILIO_API_BASE"),
        ({"BELEGUNG_ANONYMISE_AFTER_MONTHS": "0"}, "BELEGUNG_ANONYMISE_AFTER_MONTHS"),
        ({"BELEGUNG_WEATHER_SOURCE": "dwd"}, "BELEGUNG_WEATHER_SOURCE"),
        ({"BELEGUNG_WINTER_THRESHOLD": "kalt"}, "BELEGUNG_WINTER_THRESHOLD"),
        ({"BELEGUNG_WINTER_THRESHOLD": "nan"}, "BELEGUNG_WINTER_THRESHOLD"),
        ({"BELEGUNG_WINTER_WIND_CHILL": "vielleicht"}, "BELEGUNG_WINTER_WIND_CHILL"),
        ({"BELEGUNG_EVENING_SUMMARY": "9 pm"}, "BELEGUNG_EVENING_SUMMARY"),
        ({"BELEGUNG_WEATHER_CHECKS": "06:00,mittags"}, "BELEGUNG_WEATHER_CHECKS"),
        ({"BELEGUNG_WEATHER_LATITUDE": "91"}, "BELEGUNG_WEATHER_LATITUDE"),
        ({"BELEGUNG_BRIGHTSKY_URL": "api.brightsky.dev"}, "BELEGUNG_BRIGHTSKY_URL"),
        ({"BELEGUNG_SMS_TIMEOUT": "0"}, "BELEGUNG_SMS_TIMEOUT"),
        ({"BELEGUNG_DISPATCH_SECONDS": "0"}, "BELEGUNG_DISPATCH_SECONDS"),
    ],
)
def test_bad_settings_are_refused_naming_the_variable(
    tmp_path: Path, env: dict[str, str], names: str
) -> None:
    with pytest.raises(ConfigError, match=names):
        settings(tmp_path, **env)


def test_alerts_and_weather_settings_have_defaults_and_are_read(tmp_path: Path) -> None:
    s = settings(tmp_path)
    assert (s.weather_source, s.winter_threshold, s.winter_wind_chill) == ("brightsky", 0.0, False)
    assert s.evening_summary == time(21, 0)
    assert [t.hour for t in s.weather_checks] == [6, 10, 13, 16, 19, 22]
    custom = settings(
        tmp_path,
        BELEGUNG_WINTER_THRESHOLD="-2,5",
        BELEGUNG_WINTER_FROST_WARNINGS="ja",
        BELEGUNG_EVENING_SUMMARY="off",
        BELEGUNG_WEATHER_CHECKS="16:00, 04:30",
        BELEGUNG_WEATHER_SOURCE="OpenMeteo",
    )
    assert (custom.winter_threshold, custom.winter_frost_warnings) == (-2.5, True)
    assert custom.evening_summary is None
    assert custom.weather_checks == (time(4, 30), time(16, 0))
    assert custom.weather_source == "openmeteo"


def test_twilio_credentials_switch_the_sms_backend(tmp_path: Path) -> None:
    s = settings(
        tmp_path,
        TWILIO_ACCOUNT_SID="AC123",
        TWILIO_AUTH_TOKEN="secret",
        BELEGUNG_SMS_FROM="+4923150000",
        BELEGUNG_PUBLIC_URL="https://belegung.example/",
    )
    assert s.sms_backend == "twilio"
    assert s.public_url == "https://belegung.example"


def test_create_app_stops_with_the_message(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="BELEGUNG_TIMEZONE is not a known time zone"):
        create_app(env={"BELEGUNG_TIMEZONE": "Mars/Olympus", "BELEGUNG_SECRET_KEY": "x" * 20})
