"""The load balancer's question: can this process reach its database right now?"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


def database_problem(session: Session) -> str | None:
    """None when the database answers ``SELECT 1``; else a short reason safe to show anyone.

    The full error (host, port, driver message) goes to the log for the admin, not into
    the reason, because the health endpoint answers without a login.
    """
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.warning("health check: the database did not answer: %s", exc)
        return f"the database did not answer ({type(exc).__name__})"
    finally:
        session.rollback()  # nothing to keep; hand the connection back at once
    return None
