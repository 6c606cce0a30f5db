"""The audit log: who did what to which thing, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from station.db import Base, utcnow


class AuditEvent(Base):
    """One recorded action; ``detail`` is small JSON and never holds a secret.

    The actor's username is copied at the time, so the log still reads right after a
    user is renamed, and names who tried when a sign-in failed (no actor then).
    """

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    actor_username: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(64), index=True)  # e.g. "consignment.voided"
    target_type: Mapped[str | None] = mapped_column(String(32))  # e.g. "consignment"
    target_id: Mapped[int | None]
    target_label: Mapped[str] = mapped_column(String(255), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
