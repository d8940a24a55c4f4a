"""Pages for the alerts: capacity rules, SMS recipients and the outbox (managers and
admins, as alerts.operations decides). Each view calls one operation."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from belegung import texts
from belegung.alerts import operations
from belegung.alerts.capacity import DEFAULT_MARGIN
from belegung.alerts.forms import (
    ActionForm,
    NewRecipientForm,
    NewRuleForm,
    OutboxFilterForm,
    RecipientForm,
    RuleChangeForm,
)
from belegung.alerts.models import OutboxStatus, RecipientRole, RuleMetric
from belegung.alerts.operations import OutboxFilter, RecipientRequest, RuleRequest
from belegung.auth.permissions import Action, allowed
from belegung.context import Role
from belegung.errors import DomainError
from belegung.facilities import operations as facilities
from belegung.facilities.models import TargetGroup
from belegung.http.context import service_ctx
from belegung.http.idempotency import idempotent
from belegung.http.pages import NavItem, page, refusal, register_nav, signed_in_actor
from belegung.limits import MAX_PAGE_SIZE

bp = Blueprint("alerts_pages", __name__, url_prefix="/alarme")
MANAGERS = (Role.MANAGER, Role.ADMIN)
OUTBOX_PAGE_SIZE = 50


def page_number() -> int:
    """The `seite` of a list from the query (1 when missing or not a number)."""
    value = request.args.get("seite", "1")
    return max(1, int(value)) if value.isdigit() and len(value) < 7 else 1


def _may_manage() -> bool:
    actor = signed_in_actor()
    return actor is not None and allowed(actor, Action.MANAGE_ALERTS)


def _facility_choices() -> list[tuple[str, str]]:
    found = facilities.list_facilities(service_ctx(), page=1, page_size=MAX_PAGE_SIZE)
    return [(f.slug, f.name) for f in found.items]


def _scope_choices() -> dict[str, list[tuple[str, str]]]:
    groups = [
        (f"group:{g.value}", texts.ALERT_PAGES["scope_group_item"].format(
            group=texts.TARGET_GROUPS[g.value]))
        for g in TargetGroup
        if g != TargetGroup.ANY
    ]  # fmt: skip
    return {
        texts.ALERT_PAGES["scope_facility"]: [
            (f"facility:{slug}", name) for slug, name in _facility_choices()
        ],
        texts.ALERT_PAGES["scope_group"]: groups,
    }


def _margin_hint() -> str:
    return texts.ALERT_PAGES["margin_hint"].format(
        occupancy=DEFAULT_MARGIN[RuleMetric.OCCUPANCY], free=DEFAULT_MARGIN[RuleMetric.FREE]
    )


# --- the overview -----------------------------------------------------------------------


@bp.get("")
@page(*MANAGERS)
def index() -> str:
    ctx = service_ctx()
    rules = operations.list_rules(ctx, page=1, page_size=1)
    recipients = operations.list_recipients(ctx, page=1, page_size=1)
    outbox = operations.list_outbox(ctx, OutboxFilter(page=1, page_size=5))
    return render_template(
        "alerts/index.html", rules=rules.total, recipients=recipients.total, outbox=outbox
    )


# --- rules ------------------------------------------------------------------------------


@bp.get("/regeln")
@page(*MANAGERS)
def rules() -> str:
    found = operations.list_rules(service_ctx(), page=1, page_size=MAX_PAGE_SIZE)
    return render_template("alerts/rules.html", rules=found.items, may_manage=_may_manage())


@bp.route("/regeln/neu", methods=["GET", "POST"])
@page(*MANAGERS)
@idempotent()
def new_rule() -> Response | tuple[str, int]:
    form = NewRuleForm()
    form.scope.choices = _scope_choices()
    status = 200
    if form.validate_on_submit():
        kind, _, value = (form.scope.data or "").partition(":")
        try:
            rule = operations.create_rule(
                service_ctx(),
                RuleRequest(
                    metric=RuleMetric(form.metric.data),
                    threshold=form.threshold.data or 0,
                    facility=value if kind == "facility" else None,
                    target_group=TargetGroup(value) if kind == "group" else None,
                    margin=form.margin.data,
                    enabled=bool(form.enabled.data),
                ),
            )
        except DomainError as exc:
            refused = refusal(exc)
            form.show(refused)
            status = refused.status
        else:
            flash(texts.ADMIN["created"])
            return redirect(url_for("alerts_pages.edit_rule", rule_id=rule.id), code=303)
    elif form.is_submitted():
        status = 422
    return render_template(
        "alerts/rule.html", form=form, rule=None, margin_hint=_margin_hint(), may_manage=True
    ), status


@bp.route("/regeln/<id:rule_id>", methods=["GET", "POST"])
@page(*MANAGERS)
def edit_rule(rule_id: int) -> Response | tuple[str, int]:
    rule = operations.read_rule(service_ctx(), rule_id)
    form = RuleChangeForm(obj=None if request.method == "POST" else rule)
    status = 200
    if form.validate_on_submit():
        changes: dict[str, Any] = {
            "threshold": form.threshold.data,
            "enabled": bool(form.enabled.data),
        }
        if form.margin.data is not None:
            changes["margin"] = form.margin.data
        try:
            operations.update_rule(service_ctx(), rule_id, changes)
        except DomainError as exc:
            refused = refusal(exc)
            form.show(refused)
            status = refused.status
            rule = operations.read_rule(service_ctx(), rule_id)
        else:
            flash(texts.ADMIN["saved"])
            return redirect(url_for("alerts_pages.edit_rule", rule_id=rule_id), code=303)
    elif form.is_submitted():
        status = 422
    return render_template(
        "alerts/rule.html",
        form=form,
        rule=rule,
        margin_hint=_margin_hint(),
        action=ActionForm(),
        may_manage=_may_manage(),
    ), status


@bp.post("/regeln/<id:rule_id>/loeschen")
@page(*MANAGERS)
def delete_rule(rule_id: int) -> Response:
    operations.delete_rule(service_ctx(), rule_id)
    flash(texts.ALERT_PAGES["deleted"])
    return redirect(url_for("alerts_pages.rules"), code=303)


# --- recipients -------------------------------------------------------------------------


@bp.get("/empfaenger")
@page(*MANAGERS)
def recipients() -> str:
    found = operations.list_recipients(service_ctx(), page=1, page_size=MAX_PAGE_SIZE)
    return render_template(
        "alerts/recipients.html", recipients=found.items, may_manage=_may_manage()
    )


def _recipient_request(form: RecipientForm) -> RecipientRequest:
    return RecipientRequest(
        name=form.name.data or "",
        phone=form.phone.data or "",
        role=RecipientRole(form.role.data),
        facilities=list(form.facilities.data or ()),
        sms_queries=bool(form.sms_queries.data),
    )


@bp.route("/empfaenger/neu", methods=["GET", "POST"])
@page(*MANAGERS)
@idempotent()
def new_recipient() -> Response | tuple[str, int]:
    form = NewRecipientForm()
    form.facilities.choices = _facility_choices()
    status = 200
    if form.validate_on_submit():
        try:
            recipient = operations.create_recipient(service_ctx(), _recipient_request(form))
        except DomainError as exc:
            refused = refusal(exc)
            form.show(refused)
            status = refused.status
        else:
            flash(texts.ADMIN["created"])
            return redirect(
                url_for("alerts_pages.edit_recipient", recipient_id=recipient.id), code=303
            )
    elif form.is_submitted():
        status = 422
    return render_template(
        "alerts/recipient.html", form=form, recipient=None, may_manage=True
    ), status


@bp.route("/empfaenger/<id:recipient_id>", methods=["GET", "POST"])
@page(*MANAGERS)
def edit_recipient(recipient_id: int) -> Response | tuple[str, int]:
    recipient = operations.read_recipient(service_ctx(), recipient_id)
    form = RecipientForm(
        data=None
        if request.method == "POST"
        else {
            "name": recipient.name,
            "phone": recipient.phone,
            "role": recipient.role.value,
            "facilities": [f.slug for f in recipient.facilities],
            "sms_queries": recipient.sms_queries,
            "opted_out": recipient.opted_out,
        }
    )
    form.facilities.choices = _facility_choices()
    status = 200
    if form.validate_on_submit():
        wanted = _recipient_request(form)
        changes: dict[str, Any] = {
            "name": wanted.name,
            "phone": wanted.phone,
            "role": wanted.role,
            "facilities": wanted.facilities,
            "sms_queries": wanted.sms_queries,
            "opted_out": bool(form.opted_out.data),
        }
        try:
            operations.update_recipient(service_ctx(), recipient_id, changes)
        except DomainError as exc:
            refused = refusal(exc)
            form.show(refused)
            status = refused.status
            recipient = operations.read_recipient(service_ctx(), recipient_id)
        else:
            flash(texts.ADMIN["saved"])
            return redirect(
                url_for("alerts_pages.edit_recipient", recipient_id=recipient_id), code=303
            )
    elif form.is_submitted():
        status = 422
    return render_template(
        "alerts/recipient.html",
        form=form,
        recipient=recipient,
        action=ActionForm(),
        may_manage=_may_manage(),
    ), status


@bp.post("/empfaenger/<id:recipient_id>/loeschen")
@page(*MANAGERS)
def delete_recipient(recipient_id: int) -> Response:
    operations.delete_recipient(service_ctx(), recipient_id)
    flash(texts.ALERT_PAGES["deleted"])
    return redirect(url_for("alerts_pages.recipients"), code=303)


# --- the outbox -------------------------------------------------------------------------


@bp.get("/ausgang")
@page(*MANAGERS)
def outbox() -> tuple[str, int]:
    form = OutboxFilterForm(request.args)
    status = 200
    which = OutboxFilter(page=page_number(), page_size=OUTBOX_PAGE_SIZE)
    if form.validate() and form.status.data:
        which = OutboxFilter(
            page=which.page, page_size=which.page_size, status=OutboxStatus(form.status.data)
        )
    elif form.errors:
        status = 422
    found = operations.list_outbox(service_ctx(), which)
    return render_template("alerts/outbox.html", form=form, found=found), status


def init_alert_pages(app: Flask) -> None:
    app.register_blueprint(bp)
    managers = frozenset(MANAGERS)
    register_nav(
        app,
        NavItem("alerts_pages.index", texts.NAV["alerts"], managers, order=50),
        NavItem(
            "alerts_pages.rules",
            texts.NAV["alert_rules"],
            frozenset({Role.ADMIN}),
            section="admin",
            order=40,
            description=texts.NAV["alert_rules_description"],
        ),
        NavItem(
            "alerts_pages.recipients",
            texts.NAV["recipients"],
            frozenset({Role.ADMIN}),
            section="admin",
            order=41,
            description=texts.NAV["recipients_description"],
        ),
        NavItem(
            "alerts_pages.outbox",
            texts.NAV["outbox"],
            frozenset({Role.ADMIN}),
            section="admin",
            order=42,
            description=texts.NAV["outbox_description"],
        ),
    )
