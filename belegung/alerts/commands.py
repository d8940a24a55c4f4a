"""Crews' SMS commands read from the text as people type it on a phone in the cold:
`FREI`, `FREI <GRUPPE>`, `HALTEN <Einrichtung oder Gruppe> [Notiz]`, `HILFE`, in any case,
with umlauts or without, and with a typo or two in the keywords."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from belegung.facilities.models import TargetGroup


class Kind(StrEnum):
    FREE = "frei"
    HOLD = "halten"
    HELP = "hilfe"
    # Twilio's own opt-out and opt-in words (it answers them itself, and blocks sending to
    # a number that opted out); we mark the recipient accordingly.
    STOP = "stop"
    START = "start"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Command:
    kind: Kind
    # FREI <GRUPPE>: the group; HALTEN: the group, if the target word is one.
    group: TargetGroup | None = None
    # HALTEN: the word naming a facility or group, as typed (folded), and the note.
    target: str | None = None
    note: str | None = None


KEYWORDS = {
    "frei": Kind.FREE,
    "free": Kind.FREE,
    "halten": Kind.HOLD,
    "halte": Kind.HOLD,
    "reservieren": Kind.HOLD,
    "hilfe": Kind.HELP,
    "help": Kind.HELP,
    "info": Kind.HELP,
}
STOP_WORDS = {"stop", "stopall", "unsubscribe", "end", "quit", "revoke", "optout", "cancel"}
START_WORDS = {"start", "unstop", "yes"}

GROUP_WORDS = {
    "maenner": TargetGroup.MEN,
    "mann": TargetGroup.MEN,
    "herren": TargetGroup.MEN,
    "frauen": TargetGroup.WOMEN,
    "frau": TargetGroup.WOMEN,
    "damen": TargetGroup.WOMEN,
    "jung": TargetGroup.YOUNG_ADULTS,
    "junge": TargetGroup.YOUNG_ADULTS,
    "u27": TargetGroup.YOUNG_ADULTS,
    "jugend": TargetGroup.YOUNG_ADULTS,
    "drogen": TargetGroup.DRUG_USERS,
    "drogenhilfe": TargetGroup.DRUG_USERS,
}


def fold(text: str) -> str:
    """Lower case, umlauts as people write them without (ä → ae, ß → ss), other accents
    dropped: "MÄNNER", "Maenner" and "männer" all fold to "maenner"."""
    text = text.casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = text.replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def distance(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance (with transpositions counted as one), capped at limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        previous_previous, previous = previous, current
    return min(previous[-1], limit + 1)


def _tolerance(word: str) -> int:
    # One slip in a short word, two in a long one; none in words of three letters or
    # fewer (too many look alike).
    if len(word) <= 3:
        return 0
    return 1 if len(word) <= 6 else 2


def closest(word: str, choices: dict[str, object]) -> object | None:
    """The value of the choice `word` is or nearly is; None if none is close enough or
    two different values are equally close."""
    if word in choices:
        return choices[word]
    best: tuple[int, object] | None = None
    ambiguous = False
    for choice, value in choices.items():
        d = distance(word, choice)
        if d > min(_tolerance(choice), _tolerance(word)):
            continue
        if best is None or d < best[0]:
            best, ambiguous = (d, value), False
        elif d == best[0] and value != best[1]:
            ambiguous = True
    return None if best is None or ambiguous else best[1]


def group_of(word: str) -> TargetGroup | None:
    found = closest(fold(word).strip(".,;:!?"), GROUP_WORDS)  # type: ignore[arg-type]
    return found if isinstance(found, TargetGroup) else None


def parse(body: str) -> Command:
    """Read one SMS."""
    words = body.split()
    if not words:
        return Command(Kind.UNKNOWN)
    first = fold(words[0]).strip(".,;:!?")
    if first in STOP_WORDS:
        return Command(Kind.STOP)
    if first in START_WORDS:
        return Command(Kind.START)
    kind = closest(first, KEYWORDS)  # type: ignore[arg-type]
    if not isinstance(kind, Kind):
        return Command(Kind.UNKNOWN)
    rest = words[1:]
    if kind == Kind.FREE:
        if not rest:
            return Command(Kind.FREE)
        group = group_of(rest[0])
        return (
            Command(Kind.FREE, group=group, target=fold(rest[0]))
            if group
            else Command(Kind.UNKNOWN)
        )
    if kind == Kind.HOLD:
        if not rest:
            return Command(Kind.HOLD)
        note = " ".join(rest[1:]) or None
        return Command(Kind.HOLD, group=group_of(rest[0]), target=fold(rest[0]), note=note)
    return Command(kind)
