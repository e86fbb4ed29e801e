"""One note (and optionally one follow-up task) for every selected case, all or nothing."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from casetui.domain.errors import BulkRefused, DatabaseUnavailable, ValidationError
from casetui.domain.read_models.notes import BulkResult
from casetui.services import bulk_notes
from casetui.services.note_rules import NoteInput
from casetui.services.tasks import TaskInput
from casetui.services.timeline import BulkContext, bulk_context
from casetui.tui.database_away import call_database
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.note_form import NoteForm
from casetui.tui.widgets.task_form import TaskForm, show_field_errors
from casetui.tui.widgets.timeline_list import visible


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


class BulkNoteScreen(Screen[bool]):
    """Dismissed with True once the notes are written."""

    HELP_TITLE = "Bulk note"

    DEFAULT_CSS = """
    BulkNoteScreen #bulk-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    BulkNoteScreen #bulk-status { height: auto; padding: 0 1; color: $text-muted; }
    BulkNoteScreen #bulk-status.-problem { color: $text-error; text-style: bold; }
    BulkNoteScreen #bulk-body { height: 1fr; padding: 0 1; }
    BulkNoteScreen #task-slot { height: auto; }
    BulkNoteScreen #preview-title { height: 1; padding: 0 1; background: $boost; }
    BulkNoteScreen #preview { height: 6; border: none; padding: 0 1; }
    BulkNoteScreen.-tall #preview { height: 12; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save all", id="bulk_note.save"),
        Binding("ctrl+t", "toggle_task", "Task", id="bulk_note.toggle_task"),
        Binding("ctrl+r", "drop_refused", "Drop refused", id="bulk_note.drop_refused"),
        Binding("escape", "close", "Close", id="bulk_note.close"),
    ]

    def __init__(self, case_numbers: list[str]) -> None:
        super().__init__()
        self.case_numbers = list(dict.fromkeys(n for n in case_numbers if n))
        self.context: BulkContext | None = None
        self.refusals: dict[str, str] = {}
        self.saving = False
        self.original: dict[str, Any] | None = None
        self._focus_before_save: Any = None

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Bulk note · {plural(len(self.case_numbers), 'case')}"), id="bulk-title")
        yield Static(Text("Loading…"), id="bulk-status")
        with VerticalScroll(id="bulk-body"):
            yield Vertical(id="form-slot")
            yield Vertical(id="task-slot")
        yield Static("", id="preview-title")
        yield OptionList(id="preview")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()

    def on_resize(self) -> None:
        self.set_class(self.size.height >= 36, "-tall")

    # --- loading ---------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="bulk-load")
    def load(self) -> None:
        db, actor = self.app.db, self.app.actor

        def read() -> BulkContext:
            return bulk_context(db, actor, self.case_numbers)

        call_database(self, read, self._ready)

    async def _ready(self, context: BulkContext) -> None:
        self.context = context
        now = context.now.astimezone(ZoneInfo(context.settings.time_zone))
        form = NoteForm(
            activity_types=context.settings.activity_types,
            contact_types=context.settings.contact_types,
            today=now.date(),
            now=now,
        )
        await self.query_one("#form-slot", Vertical).mount(form)
        self.original = self.values()
        self._show_preview()
        if context.may_bulk:
            self.set_status(
                "One note for every case below, saved all together or not at all. "
                "ctrl+t adds a follow-up task to each."
            )
        else:
            self.set_status(
                "You cannot write bulk notes: it needs the bulk_actions grant.", problem=True
            )
        self.refresh_bindings()
        form.query_one("#contact-date").focus()

    def set_status(self, words: str | Text, *, problem: bool = False) -> None:
        status = self.query_one("#bulk-status", Static)
        status.update(words if isinstance(words, Text) else Text(visible(words)))
        status.set_class(problem, "-problem")

    def _show_preview(self) -> None:
        assert self.context is not None
        preview = self.query_one("#preview", OptionList)
        preview.clear_options()
        refused = [n for n in self.case_numbers if n in self.refusals]
        rest = [n for n in self.case_numbers if n not in self.refusals]
        options = [Option(self._preview_line(n)) for n in refused + rest]
        preview.add_options(options)
        count = len(self.case_numbers)
        title = f"Preview: {count} note{'s' if count != 1 else ''}"
        if self.query(TaskForm):
            title += f" and {count} task{'s' if count != 1 else ''}"
        if refused:
            title += f" · {len(refused)} refused"
        self.query_one("#preview-title", Static).update(Text(title))

    def _preview_line(self, number: str) -> Text:
        assert self.context is not None
        name = self.context.clients.get(number)
        line = Text()
        if number in self.refusals:
            line.append("REFUSED ", style="bold reverse")
        else:
            line.append("note    ")
        line.append(f"{visible(number):<16} ", style="bold")
        if number in self.refusals:
            if name:
                line.append(f"{visible(name)} — ")
            line.append(visible(self.refusals[number]), style="bold")
        else:
            line.append(visible(name) if name else "(no such case that you can see)")
        return line

    # --- the form --------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        return {
            "note": self.query_one(NoteForm).values(),
            "tasks": [t.values() for t in self.query(TaskForm)],
        }

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close":
            return True
        if self.context is None:
            return None
        if action == "drop_refused":
            return bool(self.refusals)
        if action == "save":
            return True if self.context.may_bulk and not self.saving and self.case_numbers else None
        return self.context.may_bulk

    async def action_toggle_task(self) -> None:
        if self.context is None:
            return
        existing = self.query(TaskForm)
        if existing:
            await existing.remove()
        else:
            now = self.context.now.astimezone(ZoneInfo(self.context.settings.time_zone))
            form = TaskForm(
                staff=self.context.staff, author=self.app.actor.username, today=now.date()
            )
            await self.query_one("#task-slot", Vertical).mount(form)
            form.query_one(".task-name").focus()
            form.scroll_visible()
        self._show_preview()

    async def on_task_form_remove_requested(self, event: TaskForm.RemoveRequested) -> None:
        await event.form.remove()
        self._show_preview()

    def action_drop_refused(self) -> None:
        self.case_numbers = [n for n in self.case_numbers if n not in self.refusals]
        self.refusals = {}
        self.query_one("#bulk-title", Static).update(
            Text(f"Bulk note · {plural(len(self.case_numbers), 'case')}")
        )
        self._show_preview()
        self.set_status("The refused cases are left out; ctrl+s saves for the rest.")
        self.refresh_bindings()

    # --- saving ----------------------------------------------------------------------------------

    def action_save(self) -> None:
        if self.context is None or self.saving or not self.case_numbers:
            return
        count = len(self.case_numbers)
        tasks = " and a follow-up task on each" if self.query(TaskForm) else ""
        question = f"Write this note to {count} case{'s' if count != 1 else ''}{tasks}?"
        self.app.push_screen(
            ConfirmScreen("Save bulk note", question, yes="Write all"),
            lambda yes: self._start_save() if yes else None,
        )

    def _start_save(self) -> None:
        form = self.query_one(NoteForm)
        form.clear_errors()
        task_forms = list(self.query(TaskForm))
        for task in task_forms:
            task.clear_errors()
        self._hold_form(True)
        self.set_status("Saving…")
        self._save(form.note_input(), task_forms[0].task_input() if task_forms else None)

    @work(thread=True, exclusive=True, group="bulk-save")
    def _save(self, note: NoteInput, task: TaskInput | None) -> None:
        db, actor = self.app.db, self.app.actor

        def write() -> BulkResult:
            return bulk_notes.bulk_add_notes(db, actor, self.case_numbers, note, task)

        call_database(self, write, self._saved, self._refused)

    def _hold_form(self, saving: bool) -> None:
        """While the notes are on their way (perhaps waiting for the database), the text stays put."""
        self.saving = saving
        if saving:
            self._focus_before_save = self.focused
        self.query_one("#bulk-body", VerticalScroll).disabled = saving
        if not saving and self._focus_before_save is not None:
            self._focus_before_save.focus()
        self.refresh_bindings()

    def _saved(self, result: BulkResult) -> None:
        self.saving = False
        count = len(result.note_ids)
        self.notify(
            f"Wrote {count} note{'s' if count != 1 else ''}"
            + (f" and {len(result.task_ids)} tasks" if result.task_ids else ""),
            markup=False,
        )
        self.app.caseload_changed()
        self.dismiss(True)

    def _refused(self, exc: Exception) -> None:
        self._hold_form(False)
        if isinstance(exc, BulkRefused):
            self.refusals = {r.case_number: r.reason for r in exc.refusals}
            self._show_preview()
            self.query_one("#preview", OptionList).highlighted = 0
            listed = "; ".join(f"{r.case_number}: {r.reason}" for r in exc.refusals[:3])
            more = f" and {len(exc.refusals) - 3} more" if len(exc.refusals) > 3 else ""
            self.set_status(
                f"Nothing was written: {len(exc.refusals)} case(s) refused — {listed}{more}. "
                "ctrl+r leaves them out.",
                problem=True,
            )
            return
        if isinstance(exc, ValidationError) and self._show_field_error(exc):
            self.set_status("Nothing was written: see the message under the field.", problem=True)
            return
        if isinstance(exc, DatabaseUnavailable) and exc.in_doubt:
            self.set_status(
                "Not sure it was written: the database went away while saving. Look at one of "
                "the cases' timelines before saving again.",
                problem=True,
            )
            return
        self.set_status(f"Nothing was written: {exc}", problem=True)
        self.app.show_error(exc)

    def _show_field_error(self, exc: ValidationError) -> bool:
        return show_field_errors(self, exc)

    # --- leaving ---------------------------------------------------------------------------------

    def holds_unsaved_work(self) -> bool:
        return self.context is not None and self.values() != self.original

    def action_close(self) -> None:
        if not self.holds_unsaved_work():
            self.dismiss(False)
            return
        self.app.push_screen(
            ConfirmScreen(
                "Leave the bulk note?",
                "What you typed here will be lost.",
                yes="Discard",
                no="Keep editing",
            ),
            lambda yes: self.dismiss(False) if yes else None,
        )
