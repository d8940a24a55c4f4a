"""The occupancy domain's part of every commit: when a unit of work ends a winter
emergency, `conduct` bans hold again for the nights after tonight (stays.bans.
resume_conduct_bans), in the same transaction as the switch — whether a manager switched
it off or the forecast did (connected to transaction.committing in create_app, before
the alerts, so that their figures already count it)."""

from __future__ import annotations

import logging
from typing import cast

from flask import has_app_context

from belegung.jobs import context_for
from belegung.stays.bans import resume_conduct_bans
from belegung.transaction import UnitOfWork, committing
from belegung.winter.service import END, WINTER

log = logging.getLogger(__name__)


def on_committing(uow: UnitOfWork) -> None:
    changes = cast(frozenset[tuple[int, str]], uow.changes(WINTER))
    if not any(what == END for _period, what in changes) or not has_app_context():
        return
    try:
        with uow.session.begin_nested():
            resume_conduct_bans(context_for(uow, "winter"))
    except Exception:
        # The emergency still ends; staff see the ban at the next extension.
        log.exception("conduct bans not resumed on the stays after the winter emergency")


def init_stay_hooks() -> None:
    committing.connect(on_committing)
