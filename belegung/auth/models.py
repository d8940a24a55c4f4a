"""Users, their roles and the facilities staff work in."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

# Role lives with the Actor (belegung.context); here it is the users' column type.
from belegung.context import Role
from belegung.db import Base, enum_type, intpk, utcnow
from belegung.facilities.models import Facility

__all__ = ["ApiToken", "Role", "User", "user_facilities"]

user_facilities = sa.Table(
    "user_facilities",
    Base.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("facility_id", sa.ForeignKey("facilities.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    """A person or a device (a crew phone, an integration) that acts in belegung."""

    __tablename__ = "users"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    password_hash: Mapped[str | None] = mapped_column(sa.String(300))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    facilities: Mapped[list[Facility]] = relationship(secondary=user_facilities)

    def __repr__(self) -> str:
        return f"<User {self.name} {self.role}>"


class ApiToken(Base):
    """A bearer token of a user or device. Only its SHA-256 hash is stored: the token is
    256 random bits, so a fast hash is as safe as a slow one and costs nothing per
    request."""

    __tablename__ = "api_tokens"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The first characters, to recognise a token in lists without revealing it.
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
