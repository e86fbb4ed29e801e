"""Opening the database a person named: the one place outside the data layers that builds an
engine. The command line and the app hand the result to the services and never look inside.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from casetui.services.work import Database

# What PostgreSQL says when it wants a password it was not given.
_PASSWORD_WANTED = (
    "no password supplied",
    "password authentication failed",
    "password is required",
)


def open_database(url: str, *, password: str | None = None) -> Database:
    """The database handle for ``url``; no connection is made until a service asks."""
    # Imported here, not at the top: the app paints before SQLAlchemy is imported.
    from casetui.db.engine import make_engine
    from casetui.db.uow import Database

    return Database(make_engine(url, password=password))


def password_for(url: str, ask: Callable[[], str | None]) -> str | None:
    """The database password, asked for (keyring, environment, prompt) only when the server
    wants one: trust and peer authentication need none, and a SQLite file never does."""
    if url.startswith("sqlite") or not _server_wants_password(url):
        return None
    return ask()


def _server_wants_password(url: str) -> bool:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    from casetui.db.engine import make_engine

    if make_url(url).password:
        return False
    engine = make_engine(url)
    try:
        with engine.connect():
            return False
    except OperationalError as exc:
        # Any other failure (unreachable, no such database) is said later, by the command.
        return any(words in str(exc.orig).lower() for words in _PASSWORD_WANTED)
    finally:
        engine.dispose()


def is_local_file(url: str) -> bool:
    """A SQLite URL: a file on this machine, with no server password to keep."""
    from casetui.db.engine import is_sqlite

    return is_sqlite(url)
