"""People who sign in, their roles and agencies, and the credentials they sign in with."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foodbank.models.base import Base, BigId, CreatedAt, text_enum


class Role(StrEnum):
    admin = "admin"
    coordinator = "coordinator"
    warehouse = "warehouse"
    consultant = "consultant"
    reporter = "reporter"


class AgencyKind(StrEnum):
    """Consultation and partner agencies in the Sanbu district (see DOMAIN.md)."""

    core_consultation = "core_consultation"  # 基幹相談支援センター
    consultation_office = "consultation_office"  # 相談支援事業所
    social_welfare_council = "social_welfare_council"  # 社会福祉協議会
    regional_support_centre = "regional_support_centre"  # 中核地域生活支援センター
    municipal_office = "municipal_office"  # 市町村役場
    other = "other"


class Agency(Base):
    __tablename__ = "agency"

    id: Mapped[BigId]
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[AgencyKind] = mapped_column(text_enum(AgencyKind, "agency_kind"))
    created_at: Mapped[CreatedAt]


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[BigId]
    username: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[CreatedAt]
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    role_rows: Mapped[list[UserRole]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="UserRole.role"
    )
    agency: Mapped[Agency | None] = relationship(lazy="joined")

    __table_args__ = (
        # Usernames are compared case-insensitively, so "Sato" and "sato" cannot both exist.
        Index("uq_user_account_username_lower", text("lower(username)"), unique=True),
    )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(r.role for r in self.role_rows)

    @property
    def sorted_roles(self) -> list[Role]:
        return sorted(self.roles)


class UserRole(Base):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(text_enum(Role, "role"), primary_key=True)


class ApiToken(Base):
    """A personal token for scripts; only its SHA-256 is stored, the secret is shown once."""

    __tablename__ = "api_token"

    id: Mapped[BigId]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[CreatedAt]
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebSession(Base):
    """A signed-in browser. The cookie holds a random secret; only its SHA-256 is stored."""

    __tablename__ = "web_session"

    id: Mapped[BigId]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[CreatedAt]
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SignInAttempt(Base):
    """Failed and successful sign-ins, counted to slow down password guessing."""

    __tablename__ = "sign_in_attempt"

    id: Mapped[BigId]
    username: Mapped[str] = mapped_column(String(64))
    remote_addr: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    attempted_at: Mapped[CreatedAt]

    __table_args__ = (Index("ix_sign_in_attempt_username_attempted_at", "username", "attempted_at"),)
