"""The unread count at the top right of every screen, and ctrl+n to the inbox.

The count is read in a thread worker (reading it also delivers the person's tasks fallen
due), once signed in, after every write the app is told of, and every minute; the screens
only ever draw the number they were last given.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.message import Message
from textual.widgets import Static

from casetui.tui.database_away import Abandoned, patiently

if TYPE_CHECKING:
    from textual.screen import Screen

log = logging.getLogger("casetui.tui")
REFRESH_SECONDS = 60.0


def unread_text(count: int) -> Text:
    if count:
        return Text(f"^n inbox: {count:,} unread")
    return Text("^n inbox")


class UnreadCounted(Message):
    """Sent to every screen when the count changes, for screens that show it themselves."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count


class UnreadCount(Static):
    """Laid over the right end of a screen's first line, on a layer of its own, so it takes
    no room from the screen's own title."""

    DEFAULT_CSS = """
    UnreadCount {
        layer: unread-count;
        dock: right;
        width: auto;
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
        text-wrap: nowrap;
    }
    UnreadCount.-unread { background: $warning; color: $text; text-style: bold; }
    UnreadCount.-unread:nocolor { text-style: bold reverse; }
    """

    def __init__(self, count: int | None) -> None:
        super().__init__(id="unread-count")
        self.show_count(count)

    def show_count(self, count: int | None) -> None:
        self.display = count is not None
        if count is not None:
            self.update(unread_text(count))
            self.set_class(count > 0, "-unread")


class UnreadWatch:
    """The app's side: keeps the count and shows it on every screen (dialogs aside)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unread: int | None = None  # not yet read
        self._following_unread = False

    def follow_unread(self) -> None:
        """Once signed in: count now, every minute, and put the count on every screen."""
        app: Any = self
        # Not once the app is closing: quitting the moment the caseload painted lands here
        # after the app stopped running, when nothing may subscribe to its signals.
        if self._following_unread or not app.is_running:
            return
        self._following_unread = True
        app.screen_change_signal.subscribe(app, self._put_count_on)
        app.set_interval(REFRESH_SECONDS, self.refresh_unread)
        self._put_count_on(app.screen)
        self.refresh_unread()

    def refresh_unread(self) -> None:
        """Count again, away from the event loop (after a write, on the minute)."""
        if self._following_unread:
            self._count_unread()

    @work(thread=True, exclusive=True, group="unread-count")
    def _count_unread(self) -> None:
        from casetui.services.notifications import unread_count

        app: Any = self
        db, actor = app.db, app.actor
        if actor is None:
            return
        try:
            count = patiently(app, lambda: unread_count(db, actor))
        except Abandoned:
            return
        except Exception:  # noqa: BLE001 - a count is not worth an error in the user's face
            log.exception("could not count unread notifications")
            return
        app.call_from_thread(self.show_unread, count)

    def show_unread(self, count: int) -> None:
        """Show ``count`` on every screen: the inbox's own reads pass it on too."""
        app: Any = self
        self.unread = count
        for screen in app.screen_stack:
            for badge in screen.query(UnreadCount):
                badge.show_count(count)
            screen.post_message(UnreadCounted(count))

    def _put_count_on(self, screen: Screen[Any]) -> None:
        from textual.screen import ModalScreen

        if isinstance(screen, ModalScreen) or not self._following_unread:
            return
        if not screen.query(UnreadCount):
            screen.mount(UnreadCount(self.unread))
