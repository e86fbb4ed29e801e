"""``casetui`` with no command: run the app against the chosen database."""

from __future__ import annotations

import gc
import os
from functools import partial

from casetui.config import ENV_PASSWORD, Connection
from casetui.startup import open_database, password_for


def launch(conn: Connection, username: str | None) -> int:
    """Run the TUI; returns the exit status. Problems show on screen, never as a traceback."""
    # Starting imports Textual, then SQLAlchemy and the services: hundreds of thousands of new
    # objects, nearly all kept, which the collector would walk again and again (about a tenth
    # of the start). The app turns it back on once the caseload or the sign-in is on screen.
    gc.disable()
    from casetui.tui.app import make_app
    from casetui.tui.screens.caseload_frame import shown_location

    # Asked before the app takes over the terminal: a PostgreSQL password may need a prompt.
    db_password = password_for(conn.url, lambda: _database_password(conn))

    # Opened in the app's start-up worker, after the first paint.
    opener = partial(open_database, conn.url, password=db_password)
    app = make_app(
        None, username=username, password=os.environ.get(ENV_PASSWORD), opener=opener,
        database_name=shown_location(conn.url),
    )  # fmt: skip
    try:
        code = app.run()
    finally:
        if app.db is not None:
            app.db.dispose()
    return code if isinstance(code, int) else (app.return_code or 0)


def _database_password(conn: Connection) -> str | None:
    from casetui.config import database_password

    return database_password(conn)
