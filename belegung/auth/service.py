"""Users and their bearer tokens: creating them, passwords, authenticating a token."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, contains_eager, selectinload

from belegung.audit.service import record
from belegung.auth.models import ApiToken, Role, User
from belegung.auth.passwords import burn_time, hash_password, verify_password
from belegung.changes import notify
from belegung.context import Actor, ServiceContext
from belegung.db import writing
from belegung.errors import InvalidInput, InvalidState, NotFound
from belegung.facilities.models import Facility
from belegung.limits import PASSWORD_MIN, TOKEN_NAME_MAX, USER_NAME_MAX
from belegung.transaction import UnitOfWork, unit_of_work

TOKEN_PREFIX = "blg_"  # noqa: S105  (a marker that makes leaked tokens greppable, not a secret)
USER_NAME = re.compile(rf"[\w.@-]{{2,{USER_NAME_MAX}}}")
# Writing last_used_at on every request would turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# The change feed's topic of who may do what: tokens, users, their roles and shelters.
AUTH = "auth"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@event.listens_for(Session, "after_flush")
def _note_auth_rows(session: Session, _flush_context: object) -> None:
    """A user or token was written: tell every process's token cache once the
    transaction commits (a revocation or deactivation counts from the next request)."""
    if any(
        isinstance(obj, (User, ApiToken))
        for obj in (*session.new, *session.dirty, *session.deleted)
    ):
        notify(session, AUTH)


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
    user.password_hash = hash_password(password)


def check_password(user: User, password: str) -> bool:
    return verify_password(user.password_hash, password).ok


def verify_login(ctx: ServiceContext, name: str, password: str) -> User | None:
    """The active user with this name and password, or None. A hash of an older scheme
    (or weaker parameters) is replaced by a current Argon2 hash on the way; the login is
    audited."""
    user = ctx.session.scalar(
        sa.select(User).options(selectinload(User.facilities)).where(User.name == name.strip())
    )
    if user is None:
        burn_time(password)
        return None
    verified = verify_password(user.password_hash, password)
    if not verified.ok or not user.active:
        return None
    if verified.needs_rehash:
        user.password_hash = hash_password(password)
    ctx.session.flush()
    # The user logs themselves in: the entry is theirs.
    record(replace(ctx, actor=actor_for(user)), "user.login", "user", user.id)
    return user


def session_marker(user: User) -> str:
    """Changes whenever the user's password does: a login session carries it, so that a
    new password ends every session of the old one."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def users_query() -> sa.Select[tuple[User]]:
    return sa.select(User).options(selectinload(User.facilities)).order_by(User.name)


def get_user_by_id(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(what="user")
    return user


def update_user(
    ctx: ServiceContext,
    user: User,
    *,
    role: Role | None = None,
    facilities: Iterable[Facility] | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> User:
    """Change a user's role, facilities, whether they may log in, or their password (a
    new password ends their login sessions: see session_marker)."""
    if role is not None:
        user.role = Role(role)
    if facilities is not None:
        user.facilities = list(facilities)
    if user.role == Role.STAFF and not user.facilities:
        raise InvalidInput(field="facility", reason="staff_need_facility")
    if active is not None:
        user.active = active
    if password:
        set_password(user, password)
    ctx.session.flush()
    record(
        ctx,
        "user.update",
        "user",
        user.id,
        role=user.role.value,
        active=user.active,
        password_changed=bool(password),
    )
    return user


def set_active(ctx: ServiceContext, user: User, active: bool) -> User:
    """Lock a user (or device) out, or let them in again. It takes effect with their next
    request: every page request loads the user (auth.sessions) and every API request
    authenticates its token (authenticate), and both refuse an inactive user. Setting
    the state a user already has changes nothing."""
    if user.active != active:
        user.active = active
        ctx.session.flush()
        record(ctx, "user.reactivate" if active else "user.deactivate", "user", user.id)
    return user


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
    """The active user a token belongs to, or None: one statement (token, user and the
    user's facilities joined), so a revocation counts from the next request on.

    When the token was last used is noted at most once a minute, after the caller's unit
    of work has ended, in a short transaction of its own (see note_token_use)."""
    token = token_of(session, raw)
    if token is None:
        return None
    note_use(session, token.id, token.last_used_at, now)
    return token.user


def token_of(session: Session, raw: str) -> ApiToken | None:
    """The live token `raw` of an active user (user and facilities loaded), or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    return (
        session.execute(
            sa.select(ApiToken)
            .join(ApiToken.user)
            .options(contains_eager(ApiToken.user).joinedload(User.facilities))
            .where(
                ApiToken.token_hash == hash_token(raw),
                ApiToken.revoked_at.is_(None),
                User.active.is_(True),
            )
        )
        .unique()
        .scalar_one_or_none()
    )


def note_use(session: Session, token_id: int, last_noted: datetime | None, now: datetime) -> bool:
    """Note a token's use unless it was noted less than a minute ago (after the running
    unit of work, if any). Returns whether it will be noted."""
    if last_noted is not None and now - last_noted < LAST_USED_RESOLUTION:
        return False
    uow = UnitOfWork.of(session)
    if uow.active:
        uow.after_end(lambda: note_token_use(session, token_id, now))
    else:
        note_token_use(session, token_id, now)
    return True


def note_token_use(session: Session, token_id: int, now: datetime) -> None:
    """Note a token's use at `now` in a unit of work of its own, unless it was noted less
    than a minute ago. Never waits for a row lock: if another request is noting the same
    token's use this moment (PostgreSQL), this one leaves it to that one."""
    unnoted = (
        sa.select(ApiToken.id)
        .where(
            ApiToken.id == token_id,
            sa.or_(
                ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at <= now - LAST_USED_RESOLUTION,
            ),
        )
        .with_for_update(skip_locked=True)
    )
    with writing(), unit_of_work(session):
        session.execute(
            sa.update(ApiToken).where(ApiToken.id.in_(unnoted)).values(last_used_at=now),
            execution_options={"synchronize_session": False},
        )


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


# The first start (`flask --app belegung serve` on a database without users): an admin,
# and for the demo one user of each other role, each with a one-time random password
# printed once. No password is written in the code.
FIRST_START_USERS: tuple[tuple[str, Role, str | None, bool], ...] = (
    ("admin", Role.ADMIN, None, False),
    ("nachtdienst", Role.STAFF, "unionstrasse", True),
    ("waermebus", Role.OUTREACH, None, True),
    ("leitung", Role.MANAGER, None, True),
    ("wohnraum", Role.HOUSING, None, True),
)
# Letters and digits nobody confuses on a tablet's keyboard (no 0/O, 1/l/I).
_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # noqa: S105  (an alphabet, not a secret)


def one_time_password() -> str:
    """A random password of 4 × 4 characters (80 bits), easy to type: `k7mq-x3pf-…`."""
    groups = ("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(4))
    return "-".join(groups)


def first_start_users(ctx: ServiceContext, *, demo: bool) -> list[tuple[User, str]]:
    """Create the first users if nobody can log in yet; returns them with their passwords
    (to be shown once). Does nothing on a database where a user has a web password
    (device users without one, such as a crew phone's SMS user, don't count)."""
    can_log_in = sa.select(User.id).where(User.password_hash.is_not(None)).limit(1)
    if ctx.session.scalar(can_log_in) is not None:
        return []
    created = []
    for name, role, slug, demo_only in FIRST_START_USERS:
        if demo_only and not demo:
            continue
        facilities = []
        if slug is not None:
            facility = ctx.session.scalar(sa.select(Facility).where(Facility.slug == slug))
            if facility is None:
                continue
            facilities = [facility]
        password = one_time_password()
        created.append(
            (create_user(ctx, name, role, facilities=facilities, password=password), password)
        )
    return created
