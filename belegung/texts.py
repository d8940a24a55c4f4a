"""Every text a user reads, in German, in one place so that it can be translated."""

from __future__ import annotations

from typing import Any

ERRORS: dict[str, str] = {
    "error": "Ein Fehler ist aufgetreten.",
    "not_found": "{what} nicht gefunden.",
    "invalid": "Ungültige Angabe bei „{field}“: {reason}",
    "forbidden": "Dafür fehlt die Berechtigung.",
    "forbidden_because": "Dafür fehlt die Berechtigung: {reason}.",
    "no_free_place": "In {facility} ist für diese Nacht kein Platz mehr frei.",
    "place_taken": "Platz {place} ist für diese Nacht bereits belegt oder reserviert.",
    "place_out_of_service": "Platz {place} ist außer Betrieb.",
    "emergency_place_not_offered": (
        "Notschlafplatz {place} wird erst vergeben, wenn alle regulären Plätze belegt sind "
        "oder die Winternothilfe aktiv ist."
    ),
    "place_occupied": "Platz {place} ist in diesem Zeitraum belegt oder reserviert.",
    "facility_not_offering": "{facility} nimmt zurzeit niemanden auf.",
    "already_checked_in": "Die Person ist für diese Nacht bereits aufgenommen.",
    "banned": "Für diese Person gilt in {facility} ein Hausverbot.",
    "wrong_target_group": "{facility} ist nicht für diese Person vorgesehen ({reason}).",
    "hold_expired": "Die Reservierung ist abgelaufen; der Platz ist wieder frei.",
    "hold_limit": (
        "Es sind bereits {limit} Reservierungen aktiv; bitte erst eine davon freigeben "
        "oder die Ankunft eintragen lassen."
    ),
    "invalid_state": "Das geht nicht: {reason}",
}

# Names of the things an error can be about ("{what} nicht gefunden").
THINGS: dict[str, str] = {
    "facility": "Einrichtung",
    "place": "Platz",
    "person": "Person",
    "stay": "Aufenthalt",
    "hold": "Reservierung",
    "ban": "Hausverbot",
    "out_of_service": "Außerbetriebnahme",
    "user": "Benutzer",
    "token": "Token",
}

REASONS: dict[str, str] = {
    "men_only": "nur für Männer",
    "women_only": "nur für Frauen",
    "age": "nur für junge Erwachsene von 18 bis unter 27 Jahren",
    "not_checked_in": "der Aufenthalt ist nicht (mehr) aktiv",
    "not_started": "der Aufenthalt hat noch nicht begonnen",
    "stay_ended": (
        "der Aufenthalt ist vor dieser Nacht zu Ende gegangen; bitte die Person neu aufnehmen"
    ),
    "open_ended": "ein unbefristeter Aufenthalt wird nicht verlängert",
    "hold_not_active": "die Reservierung ist nicht mehr aktiv",
    "override_needs_manager": "nur die Leitung darf ein Hausverbot übergehen",
    "override_needs_reason": "eine Übergehung braucht eine Begründung",
    "ban_lifted": "das Hausverbot ist bereits aufgehoben",
    "lift_needs_manager": "ein Hausverbot wegen Gefährdung hebt nur die Leitung auf",
    "already_active": "die Winternothilfe ist bereits aktiv",
    "not_active": "die Winternothilfe ist nicht aktiv",
    "period_over": "der Zeitraum ist bereits vorbei",
    "taken": "ist bereits vergeben",
    "slug_format": "nur Kleinbuchstaben, Ziffern und Bindestriche, höchstens 60 Zeichen",
    "association_iff_welfare": (
        "ein Wohlfahrtsverband wird genau dann angegeben, wenn der Träger einer ist"
    ),
    "token_revoked": "das Token ist bereits widerrufen",
    "search_too_short": (
        "bitte mindestens {letters} Buchstaben des Namens eingeben, mit dem Geburtsjahr "
        "mindestens {with_year} (z. B. „Li 1990“)"
    ),
    "search_too_many": (
        "mehr als {limit} Treffer; bitte genauer suchen, z. B. mit Vor- und Nachnamen "
        "oder dem Geburtsjahr"
    ),
}

TARGET_GROUPS: dict[str, str] = {
    "men": "Männer",
    "women": "Frauen",
    "young_adults": "Junge Erwachsene",
    "drug_users": "Drogenabhängige Menschen",
    "families": "Familien",
    "any": "Alle",
}

FACILITY_KINDS: dict[str, str] = {
    "night_shelter": "Notschlafstelle",
    "housing_programme": "Wohnraumvorhalteprogramm",
}

AVAILABILITY_COLUMNS: dict[str, str] = {
    "name": "Einrichtung",
    "capacity": "Plätze",
    "emergency_capacity": "Notplätze",
    "out_of_service": "außer Betrieb",
    "occupied": "belegt",
    "held": "reserviert",
    "free": "frei",
    "free_emergency": "Notplätze frei",
}

CLI: dict[str, Any] = {
    "availability_title": "Belegung der Nacht vom {night} (Stand {as_of})",
    "winter_active": "Winternothilfe aktiv",
    "totals": "Summe",
    "seed_done": (
        "Voreinstellung „{preset}“: {facilities} Einrichtungen, {units} Räume/Wohnungen, "
        "{places} Plätze neu angelegt."
    ),
    "seed_unchanged": "Voreinstellung „{preset}“ ist bereits vollständig angelegt.",
    "demo_done": (
        "Beispielbelegung angelegt: {persons} Personen, {stays} Aufenthalte, "
        "{holds} Reservierungen, {turn_aways} Abweisungen."
    ),
    "demo_skipped": ("Beispielbelegung übersprungen: die Datenbank enthält bereits Personendaten."),
    "bad_night": "Ungültiges Datum „{value}“; erwartet wird JJJJ-MM-TT.",
    "user_created": "Benutzer „{name}“ mit der Rolle {role} angelegt.",
    "users_header": ["Name", "Rolle", "Einrichtungen", "aktiv"],
    "token_created": (
        "Token {id} für „{name}“ angelegt. Es wird nur dieses eine Mal angezeigt (letzte Zeile):"
    ),
    "tokens_header": [
        "ID",
        "Benutzer",
        "Bezeichnung",
        "Anfang",
        "angelegt",
        "zuletzt benutzt",
        "widerrufen",
    ],
    "token_revoked": "Token {id} widerrufen.",
    "serving": "belegung läuft auf {url} (beenden mit Strg+C)",
    "yes": "ja",
    "no": "nein",
    "night_out_of_range": "Die Nacht muss zwischen {earliest} und {latest} liegen.",
    "password_not_utf8": "Das Passwort ist kein gültiger UTF-8-Text.",
}

API: dict[str, str] = {
    "description": (
        "Belegung der Notschlafstellen und des Wohnraumvorhalteprogramms: freie Plätze, "
        "Aufnahmen, Reservierungen, Abweisungen, Hausverbote. Anmeldung mit einem "
        "Bearer-Token."
    ),
    "error": "Ein Fehler ist aufgetreten.",
    "bad_request": "Die Anfrage ist fehlerhaft.",
    "unauthorized": "Anmeldung erforderlich: ein gültiges Token fehlt.",
    "forbidden": "Dafür fehlt die Berechtigung.",
    "not_found": "Nicht gefunden.",
    "method_not_allowed": "Diese Methode ist hier nicht erlaubt.",
    "not_acceptable": "Dieses Antwortformat wird nicht angeboten.",
    "conflict": "Die Änderung widerspricht dem aktuellen Stand; bitte neu laden.",
    "too_large": "Die Anfrage ist zu groß.",
    "unsupported_media_type": "Bitte JSON senden (Content-Type: application/json).",
    "invalid": "Ungültige Eingabe; siehe „errors“.",
    "invalid_json": "Der Inhalt ist kein gültiges JSON.",
    "too_many_requests": "Zu viele Anfragen; bitte kurz warten.",
    "internal_error": "Interner Fehler; er wurde protokolliert.",
    "unavailable": "Die Datenbank ist gerade nicht erreichbar; bitte gleich noch einmal.",
    "forbidden_character": (
        "Unzulässiges Zeichen {char}: Steuerzeichen (außer Tabulator und Zeilenumbruch), "
        "Textrichtungszeichen und einzelne Surrogate sind nicht erlaubt."
    ),
}

STATUS_PAGE: dict[str, str] = {
    "title": "belegung",
    "heading": "belegung läuft",
    "tonight": "Nacht vom {night}",
    "free_beds": "freie Plätze",
}


def error_message(code: str, **params: Any) -> str:
    template = ERRORS.get(code, ERRORS["error"])
    if "what" in params:
        params["what"] = THINGS.get(params["what"], params["what"])
    if "reason" in params:
        params["reason"] = REASONS.get(params["reason"], params["reason"])
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return ERRORS["error"]


# --- Web pages: the shared layout (base.html) ------------------------------------------

LAYOUT: dict[str, str] = {
    "brand": "belegung",
    "skip_to_content": "Zum Inhalt springen",
    "main_navigation": "Hauptnavigation",
    "as_of": "Stand {time} Uhr",
    "winter_emergency": "Winternothilfe aktiv: Notschlafplätze werden angeboten.",
    "figures_table": "Belegung je Einrichtung",
}
