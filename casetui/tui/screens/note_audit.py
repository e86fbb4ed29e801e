"""One note's audit (the timeline's ``Q``, enter on the audits screen): its score and, per
criterion, met or not with the words that decided it. A supervisor of the note's team or an
administrator audits it (again) with ``a`` and overrides a criterion with ``o``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from casetui.domain.errors import StaleEdit
from casetui.domain.limits import SUMMARY_MAX
from casetui.domain.note_audit import CriterionResult, NoteAuditSheet
from casetui.services import note_audits
from casetui.tui.database_away import call_database
from casetui.tui.screens.reason import ReasonScreen
from casetui.tui.widgets.data_table import DataTable
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.latest_note import stale_notice
from casetui.tui.widgets.note_score_text import MET, NOT_MET, not_met
from casetui.tui.widgets.safe_text import fit, visible

MARK_WIDTH = max(len(MET), len(NOT_MET))
NAME_WIDTH = 36
DIALOG_WIDTH = 110


class NoteAuditScreen(ModalScreen[bool]):
    """Dismissed with True when the note was audited or a criterion overridden here."""

    HELP_TITLE = "Note audit"
    DEFAULT_CSS = """
    NoteAuditScreen { align: center middle; }
    NoteAuditScreen > Vertical {
        width: 110; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    NoteAuditScreen #note-audit-title { text-style: bold; }
    NoteAuditScreen #note-audit-score { height: auto; }
    NoteAuditScreen #note-audit-criteria { height: auto; max-height: 9; margin-top: 1; }
    NoteAuditScreen #note-audit-criteria:nocolor > .datatable--cursor { text-style: bold reverse; }
    NoteAuditScreen #note-audit-why { height: auto; max-height: 4; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "audit", "Audit now", id="note_audit.audit"),
        Binding("o", "override", "Override", id="note_audit.override"),
        Binding("escape", "close", "Close", id="note_audit.close"),
    ]

    def __init__(self, note_id: int, heading: str = "") -> None:
        super().__init__()
        self.note_id = note_id
        self.heading = heading
        self.sheet: NoteAuditSheet | None = None
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(visible(self.heading or f"Note {self.note_id}")),
                        id="note-audit-title")  # fmt: skip
            yield Static(Text("Reading the audit…"), id="note-audit-score")
            table: DataTable[Text] = DataTable(
                id="note-audit-criteria", cursor_type="row", zebra_stripes=True
            )
            table.display = False
            yield table
            yield Static("", id="note-audit-why")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.reload()

    # --- reading ----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="note-audit-load")
    def reload(self) -> None:
        db, actor, note_id = self.app.db, self.app.actor, self.note_id  # type: ignore[attr-defined]
        call_database(
            self, lambda: note_audits.audit_sheet(db, actor, note_id), self._show, self._unreadable
        )

    def _unreadable(self, error: Exception) -> None:
        self.app.show_error(error)  # type: ignore[attr-defined]
        self.dismiss(self.changed)

    def _show(self, sheet: NoteAuditSheet) -> None:
        self.sheet = sheet
        audit = sheet.audit
        score = Text()
        if audit is None:
            score.append("Not audited yet.", style="bold")
            if sheet.may_audit:
                score.append(" a scores it against the organisation's criteria.")
        else:
            title = (
                f"{audit.case_number} · {audit.contact_at.day} {audit.contact_at:%b %Y %H:%M}"
                f" · {audit.author_name} ({audit.author})"
            )
            self.query_one("#note-audit-title", Label).update(Text(visible(title)))
            score.append(visible(audit.summary) + "\n", style="bold")
            score.append(f"Score {audit.score}/100", style="bold reverse")
            score.append(
                f"  audited by {visible(audit.audited_by)} on {audit.audited_at.day} "
                f"{audit.audited_at:%b %Y}"
            )
            missed = len(not_met(audit.criteria))
            score.append(f" · {missed} of {len(audit.criteria)} not met" if missed else "")
        self.query_one("#note-audit-score", Static).update(score)
        self._fill()
        self.refresh_bindings()

    def _fill(self) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        audit = self.sheet.audit if self.sheet else None
        table.display = audit is not None
        if audit is None:
            return
        row = table.cursor_row
        # The dialog's border and padding take 4, the cells' padding 6, a scrollbar 1.
        inside = min(max(self.size.width, 60), DIALOG_WIDTH) - 4 - 6 - 1
        name_width = NAME_WIDTH if inside >= 80 else NAME_WIDTH - 6
        evidence = inside - MARK_WIDTH - name_width
        table.clear(columns=True)
        table.add_column("", width=MARK_WIDTH, key="mark")
        table.add_column("Criterion (weight)", width=name_width, key="criterion")
        table.add_column("Why", width=evidence, key="why")
        for number, result in enumerate(audit.criteria):
            mark = Text(MET if result.met else NOT_MET)
            mark.stylize("green" if result.met else "bold red")
            name = f"{result.name} ({result.weight})" + (" *" if result.overridden_by else "")
            table.add_row(
                mark,
                Text(fit(visible(name), name_width), no_wrap=True),
                Text(fit(visible(result.evidence), evidence), no_wrap=True),
                key=str(number),
            )
        table.move_cursor(row=min(max(row, 0), len(audit.criteria) - 1))
        self._show_why()

    def on_resize(self) -> None:
        if self.sheet is not None:
            self._fill()

    @property
    def highlighted(self) -> CriterionResult | None:
        audit = self.sheet.audit if self.sheet else None
        if audit is None:
            return None
        row = self.query_one(DataTable).cursor_row
        return audit.criteria[row] if 0 <= row < len(audit.criteria) else None

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_why()
        self.refresh_bindings()

    def _show_why(self) -> None:
        result = self.highlighted
        why = Text()
        if result is not None:
            why.append(visible(result.evidence))
            if result.overridden_by:
                why.append(
                    f"\n* Set to {'met' if result.met else 'not met'} by "
                    f"{visible(result.overridden_by)}: {visible(result.comment or '')}"
                )
        self.query_one("#note-audit-why", Static).update(why)

    # --- keys -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close":
            return True
        if self.sheet is None:
            return None
        if action == "audit":
            return self.sheet.may_audit
        if action == "override":
            if not self.sheet.may_audit:
                return False
            return None if self.highlighted is None else True
        return True

    def action_audit(self) -> None:
        if self.sheet is None or not self.sheet.may_audit:
            return
        self.query_one("#note-audit-score", Static).update(Text("Scoring the note…"))
        self._write(lambda db, actor: note_audits.audit_note(db, actor, self.note_id))

    def action_override(self) -> None:
        result, sheet = self.highlighted, self.sheet
        if result is None or sheet is None or sheet.audit is None:
            return
        version, becomes = sheet.audit.version, not result.met
        question = Text(f"Mark “{visible(result.name)}” as {'met' if becomes else 'not met'}? ")
        question.append(
            "Your judgement replaces the scorer's on this criterion, with your name and comment, "
            "and stays when the note is audited again."
        )

        def commented(comment: str | None) -> None:
            if comment:
                self._write(
                    lambda db, actor: note_audits.override_criterion(
                        db,
                        actor,
                        self.note_id,
                        result.name,
                        becomes,
                        comment,
                        expected_version=version,
                    )  # fmt: skip
                )

        self.app.push_screen(CommentScreen("Override a criterion", question), commented)

    @work(thread=True, exclusive=True, group="note-audit-write")
    def _write(self, write: Callable[[Any, Any], object]) -> None:
        db, actor = self.app.db, self.app.actor  # type: ignore[attr-defined]
        call_database(self, lambda: write(db, actor), lambda _view: self._written(), self._refused)

    def _written(self) -> None:
        self.changed = True
        self.reload()

    def _refused(self, error: Exception) -> None:
        if isinstance(error, StaleEdit):
            words = stale_notice(error, "The audit is shown as it is now.")
            self.notify(words, title="Someone else saved first", severity="warning", markup=False)
        else:
            self.app.show_error(error)  # type: ignore[attr-defined]
        self.reload()

    def action_close(self) -> None:
        self.dismiss(self.changed)


class CommentScreen(ReasonScreen):
    """Why a criterion is overridden: one line, required."""

    DEFAULT_CSS = ReasonScreen.DEFAULT_CSS.replace("ReasonScreen", "CommentScreen")

    def __init__(self, title: str, message: str | Text) -> None:
        super().__init__(title, message, placeholder="Comment (required)")

    def on_mount(self) -> None:
        box = self.query_one("#reason", Input)
        box.max_length = SUMMARY_MAX
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.prevent_default()
        if not event.value.strip():
            self.query_one("#reason-error", Label).update("comment: is required")
            return
        self.dismiss(event.value.strip())


__all__ = ["CommentScreen", "NoteAuditScreen"]
