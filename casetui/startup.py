"""Opening the database a person named: the one place outside the data layers that builds an
engine. The command line and the app hand the result to the services and never look inside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from casetui.services.work import Database


def open_database(url: str, *, password: str | None = None) -> Database:
    """The database handle for ``url``; no connection is made until a service asks."""
    # Imported here, not at the top: the app paints before SQLAlchemy is imported.
    from casetui.db.engine import make_engine
    from casetui.db.uow import Database

    return Database(make_engine(url, password=password))


def is_local_file(url: str) -> bool:
    """A SQLite URL: a file on this machine, with no server password to keep."""
    from casetui.db.engine import is_sqlite

    return is_sqlite(url)
