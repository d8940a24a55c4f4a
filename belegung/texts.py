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
    "apartment_taken": (
        "In Wohnung {apartment} wohnt bereits ein anderer Haushalt (oder zieht dort ein)."
    ),
    "no_room": ("Wohnung {apartment} hat nur {free} freie Plätze; der Haushalt braucht {size}."),
    "apartment_blocked": "Wohnung {apartment} ist gesperrt oder zurückgegeben.",
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
    "apartment": "Wohnung",
    "household": "Haushalt",
    "placement": "Belegung der Wohnung",
    "member": "Haushaltsmitglied",
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
    "form_sent_changed": (
        "dieses Formular wurde schon einmal mit anderen Angaben abgeschickt; bitte die "
        "Seite neu laden"
    ),
    "form_key_invalid": "das Formular ist beschädigt; bitte die Seite neu laden",
    "same_place": "der Gast liegt bereits auf diesem Platz",
    "household_empty": "der Haushalt hat keine Mitglieder",
    "at_most_members": "höchstens {max} Personen",
    "member_twice": "eine Person steht doppelt in der Liste",
    "in_other_household": "die Person gehört bereits zu einem anderen Haushalt",
    "household_placed": (
        "der Haushalt wohnt bereits in einer Wohnung; bitte umziehen statt einziehen"
    ),
    "placement_ended": "der Haushalt ist bereits ausgezogen",
    "after_move_in": "muss nach dem Einzug liegen",
    "same_apartment": "der Haushalt wohnt bereits in dieser Wohnung",
    "last_member": "das letzte Mitglied tritt nicht aus; bitte den Auszug eintragen",
    "places_in_use": "Plätze, die schon belegt waren, werden nicht entfernt",
    "handed_back": "die Wohnung ist zurückgegeben",
    "not_blocked": "die Wohnung ist nicht gesperrt",
    "file_missing": "bitte eine Datei (CSV oder XLSX) auswählen",
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
    "user_deactivated": (
        "Benutzer „{name}“ gesperrt: keine Anmeldung und kein Token gilt mehr, ab sofort."
    ),
    "user_reactivated": "Benutzer „{name}“ entsperrt: Anmeldung und Tokens gelten wieder.",
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
    "database_busy": (
        "Die Datenbank ist gerade überlastet; bitte in ein paar Sekunden noch einmal versuchen."
    ),
    "forbidden_character": (
        "Unzulässiges Zeichen {char}: Steuerzeichen (außer Tabulator und Zeilenumbruch), "
        "Textrichtungszeichen und einzelne Surrogate sind nicht erlaubt."
    ),
}

PAGES: dict[str, str] = {
    "error_heading": "Das hat nicht geklappt",
    "back_to_start": "Zur Startseite",
    "try_again": "Noch einmal versuchen",
    "csrf_failed": (
        "Das Formular ist abgelaufen oder stammt aus einer früheren Anmeldung; bitte die "
        "Seite neu laden und noch einmal absenden."
    ),
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
    # Refused by the programme's rules while writing (e.g. blocking an occupied apartment)
    "row_refused": "{message}",
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


# The import command's output (flask --app belegung housing import).
HOUSING_CLI: dict[str, str] = {
    "error": "Fehler",
    "warning": "Hinweis",
    "line": "Zeile {line}",
    "column": "Spalte „{column}“",
    "progress": "Wohnungen",
    "summary": (
        "{rows} Wohnungen in der Datei: {created} neu, {updated} geändert, {unchanged} "
        "unverändert; {missing} nicht in der Datei; {errors} Fehler, {warnings} Hinweise."
    ),
    "missing": "Nicht in der Datei (nicht gelöscht): {numbers}",
    "more": " und {count} weitere",
    "nothing_written": "Die Datei hat Fehler: nichts wurde gespeichert.",
    "dry_run": "Probelauf: nichts wurde gespeichert.",
    "written": "Gespeichert.",
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


# --- Reports, the federal statistic, data protection (issue 12) ------------------------

REASONS.update(
    {
        "unknown_country": "kein Land nach ISO 3166-1 (zwei Buchstaben, z. B. DE, PL, SY)",
        "nationality_contradicts_citizenship": (
            "passt nicht zur Staatsangehörigkeit; die Gruppe ergibt sich aus dem Land "
            "(für eine andere Gruppe die Staatsangehörigkeit leeren)"
        ),
        "not_changeable": "dieses Feld lässt sich nicht ändern",
        "person_anonymised": "die Person ist anonymisiert",
        "person_staying": "die Person ist noch aufgenommen; bitte zuerst abmelden",
    }
)
VALIDATION.update(
    {
        "unknown_country": "Kein Ländercode nach ISO 3166-1 (z. B. DE, PL, SY; XK für Kosovo).",
        "to_before_from": "„to“ liegt vor „from“.",
        "bad_month": "Ein Monat als JJJJ-MM, z. B. 2026-01.",
    }
)
CLI.update(
    {
        "anonymise_done": "{persons} Personen anonymisiert (ohne Aufenthalt seit dem {cutoff}).",
        "anonymise_dry_run": (
            "Probelauf: {persons} Personen würden anonymisiert (ohne Aufenthalt seit dem {cutoff})."
        ),
        "purge_done": "{entries} Protokolleinträge vor dem {cutoff} gelöscht.",
        "purge_dry_run": "Probelauf: {entries} Protokolleinträge vor dem {cutoff} würden gelöscht.",
    }
)

REPORTS: dict[str, str] = {
    "title": "Monatszahlen {month}",
    "overview_sheet": "Gesamt",
    "month": "Monat",
    "facility": "Einrichtung",
    "totals": "Insgesamt",
    "figure": "Kennzahl",
    "value": "Wert",
}

# The monthly figures by their field names (XLSX headers, the pages).
REPORT_FIGURES: dict[str, str] = {
    "capacity_nights": "Platznächte",
    "occupied_nights": "belegte Nächte",
    "occupancy_rate": "Auslastung",
    "persons": "Personen",
    "new_persons": "neue Personen",
    "turn_aways_full": "Abweisungen: voll",
    "turn_aways_banned": "Abweisungen: Hausverbot",
    "turn_aways_wrong_target_group": "Abweisungen: andere Zielgruppe",
    "turn_aways_other": "Abweisungen: sonstiger Grund",
    "turn_aways_total": "Abweisungen insgesamt",
    "holds": "Reservierungen",
    "no_shows": "nicht erschienen",
    "average_run_nights": "Aufenthaltsdauer Ø (Nächte am Stück)",
    "median_run_nights": "Aufenthaltsdauer Median (Nächte am Stück)",
}


# --- Web pages (issue 9): login, night board, crews' phone page, dashboard, /frei, admin --

# Field validation on pages (WTForms brings its own German messages for the rest).
FORMS: dict[str, str] = {
    "required": "Bitte ausfüllen.",
    "choose": "Bitte auswählen.",
    "not_a_number": "Bitte eine ganze Zahl eingeben.",
    "not_a_date": "Bitte ein Datum eingeben (TT.MM.JJJJ).",
    "too_long": "Höchstens {max} Zeichen.",
    "password_min": "Mindestens {min} Zeichen.",
    "check_errors": "Bitte die markierten Angaben prüfen.",
}

AUTH_PAGES: dict[str, str] = {
    "login_title": "Anmelden",
    "login_heading": "Anmelden bei belegung",
    "login_intro": "Mit dem Benutzernamen und Passwort, das die Verwaltung vergeben hat.",
    "name": "Benutzername",
    "password": "Passwort",
    "submit": "Anmelden",
    "failed": "Benutzername oder Passwort stimmt nicht.",
    "too_many_attempts": (
        "Zu viele Anmeldeversuche. Bitte in einigen Minuten noch einmal versuchen."
    ),
    "logout": "Ausloggen",
    "logged_out": "Sie sind ausgeloggt.",
    "signed_in_as": "Angemeldet als {name}",
    "choose_facility_title": "Einrichtung wählen",
    "choose_facility_intro": "Für welche Einrichtung möchten Sie die Nacht sehen?",
    "no_facility": (
        "Ihrem Konto ist keine Einrichtung zugeordnet. Bitte wenden Sie sich an die Verwaltung."
    ),
}

ROLES: dict[str, str] = {
    "staff": "Mitarbeitende (Nachtdienst)",
    "outreach": "Wärmebus / Streetwork",
    "manager": "Leitung",
    "admin": "Verwaltung",
    "housing": "Wohnraumvorhalteprogramm",
}

NAV: dict[str, str] = {
    "board": "Nachtübersicht",
    "phone": "Freie Betten",
    "dashboard": "Leitung",
    "bans": "Hausverbote",
    "admin": "Verwaltung",
    "public": "Öffentliche Übersicht",
    "facilities": "Einrichtungen",
    "facilities_description": (
        "Einrichtungen, Status (auch Bereitschaft), Plätze und Außerbetriebnahmen"
    ),
    "users": "Benutzer",
    "users_description": "Benutzer mit Rolle, Einrichtungen und Passwort",
    "tokens": "Tokens",
    "tokens_description": "Zugangsschlüssel für die API und Geräte: anlegen und widerrufen",
    "housing": "Wohnungen",
}

BOARD: dict[str, str] = {
    "title": "Nacht – {facility}",
    "night_of": "Nacht vom {night}",
    "stale": "Keine Verbindung seit {time} Uhr – die Zahlen sind nicht aktuell.",
    "session_over": "Die Anmeldung ist abgelaufen. Bitte neu anmelden.",
    "counts": "Zahlen der Nacht",
    "free": "frei",
    "occupied": "belegt",
    "held": "reserviert",
    "out_of_service": "außer Betrieb",
    "capacity": "Plätze",
    "free_emergency": "Notplätze frei",
    "beds": "Betten",
    "bed": "Platz {label}",
    "state_free": "frei",
    "state_occupied": "belegt",
    "state_left": "abgemeldet",
    "state_held": "reserviert",
    "state_out_of_service": "außer Betrieb",
    "state_not_offered": "Notplatz (nicht vergeben)",
    "state_emergency_free": "Notplatz frei",
    "held_until": "bis {time} Uhr",
    "until_night": "bis {night}",
    "emergency": "Notschlafplatz",
    "incoming": "Angekündigt (Reservierungen)",
    "no_incoming": "Keine Reservierungen für diese Nacht.",
    "hold_by": "{note}, bis {time} Uhr",
    "hold_no_note": "ohne Notiz",
    "arrived": "Angekommen: aufnehmen",
    "actions": "Aufnahme und mehr",
    "check_in": "Gast aufnehmen",
    "new_guest": "Neuer Gast",
    "turn_away": "Abweisung eintragen",
    "evacuation": "Evakuierungsliste",
    "checked_in_notice": "{name} ist aufgenommen: Platz {place}.",
    "converted_notice": "{name} ist angekommen: Platz {place}.",
    "checked_out_notice": "{name} ist abgemeldet; Platz {place} ist frei.",
    "extended_notice": "Aufenthalt von {name} verlängert bis {night}.",
    "moved_notice": "{name} liegt jetzt auf Platz {place}.",
    "turned_away_notice": "Abweisung eingetragen ({reason}).",
    "hold_cancelled_notice": "Reservierung auf Platz {place} freigegeben.",
    "legend": "Legende",
    "other_facilities": "Andere Einrichtung",
    "facility_offline": "Diese Einrichtung nimmt zurzeit niemanden auf.",
}

CHECK_IN: dict[str, str] = {
    "title": "Gast aufnehmen – {facility}",
    "search_heading": "Gast suchen",
    "search_label": "Name und Geburtsjahr",
    "search_hint": "z. B. „Thomas 1971“ – mindestens 3 Buchstaben, mit Geburtsjahr 2",
    "search": "Suchen",
    "results": "Treffer",
    "no_results": "Niemand gefunden. Neuer Gast?",
    "born": "geb. {year}",
    "born_unknown": "Geburtsjahr unbekannt",
    "pick": "{name} auswählen",
    "for_place": "für Platz {place}",
    "for_hold": "für die Reservierung auf Platz {place} ({note})",
    "confirm_heading": "Aufnahme bestätigen",
    "person": "Gast",
    "place": "Platz",
    "place_auto": "Nächster freier Platz: {place}",
    "place_none": "Kein Platz frei.",
    "place_choose": "Anderen Platz wählen",
    "place_any": "Nächster freier Platz",
    "night": "Erste Nacht",
    "night_hint": "Nachtrag: höchstens {days} Nächte zurück.",
    "nights": "Nächte",
    "confirm": "Aufnehmen",
    "confirm_conversion": "Ankunft eintragen",
    "bans_heading": "Hausverbot",
    "ban_line": "{kind} seit {first}{until}: {reason}",
    "ban_until": " bis {night}",
    "ban_suspended": "ausgesetzt während der Winternothilfe",
    "ban_overridden": "von der Leitung freigegeben",
    "ban_blocks": (
        "Eine Aufnahme ist nur mit Freigabe der Leitung möglich. Die Leitung kann das "
        "Hausverbot unter „Hausverbote“ für diese Nacht freigeben."
    ),
    "override_reason": "Hausverbot übergehen – Begründung (Leitung)",
    "conflict_next": (
        "Nächster freier Platz: {place}. Er ist ausgewählt – bitte noch einmal bestätigen."
    ),
    "take_next": "Platz {place} nehmen",
    "new_heading": "Neuer Gast",
    "new_intro": "Nur was die Arbeit braucht: der Name (auch ein Rufname) genügt.",
    "name": "Name",
    "birth_year": "Geburtsjahr",
    "gender": "Geschlecht",
    "nationality": "Staatsangehörigkeit",
    "back": "Zurück zur Nachtübersicht",
}

GENDERS: dict[str, str] = {
    "f": "weiblich",
    "m": "männlich",
    "d": "divers",
    "unknown": "keine Angabe",
}

NATIONALITIES: dict[str, str] = {
    "german": "deutsch",
    "eu": "EU",
    "non_eu": "außerhalb der EU",
    "stateless": "staatenlos",
    "unclear": "ungeklärt",
    "unknown": "keine Angabe",
}

BAN_KINDS: dict[str, str] = {
    "conduct": "Hausverbot (Verhalten)",
    "danger": "Hausverbot (Gefährdung)",
}

TURN_AWAY_REASONS: dict[str, str] = {
    "full": "voll belegt",
    "banned": "Hausverbot",
    "wrong_target_group": "falsche Zielgruppe",
    "other": "anderer Grund",
}

# The lines of the dashboard's chart of refusals: turn-aways by reason, and no-shows.
REFUSAL_KINDS: dict[str, str] = {**TURN_AWAY_REASONS, "no_show": "nicht erschienen"}

STAY_PAGE: dict[str, str] = {
    "title": "Platz {place} – {facility}",
    "first_night": "Erste Nacht",
    "last_night": "Letzte Nacht",
    "status": "Stand",
    "open_ended": "unbefristet",
    "extend": "Verlängern",
    "extend_nights": "Um Nächte verlängern",
    "check_out": "Abmelden",
    "check_out_hint": "Der Platz ist danach frei.",
    "move": "Verlegen",
    "move_to": "Auf Platz",
    "no_free_place": "Kein anderer Platz frei.",
    "hold_heading": "Reservierung auf Platz {place}",
    "hold_note": "Notiz",
    "hold_until": "Gültig bis {time} Uhr",
    "hold_cancel": "Reservierung freigeben",
    "hold_convert": "Der Gast ist da: aufnehmen",
}

TURN_AWAY_PAGE: dict[str, str] = {
    "title": "Abweisung – {facility}",
    "heading": "Abweisung eintragen",
    "intro": "Wer heute nicht aufgenommen werden kann: der Bedarf zählt.",
    "reason": "Grund",
    "note": "Notiz (ohne Namen)",
    "submit": "Abweisung eintragen",
}

EVACUATION: dict[str, str] = {
    "title": "Evakuierungsliste – {facility}",
    "heading": "Evakuierungsliste",
    "intro": "Wer jetzt im Haus ist, nach Platz. Stand {time} Uhr, Nacht vom {night}.",
    "place": "Platz",
    "room": "Raum",
    "name": "Name",
    "born": "Geburtsjahr",
    "present": "Anwesend",
    "count": "{count} Personen im Haus",
    "empty": "Niemand ist aufgenommen.",
    "print": "Drucken",
}

PHONE: dict[str, str] = {
    "title": "Freie Betten",
    "heading": "Freie Betten heute",
    "free_count": "{free} frei",
    "emergency_count": "+ {free} Notplätze",
    "none_free": "keine frei",
    "hold_heading": "Bett reservieren",
    "facility": "Einrichtung",
    "note": "Für wen, von wo (ohne vollen Namen)",
    "note_placeholder": "z. B. Mann, ca. 50, Hauptbahnhof",
    "minutes": "Wie lange (Minuten)",
    "hold": "Reservieren",
    "held_notice": "Platz {place} in {facility} ist reserviert bis {time} Uhr.",
    "own_holds": "Meine Reservierungen",
    "no_holds": "Keine aktiven Reservierungen.",
    "hold_line": "{facility}, Platz {place}, bis {time} Uhr",
    "cancel": "Freigeben",
    "cancelled_notice": "Reservierung freigegeben.",
    "address": "Adresse",
}

PUBLIC: dict[str, str] = {
    "title": "Freie Schlafplätze heute Nacht – Dortmund",
    "heading": "Freie Schlafplätze heute Nacht",
    "intro": (
        "Notschlafstellen in Dortmund: ob heute Nacht noch Plätze frei sind, je Zielgruppe. "
        "Alle Stellen sind abends ohne Anmeldung erreichbar."
    ),
    "none": "keine Plätze frei",
    "few": "wenige Plätze frei",
    "free": "freie Plätze",
    "shelters": "Adressen",
    "winter": (
        "Winternothilfe: Zusätzliche Notschlafplätze sind geöffnet. Niemand muss draußen schlafen."
    ),
    "help": "In Not? Der Wärmebus und die Notschlafstellen helfen – auch ohne Papiere.",
}

DASHBOARD: dict[str, str] = {
    "title": "Leitung",
    "heading": "Übersicht der Leitung",
    "tonight": "Heute Nacht",
    "occupancy_30": "Belegung der letzten 30 Nächte",
    "occupancy_365": "Belegung der letzten 365 Nächte",
    "occupancy_caption": "Belegte Plätze je Nacht und Einrichtung",
    "refusals": "Abweisungen nach Grund und nicht erschienene Reservierungen (30 Nächte)",
    "refusals_caption": "Abweisungen und No-Shows je Nacht",
    "no_shows": "nicht erschienen",
    "night": "Nacht",
    "total": "Summe",
    "table_toggle": "Zahlen als Tabelle",
    "chart_label": "{title} (die Zahlen stehen in der Tabelle darunter)",
    "winter_heading": "Winternothilfe",
    "winter_on": "Aktiv seit {since} ({source}): {reason}",
    "winter_off": "Nicht aktiv.",
    "winter_reason": "Begründung",
    "winter_start": "Winternothilfe einschalten",
    "winter_stop": "Winternothilfe beenden",
    "winter_switched_on": "Die Winternothilfe ist eingeschaltet.",
    "winter_switched_off": "Die Winternothilfe ist beendet.",
    "source_manual": "von Hand",
    "source_forecast": "Wettervorhersage",
    "housing_heading": "Wohnraumvorhalteprogramm",
    "housing_occupied": "Plätze belegt",
    "housing_free": "Plätze frei",
    "housing_out_of_service": "außer Betrieb",
    "housing_capacity": "Plätze insgesamt",
    "more": "Weitere Auswertungen",
}

BANS_PAGE: dict[str, str] = {
    "title": "Hausverbote",
    "heading": "Aktive Hausverbote",
    "facility": "Einrichtung",
    "person": "Person",
    "kind": "Art",
    "since": "seit",
    "until": "bis",
    "reason": "Grund",
    "none": "Keine aktiven Hausverbote.",
    "override": "Für heute Nacht freigeben",
    "override_reason": "Begründung der Freigabe",
    "override_nights": "Nächte",
    "overridden_notice": "Hausverbot für {nights} Nacht/Nächte freigegeben.",
    "show": "Anzeigen",
}

ADMIN: dict[str, str] = {
    "title": "Verwaltung",
    "heading": "Verwaltung",
    "facilities_heading": "Einrichtungen",
    "new_facility": "Neue Einrichtung",
    "slug": "Kürzel (für Adressen)",
    "name": "Name",
    "kind": "Art",
    "target_group": "Zielgruppe",
    "status": "Status",
    "address": "Adresse",
    "operator_name": "Träger",
    "operator_type": "Art des Trägers",
    "welfare_association": "Wohlfahrtsverband",
    "none": "–",
    "save": "Speichern",
    "saved": "Gespeichert.",
    "created": "Angelegt.",
    "edit": "Bearbeiten",
    "places": "Plätze",
    "places_heading": "Plätze – {facility}",
    "place_label": "Bezeichnung",
    "place_unit": "Raum / Wohnung",
    "place_emergency": "Notschlafplatz",
    "add_place": "Platz anlegen",
    "out_of_service_heading": "Außer Betrieb",
    "out_of_service_place": "Platz",
    "out_of_service_reason": "Grund (z. B. Wasserschaden)",
    "out_of_service_from": "Ab Nacht",
    "out_of_service_to": "Bis vor Nacht (leer: bis auf Weiteres)",
    "take_out": "Außer Betrieb nehmen",
    "return": "Wieder in Betrieb",
    "no_periods": "Kein Platz ist außer Betrieb.",
    "period_line": "Platz {place}: {reason} (ab {first}{until})",
    "users_heading": "Benutzer",
    "new_user": "Neuer Benutzer",
    "user_name": "Benutzername",
    "role": "Rolle",
    "facilities": "Einrichtungen",
    "facilities_hint": "Für Mitarbeitende: die Einrichtungen, in denen sie arbeiten.",
    "active": "Darf sich anmelden",
    "deactivate": "Sofort sperren",
    "reactivate": "Entsperren",
    "deactivated": "Gesperrt: Anmeldung und Tokens gelten ab sofort nicht mehr.",
    "reactivated": "Entsperrt: Anmeldung und Tokens gelten wieder.",
    "password": "Neues Passwort (leer: unverändert)",
    "password_new": "Passwort (leer: nur API-Zugang mit Token)",
    "yes": "ja",
    "no": "nein",
    "tokens_heading": "Tokens",
    "new_token": "Token anlegen",
    "token_user": "Benutzer / Gerät",
    "token_label": "Bezeichnung (z. B. Handy Wärmebus 1)",
    "token_shown_once": (
        "Das Token wird nur jetzt angezeigt. Bitte sofort im Gerät eintragen; gespeichert "
        "wird nur eine Prüfsumme."
    ),
    "token_created": "Token {id} für {name}",
    "revoke": "Widerrufen",
    "revoked": "Token {id} widerrufen.",
    "token_prefix": "Anfang",
    "created_at": "angelegt",
    "last_used": "zuletzt benutzt",
    "revoked_at": "widerrufen",
}

OPERATOR_TYPES: dict[str, str] = {
    "municipality": "Kommune",
    "welfare_association": "Wohlfahrtsverband",
    "commercial": "gewerblich",
    "other": "sonstiger Träger",
}

FACILITY_STATUSES: dict[str, str] = {
    "active": "in Betrieb",
    "standby": "Bereitschaft (nur bei Winternothilfe)",
    "closed": "geschlossen",
}

WELFARE_ASSOCIATIONS: dict[str, str] = {
    "awo": "AWO",
    "caritas": "Caritas",
    "diakonie": "Diakonie",
    "drk": "DRK",
    "paritaetischer": "Paritätischer",
    "zwst": "ZWST",
    "other": "anderer Verband",
}

FIRST_START: dict[str, str] = {
    "heading": (
        "Erster Start: Benutzer angelegt. Die Passwörter werden nur dieses eine Mal angezeigt:"
    ),
    "line": "  {name:<14} {role:<10} Passwort: {password}{facility}",
    "facility": "  ({facility})",
    "login": "Anmelden unter {url}/login",
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


# --- Issue 13 (rules): privacy at the edges, bans and places around a winter emergency ----

ERRORS.update(
    {
        "banned_beyond_tonight": (
            "Für diese Person gilt in {facility} ein Hausverbot. Während der Winternothilfe "
            "ist es nur für die heutige Nacht ausgesetzt: Aufnahme und Verlängerung jeweils "
            "für eine Nacht; weitere Nächte nur mit Freigabe der Leitung."
        ),
        "emergency_place_not_extended": (
            "Notschlafplatz {place} wird nicht verlängert, solange reguläre Plätze frei "
            "sind: bitte der Person einen regulären Platz anbieten (umziehen) oder die "
            "Leitung entscheiden lassen."
        ),
    }
)
REASONS.update(
    {
        "emergency_override_needs_manager": (
            "nur die Leitung darf einen Notschlafplatz über die Winternothilfe hinaus verlängern"
        ),
    }
)

# --- Safe retries and stricter input (issue 13: Idempotency-Key, duplicates, input) -------

ERRORS.update(
    {
        "idempotency_key_reused": (
            "Dieser Idempotency-Key wurde bereits für eine andere Anfrage verwendet; bitte "
            "für jede neue Anfrage einen neuen Schlüssel senden."
        ),
    }
)
API.update(
    {
        "idempotency_key_invalid": (
            "1 bis {max} sichtbare ASCII-Zeichen (z. B. eine UUID), ohne Leerzeichen."
        ),
    }
)
REASONS.update(
    {
        "name_invisible": "Der Name besteht nur aus unsichtbaren Zeichen.",
    }
)
REASONS.update(
    {
        "nights_per_call": (
            "höchstens {max} Nächte auf einmal; weitere Nächte bitte später verlängern"
        ),
    }
)
API.update(
    {
        "duplicate_key": "Dieses Feld ist mehrfach angegeben; bitte nur einmal.",
        "repeated_parameter": "Dieser Parameter ist mehrfach angegeben; bitte nur einmal.",
        "ascii_digits": "Bitte nur die Ziffern 0–9 verwenden.",
        "date_form": "Bitte ein Datum in der Form JJJJ-MM-TT angeben, z. B. 2026-12-03.",
        "datetime_form": (
            "Bitte einen Zeitpunkt in der Form JJJJ-MM-TTThh:mm angeben, "
            "z. B. 2026-12-03T21:30:00+01:00."
        ),
    }
)


# --- Pages for alerts, winter emergency, reports, audit log and persons (issues 10, 12) --

NAV.update(
    {
        "alerts": "Alarme",
        "alert_rules": "Alarmregeln",
        "alert_rules_description": (
            "Wann eine SMS an die Leitung geht: Auslastung oder freie Plätze"
        ),
        "recipients": "SMS-Empfänger",
        "recipients_description": "Telefonnummern der Leitung und der Wärmebus-Handys",
        "outbox": "SMS-Postausgang",
        "outbox_description": "Die zuletzt verschickten SMS und ihr Zustand",
        "winter": "Winternothilfe",
        "reports": "Berichte",
        "audit": "Protokoll",
        "persons": "Personen",
    }
)

ALERT_PAGES: dict[str, str] = {
    "title": "Alarme",
    "heading": "Alarme und SMS",
    "intro": (
        "Alarmregeln schicken der Leitung eine SMS, sobald eine Einrichtung oder Zielgruppe "
        "fast voll ist – einmal, und erst wieder, wenn die Zahl um den Abstand zurückging."
    ),
    "rules_heading": "Alarmregeln",
    "new_rule": "Neue Alarmregel",
    "rule_heading": "Alarmregel {id}",
    "no_rules": "Noch keine Alarmregeln.",
    "scope": "Gilt für",
    "scope_facility": "Einrichtungen",
    "scope_group": "Zielgruppen (alle Notschlafstellen der Gruppe)",
    "scope_group_item": "Zielgruppe: {group}",
    "metric": "Auslöser",
    "threshold": "Schwelle",
    "threshold_hint": "Auslastung in Prozent (z. B. 90) oder Zahl der freien Plätze (z. B. 0).",
    "margin": "Abstand zum Wiederscharfschalten",
    "margin_hint": (
        "Erst wenn die Zahl um so viel hinter die Schwelle zurückfällt, kann die Regel wieder "
        "auslösen. Leer: {occupancy} Prozentpunkte bzw. {free} Plätze."
    ),
    "enabled": "Regel aktiv",
    "state": "Zustand",
    "condition_occupancy": "Auslastung ab {threshold} %",
    "condition_free": "höchstens {threshold} Plätze frei",
    "margin_occupancy": "{margin} Prozentpunkte",
    "margin_free": "{margin} Plätze",
    "last_value": "Zuletzt",
    "value_occupancy": "{value} %",
    "value_free": "{value} frei",
    "fired_at": "ausgelöst {time}",
    "fired_count": "{count}× ausgelöst",
    "disabled": "ausgeschaltet",
    "fixed_fields": (
        "Geltungsbereich und Auslöser bleiben; für etwas anderes eine neue Regel anlegen."
    ),
    "delete": "Löschen",
    "delete_rule_confirm": "Diese Alarmregel löschen?",
    "deleted": "Gelöscht.",
    "recipients_heading": "SMS-Empfänger",
    "new_recipient": "Neuer Empfänger",
    "no_recipients": "Noch keine SMS-Empfänger.",
    "name": "Name",
    "phone": "Handynummer",
    "phone_hint": "z. B. 0151 23456789 oder +49 151 23456789; gespeichert als +49…",
    "role": "Rolle",
    "facilities": "Einrichtungen",
    "facilities_hint": "Für Kapazitätsalarme: nur diese Einrichtungen. Keine Auswahl: alle.",
    "all_facilities": "alle",
    "sms_queries": "Wärmebus-Handy: darf per SMS freie Betten abfragen und reservieren",
    "opted_out": "Abgemeldet (STOP): bekommt keine SMS",
    "opted_out_short": "abgemeldet",
    "queries_short": "SMS-Abfragen",
    "delete_recipient_confirm": (
        "Diesen Empfänger löschen? Wartende SMS an ihn werden nicht verschickt."
    ),
    "outbox_heading": "SMS-Postausgang",
    "outbox_intro": "Jede SMS steht hier zuerst und geht dann über Twilio (oder ins Log) hinaus.",
    "no_messages": "Keine SMS.",
    "created_at": "Erstellt",
    "recipient": "An",
    "body": "Text",
    "cause": "Anlass",
    "status": "Status",
    "attempts": "Versuche",
    "sent_at": "Gesendet",
    "error": "Fehler",
    "filter": "Filtern",
    "all_statuses": "alle",
    "back": "Zurück zu den Alarmen",
    "read_only": "Nur Lesen: Änderungen macht die Leitung oder die Verwaltung.",
}

RULE_METRICS: dict[str, str] = {
    "occupancy": "Auslastung ab (Prozent)",
    "free": "Freie Plätze höchstens",
}

RULE_STATES: dict[str, str] = {
    "armed": "scharf",
    "fired": "ausgelöst",
}

RECIPIENT_ROLES: dict[str, str] = {
    "manager": "Leitung",
    "crew": "Wärmebus / Streetwork",
    "admin": "Verwaltung (Betriebsmeldungen)",
}

OUTBOX_STATUSES: dict[str, str] = {
    "queued": "wartet",
    "sending": "wird gesendet",
    "sent": "gesendet",
    "delivered": "zugestellt",
    "undelivered": "nicht zugestellt",
    "failed": "fehlgeschlagen",
    "cancelled": "nicht gesendet",
}

PAGINATION: dict[str, str] = {
    "label": "Seiten",
    "previous": "← Zurück",
    "next": "Weiter →",
    "position": "Seite {page} von {pages} ({total} Einträge)",
}

WINTER_PAGE: dict[str, str] = {
    "title": "Winternothilfe",
    "heading": "Winternothilfe",
    "state": "Zustand",
    "active": "Aktiv seit {since}",
    "inactive": "Nicht aktiv",
    "source": "Ausgelöst",
    "reason": "Begründung",
    "control": "Steuerung",
    "control_manual": (
        "Von Hand gesetzt: Die Wettervorhersage schaltet nicht, bis die Leitung sie wieder "
        "übergibt."
    ),
    "control_forecast": "Die Wettervorhersage schaltet (Schwelle in den Einstellungen).",
    "effects": (
        "Während der Winternothilfe werden Notschlafplätze und Einrichtungen in Bereitschaft "
        "angeboten; Hausverbote wegen Verhaltens ruhen (Gefährdung gilt weiter). Beginn und "
        "Ende gehen per SMS an die Leitung und die Wärmebusse."
    ),
    "switch_on": "Winternothilfe einschalten",
    "switch_off": "Winternothilfe beenden",
    "switch_reason": "Begründung",
    "switch_reason_hint": "z. B. „Nachtfrost –5 °C angekündigt“",
    "switched_on": "Die Winternothilfe ist eingeschaltet.",
    "switched_off": "Die Winternothilfe ist beendet.",
    "release": "Der Wettervorhersage übergeben",
    "release_hint": "Die nächste Wetterprüfung entscheidet dann wieder.",
    "release_reason": "Begründung (freiwillig)",
    "released": "Die Wettervorhersage schaltet wieder.",
    "history": "Verlauf",
    "no_history": "Noch nie geschaltet.",
    "at": "Zeitpunkt",
    "action": "Schaltung",
    "by": "durch",
    "forecast": "Vorhersage",
    "forecast_value": "{value} °C für die Nacht vom {night} ({source})",
    "unchanged": "(keine Änderung)",
    "standby_heading": "Einrichtungen in Bereitschaft",
    "standby_intro": "Sie bieten ihre Plätze nur während der Winternothilfe an.",
    "no_standby": "Keine Einrichtung ist in Bereitschaft.",
    "standby_places": "Plätze",
    "standby_offered": "bietet heute {free} freie Plätze an",
    "standby_not_offered": "nicht geöffnet",
    "standby_admin": "Status ändern",
}

WINTER_ACTIONS: dict[str, str] = {
    "on": "eingeschaltet",
    "off": "beendet",
    "release": "an die Vorhersage übergeben",
}

REPORT_PAGES: dict[str, str] = {
    "title": "Berichte",
    "heading": "Monatszahlen",
    "month": "Monat",
    "month_hint": "JJJJ-MM, z. B. 2026-01",
    "show": "Anzeigen",
    "nights": "Nächte vom {first} bis {last}",
    "download_csv": "Monatszahlen als CSV",
    "download_xlsx": "Monatszahlen als Excel (XLSX)",
    "figures_caption": "Monatszahlen {month} je Einrichtung und insgesamt",
    "figure": "Kennzahl",
    "total": "Insgesamt",
    "occupancy_chart": "Auslastung je Einrichtung",
    "occupancy_caption": "Auslastung in Prozent (belegte Nächte je Platznacht)",
    "occupancy_column": "Auslastung %",
    "refusals_chart": "Abweisungen nach Grund und nicht erschienene Reservierungen",
    "refusals_caption": "Abweisungen und No-Shows im Monat je Einrichtung",
    "facility": "Einrichtung",
    "housing_heading": "Wohnraumvorhalteprogramm: Ein- und Auszüge",
    "federal_heading": "Bundesstatistik untergebrachter wohnungsloser Personen",
    "federal_link": "Bundesstatistik (Stichtag)",
    "federal_intro": (
        "Nach § 4 Wohnungslosenberichterstattungsgesetz: wer in der Stichtagsnacht (31. Januar "
        "auf 1. Februar) untergebracht war, mit Geschlecht, Alter, Staatsangehörigkeit, "
        "Haushalt, Art der Unterbringung und Träger – ohne Namen."
    ),
    "night": "Stichtagsnacht (Abend)",
    "night_hint": "Vorgabe: der letzte 31. Januar",
    "federal_summary": "Zusammenfassung je Merkmal, Nacht vom {night}",
    "federal_total": "{persons} Personen untergebracht (Gemeindeschlüssel {key})",
    "characteristic": "Merkmal",
    "code": "Code",
    "label": "Bedeutung",
    "persons": "Personen",
    "download_records": "Datensätze als CSV (eine Zeile je Person)",
    "download_summary": "Zusammenfassung als CSV",
    "no_records": "In dieser Nacht war niemand untergebracht.",
    "back": "Zurück zu den Monatszahlen",
    "percent": "{value} %",
}

# The federal statistic's characteristics by their summary names.
FEDERAL_CHARACTERISTICS: dict[str, str] = {
    "geschlecht": "Geschlecht",
    "altersgruppe": "Altersgruppe",
    "staatsangehoerigkeit": "Staatsangehörigkeit",
    "haushaltstyp": "Haushaltstyp",
    "haushaltsgroesse": "Haushaltsgröße",
    "art_der_unterbringung": "Art der Unterbringung",
    "traeger": "Träger",
    "wohlfahrtsverband": "Wohlfahrtsverband",
}

AUDIT_PAGE: dict[str, str] = {
    "title": "Protokoll",
    "heading": "Protokoll",
    "intro": (
        "Wer wann was angelegt, geändert, freigegeben oder nachgeschlagen hat – auch "
        "abgewiesene Nachfragen. Ohne Namen von Gästen: Personen erscheinen mit ihrer Nummer."
    ),
    "user": "Benutzer",
    "action": "Aktion",
    "action_hint": "z. B. person.read, oder person. für alle zu Personen",
    "all_actions": "alle",
    "object_type": "Datensatz",
    "all_objects": "alle",
    "object_id": "Nummer",
    "person": "Person (Nummer)",
    "person_hint": "Die Person und ihre Aufenthalte, Hausverbote und Abweisungen",
    "since": "Von",
    "until": "Bis",
    "filter": "Filtern",
    "reset": "Filter zurücksetzen",
    "none": "Keine Einträge.",
    "at": "Zeitpunkt",
    "by": "Wer",
    "what": "Was",
    "record": "Datensatz",
    "details": "Angaben",
    "caption": "Protokolleinträge, neueste zuerst",
    "until_before_since": "Das Ende liegt vor dem Anfang.",
}

AUDIT_OBJECTS: dict[str, str] = {
    "person": "Person",
    "stay": "Aufenthalt",
    "hold": "Reservierung",
    "turn_away": "Abweisung",
    "house_ban": "Hausverbot",
    "facility": "Einrichtung",
    "place": "Platz",
    "out_of_service": "Außerbetriebnahme",
    "user": "Benutzer",
    "token": "Token",
    "alert_rule": "Alarmregel",
    "recipient": "SMS-Empfänger",
    "winter_emergency": "Winternothilfe",
    "report": "Bericht",
}

AUDIT_ACTIONS: dict[str, str] = {
    "alert_rule.create": "Alarmregel angelegt",
    "alert_rule.update": "Alarmregel geändert",
    "alert_rule.delete": "Alarmregel gelöscht",
    "ban.create": "Hausverbot erteilt",
    "ban.lift": "Hausverbot aufgehoben",
    "ban.override": "Hausverbot übergangen",
    "facility.create": "Einrichtung angelegt",
    "facility.update": "Einrichtung geändert",
    "hold.create": "Reservierung angelegt",
    "hold.cancel": "Reservierung freigegeben",
    "hold.convert": "Reservierung aufgenommen",
    "person.create": "Person angelegt",
    "person.read": "Person angesehen",
    "person.search": "Person in Suche gezeigt",
    "person.search_refused": "Suche abgewiesen",
    "person.lookup_refused": "Nachfrage abgewiesen",
    "person.update": "Person geändert",
    "person.bans_read": "Hausverbote einer Person angesehen",
    "person.export": "Auskunft erstellt (Art. 15)",
    "person.erase": "Person gelöscht (Art. 17)",
    "person.anonymise": "Person anonymisiert",
    "place.create": "Platz angelegt",
    "place.out_of_service": "Platz außer Betrieb",
    "place.return_to_service": "Platz wieder in Betrieb",
    "recipient.create": "SMS-Empfänger angelegt",
    "recipient.update": "SMS-Empfänger geändert",
    "recipient.delete": "SMS-Empfänger gelöscht",
    "recipient.opt_out": "SMS-Empfänger abgemeldet (STOP)",
    "recipient.opt_in": "SMS-Empfänger wieder angemeldet",
    "report.federal_statistic": "Bundesstatistik erstellt",
    "stay.check_in": "Aufnahme",
    "stay.check_out": "Abmeldung",
    "stay.extend": "Aufenthalt verlängert",
    "stay.move": "Verlegt",
    "stay.read": "Aufenthalt angesehen",
    "stay.end_past": "Aufenthalte der Nacht beendet",
    "token.create": "Token angelegt",
    "token.revoke": "Token widerrufen",
    "turn_away.create": "Abweisung eingetragen",
    "user.create": "Benutzer angelegt",
    "user.update": "Benutzer geändert",
    "user.login": "Anmeldung",
    "winter.start": "Winternothilfe begonnen",
    "winter.end": "Winternothilfe beendet",
    "winter.release": "Winternothilfe an die Vorhersage übergeben",
}

HOUSEHOLD_TYPES: dict[str, str] = {
    "single": "alleinstehend",
    "couple": "Paar ohne Kinder",
    "couple_with_children": "Paar mit Kindern",
    "single_parent": "alleinerziehend",
    "other_multi": "sonstiger Mehrpersonenhaushalt",
    "unknown": "keine Angabe",
}

PERSON_PAGES: dict[str, str] = {
    "title": "Personen",
    "heading": "Personen",
    "intro": (
        "Suche nach Name und Geburtsjahr. Jede angezeigte Person wird protokolliert; der "
        "Suchbegriff nicht."
    ),
    "search_label": "Name und/oder Geburtsjahr",
    "search": "Suchen",
    "no_results": "Niemand gefunden.",
    "results": "{total} Treffer",
    "person_heading": "Person {id}",
    "name": "Name",
    "birth_year": "Geburtsjahr",
    "gender": "Geschlecht",
    "nationality": "Staatsangehörigkeit (Gruppe)",
    "nationality_hint": (
        "Ist das Land bekannt, ergibt sich die Gruppe daraus; sonst z. B. staatenlos, "
        "ungeklärt oder keine Angabe."
    ),
    "citizenship": "Staatsangehörigkeit (Land)",
    "citizenship_hint": "Freiwillig, für die Bundesstatistik.",
    "citizenship_none": "– nicht bekannt –",
    "household_type": "Haushalt",
    "household_size": "Personen im Haushalt",
    "created_at": "Angelegt",
    "edit_heading": "Angaben ändern",
    "save": "Speichern",
    "saved": "Gespeichert.",
    "data_protection": "Datenschutz",
    "export": "Auskunft (Art. 15 DSGVO)",
    "export_hint": "Alles, was über die Person gespeichert ist – zum Drucken oder als JSON.",
    "erase": "Löschen (Art. 17 DSGVO)",
    "erase_hint": (
        "Name, Geburtsjahr und Staatsangehörigkeit werden sofort gelöscht; die Aufenthalte "
        "bleiben ohne Person in den Zahlen."
    ),
    "export_title": "Auskunft zu Person {id}",
    "export_intro": "Erstellt am {time} Uhr nach Art. 15 DSGVO.",
    "print": "Drucken",
    "download_json": "Als JSON herunterladen",
    "stays": "Aufenthalte",
    "holds": "Reservierungen",
    "bans": "Hausverbote",
    "overrides": "Freigaben von Hausverboten",
    "turn_aways": "Abweisungen",
    "audit": "Wer die Daten angelegt, geändert oder angesehen hat",
    "none": "keine",
    "facility": "Einrichtung",
    "place": "Platz",
    "first_night": "Erste Nacht",
    "end_night": "Bis vor Nacht",
    "status": "Stand",
    "night": "Nacht",
    "note": "Notiz",
    "reason": "Grund",
    "kind": "Art",
    "at": "Zeitpunkt",
    "by": "Wer",
    "what": "Was",
    "erase_title": "Person {id} löschen",
    "erase_intro": (
        "Die Person wird sofort anonymisiert: Name, Geburtsjahr und Staatsangehörigkeit "
        "werden gelöscht, der Suchschlüssel geleert, freie Texte zu ihr vergessen. Das lässt "
        "sich nicht rückgängig machen."
    ),
    "erase_reason": "Begründung (Antrag und Datum)",
    "erase_reason_hint": "z. B. „Antrag auf Löschung vom 2. Februar 2026“; wird protokolliert.",
    "erase_confirm": "Ich habe den Antrag geprüft: jetzt endgültig löschen",
    "erase_submit": "Endgültig löschen",
    "erased": "Person {id} ist gelöscht (anonymisiert).",
    "cancel": "Abbrechen",
    "back": "Zurück zur Suche",
}

STAY_STATUSES: dict[str, str] = {
    "held": "reserviert",
    "checked_in": "aufgenommen",
    "checked_out": "abgemeldet",
    "cancelled": "storniert",
    "expired": "nicht erschienen",
}

CHECK_IN.update(
    {
        "nationality": "Staatsangehörigkeit (Gruppe)",
        "nationality_hint": "Ohne Land: z. B. staatenlos, ungeklärt, keine Angabe.",
    }
)
STAY_PAGE.update({"person_details": "Angaben ansehen und ändern"})

# Facilities' names where space is short on the report pages (else the SMS short names).
REPORT_SHORT_NAMES: dict[str, str] = {"wvp": "WVP"}


# --- Housing programme pages (belegung/housing/views.py, templates/housing/) ---------------

HOUSING_PAGES: dict[str, str] = {
    "title": "Wohnungen",
    "apartment": "Wohnung",
    "apartments": "Wohnungen des Wohnraumvorhalteprogramms",
    "search": "Wohnung suchen",
    "all_apartments": "Alle Wohnungen",
    "board": "Belegungsplan",
    "import": "Wohnungsliste einlesen",
    "new_household": "Neuer Haushalt",
    "filter": "Filtern",
    "q": "Suche (Nummer, Adresse, Vermieter)",
    "district": "Stadtbezirk",
    "all": "alle",
    "status": "Status",
    "occupied_filter": "Belegt",
    "yes": "ja",
    "no": "nein",
    "number": "Nummer",
    "address": "Adresse",
    "landlord": "Vermieter",
    "floor": "Etage",
    "rooms": "Zimmer",
    "area": "Wohnfläche (m²)",
    "places": "Plätze",
    "free_places": "frei",
    "occupied_places": "belegt",
    "step_free": "barrierefrei",
    "shared": "für Alleinstehende teilbar",
    "lease": "Mietvertrag",
    "lease_start": "Mietbeginn",
    "lease_end": "Mietende",
    "household": "Haushalt",
    "history": "Bisherige Belegungen",
    "no_history": "Noch keine Belegung.",
    "nobody": "Zurzeit wohnt hier niemand.",
    "moved_in_on": "eingezogen am",
    "moved_out_on": "ausgezogen am",
    "outcome": "Verbleib",
    "members": "Mitglieder",
    "size": "Personen",
    "type": "Haushaltstyp",
    "note": "Kontakt / Notiz",
    "move_out": "Auszug eintragen",
    "move_out_date": "Auszugsdatum",
    "move": "Umzug in andere Wohnung",
    "move_date": "Umzugsdatum",
    "target_number": "Nummer der neuen Wohnung",
    "block": "Wohnung sperren",
    "block_reason": "Grund (z. B. Wasserschaden, Renovierung)",
    "block_from": "gesperrt ab",
    "block_until": "wieder frei ab (leer: bis auf Weiteres)",
    "unblock": "Sperre aufheben",
    "blocked_since": "Gesperrt seit {since}: {reason}",
    "blocked_until": " (bis {until})",
    "handed_back": "Zurückgegeben am {since}",
    "blocked": "Die Wohnung ist gesperrt.",
    "unblocked": "Die Sperre ist aufgehoben.",
    "moved_out": "Der Auszug ist eingetragen.",
    "moved": "Der Umzug ist eingetragen.",
    "moved_in": "Der Haushalt ist eingezogen.",
    "household_created": "Der Haushalt ist angelegt.",
    "outcome_missing": "Bitte den Verbleib auswählen.",
    "unknown_number": "Eine Wohnung mit dieser Nummer gibt es nicht.",
    "type_missing": "Bitte den Haushaltstyp auswählen.",
    "members_missing": "Bitte mindestens ein Mitglied mit Namen eintragen.",
    "bad_size": "Bitte eine Personenzahl von 1 bis {max} angeben.",
    "bad_rooms": "Bitte die Zimmerzahl als Zahl angeben (z. B. 3 oder 2,5).",
    "size_label": "Personen im Haushalt",
    "from": "Einzug ab",
    "min_rooms": "mindestens Zimmer",
    "step_free_needed": "barrierefrei nötig",
    "explain": "ausgeschlossene Wohnungen mit Grund zeigen",
    "find": "Suchen",
    "found": "{count} passende Wohnungen, beste zuerst",
    "none_found": "Keine Wohnung passt. Mit „Gründe zeigen“ sehen Sie, woran es liegt.",
    "left_empty": "bleiben leer",
    "vacant_since": "leer seit",
    "never": "noch nie belegt",
    "place_here": "Haushalt hier einziehen lassen",
    "excluded": "Ausgeschlossen",
    "reason": "Grund",
    "member": "Mitglied {n}",
    "name": "Name (ggf. Rufname)",
    "birth_year": "Geburtsjahr",
    "gender": "Geschlecht",
    "create_and_move_in": "Haushalt anlegen und einziehen lassen",
    "create": "Haushalt anlegen",
    "move_in_to": "Einzug in Wohnung {number}",
    "move_in": "Einzug eintragen",
    "file": "Datei (CSV oder Excel-XLSX, höchstens 5 MB)",
    "dry_run": "nur prüfen (Probelauf, nichts wird gespeichert)",
    "read": "Einlesen",
    "import_help": (
        "Spalten wie in der Vorlage: Wohnungsnummer, Adresse, Plätze (Pflicht), dazu "
        "Stadtbezirk, Vermieter, Etage, Zimmer, Wohnfläche, barrierefrei, teilbar, Mietbeginn, "
        "Mietende, Status, Sperrgrund. Erst prüfen, dann einlesen: eine Datei mit Fehlern "
        "wird gar nicht gespeichert."
    ),
    "result_dry": "Probelauf: nichts wurde gespeichert.",
    "result_written": "Gespeichert.",
    "result_errors": "Die Datei hat {count} Fehler; nichts wurde gespeichert.",
    "rows": "Wohnungen in der Datei",
    "created": "neu",
    "updated": "geändert",
    "unchanged": "unverändert",
    "missing": "nicht in der Datei (nicht gelöscht)",
    "errors": "Fehler",
    "warnings": "Hinweise",
    "line": "Zeile",
    "column": "Spalte",
    "message": "Problem",
    "weeks": "Wochen",
    "week_of": "ab {day}",
    "show": "Anzeigen",
    "legend": "Legende",
    "page": "Seite {page} von {pages}",
    "previous": "zurück",
    "next": "weiter",
    "today": "heute",
}

APARTMENT_STATUSES: dict[str, str] = {
    "available": "verfügbar",
    "blocked": "gesperrt",
    "handed_back": "zurückgegeben",
}

# The board's cells.
BOARD_STATES: dict[str, str] = {"occupied": "belegt", "free": "frei", "blocked": "gesperrt"}

OUTCOMES: dict[str, str] = {
    "own_tenancy": "eigene Wohnung (Mietvertrag)",
    "other_housing": "anderer Wohnraum",
    "supported_housing": "betreutes Wohnen",
    "shelter": "Notunterkunft",
    "institution": "Einrichtung (Klinik, Pflege, Haft)",
    "deceased": "verstorben",
    "unknown": "unbekannt",
}

EXCLUSIONS: dict[str, str] = {
    "blocked": "gesperrt",
    "too_small": "zu klein",
    "not_step_free": "nicht barrierefrei",
    "other_district": "anderer Stadtbezirk",
    "lease_ends_too_soon": "Mietvertrag endet bald",
    "taken": "bewohnt",
}
DASHBOARD.update({"winter_more": "Verlauf, Vorhersage und Einrichtungen in Bereitschaft"})
ERRORS.update(
    {
        "possible_duplicate": (
            "{name} (Jahrgang {birth_year}) ist für diese Nacht bereits aufgenommen, auf Platz "
            "{place}. Ist es dieselbe Person, ist nichts weiter zu tun; ist es eine andere "
            "Person gleichen Namens, bitte „Andere Person – trotzdem aufnehmen“ bestätigen."
        ),
    }
)
CHECK_IN.update(
    {
        "confirm_new_person": "Andere Person – trotzdem aufnehmen",
    }
)

# The programme's figures (page /wohnungen/zahlen and its XLSX).
HOUSING_FIGURES: dict[str, str] = {
    "title": "Zahlen des Wohnraumvorhalteprogramms",
    "download": "Als Excel-Datei (XLSX)",
    "sheet_day": "Stichtag",
    "sheet_months": "Ein- und Auszüge je Monat",
    "date": "Stichtag",
    "apartments_occupied": "Wohnungen belegt",
    "apartments_free": "Wohnungen frei",
    "apartments_blocked": "Wohnungen gesperrt",
    "apartments_handed_back": "Wohnungen zurückgegeben",
    "places_occupied": "Plätze belegt",
    "places_free": "Plätze frei",
    "places_blocked": "Plätze gesperrt",
    "persons_housed": "Personen untergebracht",
    "households_housed": "Haushalte untergebracht",
    "average_stay_days": "Verweildauer im Mittel (Tage)",
    "median_stay_days": "Verweildauer, Median (Tage)",
    "month": "Monat",
    "moved_in": "Haushalte eingezogen",
    "moved_out": "Haushalte ausgezogen",
    "own_tenancy": "davon in eigene Wohnung",
}

# --- The monthly report: the housing programme's own figures (issue 12 point 1) ---------
REPORTS.update({"housing_sheet": "Wohnraumvorhalteprogramm"})
REPORT_PAGES.update(
    {"housing_caption": "Wohnraumvorhalteprogramm {month}: Haushalte ein- und ausgezogen, Verbleib"}
)
# By the downloads' column names (housing_<name> in the CSV); outcomes in OUTCOMES.
REPORT_HOUSING: dict[str, str] = {
    "moved_in": "Haushalte eingezogen",
    "moved_out": "Haushalte ausgezogen",
    "outcome": "Verbleib: {outcome}",
}
