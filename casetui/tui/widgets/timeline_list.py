"""The case timeline list: one line per entry, drawn only where it is visible (Line API).

Entries are plain tuples from the timeline repository; an expanded entry shows its full
text beneath it. The list knows how many entries the case has but holds only those read so
far: a line not yet read shows a placeholder and asks the screen for the next page.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from casetui.domain.enums import ReminderState
from casetui.domain.locking import DEFAULT_LOCK_DAYS, describe_lock, is_locked, locks_at, time_left
from casetui.domain.money import format_money
from casetui.domain.signoff import state_words
from casetui.domain.timeline import (
    ADDENDUM,
    ATTACHMENT,
    COMMUNICATION,
    EVENT,
    NOTE,
    SERVICE,
    TASK,
    TimelineEntry,
)
from casetui.services.timeline import TIMELINE_PAGE
from casetui.tui.widgets.drawn_lines import DrawnLines
from casetui.tui.widgets.list_keys import LIST_MOVES
from casetui.tui.widgets.safe_text import visible as visible_line

EntryKey = tuple[str, int]
PAGE = TIMELINE_PAGE  # entries asked for beyond the one wanted
WIDE = 110  # from this width the lock column has room for describe_lock's own words

_TYPE = {
    NOTE: "Note", ADDENDUM: "Addendum", TASK: "Task",
    COMMUNICATION: "Contact", SERVICE: "Service", ATTACHMENT: "File",
}  # fmt: skip
_EVENT = {"status": "Status", "concern": "Concern", "worker": "Worker", "case_number": "Case no."}
_TASK_BOX = {"open": "[ ]", "done": "[x]", "cancelled": "[-]"}
_DIRECTION = {"in": "←", "out": "→"}


def file_size(size: int) -> str:
    """1.2 MB, 340 KB, 12 B: a file's size as people say it."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.0f} KB"
    return f"{size} B"


def visible(text: str | None, *, keep_newlines: bool = False) -> str:
    """User text shown, never obeyed; with ``keep_newlines`` line breaks still break lines."""
    if not keep_newlines:
        return visible_line(text)
    lines = (text or "").replace("\r\n", "\n").split("\n")
    return "\n".join(visible_line(line.replace("\t", "    ")) for line in lines)


def entry_key(entry: TimelineEntry) -> EntryKey:
    return entry.kind, entry.id


def type_label(entry: TimelineEntry) -> str:
    if entry.kind == EVENT:
        return _EVENT.get(entry.detail or "", (entry.detail or "Change").capitalize())
    return _TYPE[entry.kind]


def short_date(day: date) -> str:
    return f"{day.day:>2} {day:%b %Y}"


def lock_mark(
    created_at: datetime, lock_days: int, now: datetime, *, wide: bool, imported: bool = False
) -> str:
    """``locked 8 Nov`` or ``13d left``; the full describe_lock words where there is room."""
    if wide:
        return describe_lock(created_at, lock_days, now, imported)
    if is_locked(created_at, lock_days, now, imported):
        when = locks_at(created_at, lock_days, imported).astimezone(now.tzinfo)
        return f"locked {when.day} {when:%b}"
    left = time_left(created_at, lock_days, now)
    if left >= timedelta(days=1):
        return f"{left.days}d left"
    return f"{max(left.seconds // 3600, 0)}h left"


def communication_summary(entry: TimelineEntry) -> str:
    """``→ phone: Called about rent``, or for a reminder its state first, where a narrow line
    still shows it: ``→ reminder sends 9 Dec: Appointment · weekly`` (scheduled), ``→ reminder
    sent: Appointment``, ``failed``, ``cancelled``, ``sending``."""
    arrow = _DIRECTION.get(entry.direction or "", "")
    kind = visible(entry.detail)
    if entry.status is None:
        return f"{arrow} {kind}: {visible(entry.summary)}".lstrip()
    state = entry.status
    if state == ReminderState.SCHEDULED.value and entry.due_on is not None:
        state = f"sends {entry.due_on.day} {entry.due_on:%b}"
    repeat = f" · {entry.repeats}" if entry.repeats and entry.repeats != "none" else ""
    return f"{arrow} {kind} {state}: {visible(entry.summary)}{repeat}".lstrip()


class TimelineList(ScrollView, can_focus=True):
    """Arrow keys move, enter expands or folds the highlighted entry."""

    HELP_TITLE = "Timeline entries"

    BINDINGS = [
        *LIST_MOVES,
        Binding("enter", "toggle", "Expand", id="timeline.expand", show=False),
    ]
    COMPONENT_CLASSES = {
        "timeline--cursor",
        "timeline--muted",
        "timeline--restricted",
        "timeline--detail",
    }
    DEFAULT_CSS = """
    TimelineList {
        height: 1fr;
        overflow-x: hidden;
        & > .timeline--cursor { background: $block-cursor-blurred-background; text-style: bold; }
        &:focus > .timeline--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
        & > .timeline--muted { color: $text-muted; }
        & > .timeline--restricted { color: $text-warning; text-style: bold; }
        & > .timeline--detail { color: $text; }
    }
    """

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        def __init__(self, entry: TimelineEntry | None) -> None:
            super().__init__()
            self.entry = entry

    class MoreWanted(Message):
        """Entries past the last one read are on screen or wanted: read ``count`` more."""

        def __init__(self, generation: int, after: TimelineEntry, count: int) -> None:
            super().__init__()
            self.generation = generation
            self.after = after
            self.count = count

    class ToggleRequested(Message):
        """Enter on an entry: the screen fetches its full text (or folds it)."""

        def __init__(self, entry: TimelineEntry) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list[TimelineEntry] = []  # those read so far, in the order shown
        self.total = 0  # entries the case has, read or not
        self.generation = 0  # which set_entries the pages being read belong to
        self._asking = False  # a MoreWanted is being answered
        self._target: int | None = None  # where the cursor goes once that entry is read
        self.lock_days = DEFAULT_LOCK_DAYS  # until the case's timeline arrives
        self.zone = ZoneInfo("UTC")
        self.currency = "GBP"  # the organisation's, for services' amounts
        self.now = datetime.now().astimezone()
        self._details: dict[EntryKey, list[Text]] = {}
        self._wrapped: dict[tuple[EntryKey, int], list[Strip]] = {}
        self._drawn = DrawnLines()  # summary lines by what they show
        self._starts: list[int] | None = None  # first line of each entry, when any is expanded
        self._height = 0
        self._read_height = 0  # lines taken by the entries read so far

    # --- data -------------------------------------------------------------------------

    def set_entries(
        self,
        entries: Sequence[TimelineEntry],
        *,
        lock_days: int,
        zone: ZoneInfo,
        now: datetime,
        total: int | None = None,
        keep: EntryKey | None = None,
        currency: str | None = None,
    ) -> None:
        self.entries = list(entries)
        self.total = max(len(self.entries), total if total is not None else 0)
        self.generation += 1
        self._asking, self._target = False, None
        # Lock dates read in the organisation's zone, like every other date on screen.
        self.lock_days, self.zone, self.now = lock_days, zone, now.astimezone(zone)
        self.currency = currency or self.currency
        if self._details:
            known = {(e.kind, e.id) for e in self.entries}
            self._details = {k: v for k, v in self._details.items() if k in known}
        self._wrapped.clear()
        self._drawn.clear()  # lock marks count from a new "now"
        self._relayout()
        index = self.index_of(keep) if keep is not None else None
        self.cursor = min(
            index if index is not None else self.cursor, max(len(self.entries) - 1, 0)
        )
        self.refresh()

    def extend(self, generation: int, entries: Sequence[TimelineEntry]) -> None:
        """The next page arrived (if it belongs to the entries shown now)."""
        if generation != self.generation:
            return
        self._asking = False
        self.entries.extend(entries)
        if not entries:  # the case shrank since the count: nothing more to wait for
            self.total = len(self.entries)
        self._relayout()
        self.refresh()
        if self._target is not None:
            target, self._target = self._target, None
            self.move_to(target)

    @property
    def all_read(self) -> bool:
        return len(self.entries) >= self.total

    def _want(self, index: int) -> None:
        """Ask for entries up to ``index`` and a page beyond, once at a time."""
        if self._asking or self.all_read or not self.entries:
            return
        self._asking = True
        count = index - len(self.entries) + 1 + PAGE
        self.post_message(self.MoreWanted(self.generation, self.entries[-1], count))

    def index_of(self, key: EntryKey | None) -> int | None:
        if key is None:
            return None
        kind, wanted = key
        for index, entry in enumerate(self.entries):
            if entry.id == wanted and entry.kind == kind:
                return index
        return None

    @property
    def highlighted(self) -> TimelineEntry | None:
        if 0 <= self.cursor < len(self.entries):
            return self.entries[self.cursor]
        return None

    def is_expanded(self, entry: TimelineEntry) -> bool:
        return entry_key(entry) in self._details

    def expand(self, entry: TimelineEntry, lines: list[Text]) -> None:
        self._details[entry_key(entry)] = lines
        self._relayout()
        self.refresh()
        self._scroll_cursor_into_view(with_details=True)

    def fold(self, entry: TimelineEntry) -> None:
        self._details.pop(entry_key(entry), None)
        self._relayout()
        self.refresh()

    # --- geometry -----------------------------------------------------------------------

    def _detail_strips(self, key: EntryKey, width: int) -> list[Strip]:
        cached = self._wrapped.get((key, width))
        if cached is None:
            console = self.app.console
            style = self.get_component_rich_style("timeline--detail", partial=True)
            cached = []
            for text in self._details.get(key, []):
                for line in text.wrap(console, max(width - 4, 10)):
                    line.pad_left(4)
                    cached.append(Strip(line.render(console), line.cell_len).apply_style(style))
            self._wrapped[(key, width)] = cached
        return cached

    def _extra_lines(self, key: EntryKey) -> int:
        return len(self._detail_strips(key, self._width()))

    def _width(self) -> int:
        return max(self.scrollable_content_region.width, 20)

    def _relayout(self) -> None:
        if not self._details:
            self._starts = None
            self._read_height = len(self.entries)
        else:
            starts, line = [], 0
            for entry in self.entries:
                starts.append(line)
                line += 1
                key = entry_key(entry)
                if key in self._details:
                    line += self._extra_lines(key)
            self._starts, self._read_height = starts, line
        self._height = self._read_height + self.total - len(self.entries)
        self.virtual_size = Size(self._width(), self._height)

    def on_resize(self) -> None:
        self._wrapped.clear()
        self._relayout()

    def line_of(self, index: int) -> int:
        if index >= len(self.entries):
            return self._read_height + index - len(self.entries)
        return index if self._starts is None else self._starts[index]

    def _locate(self, y: int) -> tuple[int, int]:
        """The entry drawn on virtual line ``y``, and which of its lines (0 = the summary)."""
        if y >= self._read_height:
            return len(self.entries) + y - self._read_height, 0
        if self._starts is None:
            return y, 0
        index = bisect_right(self._starts, y) - 1
        return index, y - self._starts[index]

    # --- drawing --------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self._width()
        virtual_y = y + round(self.scroll_offset.y)
        if virtual_y >= self._height or not self.entries:
            return Strip.blank(width, self.rich_style)
        index, part = self._locate(virtual_y)
        if index >= len(self.entries):
            self._want(index)
            muted = self.get_component_rich_style("timeline--muted", partial=True)
            return (
                Strip([Segment("  …", muted)], 3)
                .adjust_cell_length(width)
                .apply_style(self.rich_style)
            )
        entry = self.entries[index]
        if part:
            strips = self._detail_strips(entry_key(entry), width)
            if part > len(strips):
                return Strip.blank(width, self.rich_style)
            return strips[part - 1].adjust_cell_length(width).apply_style(self.rich_style)
        current = index == self.cursor
        key = (entry, width, current, self.is_expanded(entry), self.rich_style)
        return self._drawn.get(key, lambda: self._summary_line(entry, width, current))

    def _summary_line(self, entry: TimelineEntry, width: int, current: bool) -> Strip:
        text = self.entry_text(entry, width, current)
        text.truncate(width, overflow="ellipsis", pad=True)
        if current:
            text.stylize(self.get_component_rich_style("timeline--cursor", partial=True))
        segments = list(text.render(self.app.console))
        return Strip(segments, text.cell_len).adjust_cell_length(width).apply_style(self.rich_style)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn.clear()  # a theme or focus change: the same entries in other colours

    def entry_text(self, entry: TimelineEntry, width: int, current: bool) -> Text:
        wide = width >= WIDE
        lock_width = 23 if wide else 13
        author_width = 14 if wide else 10
        flag_width = 10 if wide else 1
        expanded = self.is_expanded(entry)
        marker = ("▾" if expanded else "▸") if current else ("▾" if expanded else " ")
        when = entry.at.astimezone(self.zone).date()
        muted = self.get_component_rich_style("timeline--muted", partial=True)
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        line.append(f"{marker} ")
        line.append(f"{type_label(entry):<9}", style=Style(bold=entry.kind == NOTE))
        line.append(f"{short_date(when):<12}")
        line.append(f"{visible(entry.author)[:author_width]:<{author_width}} ", style=muted)
        lock = ""
        if entry.kind == NOTE and entry.signoff is not None:
            # Where the note stands with its sign-off says more than its lock: "signed off"
            # is locked, and a note waiting or returned is the author's to see to.
            lock = state_words(entry.signoff, wide=wide)
        elif entry.kind in (NOTE, COMMUNICATION) and entry.created_at is not None:
            lock = lock_mark(
                entry.created_at, self.lock_days, self.now, wide=wide, imported=entry.imported
            )
        restricted = ("restricted" if wide else "R") if entry.restricted else ""
        room = max(width - line.cell_len - (1 + lock_width + 1 + flag_width), 8)
        summary = self.summary_text(entry)
        summary.truncate(room, overflow="ellipsis", pad=True)
        line.append_text(summary)
        line.append(f" {lock:>{lock_width}} ", style=muted)
        line.append(
            f"{restricted:<{flag_width}}",
            style=self.get_component_rich_style("timeline--restricted", partial=True),
        )
        return line

    def summary_text(self, entry: TimelineEntry) -> Text:
        if entry.kind == TASK:
            box = _TASK_BOX.get(entry.status or "", "[?]")
            due = f" · due {entry.due_on.day} {entry.due_on:%b}" if entry.due_on else ""
            repeat = f" · {entry.repeats}" if entry.repeats and entry.repeats != "none" else ""
            return Text(f"{box} {visible(entry.summary)}{due}{repeat}", no_wrap=True, end="")
        if entry.kind == ADDENDUM:
            return Text(f"to a note: {visible(entry.summary)}", no_wrap=True, end="")
        if entry.kind == COMMUNICATION:
            return Text(communication_summary(entry), no_wrap=True, end="")
        if entry.kind == SERVICE:
            given = f"{entry.due_on.day} {entry.due_on:%b}" if entry.due_on else ""
            grant = f" · {visible(entry.detail)}" if entry.detail else ""
            amount = format_money(entry.amount, self.currency) if entry.amount is not None else ""
            return Text(
                f"{visible(entry.summary)} · {amount} · {given}{grant}", no_wrap=True, end=""
            )
        if entry.kind == ATTACHMENT:
            size = file_size(entry.size or 0)
            return Text(
                f"{visible(entry.summary)} · {size} · {visible(entry.detail)}", no_wrap=True, end=""
            )
        return Text(visible(entry.summary), no_wrap=True, end="")

    # --- moving -----------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        self._scroll_cursor_into_view()
        self.post_message(self.Highlighted(self.highlighted))

    def _scroll_cursor_into_view(self, with_details: bool = False) -> None:
        if not self.entries:
            return
        top = self.line_of(self.cursor)
        height = 1
        entry = self.entries[self.cursor]
        if with_details and self.is_expanded(entry):
            height += self._extra_lines(entry_key(entry))
        height = min(height, max(self.scrollable_content_region.height, 1))
        self.scroll_to_region(Region(0, top, 1, height), animate=False, immediate=True, force=True)

    def move_to(self, index: int) -> None:
        """Put the cursor on entry ``index``; one not read yet is read first, then gone to."""
        if not self.entries:
            return
        index = max(0, min(index, self.total - 1))
        if index >= len(self.entries):
            self._target = index
            self._want(index)
            index = len(self.entries) - 1
        self.cursor = index

    def action_cursor(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * max(self.scrollable_content_region.height - 1, 1))

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.total - 1)

    def action_toggle(self) -> None:
        entry = self.highlighted
        if entry is None:
            return
        if self.is_expanded(entry):
            self.fold(entry)
        else:
            self.post_message(self.ToggleRequested(entry))

    def on_click(self, event: object) -> None:
        offset = getattr(event, "y", None)
        if isinstance(offset, int) and self.entries:
            index, _part = self._locate(offset + round(self.scroll_offset.y))
            self.move_to(index)


__all__ = ["TimelineList", "entry_key", "lock_mark", "short_date", "type_label", "visible"]
