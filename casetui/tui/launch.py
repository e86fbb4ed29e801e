"""``casetui`` with no command: run the app against the chosen database."""

from __future__ import annotations

import gc
import os
import sys
from typing import TYPE_CHECKING

from casetui.config import ENV_PASSWORD, Connection
from casetui.startup import open_database, password_for

if TYPE_CHECKING:
    from casetui.services.work import Database
    from casetui.tui.app import CasetuiApp


def launch(conn: Connection, username: str | None) -> int:
    """Run the TUI; returns the exit status. Problems show on screen, never as a traceback."""
    # Starting imports Textual, then SQLAlchemy and the services: hundreds of thousands of new
    # objects, nearly all kept, which the collector would walk again and again (about a tenth
    # of the start). The app turns it back on once the caseload or the sign-in is on screen.
    gc.disable()
    from casetui.tui.app import make_app
    from casetui.tui.screens.caseload_frame import shown_location

    # Opened in the app's start-up worker, after the first paint: nothing before it imports
    # SQLAlchemy or asks a server anything.
    app = make_app(
        None, username=username, password=os.environ.get(ENV_PASSWORD),
        opener=lambda: _open(conn, app), database_name=shown_location(conn.url),
    )  # fmt: skip
    try:
        code = app.run()
    finally:
        if app.db is not None:
            app.db.dispose()
    return code if isinstance(code, int) else (app.return_code or 0)


def _open(conn: Connection, app: CasetuiApp) -> Database:
    """The database, with its password if the server wants one (from the start worker)."""
    return open_database(conn.url, password=password_for(conn.url, lambda: _asked(conn, app)))


def _asked(conn: Connection, app: CasetuiApp) -> str | None:
    """The keyring's or the environment's password; else, at a terminal, the prompt."""
    from casetui.config import database_password

    found = database_password(conn, interactive=False)
    if found is not None or not sys.stdin.isatty():
        return found
    return app.call_from_thread(_prompt, conn, app)


def _prompt(conn: Connection, app: CasetuiApp) -> str | None:
    """Ask on the terminal, the app set aside meanwhile (on the event loop)."""
    from textual.app import SuspendNotSupported

    from casetui.config import database_password

    try:
        with app.suspend():
            return database_password(conn, interactive=True)
    except SuspendNotSupported:  # no terminal to hand back: the server says what is missing
        return None
