"""Is the database there, and does it hold the schema this code expects?"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from casetui.db.migrate import check_schema
from casetui.db.uow import Database, describe_operational_error
from casetui.domain.errors import DatabaseUnavailable


def ensure_reachable(db: Database) -> None:
    """Raise DatabaseUnavailable, naming the database, when it cannot be reached."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        raise DatabaseUnavailable(f"{describe_operational_error(exc)} ({db.url})") from exc


def check_database(db: Database) -> None:
    """Reachable, and at this code's schema; raises a CasetuiError saying what to do if not."""
    ensure_reachable(db)
    check_schema(db.engine)
