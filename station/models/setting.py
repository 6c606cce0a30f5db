"""Settings that managers change at runtime, kept in the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from station.db import Base, utcnow


class Setting(Base):
    """One named setting; secrets are stored encrypted in ``secret``."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[object | None] = mapped_column(JSON)
    secret: Mapped[str | None] = mapped_column(Text)  # Fernet token (carrier configs run long)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
