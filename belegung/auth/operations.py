"""What callers ask of users and tokens, checked against their rights: logging in (anyone
with a name and password), and the administration of users and tokens (admins)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from belegung.auth import service
from belegung.auth.models import ApiToken, Role, User
from belegung.auth.permissions import Action, authorize
from belegung.context import ServiceContext
from belegung.facilities.models import Facility
from belegung.facilities.service import get_facility


@dataclass(frozen=True)
class NewUser:
    name: str
    role: Role
    facilities: tuple[str, ...] = ()
    password: str | None = None


@dataclass(frozen=True)
class UserChange:
    role: Role
    facilities: tuple[str, ...]
    active: bool
    password: str | None = None


def log_in(ctx: ServiceContext, name: str, password: str) -> User | None:
    """The user a name and password belong to (active, password right), or None."""
    return service.verify_login(ctx, name, password)


def _facilities(ctx: ServiceContext, slugs: tuple[str, ...]) -> list[Facility]:
    return [get_facility(ctx.session, slug) for slug in slugs]


def list_users(ctx: ServiceContext) -> Sequence[User]:
    authorize(ctx.actor, Action.MANAGE_USERS)
    return ctx.session.scalars(service.users_query()).all()


def read_user(ctx: ServiceContext, user_id: int) -> User:
    authorize(ctx.actor, Action.MANAGE_USERS)
    return service.get_user_by_id(ctx.session, user_id)


def create_user(ctx: ServiceContext, new: NewUser) -> User:
    authorize(ctx.actor, Action.MANAGE_USERS)
    return service.create_user(
        ctx,
        new.name,
        new.role,
        facilities=_facilities(ctx, new.facilities),
        password=new.password or None,
    )


def update_user(ctx: ServiceContext, user_id: int, change: UserChange) -> User:
    authorize(ctx.actor, Action.MANAGE_USERS)
    user = service.get_user_by_id(ctx.session, user_id)
    return service.update_user(
        ctx,
        user,
        role=change.role,
        facilities=_facilities(ctx, change.facilities),
        active=change.active,
        password=change.password or None,
    )


def set_user_active(ctx: ServiceContext, user_id: int, active: bool) -> User:
    """Lock a user out of pages and tokens at once (their next request), or let them in
    again."""
    authorize(ctx.actor, Action.MANAGE_USERS)
    return service.set_active(ctx, service.get_user_by_id(ctx.session, user_id), active)


def list_tokens(ctx: ServiceContext) -> Sequence[ApiToken]:
    authorize(ctx.actor, Action.MANAGE_USERS)
    return service.list_tokens(ctx.session)


def create_token(ctx: ServiceContext, user_id: int, label: str | None) -> tuple[ApiToken, str]:
    """A new token; the token itself is in the answer once and never stored."""
    authorize(ctx.actor, Action.MANAGE_USERS)
    user = service.get_user_by_id(ctx.session, user_id)
    return service.create_token(ctx, user, name=label or None)


def revoke_token(ctx: ServiceContext, token_id: int) -> ApiToken:
    authorize(ctx.actor, Action.MANAGE_USERS)
    return service.revoke_token(ctx, token_id)
