"""Countries of citizenship: the ISO 3166-1 alpha-2 codes (from pycountry) and the
nationality group each belongs to."""

from __future__ import annotations

from functools import cache

import pycountry

from belegung.persons.models import Nationality

GERMANY = "DE"
# The member states of the European Union (27 since 1 February 2020), by their ISO codes
# (Greece is GR here, though the EU itself writes EL).
EU_MEMBERS = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})  # fmt: skip
# Kosovo has no ISO 3166-1 code yet; XK is the user-assigned code the EU, the ISO itself
# for its own purposes and most registries use. Kosovo is a country of origin German
# statistics count, so it is accepted beside the ISO list.
EXTRA_COUNTRIES = {"XK": "Kosovo"}


@cache
def country_names() -> dict[str, str]:
    """Every accepted code with the country's English name, sorted by code."""
    names = {country.alpha_2: country.name for country in pycountry.countries}
    names.update(EXTRA_COUNTRIES)
    return dict(sorted(names.items()))


def normalise_citizenship(code: str) -> str | None:
    """The code as stored (upper case, no spaces), or None if it names no country."""
    code = code.strip().upper()
    return code if code in country_names() else None


def nationality_group(code: str) -> Nationality:
    """The nationality group of a (normalised) citizenship: DE is german, the other EU
    members eu, every other country non_eu."""
    if code == GERMANY:
        return Nationality.GERMAN
    return Nationality.EU if code in EU_MEMBERS else Nationality.NON_EU
