"""Users and their bearer tokens: creating them, passwords, authenticating a token."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from belegung.audit.service import record
from belegung.auth.models import ApiToken, Role, User
from belegung.context import Actor, ServiceContext
from belegung.errors import InvalidInput, InvalidState, NotFound
from belegung.facilities.models import Facility
from belegung.limits import PASSWORD_MIN, TOKEN_NAME_MAX, USER_NAME_MAX

TOKEN_PREFIX = "blg_"  # noqa: S105  (a marker that makes leaked tokens greppable, not a secret)
USER_NAME = re.compile(rf"[\w.@-]{{2,{USER_NAME_MAX}}}")
# Writing last_used_at on every request would turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_for(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        label=user.name,
        role=user.role,
        facility_ids=frozenset(f.id for f in user.facilities),
    )


def create_user(
    ctx: ServiceContext,
    name: str,
    role: Role,
    *,
    facilities: Iterable[Facility] = (),
    password: str | None = None,
) -> User:
    if not USER_NAME.fullmatch(name):
        raise InvalidInput(field="name", reason="user_name_format")
    if ctx.session.scalar(sa.select(User.id).where(User.name == name)) is not None:
        raise InvalidInput(field="name", reason="name_taken")
    facilities = list(facilities)
    role = Role(role)
    if role == Role.STAFF and not facilities:
        raise InvalidInput(field="facility", reason="staff_need_facility")
    user = User(name=name, role=role, facilities=facilities, created_at=ctx.now())
    if password is not None:
        set_password(user, password)
    ctx.session.add(user)
    ctx.session.flush()
    record(ctx, "user.create", "user", user.id, role=role.value)
    return user


def set_password(user: User, password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise InvalidInput(field="password", reason="at_least_chars", min=PASSWORD_MIN)
    user.password_hash = generate_password_hash(password)


def check_password(user: User, password: str) -> bool:
    return bool(user.password_hash) and check_password_hash(user.password_hash or "", password)


def get_user(session: Session, name: str) -> User:
    user = session.scalar(sa.select(User).where(User.name == name))
    if user is None:
        raise NotFound(what="user")
    return user


def create_token(
    ctx: ServiceContext, user: User, *, name: str | None = None
) -> tuple[ApiToken, str]:
    """A new token for a user or device. The token itself is returned once and never
    stored: only its hash."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=(name or user.name)[:TOKEN_NAME_MAX],
        token_hash=hash_token(raw),
        prefix=raw[:12],
        created_at=ctx.now(),
    )
    ctx.session.add(token)
    ctx.session.flush()
    record(ctx, "token.create", "token", token.id, user_id=user.id)
    return token, raw


def authenticate(session: Session, raw: str, now: datetime) -> User | None:
    """The active user a token belongs to, or None. Notes when the token was last used."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = session.scalar(
        sa.select(ApiToken)
        .options(selectinload(ApiToken.user).selectinload(User.facilities))
        .where(ApiToken.token_hash == hash_token(raw), ApiToken.revoked_at.is_(None))
    )
    if token is None or not token.user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
    return token.user


def list_tokens(session: Session, user: User | None = None) -> Sequence[ApiToken]:
    stmt = sa.select(ApiToken).options(selectinload(ApiToken.user)).order_by(ApiToken.id)
    if user is not None:
        stmt = stmt.where(ApiToken.user_id == user.id)
    return session.scalars(stmt).all()


def revoke_token(ctx: ServiceContext, token_id: int) -> ApiToken:
    token = ctx.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(what="token")
    if token.revoked_at is not None:
        raise InvalidState(reason="token_revoked")
    token.revoked_at = ctx.now()
    ctx.session.flush()
    record(ctx, "token.revoke", "token", token.id, user_id=token.user_id)
    return token
