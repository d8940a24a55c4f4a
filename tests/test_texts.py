"""Every refusal the package can raise has its German text: each error class's code, each
`reason` and each `what` named in the code (a missing key is a KeyError, never a vague
message)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from belegung import errors, texts
from belegung.errors import DomainError

PACKAGE = Path(errors.__file__).resolve().parent
ERROR_CLASSES = {
    name: cls
    for name, cls in vars(errors).items()
    if inspect.isclass(cls) and issubclass(cls, DomainError)
}


def raised_keywords(keyword: str) -> set[str]:
    """The string constants passed as `keyword=` to a domain error anywhere in the package."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id not in ERROR_CLASSES:
                continue
            for kw in node.keywords:
                if kw.arg == keyword and isinstance(kw.value, ast.Constant):
                    found.add(kw.value.value)
    return found


def test_the_scan_finds_the_codes_the_package_raises() -> None:
    assert {"between", "reason_missing", "men_only"} <= raised_keywords("reason")
    assert {"stay", "hold", "person"} <= raised_keywords("what")


@pytest.mark.parametrize("name", sorted(ERROR_CLASSES))
def test_every_error_code_has_a_text(name: str) -> None:
    assert ERROR_CLASSES[name].code in texts.ERRORS


@pytest.mark.parametrize("reason", sorted(raised_keywords("reason")))
def test_every_reason_raised_has_a_text(reason: str) -> None:
    assert reason in texts.REASONS


@pytest.mark.parametrize("what", sorted(raised_keywords("what")))
def test_every_thing_not_found_has_a_name(what: str) -> None:
    assert what in texts.THINGS


def test_an_unknown_reason_is_an_error_not_a_vague_message() -> None:
    with pytest.raises(KeyError):
        errors.InvalidInput(field="x", reason="no_such_reason")


def test_a_reason_is_filled_with_the_errors_parameters() -> None:
    message = errors.InvalidInput(field="nights", reason="between", low=1, high=366).message
    assert message == "Ungültige Angabe bei „nights“: zwischen 1 und 366"
