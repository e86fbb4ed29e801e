"""The inbox list: one line per notification, newest first, drawn only where visible (Line API).

The list knows how many notifications the view holds but keeps only those read so far; a
line not yet read shows a placeholder and asks the screen for the next page, so an inbox of
thousands opens as fast as one of ten.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from casetui.domain.dates import relative_age
from casetui.domain.enums import NotificationKind
from casetui.domain.read_models.inbox import NotificationView
from casetui.tui.widgets.drawn_lines import DrawnLines
from casetui.tui.widgets.list_keys import LIST_MOVES
from casetui.tui.widgets.safe_text import visible

KIND_WORDS = {
    NotificationKind.CASE_ASSIGNED.value: "Case assigned",
    NotificationKind.TASK_DUE.value: "Task due",
    NotificationKind.REMINDER_FAILED.value: "Reminder failed",
    NotificationKind.SIGNOFF_WAITING.value: "Sign-off asked",
    NotificationKind.SIGNOFF_RETURNED.value: "Returned to you",
}
KIND_WIDTH = 16
CASE_WIDTH = 15
AGE_WIDTH = 8
UNREAD_MARK = "●"  # with bold, so unread shows without colour too


def kind_words(kind: str) -> str:
    return KIND_WORDS.get(kind, kind.replace("_", " ").capitalize())


def age(created_at: datetime, now: datetime) -> str:
    return relative_age(created_at, now).removesuffix(" ago")


class InboxList(ScrollView, can_focus=True):
    """Arrow keys and j/k move; the screen's keys act on the highlighted notification."""

    HELP_TITLE = "Inbox list"
    BINDINGS = [*LIST_MOVES]
    COMPONENT_CLASSES = {"inbox--cursor", "inbox--unread", "inbox--read"}
    DEFAULT_CSS = """
    InboxList {
        height: 1fr;
        overflow-x: hidden;
        & > .inbox--cursor { background: $block-cursor-blurred-background; }
        &:focus > .inbox--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
        & > .inbox--unread { text-style: bold; }
        & > .inbox--read { color: $text-muted; }
    }
    """

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        def __init__(self, notification: NotificationView | None) -> None:
            super().__init__()
            self.notification = notification

    class MoreWanted(Message):
        """Lines past the last notification read are on screen or wanted: read the next page,
        after notification ``before`` (its id), for the list of ``generation``."""

        def __init__(self, generation: int, before: int) -> None:
            super().__init__()
            self.generation = generation
            self.before = before

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.notifications: list[NotificationView] = []  # those read so far, newest first
        self.total = 0  # how many the view holds, read or not
        self.generation = 0  # which set_notifications the pages being read belong to
        self.now = datetime.now().astimezone()
        self._asking = False
        self._target: int | None = None  # where the cursor goes once that line is read
        self._drawn = DrawnLines()

    # --- data -----------------------------------------------------------------------------

    def set_notifications(
        self,
        notifications: Sequence[NotificationView],
        *,
        total: int,
        now: datetime,
        keep: int | None = None,
    ) -> None:
        """A first page; the cursor stays on notification ``keep`` if it is still there."""
        self.notifications = list(notifications)
        self.total = max(total, len(self.notifications))
        self.generation += 1
        self._asking, self._target = False, None
        self.now = now
        self._drawn.clear()  # ages count from a new "now"
        self._resize()
        index = next((i for i, n in enumerate(self.notifications) if n.id == keep), None)
        self.cursor = min(
            index if index is not None else self.cursor, max(len(self.notifications) - 1, 0)
        )
        self.refresh()

    def extend(self, generation: int, notifications: Sequence[NotificationView]) -> None:
        """The next page arrived (if it belongs to the list shown now)."""
        if generation != self.generation:
            return
        self._asking = False
        self.notifications.extend(notifications)
        if not notifications:  # fewer than counted (some went since): nothing more to wait for
            self.total = len(self.notifications)
        self._resize()
        self.refresh()
        if self._target is not None:
            target, self._target = self._target, None
            self.move_to(target)

    def mark_read(self, ids: Iterable[int] | None, at: datetime) -> None:
        """Show these (None: every one) as read, where they stand."""
        wanted = None if ids is None else set(ids)
        self.notifications = [
            replace(n, read_at=at) if not n.read and (wanted is None or n.id in wanted) else n
            for n in self.notifications
        ]
        self.refresh()
        self.post_message(self.Highlighted(self.highlighted))

    @property
    def highlighted(self) -> NotificationView | None:
        if 0 <= self.cursor < len(self.notifications):
            return self.notifications[self.cursor]
        return None

    def _want(self, index: int) -> None:
        if self._asking or len(self.notifications) >= self.total or not self.notifications:
            return
        self._asking = True
        self.post_message(self.MoreWanted(self.generation, self.notifications[-1].id))

    def _width(self) -> int:
        return max(self.scrollable_content_region.width, 20)

    def _resize(self) -> None:
        self.virtual_size = Size(self._width(), self.total)

    def on_resize(self) -> None:
        self._resize()

    # --- drawing --------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self._width()
        index = y + round(self.scroll_offset.y)
        if index >= self.total or not self.notifications:
            return Strip.blank(width, self.rich_style)
        if index >= len(self.notifications):
            self._want(index)
            muted = self.get_component_rich_style("inbox--read", partial=True)
            return (
                Strip([Segment("  …", muted)], 3)
                .adjust_cell_length(width)
                .apply_style(self.rich_style)
            )
        notification = self.notifications[index]
        current = index == self.cursor
        key = (notification, width, current, self.rich_style)
        return self._drawn.get(key, lambda: self._line(notification, width, current))

    def _line(self, notification: NotificationView, width: int, current: bool) -> Strip:
        text = self.line_text(notification, width)
        text.truncate(width, overflow="ellipsis", pad=True)
        if current:
            text.stylize(self.get_component_rich_style("inbox--cursor", partial=True))
        segments = list(text.render(self.app.console))
        return Strip(segments, text.cell_len).adjust_cell_length(width).apply_style(self.rich_style)

    def line_text(self, notification: NotificationView, width: int) -> Text:
        unread = not notification.read
        look = self.get_component_rich_style(
            "inbox--unread" if unread else "inbox--read", partial=True
        )
        line = Text(no_wrap=True, overflow="ellipsis", end="", style=look)
        line.append(f"{UNREAD_MARK if unread else ' '} ")
        line.append(f"{kind_words(notification.kind):<{KIND_WIDTH}}")
        line.append(f"{visible(notification.case_number or '')[: CASE_WIDTH - 1]:<{CASE_WIDTH}}")
        room = max(width - line.cell_len - AGE_WIDTH, 8)
        words = Text(visible(notification.text), no_wrap=True, end="")
        words.truncate(room, overflow="ellipsis", pad=True)
        line.append_text(words)
        line.append(f"{age(notification.created_at, self.now):>{AGE_WIDTH}}", style=Style(dim=True))
        return line

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn.clear()

    # --- moving -----------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        if self.notifications:
            self.scroll_to_region(
                Region(0, self.cursor, 1, 1), animate=False, immediate=True, force=True
            )
        self.post_message(self.Highlighted(self.highlighted))

    def move_to(self, index: int) -> None:
        """Put the cursor on line ``index``; one not read yet is read first, then gone to."""
        if not self.notifications:
            return
        index = max(0, min(index, self.total - 1))
        if index >= len(self.notifications):
            self._target = index
            self._want(index)
            index = len(self.notifications) - 1
        self.cursor = index

    def action_cursor(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * max(self.scrollable_content_region.height - 1, 1))

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.total - 1)

    def on_click(self, event: object) -> None:
        offset = getattr(event, "y", None)
        if isinstance(offset, int) and self.notifications:
            self.move_to(offset + round(self.scroll_offset.y))


__all__ = ["InboxList", "kind_words"]
