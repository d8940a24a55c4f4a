"""Talking to the pages in tests: a browser-like client signed in as a caller, with the
CSRF token (and idempotency key) read from the form it posts, as a browser sends them.
Requests run in the test's rolled-back transaction at the test's clock."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from belegung.auth.models import User
from belegung.auth.service import session_marker
from tests.apiclient import Caller


class _Forms(HTMLParser):
    """The forms of a page: their action and their fields' current values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None
        self._multiple = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(
                {"action": a.get("action", ""), "method": a.get("method", "get"), "fields": {}}
            )
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.forms[-1]["fields"][a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a.get("name")
            self._multiple = "multiple" in a
        elif tag == "option" and self._select:
            fields = self.forms[-1]["fields"]
            if "selected" in a and self._multiple:
                fields.setdefault(self._select, []).append(a.get("value", ""))
            elif "selected" in a or (self._select not in fields and not self._multiple):
                # A single select sends its selected option, else its first one.
                fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def forms_of(html: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class PageClient:
    """`pages.as_("staff").get("/nacht/unionstrasse")`; `pages.submit(page, {...})` posts
    the page's form (found by its action) with its hidden fields and the given values."""

    def __init__(self, client: FlaskClient, session: Session, callers: dict[str, Caller]) -> None:
        self.client = client
        self.session = session
        # A request closes the session it shares with the test (the app context's
        # teardown): the test's objects stay readable (ids, columns) when detached.
        session.expire_on_commit = False
        self.callers = callers
        self.clock: Any = None

    def as_(self, key: str | None) -> PageClient:
        """Sign in as a caller (as a login would leave the session), or sign out (None)."""
        # The test's own writes first, as before any request (see tests.apiclient).
        self.session.commit()
        with self.client.session_transaction() as s:
            s.clear()
            if key is not None:
                user = self.session.get(User, self.callers[key].user_id)
                assert user is not None
                s["_user_id"] = f"{user.id}.{session_marker(user)}"
                s["_fresh"] = True
                s["login_at"] = self.clock().timestamp()
        return self

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        self.session.commit()
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        self.session.commit()
        return self.client.post(path, data=data or {}, **kwargs)

    def form(self, page: TestResponse | str, action: str | None = None) -> dict[str, Any]:
        """The form of a page whose action ends with `action` (else its first POST form):
        its action and fields."""
        html = page if isinstance(page, str) else page.get_data(as_text=True)
        # The header's logout form is on every page; it is never the one meant.
        forms = [
            f
            for f in forms_of(html)
            if f["method"].lower() == "post"
            and (action is not None or not f["action"].endswith("/logout"))
        ]
        for found in forms:
            if action is None or found["action"].endswith(action):
                return found
        raise AssertionError(f"no POST form with action …{action} on the page")

    def submit(
        self,
        page: TestResponse | str,
        values: dict[str, Any] | None = None,
        *,
        action: str | None = None,
        path: str | None = None,
        **kwargs: Any,
    ) -> TestResponse:
        """Post a page's form as a browser would: its fields, changed by `values`."""
        found = self.form(page, action)
        data = {**found["fields"], **(values or {})}
        data = {k: v for k, v in data.items() if v is not None}
        target = found["action"] or path
        assert target, "the form posts to its own page: pass path="
        return self.post(target, data, **kwargs)
