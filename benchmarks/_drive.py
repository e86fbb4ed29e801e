"""What the driver processes share: running the real app headless, and knowing when it painted.

"Painted" means: the data is in the widget, and the screen has been refreshed since. The
data part polls widget state from outside (the app posts no event for it); the refresh part
uses Textual's own ``wait_for_refresh``, twice, because the first callback can run before
the widget's repaint request has reached the screen.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

SIZE = (120, 40)
POLL_SECONDS = 0.001

AutoPilot = Callable[[Any], Awaitable[None]]
RUN_AT: list[float] = []  # time.time() when App.run was called


def headless(auto_pilot: AutoPilot) -> None:
    """Make the next ``App.run()`` headless at SIZE, driven by ``auto_pilot``.

    Only how the app is run changes; what runs is the code ``casetui`` runs.
    """
    from textual.app import App

    original = App.run

    def run(self: App[Any], **kwargs: Any) -> Any:
        RUN_AT.append(time.time())
        kwargs.update(headless=True, size=SIZE, auto_pilot=auto_pilot)
        return original(self, **kwargs)

    App.run = run  # type: ignore[method-assign]


async def until(condition: Callable[[], bool], *, seconds: float = 60.0, what: str = "") -> None:
    deadline = time.perf_counter() + seconds
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"gave up waiting {seconds:.0f} s for {what or 'the app'}")
        await asyncio.sleep(POLL_SECONDS)


async def painted(widget: Any) -> None:
    """Return once the screen has been refreshed after the widget's latest change."""
    await widget.wait_for_refresh()
    await widget.wait_for_refresh()


async def drained(*pumps: Any) -> None:
    """Return once each of ``pumps`` (in turn) has handled every message queued so far."""
    for pump in pumps:
        done = asyncio.Event()
        pump.call_later(done.set)
        await done.wait()


async def settled(widget: Any, *, quiet: float = 0.05, seconds: float = 600.0) -> None:
    """Return once the app has done all it had queued: a ``quiet`` spell without CPU use.

    For after preparation that queued work (untimed), so none of it lands in a figure.
    """
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        await drained(widget, widget.screen)
        await painted(widget)
        cpu = time.process_time()
        await asyncio.sleep(quiet)
        if time.process_time() - cpu < quiet / 10:
            return
    raise TimeoutError(f"the app was still busy after {seconds:.0f} s")


def send_key(app: Any, key: str) -> None:
    """Hand a key to the app the way its terminal driver does, and return at once.

    ``Pilot.press`` does the same, then waits until the process looks idle, at least 40 ms
    of sleeping per key: fine for getting somewhere, wrong for timing.
    """
    import unicodedata

    from textual import events
    from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char: str | None = unicodedata.lookup(
            _get_unicode_name_from_key(REPLACED_KEYS.get(key, key))
        )
    except KeyError:
        char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)


def screen_named(app: Any, name: str) -> bool:
    try:
        return type(app.screen).__name__ == name
    except Exception:  # noqa: BLE001 - no screen yet
        return False


def caseload_table(app: Any) -> Any | None:
    """The caseload screen's table, once the screen is up and composed."""
    # The screen first: importing the table's module here, on the event loop, while the app's
    # own worker is still importing it would stall the loop on the import lock.
    if not screen_named(app, "CaseloadScreen"):
        return None
    from casetui.tui.widgets.case_table import CaseTable

    found = app.screen.query(CaseTable)
    return found.first() if found else None


def first_page_shown(table: Any) -> bool:
    """The table's current filter has rows (or is known to have none)."""
    return bool(table.loaded_rows > 0 or table.total == 0)


def rows_in_view_loaded(table: Any) -> bool:
    """Every row in the visible window has arrived (none would paint as a placeholder)."""
    top = int(table.scroll_y)
    height = max(1, table.scrollable_content_region.height - 1)
    known = table.total if table.total is not None else table.loaded_rows
    return all(table._row(i) is not None for i in range(top, min(top + height, known)))


def caseload_frame_shown(app: Any) -> bool:
    """The caseload's frame is up with its title, filter line, footer keys and "Opening the
    database…" (``casetui.tui.screens.caseload_frame``)."""
    if not screen_named(app, "CaseloadFrame"):
        return False
    screen = app.screen
    footers = screen.query("Footer")
    return bool(
        screen.query("#starting")
        and screen.query("#signed-in")
        and screen.query("#filter-placeholder")
        and footers
        and footers.first().children
    )


async def caseload_painted(app: Any, seconds: float = 120.0) -> Any:
    """Wait for the caseload screen's first rows on screen; returns the table."""
    await until(lambda: caseload_table(app) is not None, seconds=seconds, what="the caseload")
    table = caseload_table(app)
    await until(lambda: first_page_shown(table), seconds=seconds, what="the first page")
    await painted(table)
    return table


async def screen_opened(
    app: Any,
    make: Callable[[], Any],
    ready: Callable[[Any], bool],
    widget: Callable[[Any], Any],
    rounds: int,
) -> list[float]:
    """Push the screen ``make`` builds over the caseload ``rounds`` times (after one round
    that warms up and is left out), each timed in ms from the push until ``ready(screen)``
    and ``widget(screen)`` painted; the screen is closed and the caseload settled between."""
    await until(lambda: type(app.screen).__name__ == "CaseloadScreen")
    caseload = app.screen
    await settled(caseload)
    times: list[float] = []
    for _ in range(rounds + 1):
        screen = make()
        began = time.perf_counter()
        app.push_screen(screen)
        await until(lambda s=screen: bool(s.is_mounted and ready(s)), what="rows")
        await painted(widget(screen))
        times.append((time.perf_counter() - began) * 1000)
        await settled(screen)
        app.pop_screen()
        await until(lambda: app.screen is caseload)
        await settled(caseload)
    return times[1:]


def peak_rss_kb() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def report(result: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
