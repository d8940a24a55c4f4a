"""The forms of the pages: Flask-WTF forms (the CSRF token as a hidden field in each) in
German, a fresh idempotency key in each form that creates something, and a refusal of
the operation put next to the field it names."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField

# WTForms 3.3 wants choices as SelectChoice (its stubs are still of 3.2).
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]

from belegung.http.pages import Refusal


def options(pairs: Iterable[tuple[str, str]]) -> list[Any]:
    """A select field's choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class PageForm(FlaskForm):
    """A form of a page; WTForms' own German messages for its validators."""

    class Meta:
        locales = ("de_DE", "de")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.form_errors_shown: list[str] = []

    def show(self, refusal: Refusal) -> None:
        """Put the refusal's messages next to their fields; the rest above the form."""
        placed = False
        for name, messages in refusal.fields.items():
            field = self._fields.get(name)
            if field is not None:
                field.errors = [*field.errors, *messages]
                placed = True
        if not placed:
            self.form_errors_shown.append(refusal.message)

    @property
    def all_errors(self) -> list[str]:
        return [*self.form_errors_shown, *self.form_errors]


class IdempotentForm(PageForm):
    """A form whose POST creates something: a new key each time it is shown, the same key
    when the same form is sent twice (see http.idempotency)."""

    idempotency_key = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.idempotency_key.data:
            self.idempotency_key.data = uuid.uuid4().hex
