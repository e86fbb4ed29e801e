"""``casetui`` with no command: run the app against the chosen database."""

from __future__ import annotations

import os

from casetui.config import ENV_PASSWORD, Connection


def launch(conn: Connection, username: str | None) -> int:
    """Run the TUI; returns the exit status. Problems show on screen, never as a traceback."""
    from casetui.tui.app import make_app

    # Asked before the app takes over the terminal: a PostgreSQL password may need a prompt.
    db_password = None if conn.url.startswith("sqlite") else _database_password(conn)

    def open_database():  # type: ignore[no-untyped-def]
        from casetui.db.engine import make_engine
        from casetui.db.uow import Database

        return Database(make_engine(conn.url, password=db_password))

    app = make_app(
        None, username=username, password=os.environ.get(ENV_PASSWORD), opener=open_database
    )
    try:
        code = app.run()
    finally:
        if app.db is not None:
            app.db.dispose()
    return code if isinstance(code, int) else (app.return_code or 0)


def _database_password(conn: Connection) -> str | None:
    from casetui.config import database_password

    return database_password(conn)
