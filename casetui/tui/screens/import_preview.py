"""Bringing in a spreadsheet: a file's dry run shown before anything is written.

Type the file's path (or arrive with one, from the administration screen), and the import is
checked in a worker — the same dry run as ``casetui import``: what would be created, every
possible duplicate and every refused row, by row, column and rule. ``ctrl+s`` writes it all in
one transaction, offered only when no row is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from casetui.domain.errors import CasetuiError
from casetui.domain.read_models.imports import ImportReport
from casetui.services import imports, policy
from casetui.tui.database_away import call_database
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.widgets.data_table import DataTable
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.safe_text import visible

KINDS = ("clients", "notes")
LINES_SHOWN = 500  # refusals and duplicates in the table; the command line's --json has all


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def written(report: ImportReport) -> str:
    if report.kind == "notes":
        return plural(report.notes, "note")
    return f"{plural(report.clients, 'client')} and {plural(report.cases, 'case')}"


def summary(report: ImportReport) -> str:
    """One line: what was read, and what a commit would write (or wrote)."""
    what = written(report)
    read = f"Read {report.file_name} as {report.read_as}: {plural(report.rows, 'row')}. "
    if report.committed:
        return read + f"Imported {what}."
    refused = report.refused_rows
    if refused:
        return read + f"{plural(refused, 'row')} refused; without them it would import {what}."
    return read + f"Ready to import {what}: ctrl+s imports them."


class ImportPreviewScreen(Screen[bool]):
    """Dismissed with True once something was imported."""

    HELP_TITLE = "Import a spreadsheet"
    DEFAULT_CSS = """
    ImportPreviewScreen #import-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    ImportPreviewScreen #import-file { height: 3; padding: 0 1; }
    ImportPreviewScreen #import-file Label { padding: 1 1 0 0; }
    ImportPreviewScreen #import-path { width: 1fr; }
    ImportPreviewScreen #import-status { height: auto; padding: 0 1; }
    ImportPreviewScreen #import-status.-problem { color: $text-error; text-style: bold; }
    ImportPreviewScreen #import-names { height: auto; padding: 0 1; color: $text-muted; }
    ImportPreviewScreen #import-table { height: 1fr; }
    """
    BINDINGS = [
        Binding("ctrl+s", "commit", "Import", id="import_preview.commit"),
        Binding("ctrl+r", "check", "Check again", id="import_preview.check"),
        Binding("ctrl+t", "switch_kind", "Clients or notes", id="import_preview.switch_kind"),
        Binding(
            "ctrl+d", "allow_duplicates", "Allow duplicates", id="import_preview.allow_duplicates"
        ),
        Binding("escape", "close", "Close", id="import_preview.close"),
    ]

    def __init__(self, path: str | Path | None = None, kind: str = "clients") -> None:
        super().__init__()
        self.path = str(path) if path else ""
        self.kind = kind if kind in KINDS else "clients"
        self.allow = False
        self.report: ImportReport | None = None
        self.busy = False
        self.imported = False

    def compose(self) -> ComposeResult:
        yield Static(id="import-title")
        with Horizontal(id="import-file"):
            yield Label("File")
            yield Input(self.path, placeholder="path to a .csv or .xlsx file", id="import-path")
        yield Static(Text("Type the file's path and press enter: nothing is written yet."),
                     id="import-status")  # fmt: skip
        yield Static(id="import-names")
        yield DataTable(id="import-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._show_title()
        if self.path:
            self.action_check()
        else:
            self.query_one("#import-path", Input).focus()

    def _show_title(self) -> None:
        title = f"Import {self.kind}"
        if self.kind == "clients" and self.allow:
            title += " · possible duplicates allowed"
        self.query_one("#import-title", Static).update(Text(title))

    def set_status(self, words: str, *, problem: bool = False) -> None:
        status = self.query_one("#import-status", Static)
        status.update(Text(visible(words)))
        status.set_class(problem, "-problem")

    # --- keys --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close":
            return True
        if not self._may_import():
            return False
        if action == "allow_duplicates":
            return self.kind == "clients"
        if action == "commit":
            ready = self.report is not None and not self.report.refused
            return True if ready and not self.busy and not self.imported else None
        return True

    def _may_import(self) -> bool:
        """As the services answer: importing is for administrators."""
        return policy.can(policy.ensure_administrator, self.app.actor, "importing")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_check()

    def action_check(self) -> None:
        self.path = self.query_one("#import-path", Input).value.strip()
        if not self.path:
            self.set_status("Type the path of a .csv or .xlsx file first.", problem=True)
            return
        self.report, self.imported = None, False
        self._run(commit=False)

    def action_switch_kind(self) -> None:
        self.kind = "notes" if self.kind == "clients" else "clients"
        self._show_title()
        if self.path:
            self.action_check()

    def action_allow_duplicates(self) -> None:
        self.allow = not self.allow
        self._show_title()
        if self.path:
            self.action_check()

    def action_commit(self) -> None:
        report = self.report
        if report is None or report.refused or self.busy:
            return
        question = f"Import {written(report)} from {report.file_name}, all in one go?"
        self.app.push_screen(
            ConfirmScreen("Import", Text(visible(question)), yes="Import", no="Not yet"),
            lambda yes: self._run(commit=True) if yes else None,
        )

    def action_close(self) -> None:
        self.dismiss(self.imported)

    # --- the dry run and the import, in a worker ------------------------------------------------

    def _run(self, *, commit: bool) -> None:
        self.busy = True
        self.refresh_bindings()
        self.set_status("Importing…" if commit else "Checking every row…")
        self._work(self.path, self.kind, self.allow, commit)

    @work(thread=True, exclusive=True, group="import-preview")
    def _work(self, path: str, kind: str, allow: bool, commit: bool) -> None:
        app, actor = self.app, self.app.actor

        def progress(words: str) -> None:
            app.call_from_thread(self.set_status, words[:1].upper() + words[1:] + "…")

        def run() -> ImportReport:
            file = Path(path).expanduser()
            if kind == "notes":
                return imports.import_notes(app.db, actor, file, commit=commit, progress=progress)
            return imports.import_clients(
                app.db, actor, file, allow_duplicates=allow, commit=commit, progress=progress
            )

        call_database(self, run, self._shown, self._failed)

    def _failed(self, error: Exception) -> None:
        self.busy = False
        self.refresh_bindings()
        if isinstance(error, CasetuiError):
            self.set_status(str(error), problem=True)
        else:
            self.app.show_error(error)  # type: ignore[attr-defined]
            self.set_status("The file could not be checked.", problem=True)

    def _shown(self, report: ImportReport) -> None:
        self.busy = False
        self.report = report
        if report.committed:
            self.imported = True
            self.app.caseload_changed()  # type: ignore[attr-defined]
            self.notify(Text(visible(summary(report))))
        self.set_status(summary(report), problem=bool(report.refused))
        names = "first summaries" if report.kind == "notes" else "first names"
        lines = [f"{names.capitalize()}: {'; '.join(report.names) or '—'}"]
        if report.ignored_columns:
            lines.append(f"Ignored columns: {', '.join(report.ignored_columns)}")
        self.query_one("#import-names", Static).update(Text(visible("\n".join(lines))))
        self._fill(report)
        self.refresh_bindings()

    def _fill(self, report: ImportReport) -> None:
        table = self.query_one("#import-table", DataTable)
        table.clear(columns=True)
        table.add_columns("Row", "", "Name" if report.kind == "clients" else "Case", "Detail")
        names = {line.row: line.title for line in report.preview}
        rows: list[tuple[Any, ...]] = []
        for refusal in report.refused[:LINES_SHOWN]:
            rows.append((refusal.row, Text("refused", style="bold reverse"),
                         visible(refusal.column), visible(refusal.rule)))  # fmt: skip
        for duplicate in report.duplicates[:LINES_SHOWN]:
            other = (
                f"client {duplicate.client_id} {duplicate.other_name}"
                if duplicate.client_id is not None
                else f"row {duplicate.other_row} {duplicate.other_name}"
            )
            rows.append((duplicate.row, Text("same?", style="bold"), visible(duplicate.name),
                         visible(f"may be {other}: {'; '.join(duplicate.reasons)}")))  # fmt: skip
        for line in report.preview:
            rows.append((line.row, "new", visible(names.get(line.row, line.title)),
                         visible(line.detail)))  # fmt: skip
        table.add_rows(rows)
        more = max(report.clients + report.notes - len(report.preview), 0)
        more += max(len(report.refused) - LINES_SHOWN, 0)
        more += max(len(report.duplicates) - LINES_SHOWN, 0)
        if more:
            table.add_row("", "", Text(f"and {more:,} more rows", style="dim"), "")
