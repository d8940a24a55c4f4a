"""Reading the housing office's apartment list (CSV or XLSX) into checked rows, without a database.

`parse_apartment_file` reads the whole file and reports every problem it finds (each bad
cell with its line and column), so that a dry run can name all of them at once; writing
the rows is the service's business, all or nothing. The accepted columns, value formats
and limits are documented in docs/housing-import.md.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Generator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import BinaryIO, Literal, TypeVar, cast

import openpyxl
from openpyxl.utils import get_column_letter

from belegung import limits, texts
from belegung.schemas import forbidden_character

# --- Limits (defined in belegung/limits.py; the names here are this module's) ---------------
MAX_FILE_BYTES = limits.HOUSING_IMPORT_MAX_FILE_BYTES
MAX_UNPACKED_BYTES = limits.HOUSING_IMPORT_MAX_UNPACKED_BYTES
MAX_ROWS = limits.HOUSING_IMPORT_MAX_ROWS
MAX_EMPTY_RUN = limits.HOUSING_IMPORT_MAX_EMPTY_RUN
MAX_LINES = limits.HOUSING_IMPORT_MAX_LINES
MAX_COLUMNS = limits.HOUSING_IMPORT_MAX_COLUMNS
MAX_TEXT_LENGTH: Mapping[str, int] = {
    "number": limits.APARTMENT_NUMBER_MAX,
    "address": limits.APARTMENT_ADDRESS_MAX,
    "district": limits.APARTMENT_DISTRICT_MAX,
    "landlord": limits.APARTMENT_LANDLORD_MAX,
    "blocked_reason": limits.REASON_MAX,
}
PLACES_RANGE = limits.HOUSING_IMPORT_PLACES_RANGE
FLOOR_RANGE = limits.HOUSING_IMPORT_FLOOR_RANGE
ROOMS_RANGE = (
    Decimal(limits.HOUSING_IMPORT_ROOMS_RANGE[0]),
    Decimal(limits.HOUSING_IMPORT_ROOMS_RANGE[1]),
)
AREA_RANGE = (
    Decimal(limits.HOUSING_IMPORT_AREA_RANGE[0]),
    Decimal(limits.HOUSING_IMPORT_AREA_RANGE[1]),
)
AREA_DECIMALS = limits.HOUSING_IMPORT_AREA_DECIMALS
LEASE_DATE_RANGE = limits.HOUSING_IMPORT_LEASE_DATE_RANGE
# A value quoted in a message is cut here, so that a pasted novel doesn't become the message.
SHOWN_VALUE_LENGTH = 40

Status = Literal["available", "blocked", "handed_back"]
FileFormat = Literal["csv", "xlsx"]

FIELDS = (
    "number",
    "address",
    "district",
    "landlord",
    "floor",
    "rooms",
    "area_m2",
    "places",
    "step_free",
    "shared",
    "lease_start",
    "lease_end",
    "status",
    "blocked_reason",
)
# Without these an apartment can't be matched to its record (number), found (address) or
# offered (places); every other column may be left out of the file.
REQUIRED_FIELDS = ("number", "address", "places")

# Headers as housing offices write them. They are compared after `_header_key`: case,
# spaces, punctuation, umlaut spelling and units in brackets don't matter.
HEADER_ALIASES: Mapping[str, tuple[str, ...]] = {
    "number": ("number", "Wohnungsnummer", "Wohnungs-Nr.", "Whg.-Nr.", "Nummer", "Nr."),
    "address": ("address", "Adresse", "Anschrift"),
    "district": ("district", "Stadtbezirk", "Bezirk"),
    "landlord": ("landlord", "Vermieter", "Vermieterin"),
    "floor": ("floor", "Etage", "Geschoss", "Stockwerk"),
    "rooms": ("rooms", "Zimmer", "Zimmeranzahl", "Anzahl Zimmer", "Räume"),
    "area_m2": ("area_m2", "area", "Wohnfläche", "Fläche"),
    "places": ("places", "Plätze", "Platzzahl", "Anzahl Plätze", "Bettplätze"),
    "step_free": ("step_free", "barrierefrei", "stufenlos"),
    "shared": ("shared", "teilbar", "WG-geeignet"),
    "lease_start": ("lease_start", "Mietbeginn", "Vertragsbeginn", "Mietvertragsbeginn"),
    "lease_end": ("lease_end", "Mietende", "Vertragsende", "Mietvertragsende"),
    "status": ("status",),
    "blocked_reason": ("blocked_reason", "Sperrgrund", "Grund der Sperrung"),
}

TRUE_WORDS = frozenset({"ja", "j", "x", "true", "wahr", "yes", "1"})
# German Excel writes boolean cells into a CSV as WAHR / FALSCH.
FALSE_WORDS = frozenset({"nein", "n", "false", "falsch", "no", "0"})
STATUS_WORDS: Mapping[str, Status] = {
    "available": "available",
    "frei": "available",
    "verfuegbar": "available",
    "blocked": "blocked",
    "gesperrt": "blocked",
    "handedback": "handed_back",
    "zurueckgegeben": "handed_back",
}
FLOOR_WORDS: Mapping[str, int] = {
    "eg": 0,
    "erdgeschoss": 0,
    "parterre": 0,
    "hochparterre": 0,
    "ug": -1,
    "untergeschoss": -1,
    "kg": -1,
    "kellergeschoss": -1,
    "souterrain": -1,
}


@dataclass(frozen=True)
class ApartmentRow:
    """One apartment as the file gives it; `line` is the row a person sees in the sheet."""

    line: int
    number: str
    address: str
    places: int
    district: str | None
    landlord: str | None
    floor: int | None
    rooms: Decimal | None
    area_m2: Decimal | None
    step_free: bool
    shared: bool
    lease_start: date | None
    lease_end: date | None
    status: Status
    blocked_reason: str | None


@dataclass(frozen=True)
class ImportIssue:
    """An error or warning: `line` and `column` as the person sees them in their file
    (`column` is the header as written there; both None when the whole file is meant),
    `code` a stable reason, `params` what the German message needs."""

    line: int | None
    column: str | None
    code: str
    params: Mapping[str, str | int] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return texts.housing_import_message(self.code, **self.params)

    def as_dict(self) -> dict[str, object]:
        return {
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "message": self.message,
        }


@dataclass(frozen=True)
class ParsedFile:
    """What a file holds: the good rows, and every error and warning found.

    `columns` are the fields the file has a column for, so that an update can leave
    fields alone that the file doesn't mention. A file with any error must not be
    imported at all; warnings don't stop an import.
    """

    rows: list[ApartmentRow]
    errors: list[ImportIssue]
    warnings: list[ImportIssue]
    columns: frozenset[str] = frozenset()
    format: FileFormat | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_apartment_file(data: bytes | BinaryIO, filename: str) -> ParsedFile:
    """Read an apartment list from CSV or XLSX bytes (or a binary file object).

    The format follows from the content (an XLSX is a zip archive); `filename` only
    sharpens the message for a file that claims to be XLSX and isn't. A file over a
    limit, of another format or unreadable yields exactly one error and no rows.
    """
    warnings: list[ImportIssue] = []
    file_format: FileFormat | None = None
    try:
        content = _read_limited(data)
        file_format = _detect_format(content, filename)
        if file_format == "xlsx":
            rows = _xlsx_rows(content, warnings)
        else:
            rows = _csv_rows(_decode(content, warnings))
        with closing(rows):
            return _parse_table(file_format, rows, warnings)
    except _Rejected as rejected:
        return ParsedFile(rows=[], errors=[rejected.issue], warnings=[], format=file_format)


# --- Reading the file --------------------------------------------------------------------

Cells = Sequence[object]
T = TypeVar("T")
N = TypeVar("N", int, Decimal)
RowSource = Generator[tuple[int, Cells], None, None]

ZIP_SIGNATURE = b"PK\x03\x04"
# OLE2 compound files: Excel 97-2003 (.xls), and password-protected .xlsx files too.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
DELIMITERS = (";", "\t", ",")  # ties go to the first: German Excel writes ";"


class _Rejected(Exception):
    """The whole file is refused with one issue."""

    def __init__(self, code: str, line: int | None = None, **params: str | int) -> None:
        super().__init__(code)
        self.issue = ImportIssue(line, None, code, params)


@dataclass(frozen=True)
class _Formula:
    cell: str


@dataclass(frozen=True)
class _ErrorValue:
    cell: str
    value: str


def _read_limited(data: bytes | BinaryIO) -> bytes:
    if isinstance(data, bytes | bytearray | memoryview):
        content = bytes(data)
    else:
        # One byte more than allowed tells an oversized file without reading all of it.
        content = data.read(MAX_FILE_BYTES + 1)
    if not content:
        raise _Rejected("file_empty")
    if len(content) > MAX_FILE_BYTES:
        raise _Rejected("file_too_large", limit=_megabytes(MAX_FILE_BYTES))
    return content


def _detect_format(content: bytes, filename: str) -> FileFormat:
    if content.startswith(ZIP_SIGNATURE):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                entries = archive.infolist()
                # The sizes in the archive's directory are what zipfile unpacks at most.
                if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
                    raise _Rejected("xlsx_too_large_unpacked", limit=_megabytes(MAX_UNPACKED_BYTES))
                names = {entry.filename for entry in entries}
                ods = "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE
        except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError) as error:
            # RuntimeError: an encrypted entry; NotImplementedError: an unknown compression.
            raise _Rejected("xlsx_unreadable") from error
        if ods:
            raise _Rejected("ods_not_supported")
        if "[Content_Types].xml" not in names:
            raise _Rejected("unknown_format")
        return "xlsx"
    if content.startswith(OLE_SIGNATURE):
        raise _Rejected("xls_not_supported")
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise _Rejected("xlsx_unreadable")
    return "csv"


def _decode(content: bytes, warnings: list[ImportIssue]) -> str:
    if content.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export: UTF-16 with a byte order mark, tab-separated.
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    try:
        text = content.decode(encoding)
    except UnicodeDecodeError:
        if encoding != "utf-8":
            raise _Rejected("unknown_format") from None
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            raise _Rejected("unknown_format") from None
        warnings.append(ImportIssue(None, None, "read_as_cp1252"))
    if _looks_binary(text):
        raise _Rejected("unknown_format")
    return text


def _looks_binary(text: str) -> bool:
    # A stray control character in a text file is a bad cell (reported there); many of
    # them, or any NUL, mean the file is no text at all.
    if "\x00" in text:
        return True
    controls = sum(1 for char in text if char < " " and char not in "\t\r\n")
    return controls > max(4, len(text) // 100)


def _csv_rows(text: str) -> RowSource:
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 0
    try:
        # Records, not physical lines: a quoted line break stays inside its cell, as in
        # the row numbers a spreadsheet shows.
        for line, record in enumerate(reader, start=1):
            yield line, record
    except csv.Error as error:
        raise _Rejected("csv_unreadable", line=line + 1) from error


def _sniff_delimiter(text: str) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else DELIMITERS[0]


def _xlsx_rows(content: bytes, warnings: list[ImportIssue]) -> RowSource:
    try:
        # data_only=False: a formula arrives as a formula (and is refused), not as the value
        # Excel last computed, which may be stale or missing. openpyxl parses the XML with
        # defusedxml when it is installed (it is a dependency of ours).
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a broken or foreign file
        raise _Rejected("xlsx_unreadable") from error
    try:
        sheets = workbook.worksheets
        if not sheets:
            return
        sheet = sheets[0]
        if len(sheets) > 1:
            warnings.append(
                ImportIssue(
                    None, None, "extra_sheets", {"sheet": sheet.title, "count": len(sheets)}
                )
            )
        # One column past the limit is enough to tell a sheet that is too wide.
        rows = sheet.iter_rows(max_col=MAX_COLUMNS + 1)
        for line, cells in enumerate(rows, start=1):
            yield line, [_xlsx_value(cell, line, index) for index, cell in enumerate(cells, 1)]
    except Exception as error:  # broken XML inside the archive shows only while reading
        raise _Rejected("xlsx_unreadable") from error
    finally:
        workbook.close()


def _xlsx_value(cell: object, line: int, column: int) -> object:
    value = getattr(cell, "value", None)
    if value is None:
        return None
    data_type = getattr(cell, "data_type", None)
    if data_type == "f":
        return _Formula(f"{get_column_letter(column)}{line}")
    if data_type == "e":
        return _ErrorValue(f"{get_column_letter(column)}{line}", str(value))
    return value


# --- Checking the table ------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    index: int
    header: str
    field: str


class _CellProblem(Exception):
    def __init__(self, code: str, **params: str | int) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _parse_table(
    file_format: FileFormat, rows: RowSource, warnings: list[ImportIssue]
) -> ParsedFile:
    errors: list[ImportIssue] = []
    rows = _non_empty(rows, warnings)
    found = next(rows, None)
    if found is None:
        raise _Rejected("file_empty")
    header_line, header_cells = found
    _check_width(header_line, header_cells)
    columns, labelled = _read_header(header_line, header_cells, errors, warnings)
    if not columns:
        raise _Rejected("no_header", line=header_line)
    present = {column.field for column in columns}
    for required in REQUIRED_FIELDS:
        if required not in present:
            errors.append(ImportIssue(header_line, None, "missing_column", {"field": required}))
    complete = all(required in present for required in REQUIRED_FIELDS)
    by_field = {column.field: column for column in columns}

    parsed: list[ApartmentRow] = []
    first_line_of_number: dict[str, int] = {}
    unlabelled_reported: set[int] = set()
    count = 0
    for line, cells in rows:
        count += 1
        if count > MAX_ROWS:
            raise _Rejected("too_many_rows", limit=_german_int(MAX_ROWS))
        _check_width(line, cells)
        for index, value in enumerate(cells):
            if index not in labelled and index not in unlabelled_reported and not _blank(value):
                unlabelled_reported.add(index)
                warnings.append(
                    ImportIssue(
                        line, None, "unlabelled_column", {"letter": get_column_letter(index + 1)}
                    )
                )
        errors_before = len(errors)
        values = _read_cells(line, cells, columns, errors)
        number = values.get("number")
        if isinstance(number, str):
            key = number.casefold()
            if key in first_line_of_number:
                errors.append(
                    ImportIssue(
                        line,
                        by_field["number"].header,
                        "duplicate_number",
                        {"value": number, "first_line": first_line_of_number[key]},
                    )
                )
            else:
                first_line_of_number[key] = line
        _check_row(line, values, by_field, errors, warnings)
        if complete and len(errors) == errors_before:
            parsed.append(_row(line, values))
    if count == 0:
        errors.append(ImportIssue(None, None, "no_rows"))
    return ParsedFile(
        rows=parsed,
        errors=errors,
        warnings=warnings,
        columns=frozenset(present),
        format=file_format,
    )


def _non_empty(rows: RowSource, warnings: list[ImportIssue]) -> RowSource:
    """The rows that hold something, within MAX_LINES and up to a long run of empty ones."""
    empty_run = 0
    for line, cells in rows:
        if line > MAX_LINES:
            raise _Rejected("too_many_lines", limit=_german_int(MAX_LINES))
        if not _is_empty(cells):
            empty_run = 0
            yield line, cells
            continue
        empty_run += 1
        if empty_run > MAX_EMPTY_RUN:
            first_empty = line - empty_run + 1
            warnings.append(
                ImportIssue(first_empty, None, "stopped_at_empty_rows", {"count": MAX_EMPTY_RUN})
            )
            return


def _read_header(
    line: int, cells: Cells, errors: list[ImportIssue], warnings: list[ImportIssue]
) -> tuple[list[_Column], set[int]]:
    columns: list[_Column] = []
    labelled: set[int] = set()
    for index, cell in enumerate(cells):
        if isinstance(cell, _Formula | _ErrorValue):
            errors.append(ImportIssue(line, None, "formula", {"cell": cell.cell}))
            continue
        if _blank(cell):
            continue
        header = " ".join(str(cell).split())
        labelled.add(index)
        field_name = field_for_header(header)
        if field_name is None:
            warnings.append(ImportIssue(line, header, "unknown_column"))
            continue
        earlier = next((column for column in columns if column.field == field_name), None)
        if earlier is not None:
            errors.append(
                ImportIssue(
                    line, header, "duplicate_column", {"field": field_name, "first": earlier.header}
                )
            )
            continue
        columns.append(_Column(index, header, field_name))
    return columns, labelled


def _read_cells(
    line: int, cells: Cells, columns: list[_Column], errors: list[ImportIssue]
) -> dict[str, object]:
    """The converted value of each column that has one; a bad cell is an error and absent."""
    values: dict[str, object] = {}
    for column in columns:
        raw = cells[column.index] if column.index < len(cells) else None
        try:
            values[column.field] = _convert(column.field, raw)
        except _CellProblem as problem:
            errors.append(ImportIssue(line, column.header, problem.code, problem.params))
    return values


def _check_row(
    line: int,
    values: dict[str, object],
    by_field: Mapping[str, _Column],
    errors: list[ImportIssue],
    warnings: list[ImportIssue],
) -> None:
    start, end = values.get("lease_start"), values.get("lease_end")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        errors.append(
            ImportIssue(
                line,
                by_field["lease_end"].header,
                "lease_end_before_start",
                {"start": _german_date(start)},
            )
        )
    status = values.get("status", "available")
    reason_column = by_field.get("blocked_reason")
    # Only a known status is judged: a bad one is already an error of its own cell.
    if "status" in by_field and "status" not in values:
        return
    if status == "blocked" and values.get("blocked_reason") is None:
        if reason_column is None or "blocked_reason" in values:
            column = reason_column or by_field["status"]
            errors.append(ImportIssue(line, column.header, "blocked_needs_reason"))
    elif status != "blocked" and values.get("blocked_reason") is not None and reason_column:
        warnings.append(ImportIssue(line, reason_column.header, "reason_ignored"))
        values["blocked_reason"] = None


def _row(line: int, values: Mapping[str, object]) -> ApartmentRow:
    def get(name: str) -> object:
        return values.get(name, DEFAULTS.get(name))

    return ApartmentRow(
        line=line,
        number=_typed(get("number"), str),
        address=_typed(get("address"), str),
        places=_typed(get("places"), int),
        district=_optional(get("district"), str),
        landlord=_optional(get("landlord"), str),
        floor=_optional(get("floor"), int),
        rooms=_optional(get("rooms"), Decimal),
        area_m2=_optional(get("area_m2"), Decimal),
        step_free=_typed(get("step_free"), bool),
        shared=_typed(get("shared"), bool),
        lease_start=_optional(get("lease_start"), date),
        lease_end=_optional(get("lease_end"), date),
        status=cast(Status, _typed(get("status"), str)),
        blocked_reason=_optional(get("blocked_reason"), str),
    )


def _typed(value: object, kind: type[T]) -> T:
    if not isinstance(value, kind):
        raise TypeError(f"expected {kind.__name__}, got {value!r}")
    return value


def _optional(value: object, kind: type[T]) -> T | None:
    return None if value is None else _typed(value, kind)


def _check_width(line: int, cells: Cells) -> None:
    if any(not _blank(value) for value in cells[MAX_COLUMNS:]):
        raise _Rejected("too_many_columns", line=line, limit=MAX_COLUMNS)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_empty(cells: Cells) -> bool:
    return all(_blank(value) for value in cells)


# --- Headers -----------------------------------------------------------------------------

_BRACKETED = re.compile(r"[(\[].*?[)\]]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_UNIT_SUFFIXES = ("inm2", "m2", "inqm", "qm")


def _header_key(text: str) -> str:
    # NFKC turns "m²" into "m2"; casefold turns "ß" into "ss".
    key = unicodedata.normalize("NFKC", text).casefold()
    key = _BRACKETED.sub("", key)
    key = key.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    return _NOT_ALNUM.sub("", key)


_FIELD_BY_KEY: Mapping[str, str] = {
    _header_key(alias): name for name, aliases in HEADER_ALIASES.items() for alias in aliases
}


def field_for_header(header: str) -> str | None:
    """The apartment field a header names ("Wohnfläche (m²)" → "area_m2"), or None."""
    key = _header_key(header)
    if key in _FIELD_BY_KEY:
        return _FIELD_BY_KEY[key]
    for suffix in _UNIT_SUFFIXES:
        if key.endswith(suffix) and key[: -len(suffix)] in _FIELD_BY_KEY:
            return _FIELD_BY_KEY[key[: -len(suffix)]]
    return None


# --- Values ------------------------------------------------------------------------------

DEFAULTS: Mapping[str, object] = {"step_free": False, "shared": False, "status": "available"}


def _convert(field_name: str, raw: object) -> object:
    if isinstance(raw, _Formula):
        raise _CellProblem("formula", cell=raw.cell)
    if isinstance(raw, _ErrorValue):
        raise _CellProblem("cell_error", cell=raw.cell, value=raw.value)
    if isinstance(raw, str):
        char = forbidden_character(raw)
        if char is not None:
            raise _CellProblem("forbidden_character", char=char)
        raw = raw.strip() or None
    if raw is None:
        if field_name in REQUIRED_FIELDS:
            raise _CellProblem("required_value")
        return DEFAULTS.get(field_name)
    return CONVERTERS[field_name](raw)


def _text(field_name: str) -> Callable[[object], str]:
    limit = MAX_TEXT_LENGTH[field_name]

    def convert(value: object) -> str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # an apartment number typed into a number cell
        if isinstance(value, datetime):
            value = value.date()
        text = value.isoformat() if isinstance(value, date) else str(value)
        # Line breaks inside a cell (Alt+Enter) and runs of spaces become one space.
        text = " ".join(text.split())
        if len(text) > limit:
            raise _CellProblem("too_long", limit=limit)
        return text

    return convert


_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+,\d+")  # 1.234,5
_AREA_UNIT = re.compile(r"\s*(?:m²|m2|qm)$", re.IGNORECASE)


def _as_decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float: 54.5, not 54.5000…
        return Decimal(repr(value)) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _GROUPED_NUMBER.fullmatch(text):
        text = text.replace(".", "")
    elif not _PLAIN_NUMBER.fullmatch(text):
        return None
    return Decimal(text.replace(",", "."))


def _in_range(number: N, bounds: tuple[N, N]) -> N:
    low, high = bounds
    if not low <= number <= high:
        raise _CellProblem(
            "out_of_range",
            value=_german_number(number),
            min=_german_number(low),
            max=_german_number(high),
        )
    return number


def _places(value: object) -> int:
    number = _as_decimal(value)
    if number is None or number != number.to_integral_value():
        raise _CellProblem("not_an_integer", value=_shown(value))
    return _in_range(int(number), PLACES_RANGE)


_FLOOR_NUMBER = re.compile(r"(-?\d+)\s*\.?\s*(?:og|obergeschoss|etage|stock)?")
_FLOOR_AFTER_WORD = re.compile(r"og\s*(\d+)")


def _floor(value: object) -> int:
    floor: int | None = None
    if isinstance(value, str):
        key = " ".join(value.casefold().split())
        match = _FLOOR_NUMBER.fullmatch(key) or _FLOOR_AFTER_WORD.fullmatch(key)
        floor = FLOOR_WORDS.get(key, int(match.group(1)) if match else None)
    else:
        number = _as_decimal(value)
        if number is not None and number == number.to_integral_value():
            floor = int(number)
    if floor is None:
        raise _CellProblem("not_a_floor", value=_shown(value))
    return _in_range(floor, FLOOR_RANGE)


def _rooms(value: object) -> Decimal:
    number = _as_decimal(value)
    if number is None:
        raise _CellProblem("not_a_number", value=_shown(value))
    # Half rooms (a small room counted as half) are the only fractions housing offices use.
    if (number * 2) % 1:
        raise _CellProblem("not_half_step", value=_shown(value))
    return _in_range(number, ROOMS_RANGE).quantize(Decimal("0.1"))


def _area(value: object) -> Decimal:
    number = _as_decimal(_AREA_UNIT.sub("", value) if isinstance(value, str) else value)
    if number is None:
        raise _CellProblem("not_a_number", value=_shown(value))
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -AREA_DECIMALS:
        raise _CellProblem("too_many_decimals", value=_shown(value), places=AREA_DECIMALS)
    return _in_range(number, AREA_RANGE).quantize(Decimal(1).scaleb(-AREA_DECIMALS))


def _boolean(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.casefold()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise _CellProblem("not_a_boolean", value=_shown(value))


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?")
_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})")


def _date(value: object) -> date:
    day: date | None = None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str):
        day = _date_from_text(value)
    # A number is refused: in a column of dates it is a date whose cell format got lost,
    # and guessing the day behind a serial number is how leases end up in 1900.
    if day is None:
        raise _CellProblem("not_a_date", value=_shown(value))
    low, high = LEASE_DATE_RANGE
    if not low <= day <= high:
        raise _CellProblem(
            "out_of_range",
            value=_german_date(day),
            min=_german_date(low),
            max=_german_date(high),
        )
    return day


def _date_from_text(text: str) -> date | None:
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _GERMAN_DATE.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
        if len(match.group(3)) == 2:
            year += 2000  # 01.03.25: leases of this programme are all of this century
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _status(value: object) -> Status:
    key = _header_key(value) if isinstance(value, str) else ""
    if key not in STATUS_WORDS:
        raise _CellProblem("unknown_status", value=_shown(value))
    return STATUS_WORDS[key]


CONVERTERS: Mapping[str, Callable[[object], object]] = {
    "number": _text("number"),
    "address": _text("address"),
    "district": _text("district"),
    "landlord": _text("landlord"),
    "floor": _floor,
    "rooms": _rooms,
    "area_m2": _area,
    "places": _places,
    "step_free": _boolean,
    "shared": _boolean,
    "lease_start": _date,
    "lease_end": _date,
    "status": _status,
    "blocked_reason": _text("blocked_reason"),
}


# --- Showing values in messages ----------------------------------------------------------


def _shown(value: object) -> str:
    if isinstance(value, datetime | date):
        text = _german_date(value)
    elif isinstance(value, float):
        text = repr(value).replace(".", ",")
    else:
        text = " ".join(str(value).split())
    if len(text) > SHOWN_VALUE_LENGTH:
        text = text[: SHOWN_VALUE_LENGTH - 1] + "…"
    return text


def _german_date(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def _german_number(number: int | Decimal) -> str:
    return str(number).replace(".", ",")


def _german_int(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _megabytes(size: int) -> str:
    return f"{size // (1024 * 1024)} MB"
