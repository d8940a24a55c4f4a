"""Pages of the auth domain: login and logout, the start page that sends each role to its
own page, and the administration of users and tokens."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, redirect, render_template, request, url_for
from flask_limiter.errors import RateLimitExceeded
from werkzeug.wrappers import Response as BaseResponse

from belegung import texts
from belegung.auth import operations
from belegung.auth.forms import ActionForm, LoginForm, NewUserForm, TokenForm, UserForm
from belegung.auth.models import Role
from belegung.auth.sessions import end_session, start_session
from belegung.context import Actor
from belegung.errors import DomainError
from belegung.extensions import limiter
from belegung.facilities import operations as facilities
from belegung.http.context import rollback_request, service_ctx, set_actor
from belegung.http.errors import error_response
from belegung.http.pages import (
    NavItem,
    nav_items,
    page,
    public,
    refusal,
    register_nav,
    safe_next,
    signed_in_actor,
)
from belegung.limits import LOGIN_FAILURES_PER_ACCOUNT, LOGIN_FAILURES_PER_ADDRESS, MAX_PAGE_SIZE

bp = Blueprint("auth", __name__)

# Where each role starts (DESIGN.md, "The people who use it").
START = {
    Role.STAFF: "board.index",
    Role.OUTREACH: "crew.index",
    Role.MANAGER: "dashboard.index",
    Role.ADMIN: "auth.admin",
    Role.HOUSING: "housing_pages.index",
}
# The login acts for nobody yet: an actor without a user, of the role with the fewest
# rights; log_in checks no right (it is the check).
LOGIN_ACTOR = Actor(user_id=None, label="login", role=Role.OUTREACH)


def _see_other(endpoint: str, **values: Any) -> BaseResponse:
    return redirect(url_for(endpoint, **values), code=303)


# --- login -----------------------------------------------------------------------------


def _account_key() -> str:
    return "account:" + (request.form.get("name") or "").strip().casefold()[:80]


def _login_failed(response: Response) -> bool:
    return response.status_code == 401


def _login_page(form: LoginForm, status: int) -> tuple[str, int]:
    return render_template("auth/login.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(
    LOGIN_FAILURES_PER_ACCOUNT,
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_login_failed,
    scope="login-account",
)
@limiter.limit(
    LOGIN_FAILURES_PER_ADDRESS, methods=["POST"], deduct_when=_login_failed, scope="login-address"
)
def login() -> BaseResponse | tuple[str, int]:
    if signed_in_actor() is not None and request.method == "GET":
        return _see_other("auth.start")
    form = LoginForm()
    if not form.validate_on_submit():
        return _login_page(form, 422 if form.is_submitted() else 200)
    set_actor(LOGIN_ACTOR)
    user = operations.log_in(service_ctx(), form.name.data or "", form.password.data or "")
    if user is None:
        form.form_errors_shown.append(texts.AUTH_PAGES["failed"])
        return _login_page(form, 401)
    start_session(user)
    target = safe_next(request.args.get("next")) or url_for("auth.start")
    return redirect(target, code=303)


def _too_many_attempts(exc: RateLimitExceeded) -> tuple[str, int] | Response:
    """The login form again, saying why it refuses (any other limit: the usual page)."""
    if request.endpoint != "auth.login":
        return error_response(exc)
    rollback_request()
    form = LoginForm()
    form.form_errors_shown.append(texts.AUTH_PAGES["too_many_attempts"])
    return _login_page(form, 429)


@bp.post("/logout")
@public
def logout() -> BaseResponse:
    end_session()
    return _see_other("auth.login", abgemeldet=1)


@bp.get("/")
@public
def start() -> BaseResponse:
    """Each role's own start page; the login for everyone else."""
    actor = signed_in_actor()
    if actor is None:
        return _see_other("auth.login")
    return _see_other(START[actor.role])


# --- administration ----------------------------------------------------------------------


@bp.get("/admin")
@page(Role.ADMIN)
def admin() -> str:
    return render_template("auth/admin.html", sections=nav_items(signed_in_actor(), "admin"))


def _facility_choices() -> list[tuple[str, str]]:
    found = facilities.list_facilities(service_ctx(), page=1, page_size=MAX_PAGE_SIZE)
    return [(f.slug, f.name) for f in found.items]


@bp.get("/admin/benutzer")
@page(Role.ADMIN)
def users() -> str:
    return render_template("auth/users.html", users=operations.list_users(service_ctx()))


@bp.route("/admin/benutzer/neu", methods=["GET", "POST"])
@page(Role.ADMIN)
def new_user() -> BaseResponse | tuple[str, int]:
    form = NewUserForm()
    form.facilities.choices = _facility_choices()
    status = 200
    if form.validate_on_submit():
        try:
            user = operations.create_user(
                service_ctx(),
                operations.NewUser(
                    name=(form.name.data or "").strip(),
                    role=Role(form.role.data),
                    facilities=tuple(form.facilities.data or ()),
                    password=form.password.data or None,
                ),
            )
        except DomainError as exc:
            refused = refusal(exc)
            form.show(refused)
            status = refused.status
        else:
            return _see_other("auth.edit_user", user_id=user.id, gespeichert=1)
    elif form.is_submitted():
        status = 422
    return render_template("auth/user.html", form=form, user=None), status


@bp.route("/admin/benutzer/<id:user_id>", methods=["GET", "POST"])
@page(Role.ADMIN)
def edit_user(user_id: int) -> BaseResponse | tuple[str, int]:
    user = operations.read_user(service_ctx(), user_id)
    form = UserForm(
        data=None
        if request.method == "POST"
        else {
            "role": user.role.value,
            "facilities": [f.slug for f in user.facilities],
            "active": user.active,
        }
    )
    form.facilities.choices = _facility_choices()
    status = 200
    if form.validate_on_submit():
        try:
            operations.update_user(
                service_ctx(),
                user_id,
                operations.UserChange(
                    role=Role(form.role.data),
                    facilities=tuple(form.facilities.data or ()),
                    active=bool(form.active.data),
                    password=form.password.data or None,
                ),
            )
        except DomainError as exc:
            refused = refusal(exc)
            form.show(refused)
            status = refused.status
            user = operations.read_user(service_ctx(), user_id)
        else:
            return _see_other("auth.edit_user", user_id=user_id, gespeichert=1)
    elif form.is_submitted():
        status = 422
    saved = texts.ADMIN["saved"] if request.args.get("gespeichert") else None
    if request.args.get("gesperrt"):
        saved = texts.ADMIN["deactivated"]
    elif request.args.get("entsperrt"):
        saved = texts.ADMIN["reactivated"]
    return (
        render_template("auth/user.html", form=form, user=user, saved=saved, action=ActionForm()),
        status,
    )


@bp.post("/admin/benutzer/<id:user_id>/sperren")
@page(Role.ADMIN)
def deactivate_user(user_id: int) -> BaseResponse:
    """Lock a user out of pages and tokens at once (from their next request)."""
    operations.set_user_active(service_ctx(), user_id, False)
    return _see_other("auth.edit_user", user_id=user_id, gesperrt=1)


@bp.post("/admin/benutzer/<id:user_id>/entsperren")
@page(Role.ADMIN)
def reactivate_user(user_id: int) -> BaseResponse:
    operations.set_user_active(service_ctx(), user_id, True)
    return _see_other("auth.edit_user", user_id=user_id, entsperrt=1)


@bp.route("/admin/tokens", methods=["GET", "POST"])
@page(Role.ADMIN)
def tokens() -> tuple[str, int]:
    """The tokens; a new one is shown once, in the answer to the POST that made it."""
    ctx = service_ctx()
    form = TokenForm()
    form.user.choices = [(u.id, u.name) for u in operations.list_users(ctx)]
    created = None
    status = 200
    if form.validate_on_submit():
        try:
            token, raw = operations.create_token(ctx, form.user.data, form.label.data or None)
        except DomainError as exc:
            refused = refusal(exc)
            form.show(refused)
            status = refused.status
        else:
            created = (token, raw)
            status = 201
    elif form.is_submitted():
        status = 422
    revoked = request.args.get("widerrufen")
    return (
        render_template(
            "auth/tokens.html",
            form=form,
            tokens=operations.list_tokens(service_ctx()),
            created=created,
            revoked=revoked,
            action=ActionForm(),
        ),
        status,
    )


@bp.post("/admin/tokens/<id:token_id>/widerrufen")
@page(Role.ADMIN)
def revoke_token(token_id: int) -> BaseResponse:
    token = operations.revoke_token(service_ctx(), token_id)
    return _see_other("auth.tokens", widerrufen=token.id)


def init_auth_pages(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_error_handler(RateLimitExceeded, _too_many_attempts)
    register_nav(
        app,
        NavItem("auth.admin", texts.NAV["admin"], frozenset({Role.ADMIN}), order=90),
        NavItem(
            "auth.users",
            texts.NAV["users"],
            frozenset({Role.ADMIN}),
            section="admin",
            order=20,
            description=texts.NAV["users_description"],
        ),
        NavItem(
            "auth.tokens",
            texts.NAV["tokens"],
            frozenset({Role.ADMIN}),
            section="admin",
            order=30,
            description=texts.NAV["tokens_description"],
        ),
    )
