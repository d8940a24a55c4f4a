"""URL converters: ids and path strings that can never reach the database malformed."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, Map, UnicodeConverter

from belegung.limits import MAX_ID
from belegung.schemas import FORBIDDEN_RANGES


def decimal_up_to(limit: int) -> str:
    """A regular expression for the decimal numbers 1 to `limit`: ASCII digits, no leading
    zeros. E.g. 1 to 250: `[1-9][0-9]{0,1}|[1-1][0-9]{2}|2[0-4][0-9]{1}|250`."""
    digits = str(limit)
    options = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        lowest = 1 if i == 0 else 0
        if int(digit) > lowest:
            rest = len(digits) - i - 1
            options.append(f"{digits[:i]}[{lowest}-{int(digit) - 1}][0-9]{{{rest}}}")
    return "|".join([*options, digits])


class IdConverter(IntegerConverter):
    """`<id:…>`: a database id, 1 to 2³¹−1. Anything else matches no route (404) instead
    of reaching the database (an id beyond the integer column would fail there).

    The bounds are in the pattern, not only checked after it matched: werkzeug answers a
    match refused by its converter with 405 when another method's rule has the same path.
    """

    regex = decimal_up_to(MAX_ID)

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


class TextConverter(UnicodeConverter):
    """`<slug>` and other strings in a path: none with a character no stored text may
    hold (NUL, other control characters, bidi controls). Such a path matches no route
    (404) instead of reaching the database (PostgreSQL refuses NUL with an error)."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map)
        # {1,}: flask-smorest reads the length bounds for the OpenAPI document from it.
        self.regex = f"[^/{FORBIDDEN_RANGES}]{{1,}}"
