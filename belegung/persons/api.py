"""JSON routes for persons: find returning guests, register new ones.

Each route parses its input, calls one function of persons.operations and serialises the
answer.
"""

from __future__ import annotations

from typing import Any

from belegung.db import Page
from belegung.http.api import ApiBlueprint, responds
from belegung.http.context import service_ctx
from belegung.persons import operations
from belegung.persons.models import Person
from belegung.persons.operations import NewPerson, PersonExport, PersonUpdate
from belegung.persons.schemas import (
    EraseSchema,
    PersonCreateSchema,
    PersonExportSchema,
    PersonSchema,
    PersonSearchSchema,
    PersonUpdateSchema,
)
from belegung.schemas import page_of

blp = ApiBlueprint("persons", __name__, url_prefix="/api/v1", description="Personen")
# One page of persons: the answer of both searches (GET and POST).
PersonPageSchema = page_of(PersonSchema)


@blp.get("/persons")
@blp.arguments(PersonSearchSchema, location="query")
@blp.response(200, PersonPageSchema)
@responds(blp, 403, 422)
def search_persons(args: dict[str, Any]) -> Page[Person]:
    """Find persons by name and year of birth: every word must occur in the name,
    a four-digit word is the year of birth (`q=Müller 1971`).

    Staff find persons of every facility (a returning guest may have slept elsewhere),
    but only by a specific query: at least 3 letters of the name, or 2 with a year of
    birth (`q=Li 1990`), or a whole short name (`q=Wu`); a query matching more than 20
    persons is answered 422, asking to search more precisely. Managers and admins
    search without these limits. Each person shown is audited; the query is not.

    Prefer `POST /persons/search`: a query string is written to the access logs of
    proxies and servers on the way, and a name in it would be too. This form stays for
    existing clients."""
    return operations.search_persons(
        service_ctx(), args["q"], page=args["page"], page_size=args["page_size"]
    )


@blp.post("/persons/search")
@blp.arguments(PersonSearchSchema)
@blp.response(200, PersonPageSchema)
@responds(blp, 403, 422)
def search_persons_in_body(args: dict[str, Any]) -> Page[Person]:
    """Find persons as `GET /persons?q=` does, with the query in the body
    (`{"q": "Müller 1971", "page": 1, "page_size": 20}`): the documented way, since a
    body, unlike a URL, appears in no access log. Changes nothing; the same rules,
    limits and audit as the GET."""
    return operations.search_persons(
        service_ctx(), args["q"], page=args["page"], page_size=args["page_size"]
    )


@blp.post("/persons")
@blp.arguments(PersonCreateSchema)
@blp.response(201, PersonSchema)
@responds(blp, 403, 422)
def create_person(new: NewPerson) -> Person:
    return operations.register_person(service_ctx(), new)


@blp.get("/persons/<id:person_id>")
@blp.response(200, PersonSchema)
@responds(blp, 403, 404)
def get_person(person_id: int) -> Person:
    """One person, audited. Staff read only persons known at their facilities (a stay,
    house ban or turn-away there) or shown to them by their own search (or registered
    by them) in the last 24 hours; others are 404 to them, as if they did not exist."""
    return operations.read_person(service_ctx(), person_id)


@blp.patch("/persons/<id:person_id>")
@blp.arguments(PersonUpdateSchema)
@blp.response(200, PersonSchema)
@responds(blp, 403, 404, 409, 422)
def update_person(update: PersonUpdate, person_id: int) -> Person:
    """Correct or complete a person: only the fields given change. A citizenship brings
    its nationality group; a group given with it must agree (422 otherwise). Staff change
    the persons they may read (see GET /persons/{id}); audited with the fields' names."""
    return operations.update_person(service_ctx(), person_id, update)


@blp.get("/persons/<id:person_id>/export")
@blp.response(200, PersonExportSchema)
@responds(blp, 403, 404)
def export_person(person_id: int) -> PersonExport:
    """Everything stored about a person, for an access request (Art. 15 GDPR): the
    person, their stays, holds, house bans with overrides, turn-aways, and who created,
    changed or looked up any of it (from the audit log). Managers and admins; audited."""
    return operations.export_person(service_ctx(), person_id)


@blp.post("/persons/<id:person_id>/erase")
@blp.arguments(EraseSchema)
@blp.response(200, PersonSchema)
@responds(blp, 403, 404, 409, 422)
def erase_person(body: dict[str, Any], person_id: int) -> Person:
    """Erase a person at once (Art. 17 GDPR): name, year of birth and citizenship go,
    the search key is cleared, free text on their records is forgotten; their stays stay
    in the figures. Managers and admins, with a reason (logged). 409 `invalid_state` if
    already anonymised or still checked in."""
    return operations.erase_person(service_ctx(), person_id, reason=body["reason"])
