"""Audit every unaudited note in a date range at once (the audits screen's ``a``): the range
asked with last month filled in, how many notes that is, then one transaction with a progress
bar. Dismissed with what the run did, or None when nothing was run."""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, ProgressBar, Static

from casetui.domain.errors import CasetuiError
from casetui.domain.note_audit import AuditRun
from casetui.services import note_audits
from casetui.tui.database_away import call_database
from casetui.tui.screens.modal import modal_css
from casetui.tui.widgets.literal_fields import LiteralInput
from casetui.tui.widgets.safe_text import visible


def last_month(today: date) -> tuple[date, date]:
    """The first and last day of the month before ``today``'s."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


class AuditRunScreen(ModalScreen[AuditRun | None]):
    HELP_TITLE = "Audit notes in a date range"
    DEFAULT_CSS = (
        modal_css("AuditRunScreen")
        + """
    AuditRunScreen .range { height: auto; margin-top: 1; }
    AuditRunScreen .range Label { width: 6; padding-top: 1; }
    AuditRunScreen .range LiteralInput { width: 1fr; }
    AuditRunScreen #run-count { margin-top: 1; height: auto; }
    AuditRunScreen ProgressBar { margin-top: 1; }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "run", "Audit them", id="audit_run.run"),
        Binding("escape", "cancel", "Cancel", id="audit_run.cancel"),
    ]

    def __init__(self, today: date, scope: str) -> None:
        super().__init__()
        self.first, self.last = last_month(today)
        self.scope = scope  # "your team's notes", "every team's notes"
        self.to_audit: int | None = None
        self.running = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(f"Audit {self.scope}"), classes="title")
            yield Static(
                Text(
                    "Every note not audited yet whose contact falls in these dates, scored in "
                    "one go: all of them are saved, or none."
                ),
                classes="message",
            )
            with Horizontal(classes="range"):
                yield Label("From")
                yield LiteralInput(self.first.isoformat(), id="run-from", max_length=40)
            with Horizontal(classes="range"):
                yield Label("To")
                yield LiteralInput(self.last.isoformat(), id="run-to", max_length=40)
            yield Static(Text("Counting the notes…"), id="run-count")
            bar = ProgressBar(total=None, show_eta=False, id="run-progress")
            bar.display = False
            yield bar
            yield Label("enter or ctrl+s audit them · escape cancel", classes="hint", id="run-hint")

    def on_mount(self) -> None:
        self.query_one("#run-from", Input).focus()
        self._count()

    @on(Input.Changed)
    def _range_changed(self, _event: Input.Changed) -> None:
        if not self.running:
            self.to_audit = None
            self._count()

    def _range(self) -> tuple[str, str]:
        return (
            self.query_one("#run-from", Input).value.strip(),
            self.query_one("#run-to", Input).value.strip(),
        )

    @work(thread=True, exclusive=True, group="audit-run-count")
    def _count(self) -> None:
        db, actor = self.app.db, self.app.actor  # type: ignore[attr-defined]
        first, last = self._range()
        call_database(
            self,
            lambda: note_audits.count_to_audit(
                db, actor, date_from=first or None, date_to=last or None
            ),
            lambda count: self._counted((first, last), count),
            lambda error: self._said(error),
        )

    def _counted(self, asked: tuple[str, str], count: int) -> None:
        if asked != self._range() or self.running:
            return  # the dates changed meanwhile: their own count follows
        self.to_audit = count
        words = "No unaudited notes in these dates." if count == 0 else (
            f"{count:,} note{'' if count == 1 else 's'} to audit."
        )  # fmt: skip
        self.query_one("#run-count", Static).update(Text(words, style="bold"))

    def _said(self, error: Exception) -> None:
        words = str(error) if isinstance(error, CasetuiError) else "The dates could not be read."
        self.to_audit = None
        self.query_one("#run-count", Static).update(Text(visible(words), style="bold"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_run()

    def action_run(self) -> None:
        if self.running or not self.to_audit:
            return
        self.running = True
        for field in self.query(Input):
            field.disabled = True
        bar = self.query_one(ProgressBar)
        bar.display = True
        bar.update(total=self.to_audit, progress=0)
        self.query_one("#run-count", Static).update(
            Text(f"Auditing {self.to_audit:,} notes…", style="bold")
        )
        self.query_one("#run-hint", Label).update(
            "the notes are saved together when all are scored"
        )
        self._run(*self._range())

    @work(thread=True, exclusive=True, group="audit-run")
    def _run(self, first: str, last: str) -> None:
        db, actor, app = self.app.db, self.app.actor, self.app  # type: ignore[attr-defined]
        bar = self.query_one(ProgressBar)

        def progress(done: int, total: int) -> None:
            app.call_from_thread(bar.update, total=max(total, 1), progress=done)

        call_database(
            self,
            lambda: note_audits.run_audits(
                db, actor, date_from=first or None, date_to=last or None, progress=progress
            ),
            self._finished,
            self._refused,
        )

    def _finished(self, run: AuditRun) -> None:
        self.dismiss(run)

    def _refused(self, error: Exception) -> None:
        self.running = False
        for field in self.query(Input):
            field.disabled = False
        self.query_one(ProgressBar).display = False
        self.query_one("#run-hint", Label).update("enter or ctrl+s audit them · escape cancel")
        self.app.show_error(error)  # type: ignore[attr-defined]
        self._count()

    def action_cancel(self) -> None:
        if self.running:
            self.notify("The notes are being audited: all of them are saved, or none.")
            return
        self.dismiss(None)


__all__ = ["AuditRunScreen", "last_month"]
