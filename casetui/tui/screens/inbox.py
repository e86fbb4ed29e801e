"""The inbox (ctrl+n on every screen): the signed-in person's notifications, newest first.

Enter opens the case's timeline and marks the notification read; r marks one read, R all of
them; u shows only the unread. Reading the inbox first delivers tasks fallen due (the
service does it), and each read passes the unread count on to every screen's corner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from casetui.domain.read_models.inbox import InboxPage, NotificationView
from casetui.services import notifications
from casetui.tui.database_away import call_database
from casetui.tui.unread import UnreadCounted
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.inbox_list import InboxList

if TYPE_CHECKING:
    from casetui.tui.app import CasetuiApp


class InboxScreen(Screen[None]):
    HELP_TITLE = "Inbox"
    DEFAULT_CSS = """
    InboxScreen #inbox-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    InboxScreen #inbox-empty { height: auto; padding: 1 2; color: $text-muted; display: none; }
    InboxScreen.-empty #inbox-empty { display: block; }
    """
    BINDINGS = [
        Binding("enter", "open", "Open", id="inbox.open"),
        Binding("r", "mark_read", "Read", id="inbox.mark_read"),
        Binding("R", "mark_all_read", "All read", id="inbox.mark_all_read"),
        Binding("u", "unread_only", "Unread only", id="inbox.unread_only"),
        Binding("escape", "back", "Back", id="inbox.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.unread_only = False
        self.page: InboxPage | None = None  # the first page, with the counts

    @property
    def casetui(self) -> CasetuiApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(Text("Inbox"), id="inbox-title")
        yield Static("", id="inbox-empty")
        yield InboxList(id="inbox")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Inbox"
        self.query_one(InboxList).focus()
        self.reload()

    # --- reading ------------------------------------------------------------------------------

    def reload(self, keep: int | None = None) -> None:
        self._load(self.unread_only, keep)

    @work(thread=True, exclusive=True, group="inbox-load")
    def _load(self, unread_only: bool, keep: int | None) -> None:
        app = self.casetui

        def read() -> InboxPage:
            return notifications.inbox(app.db, app.signed_in, unread_only=unread_only)

        call_database(self, read, lambda page: self._show(page, unread_only, keep))

    def _show(self, page: InboxPage, unread_only: bool, keep: int | None) -> None:
        if unread_only != self.unread_only:
            return  # an answer to the other view, arriving after the user switched
        self.page = page
        listing = self.query_one(InboxList)
        if keep is None and listing.highlighted is not None:
            keep = listing.highlighted.id
        listing.set_notifications(
            page.notifications, total=page.total, now=self.app.db.clock(), keep=keep
        )
        self.casetui.show_unread(page.unread)  # the title follows, as every screen's corner

    def _show_title(self) -> None:
        page = self.page
        if page is None:
            return
        unread = self.casetui.unread or 0
        if self.unread_only:
            words = f"Inbox · {unread:,} unread · u shows all"
        else:
            words = f"Inbox · {unread:,} unread of {page.total:,}"
        self.query_one("#inbox-title", Static).update(Text(words))
        empty = page.total == 0
        self.set_class(empty, "-empty")
        if empty:
            nothing = "Nothing unread." if self.unread_only else "Nothing in your inbox."
            self.query_one("#inbox-empty", Static).update(
                Text(f"{nothing} Cases assigned to you, your tasks due today or overdue and "
                     "reminders that failed on your cases arrive here.")
            )  # fmt: skip

    def on_unread_counted(self, _message: UnreadCounted) -> None:
        self._show_title()
        self.refresh_bindings()

    def on_inbox_list_more_wanted(self, event: InboxList.MoreWanted) -> None:
        self._load_more(event.generation, event.before, self.unread_only)

    @work(thread=True, exclusive=True, group="inbox-more")
    def _load_more(self, generation: int, before: int, unread_only: bool) -> None:
        app = self.casetui
        listing = self.query_one(InboxList)

        def read() -> InboxPage:
            return notifications.inbox(
                app.db, app.signed_in, unread_only=unread_only, before=before
            )

        call_database(self, read, lambda page: listing.extend(generation, page.notifications))

    def on_inbox_list_highlighted(self, _event: InboxList.Highlighted) -> None:
        self.refresh_bindings()

    @property
    def highlighted(self) -> NotificationView | None:
        listing = self.query(InboxList)  # asked before the screen is composed, too
        return listing.first().highlighted if listing else None

    # --- which keys are on offer --------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        notification = self.highlighted
        if action == "open":
            return True if notification is not None else None
        if action == "mark_read":
            return True if notification is not None and not notification.read else None
        if action == "mark_all_read":
            return True if self.casetui.unread else None
        return True

    # --- acting -------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="inbox-write")
    def _write(self, call: Any, done: Any) -> None:
        call_database(self, call, done, self._refused)

    def _refused(self, error: Exception) -> None:
        self.app.show_error(error)
        self.reload()

    def action_open(self) -> None:
        notification = self.highlighted
        if notification is None:
            return
        app = self.casetui

        def call() -> int | None:
            return notifications.open_notification(app.db, app.signed_in, notification.id)

        self._write(call, lambda case_id: self._opened(notification, case_id))

    def _opened(self, notification: NotificationView, case_id: int | None) -> None:
        self._read_here([notification.id])
        if case_id is not None:
            from casetui.tui.screens.timeline import TimelineScreen

            self.app.push_screen(TimelineScreen(case_id))

    def action_mark_read(self) -> None:
        notification = self.highlighted
        if notification is None or notification.read:
            return
        app = self.casetui

        def call() -> int:
            return notifications.mark_read(app.db, app.signed_in, [notification.id])

        def done(_newly: int) -> None:
            self._read_here([notification.id])
            self.query_one(InboxList).action_cursor(1)  # on to the next, as mail does

        self._write(call, done)

    def _read_here(self, ids: list[int]) -> None:
        """Shown read where they stand; the count everywhere asked again."""
        self.query_one(InboxList).mark_read(ids, self.app.db.clock())
        self.casetui.refresh_unread()

    def action_mark_all_read(self) -> None:
        app = self.casetui

        def call() -> int:
            return notifications.mark_all_read(app.db, app.signed_in)

        def done(newly: int) -> None:
            self.notify(f"{newly:,} marked read.", markup=False)
            self.reload()

        self._write(call, done)

    def action_unread_only(self) -> None:
        self.unread_only = not self.unread_only
        self.query_one(InboxList).cursor = 0
        self._load(self.unread_only, None)

    def action_back(self) -> None:
        self.dismiss(None)

    def on_screen_resume(self) -> None:
        # Back from a case: its news may have changed (read elsewhere, new tasks due).
        if self.page is not None:
            self.reload()
