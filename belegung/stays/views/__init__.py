"""Pages of the occupancy domain: the night board of a shelter with its forms (check-in,
new guest, stay actions, holds, turn-aways, the evacuation list), the crews' phone page,
house bans for managers, and the public /frei page. Each view calls one operation."""

from __future__ import annotations

from flask import Flask

from belegung import texts
from belegung.context import Role
from belegung.http.pages import NavItem, register_nav
from belegung.persons.service import short_name
from belegung.stays.views import bans, board, crew, public


def init_stay_pages(app: Flask) -> None:
    for blueprint in (board.bp, crew.bp, bans.bp, public.bp):
        app.register_blueprint(blueprint)
    app.add_template_filter(short_name, "short_name")
    register_nav(
        app,
        NavItem(
            "board.index",
            texts.NAV["board"],
            frozenset({Role.STAFF, Role.MANAGER, Role.ADMIN}),
            order=10,
        ),
        NavItem("crew.index", texts.NAV["phone"], frozenset({Role.OUTREACH, Role.ADMIN}), order=20),
        NavItem("bans.index", texts.NAV["bans"], frozenset({Role.MANAGER, Role.ADMIN}), order=40),
        NavItem(
            "public.free",
            texts.NAV["public"],
            frozenset({Role.OUTREACH, Role.MANAGER, Role.ADMIN}),
            order=95,
        ),
    )
