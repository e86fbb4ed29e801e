"""Record a communication with the client, or schedule a reminder; edit or cancel one."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from casetui.domain.dates import date_order
from casetui.domain.errors import (
    CasetuiError,
    DatabaseUnavailable,
    NoteLocked,
    StaleEdit,
    ValidationError,
)
from casetui.domain.locking import NoteLock, describe_lock
from casetui.domain.read_models.communications import CommunicationView
from casetui.services import communications
from casetui.services.communications import (
    CANCELLABLE,
    UNCHANGEABLE,
    CommunicationContext,
    communication_context,
    state_words,
)
from casetui.tui.database_away import call_database
from casetui.tui.screens.choice import ChoiceScreen
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.screens.reason import ReasonScreen
from casetui.tui.widgets.communication_form import (
    REMINDER,
    TYPE_NAMES,
    CommunicationForm,
    communication_values,
)
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.latest_note import who_and_when
from casetui.tui.widgets.timeline_list import visible


class CommunicationEditorScreen(Screen[bool]):
    """Dismissed with True once something was saved (or a reminder cancelled)."""

    HELP_TITLE = "Communication"

    DEFAULT_CSS = """
    CommunicationEditorScreen #comm-title { height: auto; padding: 0 1; background: $boost; text-style: bold; }
    CommunicationEditorScreen #comm-status { height: auto; padding: 0 1; color: $text-muted; }
    CommunicationEditorScreen #comm-status.-problem { color: $text-error; text-style: bold; }
    CommunicationEditorScreen #comm-body-scroll { height: 1fr; padding: 0 1; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="communication.save"),
        Binding("ctrl+o", "cancel_reminder", "Cancel reminder", id="communication.cancel_reminder"),
        Binding("escape", "close", "Close", id="communication.close"),
    ]

    def __init__(
        self, case_id: int, communication_id: int | None = None, *, kind: str | None = None
    ) -> None:
        super().__init__()
        self.case_id = case_id
        self.communication_id = communication_id
        self.kind = kind  # a new one's type to start with (a reminder, say)
        self.context: CommunicationContext | None = None
        self.original: dict[str, Any] = {}
        self.saving = False

    def compose(self) -> ComposeResult:
        yield Static(Text("Loading…"), id="comm-title")
        yield Static("", id="comm-status")
        yield VerticalScroll(id="comm-body-scroll")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()

    # --- loading -------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="communication-load")
    def load(self) -> None:
        def read() -> CommunicationContext:
            return communication_context(
                self.app.db, self.app.actor, self.case_id, self.communication_id
            )

        call_database(self, read, self._ready, self._unavailable)

    def _unavailable(self, exc: CasetuiError) -> None:
        self.app.show_error(exc)
        self.dismiss(False)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.context.settings.time_zone) if self.context else ZoneInfo("UTC")

    @property
    def communication(self) -> CommunicationView | None:
        return self.context.communication if self.context else None

    async def _ready(self, context: CommunicationContext) -> None:
        self.context = context
        local_now = context.now.astimezone(self.zone)
        existing = context.communication
        kinds = list(TYPE_NAMES)
        if existing is not None:
            # A reminder stays a reminder, and nothing else becomes one (the services refuse it).
            kinds = [REMINDER] if existing.is_reminder else [k for k in kinds if k != REMINDER]
        form = CommunicationForm(
            today=local_now.date(),
            now=local_now,
            order=date_order(context.settings.date_order),
            kinds=kinds,
            recipient=context.recipient.email,
            recipient_problem=context.reminder_problem,
            id="communication-form",
        )
        await self.query_one("#comm-body-scroll", VerticalScroll).mount(form)
        if existing is not None:
            form.load(communication_values(existing, self.zone))
        elif self.kind is not None:
            form.load({"type": self.kind})
        self.original = form.values()
        self._show_title()
        self._show_status()
        self.refresh_bindings()
        form.query_one("#comm-subject" if existing else "#comm-type").focus()

    def _show_title(self) -> None:
        assert self.context is not None
        case = self.context.case
        existing = self.communication
        if existing is None:
            title = Text("New communication")
        else:
            title = Text(f"Edit {TYPE_NAMES[existing.kind].split(' (')[0].lower()}")
        title.append(f" · {visible(case.case_number)} · {visible(case.client_name)}")
        self.query_one("#comm-title", Static).update(title)

    def _lock(self) -> NoteLock:
        existing = self.communication
        if existing is None or self.context is None:
            return NoteLock.OPEN
        return self.context.access.note_lock(existing.created_at, self.app.db.clock())

    def _show_status(self) -> None:
        assert self.context is not None
        existing = self.communication
        if existing is None:
            self.set_status(
                f"Locks {self.context.access.lock_days} days after saving. "
                "A reminder is emailed to the client on its send date."
            )
            return
        now = self.app.db.clock().astimezone(self.zone)
        lock = describe_lock(existing.created_at, self.context.access.lock_days, now)
        state = self._lock()
        words = f"This communication {'is ' if state is not NoteLock.OPEN else ''}{lock}."
        if state is NoteLock.OVERRIDE:
            words += (
                " You may override the lock: saving asks for a reason, kept in the audit trail."
            )
        elif state is NoteLock.LOCKED:
            words += " It can no longer be changed."
        if existing.state in UNCHANGEABLE:
            words = (
                f"{state_words(existing, self.zone).capitalize()}: what was sent cannot be changed."
            )
        elif existing.state in CANCELLABLE:
            words += " ctrl+o cancels the reminder."
        elif existing.state is not None:
            words += f" The reminder is {existing.state}."
        problem = state is NoteLock.LOCKED or existing.state in UNCHANGEABLE
        self.set_status(words, problem=problem)

    def set_status(self, words: str, *, problem: bool = False) -> None:
        status = self.query_one("#comm-status", Static)
        status.update(Text(visible(words)))
        status.set_class(problem, "-problem")

    # --- keys on offer -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close":
            return True
        if self.context is None or self.saving:
            return None
        existing = self.communication
        if action == "cancel_reminder":
            if existing is None or existing.state is None:
                return False
            return existing.state in CANCELLABLE or None
        unchangeable = existing is not None and (
            self._lock() is NoteLock.LOCKED or existing.state in UNCHANGEABLE
        )
        return None if action == "save" and unchangeable else True

    # --- saving --------------------------------------------------------------------------------

    @property
    def form(self) -> CommunicationForm:
        return self.query_one(CommunicationForm)

    def action_save(self) -> None:
        if self.context is None or self.saving:
            return
        if self.communication is not None and self._lock() is NoteLock.OVERRIDE:
            self.app.push_screen(
                ReasonScreen(
                    "Override the lock",
                    "This communication is locked. Why does it need to change?",
                ),
                lambda reason: self._start_save(reason) if reason else None,
            )
            return
        self._start_save(None)

    def _start_save(self, reason: str | None) -> None:
        self.form.clear_errors()
        self._hold(True)
        existing = self.communication
        if existing is None:
            self._save_new(self.form.communication_input())
        else:
            self._save_edit(existing, self.form.changes(self.original), reason)

    def _hold(self, saving: bool) -> None:
        self.saving = saving
        self.query_one("#comm-body-scroll", VerticalScroll).disabled = saving
        if saving:
            self.set_status("Saving…")
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="communication-save")
    def _save_new(self, item: communications.CommunicationInput) -> None:
        assert self.context is not None
        number = self.context.case.case_number

        def write() -> CommunicationView:
            return communications.add_communication(self.app.db, self.app.actor, number, item)

        call_database(self, write, self._saved, self._refused)

    @work(thread=True, exclusive=True, group="communication-save")
    def _save_edit(
        self,
        existing: CommunicationView,
        changes: communications.CommunicationChanges,
        reason: str | None,
    ) -> None:
        def write() -> CommunicationView:
            return communications.edit_communication(
                self.app.db, self.app.actor, existing.id, changes,
                expected_version=existing.version, reason=reason,
            )  # fmt: skip

        call_database(self, write, self._saved, self._refused)

    def _saved(self, saved: CommunicationView) -> None:
        self.saving = False
        if saved.is_reminder and self.communication is None and saved.send_on is not None:
            day = saved.send_on
            self.notify(f"Reminder scheduled for {day:%a} {day.day} {day:%b}", markup=False)
        else:
            self.notify("Communication saved", markup=False)
        self.app.caseload_changed()
        self.dismiss(True)

    def _refused(self, exc: CasetuiError) -> None:
        """Keep every character typed and say what to do next."""
        self._hold(False)
        if isinstance(exc, ValidationError) and self._show_field_errors(exc):
            self.set_status("Not saved: see the message under the field.", problem=True)
            return
        if isinstance(exc, StaleEdit):
            who, when = who_and_when(exc)
            self.set_status(
                f"Not saved: someone else saved this communication after you opened it "
                f"({who}{when}). Your text is still here; close and open it again to see theirs.",
                problem=True,
            )
            return
        if isinstance(exc, DatabaseUnavailable) and exc.in_doubt:
            self.set_status(
                "Not sure it was saved: the database went away while saving. Your text is still "
                "here; look at the case timeline before saving again.",
                problem=True,
            )
            return
        if isinstance(exc, NoteLocked):
            self.set_status(f"Not saved: {exc}", problem=True)
            return
        self.set_status(f"Not saved: {exc}", problem=True)
        self.app.show_error(exc)

    def _show_field_errors(self, exc: ValidationError) -> bool:
        errors = list(getattr(exc, "errors", [exc]))
        # Last to first, so the focus ends on the first refused field.
        return any([self.form.show_error(e.field, e.message) for e in reversed(errors)])

    # --- cancelling a reminder ------------------------------------------------------------------

    def action_cancel_reminder(self) -> None:
        existing = self.communication
        if existing is None or existing.state not in CANCELLABLE or self.saving:
            return
        self.app.push_screen(
            ConfirmScreen(
                "Cancel reminder",
                "Cancel this reminder? It will not be sent to the client. It stays on the "
                "timeline, marked cancelled.",
                yes="Cancel reminder",
                no="Keep it",
            ),
            lambda yes: self._cancel(existing) if yes else None,
        )

    @work(thread=True, exclusive=True, group="communication-save")
    def _cancel(self, existing: CommunicationView) -> None:
        def write() -> CommunicationView:
            return communications.cancel_reminder(
                self.app.db, self.app.actor, existing.id, expected_version=existing.version
            )

        def done(_saved: CommunicationView) -> None:
            self.notify("Reminder cancelled: it will not be sent", markup=False)
            self.app.caseload_changed()
            self.dismiss(True)

        call_database(self, write, done, self._refused)

    # --- leaving ---------------------------------------------------------------------------------

    @property
    def changed(self) -> bool:
        return (
            self.context is not None
            and bool(self.query(CommunicationForm))
            and (self.form.values() != self.original)
        )

    def holds_unsaved_work(self) -> bool:
        return self.changed

    def action_close(self) -> None:
        if not self.changed:
            self.dismiss(False)
            return
        choices = [("Keep editing", "stay"), ("Discard my changes", "discard")]
        self.app.push_screen(
            ChoiceScreen(
                "Leave this communication?", choices, message="You have changes that are not saved."
            ),
            lambda choice: self.dismiss(False) if choice == "discard" else None,
        )
