"""The persons' pages: find a person, read and correct them (staff: the persons the
operations let them read), and for managers and admins the access export (Art. 15 GDPR,
printable and as JSON) and the erasure (Art. 17 GDPR) behind a confirmation. Each view
calls one operation of persons.operations."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Flask, Response, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from belegung import texts
from belegung.auth.permissions import Action, allowed
from belegung.context import Role
from belegung.errors import DomainError
from belegung.http.context import service_ctx
from belegung.http.pages import NavItem, page, refusal, register_nav, signed_in_actor
from belegung.persons import operations
from belegung.persons.forms import EraseForm, PersonForm, PersonSearchForm, nationality_for
from belegung.persons.models import Gender, HouseholdType, Nationality, Person
from belegung.persons.operations import PersonUpdate
from belegung.persons.schemas import PersonExportSchema

bp = Blueprint("person_pages", __name__, url_prefix="/personen")
READERS = (Role.STAFF, Role.MANAGER, Role.ADMIN)
MANAGERS = (Role.MANAGER, Role.ADMIN)
RESULTS = 20


def _may(action: Action) -> bool:
    actor = signed_in_actor()
    return actor is not None and allowed(actor, action)


@bp.get("")
@page(*READERS)
def search() -> tuple[str, int]:
    form = PersonSearchForm(request.args)
    found = None
    status = 200
    if request.args.get("q") is not None:
        if form.validate():
            try:
                found = operations.search_persons(
                    service_ctx(), (form.q.data or "").strip(), page=1, page_size=RESULTS
                )
            except DomainError as exc:
                refused = refusal(exc)
                form.q.errors = [*form.q.errors, *refused.fields.get("q", [refused.message])]
                status = refused.status
        else:
            status = 422
    return render_template("persons/search.html", form=form, found=found), status


def _person_form(person: Person) -> PersonForm:
    if request.method == "POST":
        return PersonForm()
    return PersonForm(
        data={
            "name": person.name,
            "birth_year": person.birth_year,
            "gender": person.gender.value,
            "citizenship": person.citizenship or "",
            "nationality": person.nationality.value,
            "household_type": person.household_type.value,
            "household_size": person.household_size,
        }
    )


def _changes(form: PersonForm, person: Person) -> dict[str, Any]:
    citizenship = form.citizenship.data or ""
    changes: dict[str, Any] = {
        "name": form.name.data or "",
        "birth_year": form.birth_year.data,
        "gender": Gender(form.gender.data),
        "citizenship": citizenship or None,
        "household_type": HouseholdType(form.household_type.data),
        "household_size": form.household_size.data,
    }
    group = nationality_for(citizenship, form.nationality.data or "", person.nationality.value)
    if group is not None:
        changes["nationality"] = Nationality(group)
    return changes


@bp.route("/<id:person_id>", methods=["GET", "POST"])
@page(*READERS)
def person(person_id: int) -> BaseResponse | tuple[str, int]:
    person = operations.read_person(service_ctx(), person_id)
    form = _person_form(person)
    status = 200
    if form.validate_on_submit():
        try:
            operations.update_person(
                service_ctx(), person_id, PersonUpdate(changes=_changes(form, person))
            )
        except DomainError as exc:
            refused = refusal(exc)
            form.show(refused)
            status = refused.status
            person = operations.read_person(service_ctx(), person_id)
        else:
            flash(texts.PERSON_PAGES["saved"])
            return redirect(url_for("person_pages.person", person_id=person_id), code=303)
    elif form.is_submitted():
        status = 422
    return render_template(
        "persons/person.html",
        person=person,
        form=form,
        may_export=_may(Action.EXPORT_PERSONS),
        may_erase=_may(Action.ERASE_PERSONS),
    ), status


@bp.get("/<id:person_id>/auskunft")
@page(*MANAGERS)
def export(person_id: int) -> str:
    found = operations.export_person(service_ctx(), person_id)
    return render_template("persons/export.html", export=found)


@bp.get("/<id:person_id>/auskunft.json")
@page(*MANAGERS)
def export_json(person_id: int) -> Response:
    found = operations.export_person(service_ctx(), person_id)
    body = json.dumps(PersonExportSchema().dump(found), ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    filename = f"auskunft-person-{person_id}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/<id:person_id>/loeschen", methods=["GET", "POST"])
@page(*MANAGERS)
def erase(person_id: int) -> BaseResponse | tuple[str, int]:
    # Shown to whoever may erase: the operation decides (a staff user never gets here).
    person = operations.read_person(service_ctx(), person_id)
    form = EraseForm()
    status = 200
    if form.validate_on_submit():
        try:
            operations.erase_person(service_ctx(), person_id, reason=form.reason.data or "")
        except DomainError as exc:
            refused = refusal(exc)
            form.show(refused)
            status = refused.status
            person = operations.read_person(service_ctx(), person_id)
        else:
            flash(texts.PERSON_PAGES["erased"].format(id=person_id))
            return redirect(url_for("person_pages.search"), code=303)
    elif form.is_submitted():
        status = 422
    return render_template("persons/erase.html", person=person, form=form), status


def init_person_pages(app: Flask) -> None:
    app.register_blueprint(bp)
    register_nav(
        app, NavItem("person_pages.search", texts.NAV["persons"], frozenset(READERS), order=60)
    )
