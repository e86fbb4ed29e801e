"""When the database goes away (PostgreSQL restarting, a SQLite file locked by another program).

Every worker that reads or writes calls the database through ``patiently`` (or
``call_database``): while the database cannot be reached, the app says so on every screen,
the worker tries again with a growing pause (f5 tries at once), and when the database is
back the worker carries on as if nothing happened. Nothing on screen is taken down, so
an open note keeps its text and its draft.
"""

from __future__ import annotations

import inspect
import logging
import math
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any, TypeVar

from rich.text import Text
from textual.message import Message
from textual.widgets import Static
from textual.worker import NoActiveWorker, Worker, get_current_worker

from casetui.domain.errors import DatabaseUnavailable
from casetui.tui.widgets.safe_text import visible

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode
    from textual.screen import Screen

T = TypeVar("T")
log = logging.getLogger("casetui.tui")

# Seconds before each new try; the last one repeats for as long as the database stays away.
RETRY_PAUSES = (1.0, 2.0, 4.0, 8.0, 15.0)
# How the data layer words a database that another writer holds (db/uow.py).
BUSY = "the database is busy"


def pause_before(attempt: int) -> float:
    """The pause after the ``attempt``-th failed try (1-based)."""
    return RETRY_PAUSES[min(attempt, len(RETRY_PAUSES)) - 1]


class Abandoned(Exception):
    """Nobody waits for this call any more (its screen closed, the app is quitting)."""


class DatabaseWentAway(Message):
    """From a worker: the database could not be used; the next try is at ``next_try``."""

    def __init__(self, reason: str, next_try: float) -> None:
        super().__init__()
        self.reason = reason
        self.next_try = next_try  # time.monotonic()


class DatabaseCameBack(Message):
    """From a worker: the database answered again."""


class RetryGate:
    """Where waiting workers pause between tries; f5, or the database coming back, opens it."""

    def __init__(self) -> None:
        self._opened = threading.Condition()
        self._openings = 0

    def ticket(self) -> int:
        with self._opened:
            return self._openings

    def open(self) -> None:
        with self._opened:
            self._openings += 1
            self._opened.notify_all()

    def wait(self, ticket: int, seconds: float, gone: Callable[[], bool]) -> bool:
        """Pause up to ``seconds``, or until opened; False when ``gone()`` says to stop."""
        deadline = time.monotonic() + seconds
        with self._opened:
            while not gone():
                left = deadline - time.monotonic()
                if left <= 0 or self._openings != ticket:
                    return True
                self._opened.wait(min(left, 0.1))
        return False


class DatabaseAwayBar(Static):
    """The line shown on top of every screen while the database is away."""

    DEFAULT_CSS = """
    DatabaseAwayBar {
        dock: top; height: auto; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis;
        background: $error; color: $text; text-style: bold;
    }
    DatabaseAwayBar:nocolor { text-style: bold reverse; }
    """


def short_reason(reason: str) -> str:
    """The server's own words, without the driver's preamble the first line already says."""
    for marker in ("FATAL:", "failed: "):
        if marker in reason:
            reason = reason.rsplit(marker, 1)[1]
    reason = reason.removeprefix("the database could not be reached: ")
    return " ".join(reason.split())


def away_text(reason: str, next_try: float | None) -> Text:
    left = 0 if next_try is None else math.ceil(next_try - time.monotonic())
    when = "retrying now…" if left <= 0 else f"retrying in {left} s"
    # A SQLite file another writer holds (a long save, a bulk note) is there, just busy.
    what = "Waiting for another save to finish" if BUSY in reason else "The database went away"
    text = Text()
    text.append(f"{what} — {when} · f5 now · nothing typed is lost")
    text.append("\n" + visible(short_reason(reason)), style="not bold")
    return text


class DatabaseWatch:
    """The app's side: shows the bar while any worker waits, hides it when one gets through.

    Mixed into the app; ``patiently`` posts it the messages above from worker threads.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._gate = RetryGate()
        self._away_reason: str | None = None
        self._next_try: float | None = None
        self._ticking: Any = None
        self._following_screens = False

    @property
    def database_away(self) -> bool:
        return self._away_reason is not None

    @property
    def retry_gate(self) -> RetryGate:
        return self._gate

    def on_database_went_away(self, message: DatabaseWentAway) -> None:
        app: App[Any] = self  # type: ignore[assignment]
        first = self._away_reason is None
        self._away_reason = message.reason
        now = time.monotonic()
        if self._next_try is None or self._next_try < now or message.next_try < self._next_try:
            self._next_try = message.next_try
        if first:
            log.warning("the database went away: %s", message.reason)
            if not self._following_screens:
                self._following_screens = True
                app.screen_change_signal.subscribe(app, self._show_on)
            self._ticking = app.set_interval(0.5, self._tick)
            app.refresh_bindings()
        self._show_on(app.screen)

    def on_database_came_back(self, _message: DatabaseCameBack) -> None:
        if self._away_reason is None:
            return
        app: App[Any] = self  # type: ignore[assignment]
        self._away_reason = None
        self._next_try = None
        if self._ticking is not None:
            self._ticking.stop()
            self._ticking = None
        for screen in app.screen_stack:
            for bar in screen.query(DatabaseAwayBar):
                bar.remove()
        self._gate.open()  # anyone else still waiting tries now
        app.refresh_bindings()
        app.notify("The database is back.", timeout=3)

    def action_retry_database(self) -> None:
        self._next_try = time.monotonic()
        self._tick()
        self._gate.open()

    def _bar_text(self) -> Text:
        return away_text(self._away_reason or "", self._next_try)

    def _show_on(self, screen: Screen[Any]) -> None:
        if self._away_reason is None:
            return
        bars = screen.query(DatabaseAwayBar)
        if bars:
            bars.first().update(self._bar_text())
        else:
            screen.mount(DatabaseAwayBar(self._bar_text()))

    def _tick(self) -> None:
        app: App[Any] = self  # type: ignore[assignment]
        for bar in app.screen.query(DatabaseAwayBar):
            bar.update(self._bar_text())


def _worker() -> Worker[Any] | None:
    try:
        return get_current_worker()
    except NoActiveWorker:
        return None


def patiently(
    app: App[Any], call: Callable[[], T], *, wanted: Callable[[], bool] | None = None
) -> T:
    """Run ``call`` in this worker thread, trying again while the database is away.

    Raises Abandoned when the worker is cancelled, the app quits or ``wanted()`` turns False
    while waiting; any other error (a rule's refusal, a write that may or may not have been
    committed) goes to the caller.
    """
    worker = _worker()
    gate: RetryGate | None = getattr(app, "retry_gate", None)

    def gone() -> bool:
        cancelled = worker is not None and worker.is_cancelled
        return cancelled or not app.is_running or (wanted is not None and not wanted())

    attempt = 0
    while True:
        ticket = gate.ticket() if gate is not None else 0
        try:
            result = call()
        except DatabaseUnavailable as error:
            if gate is None or not error.worth_retrying:
                raise
            attempt += 1
            pause = pause_before(attempt)
            app.post_message(DatabaseWentAway(str(error), time.monotonic() + pause))
            if not gate.wait(ticket, pause, gone):
                raise Abandoned from error
            continue
        except Exception:
            _answered(app)  # a refusal is an answer: the database is there
            raise
        _answered(app)
        return result


def _answered(app: App[Any]) -> None:
    if getattr(app, "database_away", False):
        app.post_message(DatabaseCameBack())


def call_database(
    node: DOMNode,
    call: Callable[[], T],
    done: Callable[[T], object],
    failed: Callable[[Exception], object] | None = None,
) -> None:
    """From a thread worker: ``call`` patiently, then ``done(result)`` or ``failed(error)``.

    Both run on the event loop; neither runs once ``node`` has left the screen.
    """
    app = node.app
    try:
        result = patiently(app, call)
    except Abandoned:
        return
    except Exception as error:  # noqa: BLE001 - shown to the user, never a traceback
        _deliver(node, failed or app.show_error, error)  # type: ignore[attr-defined]
        return
    _deliver(node, done, result)


def _deliver(node: DOMNode, callback: Callable[[Any], object], value: object) -> None:
    app = node.app

    async def deliver() -> None:
        if node.is_attached:
            outcome = callback(value)
            if inspect.isawaitable(outcome):
                await outcome

    with suppress(RuntimeError):  # the app has closed: nobody to tell
        app.call_from_thread(deliver)
