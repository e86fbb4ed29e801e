"""The case timeline screen: the case header, its entries, and the keys that act on them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from casetui.domain.errors import StaleEdit, ValidationError
from casetui.domain.read_models.notes import NoteView
from casetui.domain.timeline import ADDENDUM, EVENT, NOTE, TASK, TimelineEntry
from casetui.services import notes
from casetui.services import timeline as timeline_service
from casetui.services.access import CaseAccess
from casetui.services.timeline import CaseTimeline
from casetui.tui.database_away import call_database
from casetui.tui.screens.timeline.attachment_actions import AttachmentActions
from casetui.tui.screens.timeline.audit_actions import AuditActions
from casetui.tui.screens.timeline.case_actions import CaseActions
from casetui.tui.screens.timeline.communication_actions import CommunicationActions
from casetui.tui.screens.timeline.note_actions import NoteActions
from casetui.tui.screens.timeline.outcome_actions import OutcomeActions
from casetui.tui.screens.timeline.print_actions import PrintActions
from casetui.tui.screens.timeline.service_actions import ServiceActions
from casetui.tui.screens.timeline.signoff_actions import SignoffActions
from casetui.tui.widgets.case_text import (
    addendum_lines,
    case_header,
    event_lines,
    note_lines,
    task_lines,
)
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.latest_note import stale_notice
from casetui.tui.widgets.timeline_list import TimelineList, entry_key, visible


class TimelineScreen(
    NoteActions,
    CaseActions,
    CommunicationActions,
    AttachmentActions,
    PrintActions,
    ServiceActions,
    OutcomeActions,
    AuditActions,
    SignoffActions,
    Screen[None],
):
    """The case timeline. Keys act on the case or on the highlighted entry."""

    HELP_TITLE = "Case timeline"

    DEFAULT_CSS = """
    TimelineScreen #case-header { height: auto; padding: 0 1; background: $boost; }
    TimelineScreen #timeline-title { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("n", "new_note", "Note", id="timeline.new_note"),
        Binding("t", "new_task", "Task", id="timeline.new_task"),
        Binding("m", "new_communication", "Contact", id="timeline.new_communication"),
        Binding(
            "X", "cancel_reminder", "Cancel reminder", show=False, id="timeline.cancel_reminder"
        ),
        Binding("e", "edit", "Edit", id="timeline.edit"),
        Binding("a", "addendum", "Addendum", id="timeline.addendum"),
        Binding("x,space", "complete_task", "Done", id="timeline.complete_task"),
        Binding("d", "delete", "Delete", id="timeline.delete"),
        Binding("s", "status", "Status", id="timeline.status"),
        Binding("o", "concern", "Concern", id="timeline.concern"),
        Binding("u", "attach", "Attach", id="timeline.attach"),
        Binding("w", "save_attachment", "Save", id="timeline.save_attachment"),
        Binding("v", "new_service", "Service", id="timeline.new_service", show=False),
        Binding(
            "dollar_sign",
            "services_panel",
            "Services",
            id="timeline.services_panel",
            key_display="$",
            show=False,
        ),
        Binding("O", "assess_outcome", "Outcome", id="timeline.assess_outcome", show=False),
        Binding("S", "signoff", "Sign-off", id="timeline.signoff", show=False),
        Binding("r", "reassign", "Reassign", id="timeline.reassign"),
        Binding("Q", "audit_note", "Note audit", id="timeline.audit_note", show=False),
        Binding("i", "client_record", "Client", id="timeline.client_record"),
        Binding("p", "print_case", "Print", id="timeline.print_case"),
        Binding("f", "flip_order", "Oldest first", id="timeline.order", show=False),
        Binding("escape", "back", "Back", id="timeline.back", show=False),
    ]

    def __init__(self, case_id: int, at: tuple[str, int] | None = None) -> None:
        super().__init__()
        self.case_id = case_id
        self.at = at  # (entry kind, id): the line to highlight when the timeline arrives
        self.data: CaseTimeline | None = None
        self.newest_first = True
        # A note opened from search: highlighted and opened once the timeline has arrived.
        self.open_note_on_arrival: int | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Loading the case…"), id="case-header")
        yield Static("", id="timeline-title")
        yield TimelineList(id="timeline")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(TimelineList).focus()
        self.reload(keep=self.at)

    # --- loading ----------------------------------------------------------------------------

    def reload(self, keep: tuple[str, int] | None = None) -> None:
        """Read the case and its timeline again, at least as far as the reader had got."""
        listing = self.query_one(TimelineList)
        at_least = max(timeline_service.TIMELINE_PAGE, len(listing.entries))
        self._load(keep, at_least, self.newest_first)

    @work(thread=True, exclusive=True, group="timeline-load")
    def _load(self, keep: tuple[str, int] | None, at_least: int, newest_first: bool) -> None:
        def read() -> CaseTimeline:
            return timeline_service.load_timeline(
                self.app.db, self.app.actor, self.case_id,
                newest_first=newest_first, at_least=at_least,
            )  # fmt: skip

        call_database(self, read, lambda data: self._show(data, keep))

    def on_timeline_list_more_wanted(self, event: TimelineList.MoreWanted) -> None:
        if self.data is not None:
            self._load_more(event.generation, event.after, event.count, self.data.newest_first)

    @work(thread=True, exclusive=True, group="timeline-more")
    def _load_more(
        self, generation: int, after: TimelineEntry, count: int, newest_first: bool
    ) -> None:
        listing = self.query_one(TimelineList)

        def read() -> list[TimelineEntry]:
            return timeline_service.more_entries(
                self.app.db, self.app.actor, self.case_id, after,
                newest_first=newest_first, limit=count,
            )  # fmt: skip

        # A refusal is shown and the rest stays unread until the timeline is read again.
        call_database(self, read, lambda entries: listing.extend(generation, entries))

    def _show(self, data: CaseTimeline, keep: tuple[str, int] | None) -> None:
        self.data = data
        listing = self.query_one(TimelineList)
        if keep is None and listing.highlighted is not None:
            keep = entry_key(listing.highlighted)
        listing.set_entries(
            data.entries,
            total=data.total,
            lock_days=data.access.lock_days,
            zone=self.zone,
            now=self.app.db.clock(),
            keep=keep,
            currency=data.settings.currency,
        )
        self.query_one("#case-header", Static).update(case_header(data.case))
        self._show_title()
        self.refresh_bindings()
        if self.open_note_on_arrival is not None:
            self._open_arrived_note(self.open_note_on_arrival)

    def _open_arrived_note(self, note_id: int) -> None:
        self.open_note_on_arrival = None
        listing = self.query_one(TimelineList)
        for index, entry in enumerate(listing.entries):
            if entry.kind == NOTE and entry.id == note_id:
                listing.cursor = index
                self._open_entry(entry)
                return
        self.notify("That note is further down the timeline: f shows the oldest first.")

    def _show_title(self) -> None:
        if self.data is None:
            return
        count = self.data.total
        order = "newest first" if self.data.newest_first else "oldest first"
        words = f"{count:,} entr{'y' if count == 1 else 'ies'} · {order} · R restricted · enter opens · f flips order · $ services"
        self.query_one("#timeline-title", Static).update(Text(words))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.data.settings.time_zone) if self.data else ZoneInfo("UTC")

    @property
    def access(self) -> CaseAccess | None:
        return self.data.access if self.data else None

    @property
    def highlighted(self) -> TimelineEntry | None:
        return self.query_one(TimelineList).highlighted

    def on_timeline_list_highlighted(self, _event: TimelineList.Highlighted) -> None:
        self.refresh_bindings()

    # --- which keys are on offer ------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        access = self.access
        if action in ("back", "flip_order", "client_record"):
            return True
        if access is None:
            return None
        entry = self.highlighted
        if action == "reassign":
            return access.reassign
        # The keys of communications, services and attachments ask their own mixin's
        # ``may_<action>(access, entry)``, so each kind's rules stay beside its keys.
        asked = getattr(self, f"may_{action}", None)
        if asked is not None:
            return asked(access, entry)
        if not access.write:
            return False  # read-only on this case: the write keys are not offered at all
        if action in ("new_note", "new_task", "status", "concern"):
            return True
        if action == "addendum":
            return True if entry is not None and entry.kind in (NOTE, ADDENDUM) else None
        if action in ("edit", "delete"):
            if entry is None:
                return None
            if entry.kind == NOTE:
                return True if access.may_change_note(entry) else None
            # Other kinds answer for themselves: ``may_edit_<kind>(access, entry)``.
            asked = getattr(self, f"may_{action}_{entry.kind}", None)
            return True if asked is not None and asked(access, entry) else None
        if action == "complete_task":
            return True if entry is not None and access.may_complete(entry) else None
        return True

    # --- running a service ------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="timeline-write")
    def run_write(
        self,
        call: Callable[[], Any],
        done: str,
        keep: tuple[str, int] | None = None,
        after: Callable[[Any], None] | None = None,
    ) -> None:
        """One service call (it is its own unit of work); reload the timeline after it."""
        call_database(
            self,
            call,
            lambda result: self._written(done, keep, result),
            lambda exc: self._refused(exc, after, keep),
        )

    def _refused(
        self,
        exc: Exception,
        after: Callable[[Any], None] | None,
        keep: tuple[str, int] | None = None,
    ) -> None:
        if after is not None and isinstance(exc, ValidationError):
            after(exc)
            return
        if isinstance(exc, StaleEdit):
            # Not an error to dismiss: the case as it is now, and what happened.
            words = stale_notice(exc, "The case is shown as it is now.")
            self.notify(words, title="Someone else saved first", severity="warning", markup=False)
            self.reload(keep)
            return
        self.app.show_error(exc)
        self.reload()

    def _written(self, done: str, keep: tuple[str, int] | None, _result: object) -> None:
        self.notify(Text(visible(done)).plain, markup=False)
        self.app.caseload_changed()
        self.reload(keep)

    # --- actions (the note and case keys are in note_actions.py and case_actions.py) ---------

    def action_client_record(self) -> None:
        from casetui.tui.screens.client_record import ClientRecordScreen

        if self.data is not None:
            self.app.push_screen(ClientRecordScreen(self.data.case.client_id))

    def action_edit(self) -> None:
        self._by_kind("edit")

    def action_delete(self) -> None:
        self._by_kind("delete")

    def _by_kind(self, verb: str) -> None:
        """``e`` and ``d`` act on the highlighted entry through ``<verb>_<kind>(entry)``: the
        note keys' ``edit_note``, the communication keys' ``edit_communication``, ..."""
        entry = self.highlighted
        handler = getattr(self, f"{verb}_{entry.kind}", None) if entry is not None else None
        if handler is not None:
            handler(entry)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_flip_order(self) -> None:
        """The other end of the timeline first: read from there, not turned round in memory."""
        self.newest_first = not self.newest_first
        self.query_one(TimelineList).cursor = 0
        self._load(None, timeline_service.TIMELINE_PAGE, self.newest_first)

    # --- expanding ---------------------------------------------------------------------------

    def on_timeline_list_toggle_requested(self, event: TimelineList.ToggleRequested) -> None:
        entry = event.entry
        if entry.kind == EVENT:
            self.query_one(TimelineList).expand(entry, event_lines(entry, self.zone))
            return
        self._open_entry(entry)

    @work(thread=True, exclusive=True, group="timeline-open")
    def _open_entry(self, entry: TimelineEntry) -> None:
        # Communications, services and attachments are read by their mixin's
        # ``read_<kind>_lines(entry)``, called here in a thread.
        reader = getattr(self, f"read_{entry.kind}_lines", None)

        def read() -> list[Text]:
            if reader is not None:
                return reader(entry)
            if entry.kind not in (NOTE, ADDENDUM, TASK):
                return [Text(visible(entry.summary))]
            if entry.kind == TASK:
                task = timeline_service.open_task(self.app.db, self.app.actor, entry.id)
                return task_lines(task, self.zone)
            # Reading a restricted note is itself recorded, by the service.
            note = notes.open_note(self.app.db, self.app.actor, entry.note_id or entry.id)
            lines = self._entry_lines(entry, note)
            score = self.note_score_line(note.id, note.author_id) if entry.kind == NOTE else None
            return lines if score is None else [*lines[:3], score, *lines[3:]]

        call_database(self, read, lambda lines: self.query_one(TimelineList).expand(entry, lines))

    def _entry_lines(self, entry: TimelineEntry, note: NoteView) -> list[Text]:
        if entry.kind == NOTE:
            assert self.data is not None  # entries are on screen only once the case has loaded
            return note_lines(note, self.data.access.lock_days, self.app.db.clock(), self.zone)
        return addendum_lines(entry.id, note, self.zone)
