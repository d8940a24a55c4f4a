"""Every page says for whom it is (signed-in roles, or public), and every page's POST is
refused without its CSRF token; the navigation is built from a registry."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from belegung.context import Role
from belegung.facilities.models import Facility
from belegung.http.pages import NavItem, nav_items, register_nav
from tests.pageclient import PageClient


def page_rules(app: Flask) -> list[tuple[str, str, set[str]]]:
    rules = []
    for rule in app.url_map.iter_rules():
        # Not pages: the API (bearer tokens) and Twilio's webhooks (signed form posts).
        if rule.rule.startswith(("/api/", "/static/", "/sms/")) or rule.endpoint == "static":
            continue
        rules.append((rule.endpoint, rule.rule, set(rule.methods or ()) - {"HEAD", "OPTIONS"}))
    return rules


def test_every_page_says_for_whom_it_is(app: Flask) -> None:
    unmarked = [
        endpoint
        for endpoint, _rule, _methods in page_rules(app)
        if not hasattr(app.view_functions[endpoint], "page_roles")
    ]
    assert unmarked == []


def test_every_post_of_a_page_is_refused_without_the_csrf_token(
    app: Flask, pages: PageClient, dortmund: dict[str, Facility]
) -> None:
    pages.as_("admin")
    posts = [rule for _e, rule, methods in page_rules(app) if "POST" in methods]
    assert len(posts) >= 15
    for rule in posts:
        path = re.sub(r"<id:[^>]+>", "1", rule).replace("<slug>", "unionstrasse")
        response = pages.post(path, {"idempotency_key": "x"})
        assert response.status_code == 400, rule
        assert "Das Formular ist abgelaufen" in response.text


@pytest.mark.parametrize("role", list(Role))
def test_the_navigation_shows_each_role_its_pages(
    app: Flask, pages: PageClient, dortmund: dict[str, Facility], role: Role
) -> None:
    key = {
        "staff": "staff",
        "outreach": "outreach",
        "manager": "manager",
        "admin": "admin",
        "housing": "housing",
    }
    page = pages.as_(key[role.value]).get("/")
    target = pages.get(page.location, follow_redirects=True)
    assert target.status_code == 200
    assert 'aria-label="Hauptnavigation"' in target.text


def test_a_capability_adds_its_link_to_the_registry(app: Flask) -> None:
    from belegung.context import Actor

    before = list(app.extensions["belegung.nav"])
    register_nav(app, NavItem("status.index", "Alarmregeln", frozenset({Role.ADMIN}), "admin"))
    try:
        with app.test_request_context():
            admin = nav_items(Actor(1, "a", Role.ADMIN), "admin")
            staff = nav_items(Actor(2, "s", Role.STAFF), "admin")
    finally:
        app.extensions["belegung.nav"] = before
    assert "Alarmregeln" in [i.label for i in admin]
    assert staff == []
