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
    "recipient": "Empfänger",
    "alert_rule": "Alarmregel",
}

# Why a value or an action was refused: the `reason` code of a domain error, formatted
# with the error's other parameters.
REASONS: dict[str, str] = {
    "between": "zwischen {low} und {high}",
    "at_most_chars": "höchstens {max} Zeichen",
    "at_least_chars": "mindestens {min} Zeichen",
    "length_between": "{low} bis {high} Zeichen",
    "backfill_limit": "höchstens {days} Nächte zurück",
    "too_far_ahead": "höchstens ein Jahr im Voraus",
    "reason_missing": "Bitte einen Grund angeben.",
    "end_before_first": "muss nach der ersten Nacht liegen",
    "name_missing": "Der Name fehlt.",
    "name_taken": "Der Name ist bereits vergeben.",
    "user_name_format": "2 bis 80 Buchstaben, Ziffern oder . _ - @, ohne Leerzeichen",
    "staff_need_facility": "Mitarbeitende brauchen eine Einrichtung.",
    "phone_unreadable": (
        "keine Telefonnummer erkennbar; bitte z. B. 0151 23456789 oder +49 151 23456789 schreiben"
    ),
    "phone_invalid": "diese Telefonnummer gibt es nicht; bitte Vorwahl und Länge prüfen",
    "phone_not_mobile": "SMS gehen nur an Mobilnummern",
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
    "facility_or_target_group": "entweder eine Einrichtung oder eine Zielgruppe angeben",
    "search_too_short": (
        "bitte mindestens {letters} Buchstaben des Namens eingeben, mit dem Geburtsjahr "
        "mindestens {with_year} (z. B. „Li 1990“)"
    ),
    "search_too_many": (
        "mehr als {limit} Treffer; bitte genauer suchen, z. B. mit Vor- und Nachnamen "
        "oder dem Geburtsjahr"
    ),
}

# Messages of the input schemas beyond marshmallow's own.
VALIDATION: dict[str, str] = {
    "person_id_alone": "Mit „id“ keine weiteren Angaben zur Person.",
    "person_id_or_name": "„id“ oder „name“ angeben.",
    "slug_format": "Kleinbuchstaben, Ziffern, Bindestriche",
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
        "{holds} Reservierungen, {turn_aways} Abweisungen, {recipients} SMS-Empfänger."
    ),
    "rules_seeded": "{rules} Alarmregeln angelegt (90 % je Notschlafstelle, voll je Zielgruppe).",
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

PAGES: dict[str, str] = {
    "error_heading": "Das hat nicht geklappt",
    "back_to_start": "Zur Startseite",
}

STATUS_PAGE: dict[str, str] = {
    "title": "belegung",
    "heading": "belegung läuft",
    "tonight": "Nacht vom {night}",
    "free_beds": "freie Plätze",
}


def error_message(code: str, **params: Any) -> str:
    """The German message of a domain error: its code's template, with the names of
    `what` (THINGS) and `reason` (REASONS) resolved and every parameter filled in.

    A code, thing or reason without a text is a KeyError, not a vague message: the tests
    find it (tests/test_texts.py checks every code the package raises).
    """
    template = ERRORS[code]
    if "what" in params:
        params["what"] = THINGS[params["what"]]
    if "reason" in params:
        params["reason"] = REASONS[params["reason"]].format(**params)
    return template.format(**params)


# --- Housing programme: the apartment-list import (belegung/housing/importing.py) ---------

# Reason codes of the import's errors and warnings; each names its line and column apart.
HOUSING_IMPORT: dict[str, str] = {
    # The whole file
    "file_empty": "Die Datei ist leer.",
    "file_too_large": "Die Datei ist zu groß: erlaubt sind höchstens {limit}.",
    "unknown_format": "Die Datei ist weder eine CSV- noch eine Excel-Datei (XLSX).",
    "xls_not_supported": (
        "Alte Excel-Dateien (.xls) und Dateien mit Kennwort lassen sich nicht lesen; bitte "
        "in Excel als „Excel-Arbeitsmappe (*.xlsx)“ ohne Kennwort oder als CSV speichern."
    ),
    "ods_not_supported": (
        "OpenDocument-Tabellen (.ods) lassen sich nicht lesen; bitte als "
        "Excel-Arbeitsmappe (*.xlsx) oder als CSV speichern."
    ),
    "xlsx_unreadable": (
        "Die Excel-Datei lässt sich nicht öffnen: sie ist beschädigt oder keine XLSX-Datei."
    ),
    "xlsx_too_large_unpacked": (
        "Die Excel-Datei ist entpackt größer als {limit} und wird nicht gelesen."
    ),
    "csv_unreadable": (
        "Die CSV-Datei lässt sich ab dieser Zeile nicht lesen (ein überlanges Feld oder "
        "ein nicht geschlossenes Anführungszeichen?)."
    ),
    "too_many_rows": (
        "Die Datei hat mehr als {limit} Wohnungen; so viele werden in einem Import nicht "
        "angenommen."
    ),
    "too_many_lines": (
        "Die Datei hat mehr als {limit} Zeilen (leere mitgezählt); so viele werden nicht gelesen."
    ),
    "too_many_columns": "Die Datei hat mehr als {limit} Spalten.",
    "stopped_at_empty_rows": (
        "Ab hier folgen über {count} leere Zeilen; der Rest des Blatts wurde nicht gelesen."
    ),
    "no_header": (
        "Die erste Zeile ist keine Überschriftenzeile: keine Spalte ist bekannt (erwartet "
        "z. B. Wohnungsnummer, Adresse, Plätze). Titelzeilen darüber bitte entfernen."
    ),
    "no_rows": "Die Datei enthält keine Wohnungen, nur die Überschriften.",
    "read_as_cp1252": (
        "Die Datei ist nicht in UTF-8 gespeichert und wurde als Windows-1252 gelesen; "
        "bitte die Umlaute prüfen."
    ),
    "extra_sheets": (
        "Gelesen wurde nur das erste Tabellenblatt „{sheet}“; die Datei hat {count} Blätter."
    ),
    # The header row
    "missing_column": "Die Pflichtspalte „{field}“ fehlt.",
    "duplicate_column": "Die Spalte „{field}“ gibt es doppelt (schon als „{first}“).",
    "unknown_column": "Unbekannte Spalte; sie wird nicht eingelesen.",
    "unlabelled_column": (
        "Spalte {letter} hat keine Überschrift; ihre Werte werden nicht eingelesen."
    ),
    # A cell
    "formula": (
        "Zelle {cell} enthält eine Formel; bitte nur Werte einfügen "
        "(Kopieren, dann „Inhalte einfügen: Werte“)."
    ),
    "cell_error": "Zelle {cell} enthält den Fehlerwert {value}.",
    "required_value": "Pflichtangabe fehlt.",
    "too_long": "Der Text ist zu lang: höchstens {limit} Zeichen.",
    "forbidden_character": "Unzulässiges Zeichen {char} (ein Steuer- oder Textrichtungszeichen).",
    "not_a_number": "„{value}“ ist keine Zahl.",
    "not_an_integer": "„{value}“ ist keine ganze Zahl.",
    "not_a_floor": "„{value}“ ist kein Geschoss (eine ganze Zahl, EG oder UG).",
    "not_half_step": "„{value}“: Zimmer bitte ganz oder halb angeben (z. B. 2 oder 2,5).",
    "too_many_decimals": "„{value}“ hat zu viele Nachkommastellen (höchstens {places}).",
    "out_of_range": "{value} liegt nicht zwischen {min} und {max}.",
    "not_a_date": "„{value}“ ist kein Datum (TT.MM.JJJJ oder JJJJ-MM-TT).",
    "not_a_boolean": "„{value}“ ist kein Ja/Nein-Wert (ja, nein, x oder leer).",
    "unknown_status": "Unbekannter Status „{value}“ (frei, gesperrt oder zurückgegeben).",
    # A row
    "duplicate_number": "Die Wohnungsnummer {value} steht schon in Zeile {first_line}.",
    "lease_end_before_start": "Das Mietende liegt vor dem Mietbeginn ({start}).",
    "blocked_needs_reason": "Eine gesperrte Wohnung braucht einen Sperrgrund.",
    "reason_ignored": ("Die Wohnung ist nicht gesperrt; der Sperrgrund wird nicht gespeichert."),
}

# The apartment fields by the German header the documentation and messages use.
HOUSING_IMPORT_FIELDS: dict[str, str] = {
    "number": "Wohnungsnummer",
    "address": "Adresse",
    "district": "Stadtbezirk",
    "landlord": "Vermieter",
    "floor": "Etage",
    "rooms": "Zimmer",
    "area_m2": "Wohnfläche",
    "places": "Plätze",
    "step_free": "barrierefrei",
    "shared": "teilbar",
    "lease_start": "Mietbeginn",
    "lease_end": "Mietende",
    "status": "Status",
    "blocked_reason": "Sperrgrund",
}


def housing_import_message(code: str, **params: object) -> str:
    """The German message of an import error or warning (a code of HOUSING_IMPORT; a
    missing one is a KeyError, as for error_message)."""
    if "field" in params:
        params["field"] = HOUSING_IMPORT_FIELDS.get(str(params["field"]), params["field"])
    return HOUSING_IMPORT[code].format(**params)


# --- alerts (SMS, phone numbers, weather sources) --------------------------------------

# Why a weather source gave no forecast (WeatherUnavailable.reason), for the admins' notice.
WEATHER_PROBLEMS: dict[str, str] = {
    "timeout": "{source} hat nicht rechtzeitig geantwortet.",
    "connection": "{source} ist nicht erreichbar.",
    "http_status": "{source} hat mit einem Fehler geantwortet (HTTP {status}).",
    "bad_json": "Die Antwort von {source} ist kein gültiges JSON.",
    "bad_data": "Die Antwort von {source} hat nicht die erwartete Form.",
    "no_data": "{source} liefert für die kommende Nacht keine Vorhersage.",
}


# --- Web pages: the shared layout (base.html) ------------------------------------------

LAYOUT: dict[str, str] = {
    "brand": "belegung",
    "skip_to_content": "Zum Inhalt springen",
    "main_navigation": "Hauptnavigation",
    "as_of": "Stand {time} Uhr",
    "winter_emergency": "Winternothilfe aktiv: Notschlafplätze werden angeboten.",
    "figures_table": "Belegung je Einrichtung",
}


# --- alerts: the SMS texts, the alerts commands and the scheduler ------------------------
# SMS go out as GSM-7 wherever the content allows: one segment is 160 characters, and one
# character outside GSM-7 (°, –, „“, most emoji) makes the whole message UCS-2 with 70.
# So: "Grad", "-" and '…' here. tests/alerts/test_texts.py counts the segments of each
# template filled with realistic values.

SMS: dict[str, str] = {
    # Capacity alerts to managers; {scope} is a facility or "Notschlafstellen für Frauen".
    "capacity_occupancy": (
        "belegung: {scope} zu {percent} % belegt ({occupied} von {capacity} Betten, "
        "{free} frei). Stand {time} Uhr."
    ),
    "capacity_full": (
        "belegung: {scope} voll, kein Bett mehr frei ({occupied} belegt, {held} reserviert). "
        "Stand {time} Uhr."
    ),
    "capacity_free": (
        "belegung: {scope} nur noch {free} Betten frei ({occupied} belegt, {held} reserviert). "
        "Stand {time} Uhr."
    ),
    "group_scope": "Notschlafstellen für {group}",
    # The winter emergency, to managers and crews.
    "winter_start": (
        "Winternothilfe AKTIV ab {time} Uhr ({reason}). Notschlafplätze offen, Hausverbote "
        "wg. Verhalten ausgesetzt. FREI senden: freie Betten."
    ),
    "winter_end": (
        "Winternothilfe beendet um {time} Uhr ({reason}). Notschlafplätze wieder nur, "
        "wenn alle Betten belegt sind."
    ),
    "winter_no_reason": "ohne Angabe",
    # Why the forecast switched (also kept with the switch, beside the forecast's source).
    "winter_forecast_reason": "nachts {value} Grad erwartet",
    "winter_forecast_wind_chill_reason": "nachts gefühlt {value} Grad erwartet",
    "winter_warning_reason": "DWD-Warnung {event}",
    "winter_mild_reason": "nachts {value} Grad erwartet",
    # The evening summary, to managers.
    "summary": "Freie Betten heute um {time} Uhr: {list}. Abweisungen heute: {turn_aways}.",
    # To admins, once per outage of the weather source.
    "weather_outage": (
        "belegung: keine Wettervorhersage. {problem} Die Winternothilfe bleibt {state}; "
        "bitte selbst prüfen."
    ),
    "state_active": "aktiv",
    "state_inactive": "aus",
    # `flask --app belegung alerts test PHONE`
    "test": "belegung: Test-SMS vom {date} um {time} Uhr. Der SMS-Versand funktioniert.",
    # Answers to crews' SMS (FREI, HALTEN, HILFE).
    "free_all": "Frei um {time} Uhr: {list}. HALTEN <Ort> reserviert ein Bett.",
    "free_group": "Frei für {group} um {time} Uhr: {list}.",
    "free_none": "Für {group} ist um {time} Uhr kein Bett frei.",
    "free_none_all": "Um {time} Uhr ist kein Bett frei.",
    "free_item": "{name} {free}",
    "free_item_emergency": "{name} {free} +{emergency} Not",
    "held": "Reserviert: {facility}, Bett {place}, bis {until} Uhr. Bei Ankunft Nr. {hold} nennen.",
    "hold_no_place": "Kein Bett frei: {target}. Nichts reserviert.",
    "hold_limit": "Schon {limit} Reservierungen aktiv. Bitte erst eine freigeben lassen.",
    "hold_unknown_target": (
        "'{target}' ist unbekannt. Beispiele: HALTEN FRAUEN, HALTEN MÄNNER, HALTEN {example}."
    ),
    "hold_missing_target": "Wo? Beispiele: HALTEN FRAUEN, HALTEN MÄNNER, HALTEN {example}.",
    "hold_not_allowed": "Diese Nummer darf keine Betten reservieren.",
    # A shelter as a crew would name it in HALTEN (the examples in the answers above).
    "hold_example": "UNION",
    "hold_refused": "Nicht reserviert: {message}",
    "help": (
        "FREI: freie Betten. FREI MÄNNER, FRAUEN, JUNG oder DROGEN: nur diese. "
        "HALTEN <Ort oder Gruppe> [Notiz]: Bett {minutes} Min. reservieren. HILFE: diese Liste."
    ),
    "unknown": "Unbekannter Befehl. HILFE schicken für die Befehle.",
}

# Target groups as an SMS names them ("Frei für Frauen …").
SMS_GROUPS: dict[str, str] = {
    "men": "Männer",
    "women": "Frauen",
    "young_adults": "junge Erwachsene",
    "drug_users": "Drogenabhängige",
    "families": "Familien",
    "any": "alle",
}

# Short names of the Dortmund shelters in an SMS (others: their name, shortened).
SMS_FACILITY_NAMES: dict[str, str] = {
    "unionstrasse": "Unionstr.",
    "nortkirchenstrasse": "Nortkirchenstr.",
    "junge-erwachsene": "Junge Erw.",
    "drogenhilfe": "Drogenhilfe",
}

ALERTS_CLI: dict[str, str] = {
    "test_queued": "Test-SMS an {phone} in den Postausgang gelegt (Nachricht {id}).",
    "test_result": "Status: {status}{detail}",
    "inbound_unknown": "(keine Antwort: unbekannte oder abgemeldete Nummer)",
    "scheduler_running": (
        "Scheduler läuft (Zeitzone {timezone}, {jobs} Aufgaben, SMS über {backend}). "
        "Beenden mit Strg+C."
    ),
    "scheduler_taken": (
        "Ein anderer Scheduler läuft bereits für diese Datenbank ({how}); dieser startet nicht. "
        "Es darf nur einer laufen. / Another scheduler is already running for this "
        "database; this one does not start."
    ),
    "lock_postgresql": "PostgreSQL-Sperre {key}",
    "lock_file": "Sperrdatei {path}",
    "serve_scheduler_taken": ("Der Scheduler läuft schon anderswo; hier läuft nur der Webserver."),
    "serve_scheduler_restart": "Scheduler beendet (Code {code}); Neustart in {seconds} s.",
}
