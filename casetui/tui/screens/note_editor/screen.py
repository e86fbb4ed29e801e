"""The note editor screen: loading the note, its tasks, saving it, and leaving it."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, Static

from casetui.domain.errors import (
    CasetuiError,
    DatabaseUnavailable,
    NoteLocked,
    StaleEdit,
    ValidationError,
)
from casetui.domain.locking import NoteLock, describe_lock
from casetui.domain.read_models.notes import NoteView
from casetui.drafts import DraftStore
from casetui.services import notes
from casetui.services.timeline import EditorContext, editor_context
from casetui.tui.database_away import call_database
from casetui.tui.screens.choice import ChoiceScreen
from casetui.tui.screens.note_editor.drafts import Drafts
from casetui.tui.screens.note_editor.locked import LockedNote
from casetui.tui.screens.note_editor.their_version import TheirVersion
from casetui.tui.screens.reason import ReasonScreen
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.note_form import NoteForm
from casetui.tui.widgets.task_form import TaskForm, show_field_errors
from casetui.tui.widgets.timeline_list import visible


class NoteEditorScreen(Drafts, TheirVersion, LockedNote, Screen[bool]):
    """Dismissed with True once the note is saved, False when closed without saving."""

    HELP_TITLE = "Note editor"

    DEFAULT_CSS = """
    NoteEditorScreen #editor-title { height: auto; padding: 0 1; background: $boost; text-style: bold; }
    NoteEditorScreen #editor-status { height: auto; padding: 0 1; color: $text-muted; }
    NoteEditorScreen #editor-status.-problem { color: $text-error; text-style: bold; }
    NoteEditorScreen #editor-body { height: 1fr; padding: 0 1; }
    NoteEditorScreen #tasks { height: auto; }
    NoteEditorScreen #tasks-hint { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="note_editor.save"),
        Binding("ctrl+t", "add_task", "Add task", id="note_editor.add_task"),
        # Offered once a save was refused because someone else saved the note first.
        Binding("ctrl+l", "load_latest", "Load their version", id="note_editor.load_latest"),
        Binding("escape", "close", "Close", id="note_editor.close"),
    ]

    def __init__(
        self, case_id: int, note_id: int | None = None, *, drafts: DraftStore | None = None
    ) -> None:
        super().__init__()
        self.case_id = case_id
        self.note_id = note_id
        self.drafts = drafts or DraftStore()
        self.context: EditorContext | None = None
        self.original: dict[str, Any] = {}
        self.version: int | None = None  # the note's version the edit is based on
        # That version's fields: what the user's changes are changes to (None: not known).
        self.base: dict[str, Any] | None = None
        self.refused_as_stale: StaleEdit | None = None  # ctrl+l is offered (their_version.py)
        self._focus_before_save: Any = None
        self.saving = False
        self.finished = False  # saved or thrown away: no draft to keep any more
        # The draft kept while typing (drafts.py).
        self._last_draft: dict[str, Any] | None = None
        self._debounce: Any = None
        # No draft is written until an earlier one has been restored or discarded.
        self._draft_settled = False
        self._wrote_draft = False
        self._latest: dict[str, Any] | None = None
        self._form: NoteForm | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Loading…"), id="editor-title")
        yield Static("", id="editor-status")
        yield VerticalScroll(id="editor-body")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()
        self._keep_drafts()

    def on_unmount(self) -> None:
        # A dropped connection or a closed terminal unmounts the screen: keep what was typed.
        self.save_draft()

    # --- loading -------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="editor-load")
    def load(self) -> None:
        def read() -> EditorContext:
            return editor_context(self.app.db, self.app.actor, self.case_id, self.note_id)

        call_database(self, read, self._ready, self._unavailable)

    def _unavailable(self, exc: CasetuiError) -> None:
        self.app.show_error(exc)
        self.finished = True
        self.dismiss(False)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.context.settings.time_zone) if self.context else ZoneInfo("UTC")

    async def _ready(self, context: EditorContext) -> None:
        self.context = context
        local_now = context.now.astimezone(self.zone)
        activities = context.settings.activity_types
        if context.note is not None and context.note.activity_type not in activities:
            # A retired activity type stays on the notes written with it, shown as it is.
            activities = (*activities, context.note.activity_type)
        form = NoteForm(
            activity_types=activities,
            contact_types=context.settings.contact_types,
            today=local_now.date(),
            now=local_now,
            id="note-form",
        )
        body = self.query_one("#editor-body", VerticalScroll)
        await body.mount(form, Vertical(id="tasks"))
        self._form = form
        if self.note_id is None:
            await body.mount(Label("ctrl+t adds a follow-up task", id="tasks-hint"))
        note = context.note
        if note is not None:
            self.version = note.version
            form.load_note(note, self.zone)
            self.base = form.values()
        self.original = self.snapshot()
        self._show_title(note)
        self.refresh_bindings()
        form.query_one("#contact-date").focus()
        if note is not None and self._lock(note) is NoteLock.LOCKED:
            self._offer_addendum(note)
            return
        self._offer_draft()

    def _show_title(self, note: NoteView | None) -> None:
        assert self.context is not None
        case = self.context.case
        title = Text("Edit note" if note else "New note")
        title.append(f" · {visible(case.case_number)} · {visible(case.client_name)}")
        self.query_one("#editor-title", Static).update(title)
        if note is None:
            status = f"Locks {self.context.access.lock_days} days after saving."
        else:
            lock = describe_lock(
                note.created_at,
                self.context.access.lock_days,
                self.app.db.clock().astimezone(self.zone),
                note.imported,
                signed_off_at=note.signed_off_at,
            )
            locked = self._lock(note) is not NoteLock.OPEN
            status = f"This note {'is ' if locked else ''}{lock}."
            if locked:
                status += (
                    " You may override the lock: saving asks for a reason, kept in the audit trail."
                )
        self.set_status(status)

    def set_status(self, words: str, *, problem: bool = False) -> None:
        status = self.query_one("#editor-status", Static)
        status.update(Text(visible(words)))
        status.set_class(problem, "-problem")

    def _lock(self, note: NoteView) -> NoteLock:
        """What the lock leaves this person free to do with the note, as the services say."""
        assert self.context is not None
        return self.context.access.note_lock(
            note.created_at, self.app.db.clock(), note.imported, note.signed_off
        )

    # --- tasks -----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add_task":
            return self.note_id is None  # tasks on an existing note come from the timeline's t
        if action == "load_latest":
            return self.refused_as_stale is not None and not self.saving
        if action == "save":
            return True if self.context is not None and not self.saving else None
        return True

    async def _mount_task(self) -> TaskForm:
        assert self.context is not None
        today = self.context.now.astimezone(self.zone).date()
        number = len(self.query(TaskForm)) + 1
        form = TaskForm(
            staff=self.context.staff, author=self.app.actor.username, today=today, number=number
        )
        await self.query_one("#tasks", Vertical).mount(form)
        return form

    async def action_add_task(self) -> None:
        if self.context is None or self.note_id is not None:
            return
        form = await self._mount_task()
        form.query_one(".task-name").focus()
        form.scroll_visible()
        self._schedule_draft()

    async def on_task_form_remove_requested(self, event: TaskForm.RemoveRequested) -> None:
        await event.form.remove()
        for number, form in enumerate(self.query(TaskForm), start=1):
            form.set_number(number)
        self._schedule_draft()

    # --- saving ----------------------------------------------------------------------------------

    def action_save(self) -> None:
        if self.context is None or self.saving:
            return
        note = self.context.note
        if note is not None and self._lock(note) is NoteLock.OVERRIDE:
            self.app.push_screen(
                ReasonScreen(
                    "Override the lock", "This note is locked. Why does it need to change?"
                ),
                lambda reason: self._start_save(reason) if reason else None,
            )
            return
        self._start_save(None)

    def _start_save(self, reason: str | None) -> None:
        form = self.query_one(NoteForm)
        form.clear_errors()
        for task in self.query(TaskForm):
            task.clear_errors()
        self.save_draft()
        self._hold_form(True)
        if self.note_id is None:
            self._save_new(form.note_input(), [t.task_input() for t in self.query(TaskForm)])
        else:
            self._save_edit(form.note_changes(self.original["note"]), reason)

    def _hold_form(self, saving: bool) -> None:
        """While a save is on its way (perhaps waiting for the database), the text stays put."""
        self.saving = saving
        body = self.query_one("#editor-body", VerticalScroll)
        if saving:
            self._focus_before_save = self.focused
            self.set_status("Saving…")
        body.disabled = saving
        if not saving and self._focus_before_save is not None:
            self._focus_before_save.focus()
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="editor-save")
    def _save_new(self, note: notes.NoteInput, tasks: list[Any]) -> None:
        assert self.context is not None
        number = self.context.case.case_number

        def write() -> NoteView:
            return notes.add_note(self.app.db, self.app.actor, number, note, tasks)

        call_database(self, write, self._saved, self._refused)

    @work(thread=True, exclusive=True, group="editor-save")
    def _save_edit(self, changes: notes.NoteChanges, reason: str | None) -> None:
        assert self.note_id is not None
        note_id, version = self.note_id, self.version

        def write() -> NoteView:
            return notes.edit_note(
                self.app.db,
                self.app.actor,
                note_id,
                changes,
                expected_version=version,
                reason=reason,
            )

        call_database(self, write, self._saved, self._refused)

    def _saved(self, note: NoteView) -> None:
        self.saving = False
        self.finished = True
        self.drafts.delete(self.draft_key)
        self.notify("Note saved" + (" with its tasks" if self.query(TaskForm) else ""))
        self.app.caseload_changed()
        self.dismiss(True)

    def _refused(self, exc: CasetuiError) -> None:
        """Keep every character typed and say what to do next."""
        self._hold_form(False)
        if isinstance(exc, ValidationError) and self._show_field_error(exc):
            self.set_status("Not saved: see the message under the field.", problem=True)
            return
        if isinstance(exc, StaleEdit):
            self._offer_their_version(exc)
            return
        if isinstance(exc, DatabaseUnavailable) and exc.in_doubt:
            self.set_status(
                "Not sure it was saved: the database went away while saving. Your text is still "
                "here and in your draft; look at the case timeline before saving again.",
                problem=True,
            )
            return
        if isinstance(exc, NoteLocked):
            self.set_status(
                "Not saved: the note is locked now. Your text is kept in your draft; add it as an "
                "addendum from the timeline (a).",
                problem=True,
            )
            return
        self.set_status(f"Not saved: {exc}", problem=True)
        self.app.show_error(exc)

    def _show_field_error(self, exc: ValidationError) -> bool:
        return show_field_errors(self, exc)

    # --- leaving ----------------------------------------------------------------------------------

    @property
    def changed(self) -> bool:
        return self.context is not None and self.snapshot() != self.original

    def holds_unsaved_work(self) -> bool:
        return bool(self.changed)

    def action_close(self) -> None:
        if not self.changed:
            self.finished = True
            self.dismiss(False)
            return
        choices = [
            ("Keep editing", "stay"),
            ("Close and keep the draft for later", "keep"),
            ("Discard my changes", "discard"),
        ]
        self.app.push_screen(
            ChoiceScreen(
                "Leave this note?", choices, message="You have changes that are not saved."
            ),
            self._close_chosen,
        )

    def _close_chosen(self, choice: str | None) -> None:
        if choice == "keep":
            self.save_draft()
            self.finished = True
            self.dismiss(False)
        elif choice == "discard":
            self.finished = True
            self.drafts.delete(self.draft_key)
            self.dismiss(False)
