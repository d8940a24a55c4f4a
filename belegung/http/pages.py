"""Pages: who may open them, the navigation and dashboard panels built from registries
(each capability adds its own), and domain errors shown on the form that caused them.

This module knows no domain: the login session is the auth domain's (auth.sessions sets
the caller with `http.context.set_actor`); the rights are the operations' (every page
calls one). `page(...)` only says for whom a page is meant: signed-in users of some
roles, everyone else is sent to the login or refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, current_app, g, redirect, request, url_for

from belegung.config import settings_of
from belegung.context import Actor, Role, ServiceContext
from belegung.errors import DomainError, Forbidden
from belegung.http.context import rollback_request
from belegung.http.errors import ErrorAnswer, answer_for

F = TypeVar("F", bound=Callable[..., Any])

LOGIN_VIEW = "BELEGUNG_LOGIN_VIEW"
_NAV = "belegung.nav"
_PANELS = "belegung.panels"
ALL_ROLES = frozenset(Role)


def signed_in_actor() -> Actor | None:
    """The caller of this request if signed in (login session), else None."""
    actor: Actor | None = g.get("actor")
    return actor


def page(*roles: Role) -> Callable[[F], F]:
    """Mark a view as a page for signed-in users of `roles` (any role if none given).

    Without a login the browser is sent to the login page, which comes back here; a
    signed-in user of another role gets 403. What the user may do on the page is still
    checked by the operation it calls.
    """
    allowed = frozenset(roles) or ALL_ROLES

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            actor = signed_in_actor()
            if actor is None:
                return redirect(url_for(current_app.config[LOGIN_VIEW], next=local_path()))
            if actor.role not in allowed:
                raise Forbidden()
            return view(*args, **kwargs)

        wrapper.page_roles = allowed  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def public(view: F) -> F:
    """Mark a view as a page for everyone, signed in or not."""
    view.page_roles = None  # type: ignore[attr-defined]
    return view


def local_path() -> str:
    """This request's path and query, to come back to after the login."""
    path = request.full_path if request.query_string else request.path
    return path


def safe_next(target: str | None) -> str | None:
    """A `next=` target only if it stays on this site (a path, not //host or a URL)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return None
    return target


# --- refusals shown on the form ----------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """A domain error as a form shows it: the one mapping's status, code and German
    message, and the message by field (for InvalidInput) to put next to the field."""

    status: int
    code: str
    message: str
    fields: dict[str, list[str]] = field(default_factory=dict)


def refusal(exc: DomainError) -> Refusal:
    """The request's work is undone and the error read as the API reads it
    (http.errors.answer_for), for the page to show on the same form."""
    rollback_request()
    answer: ErrorAnswer = answer_for(exc)
    by_field: dict[str, list[str]] = {}
    for location in (answer.errors or {}).values():
        for name, messages in location.items():
            by_field.setdefault(name, []).extend(messages)
    return Refusal(answer.status, answer.code, answer.message, by_field)


# --- the navigation and the dashboard's panels: registries ------------------------------


@dataclass(frozen=True)
class NavItem:
    """A link in the navigation (`section="main"`) or on the administration's start page
    (`section="admin"`), for some roles. Capabilities add theirs in create_app."""

    endpoint: str
    label: str
    roles: frozenset[Role]
    section: str = "main"
    order: int = 100
    description: str = ""


@dataclass(frozen=True)
class Panel:
    """A section of the managers' dashboard that a capability adds: `load(ctx)` calls
    its operation, and `template` shows the result as `panel`."""

    name: str
    template: str
    load: Callable[[ServiceContext], Any]
    roles: frozenset[Role] = frozenset({Role.MANAGER, Role.ADMIN})
    order: int = 100


def register_nav(app: Flask, *items: NavItem) -> None:
    app.extensions.setdefault(_NAV, []).extend(items)


def register_panel(app: Flask, *panels: Panel) -> None:
    app.extensions.setdefault(_PANELS, []).extend(panels)


def nav_items(actor: Actor | None, section: str = "main") -> list[NavItem]:
    if actor is None:
        return []
    items: Iterable[NavItem] = current_app.extensions.get(_NAV, [])
    return sorted(
        (i for i in items if i.section == section and actor.role in i.roles),
        key=lambda i: (i.order, i.label),
    )


def panels_for(actor: Actor) -> list[Panel]:
    panels: Iterable[Panel] = current_app.extensions.get(_PANELS, [])
    return sorted((p for p in panels if actor.role in p.roles), key=lambda p: (p.order, p.name))


def init_pages(app: Flask) -> None:
    """Every template knows the caller and their navigation, and shows times in the
    service's time zone (`{{ moment|local("%H:%M") }}`)."""
    timezone = settings_of(app).timezone

    def navigation() -> dict[str, Any]:
        actor = signed_in_actor()
        return {"actor": actor, "nav_items": nav_items(actor)}

    def local(moment: datetime | None, pattern: str = "%d.%m.%Y %H:%M") -> str:
        return moment.astimezone(timezone).strftime(pattern) if moment else "–"

    def day(night: date | None, pattern: str = "%d.%m.%Y") -> str:
        return night.strftime(pattern) if night else "–"

    app.context_processor(navigation)
    app.add_template_filter(local, "local")
    app.add_template_filter(day, "day")
