"""Crews' SMS commands as people type them: any case, umlauts or not, a slip or two."""

from __future__ import annotations

import pytest

from belegung.alerts.commands import Command, Kind, distance, fold, parse
from belegung.facilities.models import TargetGroup


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("FREI", Command(Kind.FREE)),
        ("  frei  ", Command(Kind.FREE)),
        ("Frei.", Command(Kind.FREE)),
        ("FRIE", Command(Kind.FREE)),
        ("FREI FRAUEN", Command(Kind.FREE, TargetGroup.WOMEN, "frauen")),
        ("frei Frau", Command(Kind.FREE, TargetGroup.WOMEN, "frau")),
        ("FREI MÄNNER", Command(Kind.FREE, TargetGroup.MEN, "maenner")),
        ("frei maenner", Command(Kind.FREE, TargetGroup.MEN, "maenner")),
        ("FREI MANNER", Command(Kind.FREE, TargetGroup.MEN, "manner")),
        ("FREI MÄNER", Command(Kind.FREE, TargetGroup.MEN, "maener")),
        ("FREI JUNG", Command(Kind.FREE, TargetGroup.YOUNG_ADULTS, "jung")),
        ("frei junge", Command(Kind.FREE, TargetGroup.YOUNG_ADULTS, "junge")),
        ("FREI U27", Command(Kind.FREE, TargetGroup.YOUNG_ADULTS, "u27")),
        ("FREI DROGEN", Command(Kind.FREE, TargetGroup.DRUG_USERS, "drogen")),
        ("FREI DORGEN", Command(Kind.FREE, TargetGroup.DRUG_USERS, "dorgen")),
        ("FREI BITTE", Command(Kind.UNKNOWN)),
        ("HALTEN FRAUEN", Command(Kind.HOLD, TargetGroup.WOMEN, "frauen")),
        (
            "Halten Union Mann mit Hund",
            Command(Kind.HOLD, None, "union", "Mann mit Hund"),
        ),
        ("HALTE nortkirchenstr.", Command(Kind.HOLD, None, "nortkirchenstr.")),
        ("HALTN MÄNNER", Command(Kind.HOLD, TargetGroup.MEN, "maenner")),
        ("HALTEN", Command(Kind.HOLD)),
        ("HILFE", Command(Kind.HELP)),
        ("hilfe!", Command(Kind.HELP)),
        ("HILFR", Command(Kind.HELP)),
        ("STOP", Command(Kind.STOP)),
        ("stopall", Command(Kind.STOP)),
        ("Start", Command(Kind.START)),
        ("Hallo", Command(Kind.UNKNOWN)),
        ("FRE", Command(Kind.UNKNOWN)),
        ("", Command(Kind.UNKNOWN)),
        ("🙂", Command(Kind.UNKNOWN)),
    ],
)
def test_commands_are_read_as_crews_type_them(text: str, command: Command) -> None:
    assert parse(text) == command


def test_folding_writes_umlauts_out_and_drops_accents() -> None:
    assert fold("MÄNNER Straße Nortkirchenstraße") == "maenner strasse nortkirchenstrasse"
    assert fold("Café") == "cafe"


def test_distance_counts_a_swap_as_one_slip() -> None:
    assert distance("frei", "frie") == 1
    assert distance("frauen", "fraun") == 1
    assert distance("halten", "hilfe") == 3
    assert distance("a", "abcdefg") == 3  # capped
