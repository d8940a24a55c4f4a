"""JSON route for the audit log (managers and admins).

The route parses its filter, calls audit.operations and serialises the page.
"""

from __future__ import annotations

from belegung.audit import operations
from belegung.audit.models import AuditEntry
from belegung.audit.operations import AuditFilter
from belegung.audit.schemas import AuditEntrySchema, AuditQuerySchema
from belegung.db import Page
from belegung.http.api import ApiBlueprint, responds
from belegung.http.context import service_ctx
from belegung.schemas import page_of

blp = ApiBlueprint("audit", __name__, url_prefix="/api/v1", description="Protokoll")


@blp.get("/audit")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, page_of(AuditEntrySchema))
@responds(blp, 403, 422)
def read_audit_log(which: AuditFilter) -> Page[AuditEntry]:
    """Who did or looked up what, and when, newest first: every write, every look-up of
    a person, and refused look-ups (an id hidden from the caller, a refused search).
    Filter by `person` (their record and their stays, bans and turn-aways), `user`
    (name), `action` (exact, or a prefix ending in "."), `from` and `to` (days, both
    included). Managers and admins."""
    return operations.read_audit_log(service_ctx(), which)
