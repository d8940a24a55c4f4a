"""The files of a first start are the service user's alone: the instance folder (0700),
the SQLite database (0600) and the secret key (0600, never readable by others, not even
for a moment) — also when the folder or the files were there before, and whatever the
umask. And the day boundary is a time every day has."""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from belegung import create_app
from belegung.config import ConfigError, load_settings

SECRET_KEY = "secret_key"


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A careless service account: files would be created readable by everyone."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_an_existing_instance_folder_is_made_private(tmp_path: Path, open_umask: None) -> None:
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o777)
    instance.chmod(0o755)

    load_settings({}, instance_path=instance)

    assert _mode(instance) == 0o700


def test_the_sqlite_database_is_private_from_its_creation(tmp_path: Path, open_umask: None) -> None:
    instance = tmp_path / "instance"
    settings = load_settings({}, instance_path=instance)
    database = instance / "belegung.sqlite3"
    assert settings.database_url.endswith(str(database))
    assert _mode(database) == 0o600

    # SQLite takes the empty file as a new database, and its journal gets the same mode.
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE t (x)")
        connection.execute("INSERT INTO t VALUES (1)")
    assert _mode(database) == 0o600


def test_an_existing_database_and_its_journal_are_made_private(
    tmp_path: Path, open_umask: None
) -> None:
    database = tmp_path / "elsewhere.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE t (x)")
        database.chmod(0o644)
        wal = tmp_path / "elsewhere.sqlite3-wal"
        assert wal.exists()
        wal.chmod(0o644)

        load_settings(
            {"BELEGUNG_DATABASE_URL": f"sqlite:///{database}"},
            instance_path=tmp_path / "instance",
        )

        assert (_mode(database), _mode(wal)) == (0o600, 0o600)


class ModeWatch:
    """Every file operation of the process (Python's audit events) looks at the secret
    key file: if it ever exists readable by others, that is noted."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self.seen_open: list[int] = []

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if self.path is None or event not in ("open", "os.link", "os.chmod", "os.rename"):
            return
        try:
            mode = self.path.stat().st_mode & 0o777
        except OSError:
            return
        if mode & 0o077:
            self.seen_open.append(mode)


WATCH = ModeWatch()
sys.addaudithook(WATCH)


def test_the_secret_key_is_never_readable_by_others(tmp_path: Path, open_umask: None) -> None:
    instance = tmp_path / "instance"
    WATCH.path, WATCH.seen_open = instance / SECRET_KEY, []
    try:
        key = load_settings({}, instance_path=instance).secret_key
        assert load_settings({}, instance_path=instance).secret_key == key
    finally:
        WATCH.path = None

    assert WATCH.seen_open == []
    assert _mode(instance / SECRET_KEY) == 0o600
    assert (instance / SECRET_KEY).read_text() == key
    # Nothing is left behind from the writing.
    assert sorted(p.name for p in instance.iterdir()) == ["belegung.sqlite3", SECRET_KEY]


def test_a_secret_key_file_readable_by_others_is_made_private(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    key = load_settings({}, instance_path=instance).secret_key
    (instance / SECRET_KEY).chmod(0o644)

    assert load_settings({}, instance_path=instance).secret_key == key
    assert _mode(instance / SECRET_KEY) == 0o600


@pytest.mark.parametrize(
    ("zone", "boundary"),
    [("Europe/Berlin", "02:30"), ("Europe/Berlin", "02:00"), ("America/New_York", "02:15")],
)
def test_a_day_boundary_in_a_daylight_saving_gap_is_refused_at_start_up(
    tmp_path: Path, zone: str, boundary: str
) -> None:
    env = {"BELEGUNG_TIMEZONE": zone, "BELEGUNG_DAY_BOUNDARY": boundary}
    with pytest.raises(ConfigError, match=r"BELEGUNG_DAY_BOUNDARY.*daylight saving"):
        load_settings(env, instance_path=tmp_path / "instance")
    with pytest.raises(SystemExit, match="BELEGUNG_DAY_BOUNDARY"):
        create_app(env={**env, "BELEGUNG_DATABASE_URL": "sqlite://"})


@pytest.mark.parametrize("boundary", ["03:00", "01:59", "12:00", "06:30"])
def test_a_day_boundary_every_day_has_is_taken(tmp_path: Path, boundary: str) -> None:
    env = {"BELEGUNG_TIMEZONE": "Europe/Berlin", "BELEGUNG_DAY_BOUNDARY": boundary}
    settings = load_settings(env, instance_path=tmp_path / "instance")
    assert settings.day_boundary.isoformat(timespec="minutes") == boundary
