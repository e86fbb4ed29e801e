"""One communication (or reminder) for every selected case, all or nothing.

A reminder cannot go to a client with no email address or whose record is not Active: the
preview names those cases before saving, saving is refused while they are in (nothing is
written), and ctrl+r leaves them out, so skipping them is the user's own choice.
"""

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

from casetui.domain.dates import date_order
from casetui.domain.errors import BulkRefused, DatabaseUnavailable, ValidationError
from casetui.domain.read_models.communications import BulkCommunicationResult
from casetui.services import communications
from casetui.services.communications import (
    BulkCommunicationContext,
    CommunicationInput,
    bulk_communication_context,
)
from casetui.tui.database_away import call_database
from casetui.tui.screens.bulk_note import plural
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.widgets.communication_form import CommunicationForm
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.timeline_list import visible


class BulkCommunicationScreen(Screen[bool]):
    """Dismissed with True once the communications are written."""

    HELP_TITLE = "Bulk communication"

    DEFAULT_CSS = """
    BulkCommunicationScreen #bulk-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    BulkCommunicationScreen #bulk-status { height: auto; padding: 0 1; color: $text-muted; }
    BulkCommunicationScreen #bulk-status.-problem { color: $text-error; text-style: bold; }
    BulkCommunicationScreen #bulk-body { height: 1fr; padding: 0 1; }
    BulkCommunicationScreen #preview-title { height: 1; padding: 0 1; background: $boost; }
    BulkCommunicationScreen #preview { height: 6; border: none; padding: 0 1; }
    BulkCommunicationScreen.-tall #preview { height: 12; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save all", id="bulk_communication.save"),
        Binding("ctrl+r", "drop_refused", "Drop refused", id="bulk_communication.drop_refused"),
        Binding("escape", "close", "Close", id="bulk_communication.close"),
    ]

    def __init__(self, case_numbers: list[str]) -> None:
        super().__init__()
        self.case_numbers = list(dict.fromkeys(n for n in case_numbers if n))
        self.context: BulkCommunicationContext | None = None
        self.refusals: dict[str, str] = {}  # from the last save refused
        self.saving = False
        self.original: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text(self._title()), id="bulk-title")
        yield Static(Text("Loading…"), id="bulk-status")
        with VerticalScroll(id="bulk-body"):
            yield Vertical(id="form-slot")
        yield Static("", id="preview-title")
        yield OptionList(id="preview")
        yield Footer(compact=True)

    def _title(self) -> str:
        return f"Bulk communication · {plural(len(self.case_numbers), 'case')}"

    def on_mount(self) -> None:
        self.load()

    def on_resize(self) -> None:
        self.set_class(self.size.height >= 36, "-tall")

    # --- loading ---------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="bulk-load")
    def load(self) -> None:
        db, actor = self.app.db, self.app.actor

        def read() -> BulkCommunicationContext:
            return bulk_communication_context(db, actor, self.case_numbers)

        call_database(self, read, self._ready)

    async def _ready(self, context: BulkCommunicationContext) -> None:
        self.context = context
        now = context.now.astimezone(ZoneInfo(context.settings.time_zone))
        form = CommunicationForm(
            today=now.date(), now=now, order=date_order(context.settings.date_order)
        )
        await self.query_one("#form-slot", Vertical).mount(form)
        self.original = form.values()
        self._show_preview()
        self._show_advice()
        self.refresh_bindings()
        form.query_one("#comm-type").focus()

    def set_status(self, words: str, *, problem: bool = False) -> None:
        status = self.query_one("#bulk-status", Static)
        status.update(Text(visible(words)))
        status.set_class(problem, "-problem")

    @property
    def form(self) -> CommunicationForm:
        return self.query_one(CommunicationForm)

    def _unreachable(self) -> dict[str, str]:
        """The selected cases a reminder cannot go to, while a reminder is what is written."""
        if self.context is None or not self.query(CommunicationForm) or not self.form.is_reminder:
            return {}
        problems = self.context.reminder_problems
        return {n: problems[n] for n in self.case_numbers if n in problems}

    def _show_advice(self) -> None:
        if self.context is None:
            return
        if not self.context.may_bulk:
            self.set_status(
                "You cannot write to many cases at once: it needs the bulk_actions grant.",
                problem=True,
            )
            return
        unreachable = self._unreachable()
        if unreachable:
            self.set_status(
                f"A reminder cannot go to {plural(len(unreachable), 'case')} below (no email "
                "address, or the record is not Active): saving writes nothing while they are "
                "in. ctrl+r leaves them out.",
                problem=True,
            )
            return
        self.set_status(
            "One communication for every case below, saved all together or not at all. "
            "A reminder is emailed to each client on its send date."
        )

    def _show_preview(self) -> None:
        assert self.context is not None
        preview = self.query_one("#preview", OptionList)
        preview.clear_options()
        held = {**self._unreachable(), **self.refusals}
        first = [n for n in self.case_numbers if n in held]
        rest = [n for n in self.case_numbers if n not in held]
        preview.add_options([Option(self._preview_line(n, held.get(n))) for n in first + rest])
        count = len(self.case_numbers)
        kind = (
            "reminder"
            if self.query(CommunicationForm) and self.form.is_reminder
            else "communication"
        )
        title = f"Preview: {plural(count, kind)}"
        if first:
            title += f" · {len(first)} refused"
        self.query_one("#preview-title", Static).update(Text(title))

    def _preview_line(self, number: str, refusal: str | None) -> Text:
        assert self.context is not None
        name = self.context.clients.get(number)
        line = Text()
        if refusal:
            line.append("REFUSED ", style="bold reverse")
        else:
            line.append("reminder" if self.form.is_reminder else "contact ")
            line.append(" ")
        line.append(f"{visible(number):<16} ", style="bold")
        if refusal:
            if name and not refusal.startswith(name):  # a reminder's refusal names the client
                line.append(f"{visible(name)} — ")
            line.append(visible(refusal), style="bold")
        else:
            line.append(visible(name) if name else "(no such case that you can see)")
        return line

    def on_communication_form_changed(self, _event: CommunicationForm.Changed) -> None:
        if self.context is not None:
            self._show_preview()
            self._show_advice()
            self.refresh_bindings()

    # --- keys ------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close":
            return True
        if self.context is None:
            return None
        if action == "drop_refused":
            return bool(self.refusals or self._unreachable())
        if action == "save":
            return True if self.context.may_bulk and not self.saving and self.case_numbers else None
        return self.context.may_bulk

    def action_drop_refused(self) -> None:
        held = {**self._unreachable(), **self.refusals}
        self.case_numbers = [n for n in self.case_numbers if n not in held]
        self.refusals = {}
        self.query_one("#bulk-title", Static).update(Text(self._title()))
        self._show_preview()
        self.set_status(f"{plural(len(held), 'refused case')} left out; ctrl+s saves for the rest.")
        self.refresh_bindings()

    # --- saving ----------------------------------------------------------------------------------

    def action_save(self) -> None:
        if self.context is None or self.saving or not self.case_numbers:
            return
        count = len(self.case_numbers)
        what = "reminder" if self.form.is_reminder else "communication"
        question = f"Write this {what} to {plural(count, 'case')}?"
        if self.form.is_reminder:
            question += " Each client is emailed on the send date."
        self.app.push_screen(
            ConfirmScreen(f"Save bulk {what}", question, yes="Write all"),
            lambda yes: self._start_save() if yes else None,
        )

    def _start_save(self) -> None:
        self.form.clear_errors()
        self._hold(True)
        self.set_status("Saving…")
        self._save(self.form.communication_input())

    def _hold(self, saving: bool) -> None:
        self.saving = saving
        self.query_one("#bulk-body", VerticalScroll).disabled = saving
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="bulk-save")
    def _save(self, item: CommunicationInput) -> None:
        db, actor = self.app.db, self.app.actor
        numbers = list(self.case_numbers)

        def write() -> BulkCommunicationResult:
            return communications.bulk_add_communications(db, actor, numbers, item)

        call_database(self, write, self._saved, self._refused)

    def _saved(self, result: BulkCommunicationResult) -> None:
        self.saving = False
        count = len(result.communication_ids)
        what = "reminder" if self.form.is_reminder else "communication"
        self.notify(f"Wrote {plural(count, what)}", markup=False)
        self.app.caseload_changed()
        self.dismiss(True)

    def _refused(self, exc: Exception) -> None:
        self._hold(False)
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
            self.refresh_bindings()
            return
        if isinstance(exc, ValidationError):
            errors = list(getattr(exc, "errors", [exc]))
            if any([self.form.show_error(e.field, e.message) for e in reversed(errors)]):
                self.set_status(
                    "Nothing was written: see the message under the field.", problem=True
                )
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

    # --- leaving ---------------------------------------------------------------------------------

    def holds_unsaved_work(self) -> bool:
        return (
            self.context is not None
            and bool(self.query(CommunicationForm))
            and self.form.values() != self.original
        )

    def action_close(self) -> None:
        if not self.holds_unsaved_work():
            self.dismiss(False)
            return
        self.app.push_screen(
            ConfirmScreen(
                "Leave the bulk communication?",
                "What you typed here will be lost.",
                yes="Discard",
                no="Keep editing",
            ),
            lambda yes: self.dismiss(False) if yes else None,
        )
