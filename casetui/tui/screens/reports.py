"""The standard reports (``P`` on the caseload, for those with the reports grant): case notes,
communications or supportive services to a CSV or XLSX file.

Filters by date range, team, worker, pathway and case status, as ``casetui report`` takes
them; the report runs in a thread worker with a progress bar (rows and rate) and escape stops
it, leaving no file. The services decide who may and what is in it; this screen only asks.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Label, ProgressBar, Select, Static

from casetui.domain.errors import CasetuiError
from casetui.domain.reports import (
    ReportCancelled,
    ReportDone,
    ReportFilters,
    ReportFormat,
    ReportKind,
    ReportProgress,
)
from casetui.services import policy, reports
from casetui.tui.database_away import call_database
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.literal_fields import LiteralInput
from casetui.tui.widgets.note_form import FORM_CSS, TickBox, field_row, mark_focused_row
from casetui.tui.widgets.safe_text import visible

if TYPE_CHECKING:
    from casetui.tui.app import CasetuiApp

KIND_NAMES = {
    ReportKind.NOTES: "Case notes",
    ReportKind.COMMUNICATIONS: "Communications",
    ReportKind.SERVICES: "Supportive services",
}
ANY_STATUS = ""


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def progress_words(progress: ReportProgress, total: int | None) -> str:
    """ "12,000 of 97,268 rows · 85,210 rows/s"."""
    of = f" of {total:,}" if total is not None else ""
    return f"{progress.rows:,}{of} rows · {progress.rate:,.0f} rows/s"


class ReportForm(Vertical):
    DEFAULT_CSS = (
        FORM_CSS.format(name="ReportForm")
        + """
    ReportForm .field-label { width: 10; }
    ReportForm .pair { height: auto; width: 1fr; }
    ReportForm .pair > .field-label { width: 8; padding-left: 1; }
    ReportForm TickBox { width: auto; margin-right: 2; }
    """
    )


class ReportsScreen(Screen[None]):
    HELP_TITLE = "Reports"
    DEFAULT_CSS = """
    ReportsScreen #reports-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    ReportsScreen ReportForm { padding: 0 1; }
    ReportsScreen #reports-status { height: auto; padding: 1 1 0 1; }
    ReportsScreen #reports-status.-problem { color: $text-error; text-style: bold; }
    ReportsScreen #reports-progress-row { height: 1; padding: 0 1; display: none; }
    ReportsScreen #reports-progress-row.-shown { display: block; }
    ReportsScreen ProgressBar { width: auto; }
    ReportsScreen #reports-rate { width: 1fr; padding-left: 2; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "run", "Write report", id="reports.run"),
        # One key, two meanings: the footer names the one that applies now.
        Binding("escape", "stop", "Stop the report", id="reports.stop"),
        Binding("escape", "close", "Close", id="reports.close"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.running = False
        self.total: int | None = None
        self.done: ReportDone | None = None
        self._stop = threading.Event()
        self._default_out = ""

    @property
    def casetui(self) -> CasetuiApp:
        return self.app  # type: ignore[return-value]

    # --- the form ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        actor = self.casetui.signed_in
        yield Static(Text("Reports"), id="reports-title")
        with ReportForm():
            kinds = [(name, kind.value) for kind, name in KIND_NAMES.items()]
            yield field_row("Report", Select(kinds, value=ReportKind.NOTES.value,
                                             allow_blank=False, id="report-kind", compact=True))  # fmt: skip
            with Horizontal(classes="row"):
                yield Label("From", classes="field-label")
                yield LiteralInput(id="report-from", compact=True, placeholder="2026-01-01, -30d")
                with Horizontal(classes="pair"):
                    yield Label("To", classes="field-label")
                    yield LiteralInput(id="report-to", compact=True, placeholder="today")
            with Horizontal(classes="row"):
                yield Label("Team", classes="field-label")
                yield LiteralInput(id="report-team", compact=True, placeholder="any")
                with Horizontal(classes="pair"):
                    yield Label("Worker", classes="field-label")
                    yield LiteralInput(id="report-worker", compact=True, placeholder="username")
            with Horizontal(classes="row"):
                yield Label("Pathway", classes="field-label")
                yield LiteralInput(id="report-pathway", compact=True, placeholder="any")
                with Horizontal(classes="pair"):
                    yield Label("Status", classes="field-label")
                    statuses = [("Any status", ANY_STATUS), ("Open", "Open"),
                                ("Paused", "Paused"), ("Closed", "Closed")]  # fmt: skip
                    yield Select(statuses, value=ANY_STATUS, allow_blank=False,
                                 id="report-status", compact=True)  # fmt: skip
            with Horizontal(classes="row"):
                yield Label("Include", classes="field-label")
                yield TickBox("restricted details", id="report-restricted", compact=True)
                deleted = TickBox("deleted clients", id="report-deleted", compact=True)
                deleted.display = policy.can(
                    policy.ensure_administrator, actor, "a report with deleted clients"
                )
                yield deleted
            formats = [("CSV", ReportFormat.CSV.value), ("XLSX", ReportFormat.XLSX.value)]
            yield field_row("Format", Select(formats, value=ReportFormat.CSV.value,
                                             allow_blank=False, id="report-format", compact=True))  # fmt: skip
            self._default_out = self._suggested_out(ReportKind.NOTES, ReportFormat.CSV)
            yield field_row(
                "Save to", LiteralInput(self._default_out, id="report-out", compact=True)
            )
        yield Static(id="reports-status")
        with Horizontal(id="reports-progress-row"):
            yield ProgressBar(total=None, show_eta=False, id="reports-progress")
            yield Static(id="reports-rate")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Reports"
        self.set_status(
            "Choose the report and its filters; ctrl+s writes it. Only what you may see is in it."
        )
        self.query_one("#report-kind", Select).focus()

    def on_descendant_focus(self, event: Any) -> None:
        mark_focused_row(event.widget, True)

    def on_descendant_blur(self, event: Any) -> None:
        mark_focused_row(event.widget, False)

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", LiteralInput).value.strip()

    def _select(self, widget_id: str) -> str:
        value = self.query_one(f"#{widget_id}", Select).value
        return value if isinstance(value, str) else ""

    @property
    def kind(self) -> ReportKind:
        return ReportKind(self._select("report-kind") or ReportKind.NOTES.value)

    @property
    def format(self) -> ReportFormat:
        return ReportFormat(self._select("report-format") or ReportFormat.CSV.value)

    def _suggested_out(self, kind: ReportKind, format: ReportFormat) -> str:
        today = self.casetui.db.clock().date().isoformat()
        return f"~/{kind.value}-report-{today}.{format.value}"

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id not in ("report-kind", "report-format"):
            return
        out = self.query_one("#report-out", LiteralInput)
        if out.value == self._default_out:  # still the suggestion: it follows the choice
            self._default_out = self._suggested_out(self.kind, self.format)
            out.value = self._default_out
        notes = self.kind is ReportKind.NOTES
        restricted = self.query_one("#report-restricted", TickBox)
        restricted.disabled = not notes
        if not notes:
            restricted.value = False

    def filters(self) -> ReportFilters:
        return ReportFilters(
            date_from=self._value("report-from") or None,
            date_to=self._value("report-to") or None,
            team=self._value("report-team") or None,
            worker=self._value("report-worker") or None,
            pathway=self._value("report-pathway") or None,
            status=self._select("report-status") or None,
            include_restricted=self.query_one("#report-restricted", TickBox).value,
            include_deleted=self.query_one("#report-deleted", TickBox).value,
        )

    def set_status(self, words: str, *, problem: bool = False) -> None:
        status = self.query_one("#reports-status", Static)
        status.update(Text(visible(words)))
        status.set_class(problem, "-problem")

    # --- keys ------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return self.running
        if action == "close":
            return not self.running
        if not reports.may_report(self.casetui.signed_in):
            return False
        if action == "run":
            return None if self.running else True
        return True

    def action_stop(self) -> None:
        if self.running:
            self._stop.set()
            self.set_status("Stopping the report…")

    def action_close(self) -> None:
        if self.running:
            self.action_stop()
            return
        self.dismiss(None)

    def action_run(self) -> None:
        if self.running:
            return
        out = self._value("report-out")
        try:
            target, exists = reports.report_target(out)
        except CasetuiError as error:
            self.set_status(str(error), problem=True)
            return
        if exists:
            question = Text(visible(f"{target} exists already. Replace it with the report?"))
            self.app.push_screen(
                ConfirmScreen("Replace the file?", question, yes="Replace", no="Keep it"),
                lambda yes: self._start(out, overwrite=True) if yes else None,
            )
            return
        self._start(out, overwrite=False)

    # --- the report, in a thread worker ------------------------------------------------------------

    def _start(self, out: str, *, overwrite: bool) -> None:
        self.running, self.total, self.done = True, None, None
        self._stop.clear()
        self.refresh_bindings()
        self.set_status("Counting the rows…")
        bar = self.query_one("#reports-progress", ProgressBar)
        bar.update(total=None, progress=0)
        self.query_one("#reports-rate", Static).update("")
        self.query_one("#reports-progress-row").add_class("-shown")
        self._run(self.kind, self.filters(), out, self.format, overwrite)

    @work(thread=True, exclusive=True, group="reports")
    def _run(
        self,
        kind: ReportKind,
        filters: ReportFilters,
        out: str,
        format: ReportFormat,
        overwrite: bool,
    ) -> None:
        app, actor = self.casetui, self.casetui.signed_in
        last = [0.0]

        def heard(progress: ReportProgress) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.1:  # the screen need not hear of every batch
                last[0] = now
                app.call_from_thread(self.show_progress, progress)

        def run() -> ReportDone:
            total = reports.count_rows(app.db, actor, kind, filters)
            app.call_from_thread(self._counted, total)
            return reports.run_report(
                app.db, actor, kind, filters, out, format=format, overwrite=overwrite,
                progress=heard, cancelled=self._stop.is_set,
            )  # fmt: skip

        call_database(self, run, self._finished, self._failed)

    def _counted(self, total: int) -> None:
        self.total = total
        self.query_one("#reports-progress", ProgressBar).update(total=max(total, 1), progress=0)
        self.set_status(f"Writing {plural(total, 'row')}… escape stops the report.")

    def show_progress(self, progress: ReportProgress) -> None:
        if self.total is not None:
            self.query_one("#reports-progress", ProgressBar).update(
                total=max(self.total, 1), progress=min(progress.rows, self.total)
            )
        self.query_one("#reports-rate", Static).update(Text(progress_words(progress, self.total)))

    def _finished(self, done: ReportDone) -> None:
        self.running, self.done = False, done
        self.refresh_bindings()
        self.show_progress(ReportProgress(done.rows, done.seconds))
        self.query_one("#reports-progress", ProgressBar).update(
            total=max(done.rows, 1), progress=max(done.rows, 1)
        )
        words = f"Wrote {plural(done.rows, 'row')} to {done.path} · sha256 {done.sha256[:16]}…"
        if done.restricted_details:
            words += f" · {plural(done.restricted_details, 'restricted note')} recorded as read"
        self.set_status(words)
        self.notify(visible(f"Report written: {done.path}"), markup=False)

    def _failed(self, error: Exception) -> None:
        self.running = False
        self.refresh_bindings()
        self.query_one("#reports-progress-row").remove_class("-shown")
        if isinstance(error, ReportCancelled):
            self.set_status("Report stopped: no file was written.")
        elif isinstance(error, CasetuiError):
            self.set_status(str(error), problem=True)
        else:
            self.casetui.show_error(error)
            self.set_status("The report could not be written.", problem=True)
