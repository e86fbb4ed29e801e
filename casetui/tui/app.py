"""The Textual app: opens the database, signs in, then shows the caseload.

Everything that touches the database runs in thread workers; the event loop only draws.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from casetui.domain.errors import (
    CasetuiError,
    ConfigError,
    DatabaseUnavailable,
    SchemaBehind,
    SignInFailed,
)
from casetui.tui.commands import ScreenCommands
from casetui.tui.database_away import DatabaseWatch
from casetui.tui.messages import CaseloadChanged
from casetui.tui.unread import UnreadWatch
from casetui.tui.widgets.safe_text import visible

if TYPE_CHECKING:
    from casetui.domain.actor import Actor
    from casetui.services.caseload import CasePage
    from casetui.services.work import Database

log = logging.getLogger("casetui.tui")
HUNG_UP = 129  # the status a shell reports for a process ended by SIGHUP
PROBLEM_TITLES = {
    DatabaseUnavailable: "The database cannot be reached",
    SchemaBehind: "The database is not ready for this version of casetui",
    ConfigError: "The connection settings have a problem",
}


def system_clock() -> datetime:
    """The time before a database is open (once one is, its own clock)."""
    return datetime.now(UTC)


class CasetuiApp(UnreadWatch, DatabaseWatch, App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "casetui"
    COMMANDS = App.COMMANDS | {ScreenCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "caseload", "Caseload", id="app.caseload"),
        # Priority: "on every screen" includes a text field, where ctrl+f would delete a word.
        Binding("ctrl+f", "search", "Search", priority=True, id="app.search"),
        # The count at the top right of every screen says "^n inbox": the footer need not.
        Binding("ctrl+n", "inbox", "Inbox", show=False, priority=True, id="app.inbox"),
        # Not in the footer: each screen says "? help" itself, leaving the footer to its actions.
        Binding("f1,question_mark", "help", "Help", show=False, id="app.help"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit"),
        # Offered only while the database is away (see database_away.py).
        Binding("f5", "retry_database", "Try the database now", priority=True, id="app.retry"),
        # Priority, so keys sent in one burst after tab (fast typing over SSH) go to the next field.
        Binding("tab", "focus_next", show=False, priority=True, id="app.focus_next"),
        Binding("shift+tab", "focus_previous", show=False, priority=True, id="app.focus_previous"),
    ]

    def __init__(
        self,
        db: Database | None = None,
        actor: Actor | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
        opener: Callable[[], Database] | None = None,
        database_name: str | None = None,
    ) -> None:
        super().__init__()
        self.db: Database = db  # type: ignore[assignment]  # set by ``opener`` before any screen needs it
        self.actor = actor
        self.username = username
        self._password = password
        self._opener = opener
        self._first_message = ""  # why signing in without asking did not work, for the login screen
        self._temporary: str | None = None  # a temporary password given: to be replaced at once
        self._database_name = database_name

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.db.clock if self.db is not None else system_clock

    @property
    def database_name(self) -> str:
        """How the header names the database: its URL, never its password."""
        return self._database_name or (self.db.url if self.db is not None else "")

    @property
    def signed_in(self) -> Actor:
        if self.actor is None:
            raise RuntimeError("nobody is signed in yet")
        return self.actor

    def get_default_screen(self) -> Screen[Any]:
        # The caseload's frame, painted before the data layer is imported (see ``on_mount``).
        from casetui.tui.screens.caseload_frame import CaseloadFrame

        return CaseloadFrame(self.username, self.database_name)

    def on_mount(self) -> None:
        if not self.is_headless:
            self._listen_for_hangup()
        self.screen_change_signal.subscribe(self, self._fit_the_terminal)

    def on_ready(self) -> None:
        # Textual's Ready comes once the first frame has been written to the terminal: the
        # caseload's frame. Importing SQLAlchemy in a thread while that frame is drawn would
        # hold the GIL for much of it and delay the paint; after it, waiting longer (Textual
        # settles the screen with a few more updates) would only delay the cases.
        self.start()

    def _listen_for_hangup(self) -> None:
        # Python's default for SIGHUP ends the process at once, losing keys typed since the last draft.
        with contextlib.suppress(AttributeError, NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.hang_up)

    def hang_up(self) -> None:
        """The terminal went away (a dropped SSH connection): keep every draft, then quit."""
        for screen in reversed(self.screen_stack):
            keep_draft = getattr(screen, "save_draft", None)
            if keep_draft is not None:
                with contextlib.suppress(Exception):  # one failing screen must not cost the others
                    keep_draft()
        self.exit(return_code=HUNG_UP)

    # --- opening, signing in ------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="start")
    def start(self) -> None:
        """Open and check the database, sign in if we can, then show the right screen."""
        try:
            if self.db is None and self._opener is not None:
                self.db = self._opener()
            from casetui.services import auth, setup  # noqa: F401 - before signing in, below

            setup.check(self.db)
        except Exception as error:  # noqa: BLE001 - said on screen, never a traceback
            self._not_started(error)
            return
        # Checking a password (scrypt) leaves the interpreter free: the caseload's screen, its
        # services and widgets are imported meanwhile, here, so the event loop never stalls.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sign-in") as pool:
            signing_in = pool.submit(lambda: self.actor or self._sign_in_without_asking())
            import casetui.tui.screens.caseload  # noqa: F401

            try:
                actor = signing_in.result()
            except Exception as error:  # noqa: BLE001 - said on screen, never a traceback
                self._not_started(error)
                return
        if actor is None:
            self.call_from_thread(self._show_login)
        else:
            self.call_from_thread(self._signed_in, actor, self._first_page(actor))

    def _first_page(self, actor: Actor) -> CasePage | None:
        """The caseload's first page, read here while the event loop has nothing to do: the
        screen then paints its rows in its first frame, instead of painting "loading…" while
        this same read waits for the interpreter. None: the screen reads it (and says why
        not)."""
        from casetui.services import caseload

        try:
            return caseload.first_page(self.db, actor, caseload.starting_filter(actor))
        except Exception:  # noqa: BLE001 - the screen's own read says what went wrong
            return None

    def _not_started(self, error: Exception) -> None:
        """Say on screen why the start stopped (from the start worker)."""
        if not isinstance(error, CasetuiError):  # a bad URL or driver
            log.error("could not open the database", exc_info=error)
            error = DatabaseUnavailable(f"could not open the database: {error}")
        self.call_from_thread(self._show_problem, error)

    def _sign_in_without_asking(self) -> Actor | None:
        """The OS user on their own file, or the password from the environment; else None."""
        from casetui.services.auth import PasswordChangeNeeded, sign_in

        try:
            return sign_in(self.db, self.username, self._password)
        except PasswordChangeNeeded:
            self._temporary = self._password  # right, but temporary: the login asks for a new one
            return None
        except SignInFailed as error:
            self._first_message = "" if self._password is None else str(error)
            return None

    def _show_problem(self, error: Exception) -> None:
        from casetui.tui.screens.problem import ProblemScreen

        title = next(
            (t for kind, t in PROBLEM_TITLES.items() if isinstance(error, kind)), "A problem"
        )

        def retry(again: bool | None) -> None:
            if again:
                self.start()

        gc.enable()  # off while starting (``launch``)
        self.push_screen(ProblemScreen(title, str(error)), retry)

    def _show_login(self) -> None:
        from casetui.services.auth import os_username
        from casetui.tui.screens.login import LoginScreen

        screen = LoginScreen(
            self.username or os_username(), self.database_name, message=self._first_message,
            temporary=self._temporary,
        )  # fmt: skip
        self._temporary = None
        gc.enable()  # off while starting (``launch``)
        self.push_screen(screen, self._signed_in)

    def _signed_in(self, actor: Actor | None, first_page: CasePage | None = None) -> None:
        from casetui.tui.screens.caseload import CaseloadScreen

        if actor is None:
            return
        self.actor = actor
        self._password = None  # not kept longer than needed
        self.push_screen(CaseloadScreen(first_page))
        # Counted once the caseload has painted: the count's first read (its module imported,
        # its statements built) would otherwise hold the interpreter while the rows are drawn.
        self.call_after_refresh(self.follow_unread)
        # Everything loaded so far lives as long as the app: keep the collector off it, so a
        # full collection while a big timeline opens walks only what that screen made.
        gc.freeze()
        gc.enable()  # off while starting (``launch``)

    # --- what every screen may call -------------------------------------------------------------

    def show_error(self, error: Exception) -> None:
        """Tell the user what went wrong: the rule's own words, or a plain apology and a log entry."""
        if isinstance(error, CasetuiError):
            self.notify(visible(str(error)), severity="error", markup=False, timeout=8)
        else:
            log.error("unexpected error", exc_info=error)
            self.notify("Something went wrong and nothing was saved. Details are in the log.",
                        severity="error", markup=False, timeout=8)  # fmt: skip

    def caseload_changed(self) -> None:
        """Call after a write (from any thread): the caseload fetches its rows again."""
        self.post_message(CaseloadChanged())

    def on_resize(self, event: events.Resize) -> None:
        # Before App's own handler has taken the new size: read it from the event.
        self._fit_the_terminal(size=(event.size.width, event.size.height))

    def _fit_the_terminal(
        self, _screen: object = None, size: tuple[int, int] | None = None
    ) -> None:
        """Below the smallest size the screens fit, say so over them instead of drawing them
        clipped; the screen underneath comes back as it was once the terminal is big enough."""
        from casetui.tui.widgets.too_small import TooSmall, too_small

        width, height = size or self.size
        shown = self.screen.query(TooSmall)
        if not too_small(width, height):
            shown.remove()
            return
        if shown:
            shown.first().show_size(width, height)
            return
        notice = TooSmall()
        self.screen.mount(notice)
        notice.show_size(width, height)

    def on_caseload_changed(self, message: CaseloadChanged) -> None:
        from casetui.tui.screens.caseload import CaseloadScreen

        self.refresh_unread()  # a write may have told someone, the writer included
        for screen in self.screen_stack:
            if isinstance(screen, CaseloadScreen):
                screen.post_message(CaseloadChanged())

    # --- keys everywhere --------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry_database":
            return self.database_away
        if action in ("search", "inbox"):
            from textual.screen import ModalScreen

            # Signed in, and not in the middle of answering a dialog.
            return self.actor is not None and not isinstance(self.screen, ModalScreen)
        if action == "caseload":
            if self.actor is None:
                return False  # and the caseload's module (the data layer) not imported yet
            from textual.command import CommandPalette
            from textual.screen import ModalScreen

            from casetui.tui.screens.caseload import CaseloadScreen

            stack = [s for s in self.screen_stack if not isinstance(s, CommandPalette)]
            # In a dialog, answer it first; from the caseload there is nowhere to go.
            if self.actor is None or isinstance(stack[-1], (ModalScreen, CaseloadScreen)):
                return False
        return True

    def action_caseload(self) -> None:
        from casetui.tui.screens.caseload import CaseloadScreen

        if not any(isinstance(s, CaseloadScreen) for s in self.screen_stack):
            return
        # A screen holding typed work closes the way escape closes it: asking first.
        holds_work = getattr(self.screen, "holds_unsaved_work", None)
        if holds_work is not None and holds_work():
            self.screen.action_close()  # type: ignore[attr-defined]
            return
        while not isinstance(self.screen, CaseloadScreen):
            self.pop_screen()

    def action_search(self) -> None:
        from casetui.tui.screens.search import SearchScreen

        if isinstance(self.screen, SearchScreen):
            self.screen.query_one("#search-box").focus()
        else:
            self.push_screen(SearchScreen())

    def action_inbox(self) -> None:
        from casetui.tui.screens.inbox import InboxScreen

        if not isinstance(self.screen, InboxScreen):
            self.push_screen(InboxScreen())

    def action_help(self) -> None:
        from casetui.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
        else:
            self.push_screen(HelpScreen(self.screen))


def make_app(
    db: Database | None,
    actor: Actor | None = None,
    *,
    username: str | None = None,
    password: str | None = None,
    opener: Callable[[], Database] | None = None,
    database_name: str | None = None,
) -> CasetuiApp:
    """The app for a database (tests, screenshots) or for a way to open one (``casetui``)."""
    return CasetuiApp(db, actor, username=username, password=password, opener=opener,
                      database_name=database_name)  # fmt: skip
