"""Keeping the query planner informed after large loads."""

from __future__ import annotations

from sqlalchemy import Engine, text


def analyze(engine: Engine) -> None:
    """Refresh planner statistics; without them SQLite sorts a whole caseload per page."""
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
