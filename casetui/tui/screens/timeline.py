"""One case: who it is about, then everything that happened on it, newest first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from casetui.domain.enums import CaseStatus, Concern
from casetui.domain.errors import StaleEdit, ValidationError
from casetui.domain.locking import NoteLock, describe_lock
from casetui.domain.read_models import CaseDetail, NoteView, StaffView, TaskView
from casetui.domain.timeline import ADDENDUM, EVENT, NOTE, TASK, TimelineEntry
from casetui.services import cases, notes, tasks
from casetui.services import timeline as timeline_service
from casetui.services.access import CaseAccess
from casetui.services.timeline import CaseTimeline
from casetui.tui.database_away import call_database
from casetui.tui.screens.addendum import AddendumScreen
from casetui.tui.screens.choice import ChoiceScreen
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.screens.reason import ReasonScreen
from casetui.tui.screens.task_dialog import TaskDialog
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.latest_note import stale_notice
from casetui.tui.widgets.task_form import task_input
from casetui.tui.widgets.timeline_list import TimelineList, entry_key, short_date, visible


def long_date(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y} {local:%H:%M}"


def case_header(case: CaseDetail) -> Text:
    """Client, case and the warning indicators, every user string shown literally."""
    head = Text()
    head.append(visible(case.client_name), style="bold")
    if case.preferred_name:
        head.append(f' ("{visible(case.preferred_name)}")')
    head.append(f"  {visible(case.case_number)}", style="bold")
    head.append(f"  {case.status} · {case.concern} concern")
    head.append("\nWorker: ")
    head.append(visible(case.worker_name or "none"))
    head.append(f" · Pathway: {visible(case.pathway or 'none')}")
    if case.tags:
        head.append(f" · Tags: {visible(', '.join(case.tags))}")
    if case.warnings:
        head.append("\nWarnings: ", style="bold reverse")
        head.append(" " + visible(", ".join(case.warnings)), style="bold")
    return head


def note_lines(note: NoteView, lock_days: int, now: datetime, zone: ZoneInfo) -> list[Text]:
    contact = (
        f"Contact {long_date(note.contact_at, zone)} · {note.activity_type} · {note.contact_type}"
    )
    if note.third_party_org:
        contact += f" · {note.third_party_org}"
    # The summary in full: the one-line row above cuts it at the screen's width.
    lines = [Text(visible(note.summary), style="bold"), Text(visible(contact))]
    written = f"Written by {note.author_name} ({note.author}) {long_date(note.created_at, zone)}"
    written += f" · {describe_lock(note.created_at, lock_days, now.astimezone(zone))}"
    if note.restricted:
        written += " · restricted: review before sharing with the client"
    lines.append(Text(visible(written)))
    if note.details.strip():
        lines.append(Text(visible(note.details, keep_newlines=True)))
    for addendum in note.addenda:
        heading = f"Addendum {long_date(addendum.created_at, zone)} by {addendum.author} — {addendum.reason}"
        lines.append(Text(visible(heading), style="bold"))
        lines.append(Text(visible(addendum.text, keep_newlines=True)))
    return lines


def task_lines(task: TaskView, zone: ZoneInfo) -> list[Text]:
    due = f"Due {task.due_on:%a} {short_date(task.due_on).strip()} · {task.status}"
    if task.repeats != "none":
        due += f" · repeats {task.rrule or task.repeats}"
    if task.assigned_to_client:
        due += " · the client's task"
    lines = [
        Text(visible(task.name), style="bold"),
        Text(visible(due)),
        Text(visible("Responsible: " + ", ".join(task.responsible))),
    ]
    if task.completed_at:
        lines.append(Text(f"Finished {long_date(task.completed_at, zone)}"))
    if task.details.strip():
        lines.append(Text(visible(task.details, keep_newlines=True)))
    return lines


class TimelineScreen(Screen[None]):
    """The case timeline. Keys act on the case or on the highlighted entry."""

    HELP_TITLE = "Case timeline"

    DEFAULT_CSS = """
    TimelineScreen #case-header { height: auto; padding: 0 1; background: $boost; }
    TimelineScreen #timeline-title { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("n", "new_note", "Note", id="timeline.new_note"),
        Binding("t", "new_task", "Task", id="timeline.new_task"),
        Binding("e", "edit", "Edit", id="timeline.edit"),
        Binding("a", "addendum", "Addendum", id="timeline.addendum"),
        Binding("x,space", "complete_task", "Done", id="timeline.complete_task"),
        Binding("d", "delete", "Delete", id="timeline.delete"),
        Binding("s", "status", "Status", id="timeline.status"),
        Binding("o", "concern", "Concern", id="timeline.concern"),
        Binding("r", "reassign", "Reassign", id="timeline.reassign"),
        Binding("f", "flip_order", "Oldest first", id="timeline.order", show=False),
        Binding("escape", "back", "Back", id="timeline.back", show=False),
    ]

    def __init__(self, case_id: int) -> None:
        super().__init__()
        self.case_id = case_id
        self.data: CaseTimeline | None = None
        self.newest_first = True

    def compose(self) -> ComposeResult:
        yield Static(Text("Loading the case…"), id="case-header")
        yield Static("", id="timeline-title")
        yield TimelineList(id="timeline")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(TimelineList).focus()
        self.reload()

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
        )
        self.query_one("#case-header", Static).update(case_header(data.case))
        self._show_title()
        self.refresh_bindings()

    def _show_title(self) -> None:
        if self.data is None:
            return
        count = self.data.total
        order = "newest first" if self.data.newest_first else "oldest first"
        words = f"{count:,} entr{'y' if count == 1 else 'ies'} · {order} · R restricted · enter opens · f flips order"
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

    def _note_in_focus(self) -> TimelineEntry | None:
        entry = self.highlighted
        return entry if entry is not None and entry.kind == NOTE else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        access = self.access
        if action in ("back", "flip_order"):
            return True
        if access is None:
            return None
        entry = self.highlighted
        if action == "reassign":
            return access.reassign
        if not access.write:
            return False  # read-only on this case: the write keys are not offered at all
        if action in ("new_note", "new_task", "status", "concern"):
            return True
        if action == "addendum":
            return True if entry is not None and entry.kind in (NOTE, ADDENDUM) else None
        if action in ("edit", "delete"):
            return True if entry is not None and access.may_change_note(entry) else None
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

    # --- actions ---------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    def action_flip_order(self) -> None:
        """The other end of the timeline first: read from there, not turned round in memory."""
        self.newest_first = not self.newest_first
        self.query_one(TimelineList).cursor = 0
        self._load(None, timeline_service.TIMELINE_PAGE, self.newest_first)

    def action_new_note(self) -> None:
        from casetui.tui.screens.note_editor import NoteEditorScreen

        self.app.push_screen(
            NoteEditorScreen(self.case_id), lambda saved: self.reload() if saved else None
        )

    def action_edit(self) -> None:
        entry, data = self._note_in_focus(), self.data
        if entry is None or data is None or entry.created_at is None:
            return
        created, now = entry.created_at, self.app.db.clock()
        if data.access.note_lock(created, now) is NoteLock.LOCKED:
            when = describe_lock(created, data.access.lock_days, now.astimezone(self.zone))
            message = (
                f"This note is {when} and can no longer be edited. Add an addendum to it instead?"
            )
            self.app.push_screen(
                ConfirmScreen("Note locked", message, yes="Add addendum", no="Cancel"),
                lambda yes: self.action_addendum() if yes else None,
            )
            return
        from casetui.tui.screens.note_editor import NoteEditorScreen

        editor = NoteEditorScreen(self.case_id, entry.id)
        self.app.push_screen(
            editor, lambda saved: self.reload(("note", entry.id)) if saved else None
        )

    def action_addendum(self, text: str = "", reason: str = "", error: str | None = None) -> None:
        entry = self.highlighted
        if entry is None or entry.kind not in (NOTE, ADDENDUM):
            return
        note_id = entry.id if entry.kind == NOTE else entry.note_id
        summary = entry.summary if entry.kind == NOTE else "the note this addendum belongs to"

        def save(result: tuple[str, str] | None) -> None:
            if result is None:
                return
            body, why = result

            def again(exc: ValidationError) -> None:
                self.action_addendum(body, why, f"{exc.field}: {exc.message}")

            self.run_write(
                lambda: notes.add_addendum(self.app.db, self.app.actor, note_id, body, why),
                "Addendum added",
                ("note", note_id),
                after=again,
            )

        self.app.push_screen(AddendumScreen(summary, text=text, reason=reason, error=error), save)

    def action_delete(self) -> None:
        entry, data = self._note_in_focus(), self.data
        if entry is None or data is None or entry.created_at is None:
            return
        version = entry.version

        def delete(reason: str | None) -> None:
            self.run_write(
                lambda: notes.delete_note(
                    self.app.db, self.app.actor, entry.id, expected_version=version, reason=reason
                ),
                "Note deleted",
            )

        lock = data.access.note_lock(entry.created_at, self.app.db.clock())
        if lock is not NoteLock.OPEN:
            if lock is NoteLock.LOCKED:
                self.notify(
                    "This note is locked and cannot be deleted; add an addendum instead.",
                    severity="warning",
                )
                return
            self.app.push_screen(
                ReasonScreen(
                    "Delete a locked note",
                    "This note is locked. Deleting it overrides the lock "
                    "and is recorded in the audit trail with your reason.",
                ),
                lambda reason: delete(reason) if reason else None,
            )
            return
        summary = Text(
            "Delete this note? It is hidden from everyone but kept; an administrator can restore it.\n\n"
        )
        summary.append(visible(entry.summary), style="bold")
        self.app.push_screen(
            ConfirmScreen("Delete note", summary, yes="Delete", no="Keep"),
            lambda yes: delete(None) if yes else None,
        )

    def action_complete_task(self) -> None:
        entry = self.highlighted
        if entry is None or entry.kind != TASK:
            return

        def complete() -> Any:
            return tasks.complete_task(
                self.app.db, self.app.actor, entry.id, expected_version=entry.version
            )

        repeats = entry.repeats not in (None, "none")
        done = f"Done: {entry.summary}" + (" — the next one is on the timeline" if repeats else "")
        self.run_write(complete, done, ("task", entry.id))

    def action_status(self) -> None:
        if self.data is None:
            return
        case = self.data.case
        choices = [(s.value, s.value) for s in CaseStatus if s.value != case.status]
        self.app.push_screen(
            ChoiceScreen(f"Status of {case.case_number} (now {case.status})", choices),
            lambda status: self._change(cases.change_status, status, f"Status now {status}"),
        )

    def action_concern(self) -> None:
        if self.data is None:
            return
        case = self.data.case
        choices = [(c.value, c.value) for c in Concern if c.value != case.concern]
        self.app.push_screen(
            ChoiceScreen(f"Concern level of {case.case_number} (now {case.concern})", choices),
            lambda concern: self._change(cases.change_concern, concern, f"Concern now {concern}"),
        )

    def _change(self, service: Callable[..., Any], value: str | None, done: str) -> None:
        if value is None or self.data is None:
            return
        number, version = self.data.case.case_number, self.data.case.version
        self.run_write(
            lambda: service(self.app.db, self.app.actor, number, value, expected_version=version),
            done,
        )

    def action_reassign(self) -> None:
        if self.data is not None:
            self._pick_worker(self.data.case)

    @work(thread=True, exclusive=True, group="timeline-load")
    def _pick_worker(self, case: CaseDetail) -> None:
        def read() -> list[StaffView]:
            return cases.worker_choices(self.app.db, self.app.actor, case.case_number)

        call_database(self, read, lambda people: self._offer_workers(case, people))

    def _offer_workers(self, case: CaseDetail, people: list[StaffView]) -> None:
        """The people the services would accept as the new worker, and only those."""
        choices = [
            (
                Text(
                    f"{visible(s.display_name)} ({visible(s.username)}) · {visible(s.team or 'no team')}"
                ),
                s.username,
            )
            for s in people
        ]
        self.app.push_screen(
            ChoiceScreen(
                f"New case worker for {case.case_number}",
                choices,
                message=f"Now: {case.worker_name or 'nobody'}",
            ),
            lambda username: self._change(cases.reassign, username, f"Reassigned to {username}"),
        )

    def action_new_task(
        self, values: dict[str, Any] | None = None, error: tuple[str, str] | None = None
    ) -> None:
        if self.data is not None:
            self._task_dialog(values, error)

    @work(thread=True, exclusive=True, group="timeline-load")
    def _task_dialog(self, values: dict[str, Any] | None, error: tuple[str, str] | None) -> None:
        def read() -> list[StaffView]:
            return timeline_service.case_holders(self.app.db, self.app.actor)

        call_database(self, read, lambda staff: self._open_task_dialog(staff, values, error))

    def _open_task_dialog(
        self, staff: list[StaffView], values: dict[str, Any] | None, error: tuple[str, str] | None
    ) -> None:
        assert self.data is not None
        number = self.data.case.case_number
        today = self.app.db.clock().astimezone(self.zone).date()

        def save(result: dict[str, Any] | None) -> None:
            if result is None:
                return

            def again(exc: ValidationError) -> None:
                self.action_new_task(result, (exc.field, exc.message))

            self.run_write(
                lambda: tasks.add_task(self.app.db, self.app.actor, number, task_input(result)),
                f"Task added: {result['name']}",
                after=again,
            )

        dialog = TaskDialog(
            f"New task on {number}",
            staff=staff,
            author=self.app.actor.username,
            today=today,
            values=values,
            error=error,
        )
        self.app.push_screen(dialog, save)

    # --- expanding ---------------------------------------------------------------------------

    def on_timeline_list_toggle_requested(self, event: TimelineList.ToggleRequested) -> None:
        entry = event.entry
        if entry.kind == EVENT:
            line = Text(visible(f"Changed by {entry.author} {long_date(entry.at, self.zone)}"))
            self.query_one(TimelineList).expand(entry, [line])
            return
        self._open_entry(entry)

    @work(thread=True, exclusive=True, group="timeline-open")
    def _open_entry(self, entry: TimelineEntry) -> None:
        def read() -> list[Text]:
            if entry.kind == TASK:
                task = timeline_service.open_task(self.app.db, self.app.actor, entry.id)
                return task_lines(task, self.zone)
            # Reading a restricted note is itself recorded, by the service.
            note = notes.open_note(self.app.db, self.app.actor, entry.note_id or entry.id)
            return self._entry_lines(entry, note)

        call_database(self, read, lambda lines: self.query_one(TimelineList).expand(entry, lines))

    def _entry_lines(self, entry: TimelineEntry, note: NoteView) -> list[Text]:
        if entry.kind == NOTE:
            assert self.data is not None  # entries are on screen only once the case has loaded
            return note_lines(note, self.data.access.lock_days, self.app.db.clock(), self.zone)
        addendum = next((a for a in note.addenda if a.id == entry.id), None)
        lines = [
            Text(
                visible(f"To the note “{note.summary}” of {long_date(note.contact_at, self.zone)}")
            )
        ]
        if addendum is not None:
            lines.append(Text(visible(f"Reason: {addendum.reason}"), style="bold"))
            lines.append(Text(visible(addendum.text, keep_newlines=True)))
        return lines
