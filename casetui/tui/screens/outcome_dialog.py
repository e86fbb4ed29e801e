"""Assessing a case at an outcome stage (the timeline's ``O``): the stage, level, confidence
and evidence, with the stage's current assessment and its history beside them.

A new assessment never replaces the earlier one; both stay, the newest is the current one.
Whoever sees the case may read here; only those who may write it save (the service says).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Select, Static, TextArea

from casetui.domain.errors import CasetuiError, ValidationError, ValidationErrors
from casetui.domain.outcomes import CONFIDENCES, LEVELS, AssessmentView, CaseOutcomes
from casetui.services import outcomes
from casetui.tui.database_away import call_database
from casetui.tui.widgets.literal_text_area import LiteralTextArea
from casetui.tui.widgets.note_form import FORM_CSS, field_row, mark_focused_row
from casetui.tui.widgets.timeline_list import visible

HISTORY_SHOWN = 4  # earlier assessments listed under the current one


def assessment_line(found: AssessmentView, zone: ZoneInfo) -> Text:
    when = found.assessed_at.astimezone(zone).strftime("%d %b %Y")
    line = Text(
        f"{found.level.upper()[0]} {found.level}, {found.confidence} confidence", style="bold"
    )
    line.append(f" · {when} · {visible(found.assessed_by)}")
    if found.evidence:
        line.append(f"\n  {visible(found.evidence)}", style="italic")
    return line


class OutcomeDialog(ModalScreen[bool]):
    """Dismissed with True once an assessment is saved, False when closed without one."""

    HELP_TITLE = "Outcome assessment"

    DEFAULT_CSS = (
        FORM_CSS.format(name="OutcomeDialog")
        + """
    OutcomeDialog { align: center middle; }
    OutcomeDialog > Vertical {
        width: 84; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    OutcomeDialog #outcome-title { text-style: bold; width: 1fr; }
    OutcomeDialog #outcome-status { height: auto; color: $text-muted; }
    OutcomeDialog #outcome-status.-problem { color: $text-error; text-style: bold; }
    OutcomeDialog #outcome-body { height: auto; max-height: 20; }
    OutcomeDialog #outcome-history { height: auto; padding-left: 15; margin-bottom: 1; }
    OutcomeDialog TextArea { height: 3; }
    OutcomeDialog .hint-line { color: $text-muted; }
    """
    )
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="outcome.save"),
        Binding("escape", "close", "Close", id="outcome.close"),
    ]

    def __init__(self, case_id: int, zone: ZoneInfo, *, stage: str | None = None) -> None:
        super().__init__()
        self.case_id = case_id
        self.zone = zone
        self.first_stage = stage
        self.data: CaseOutcomes | None = None
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Loading…"), id="outcome-title")
            yield Static("", id="outcome-status")
            with VerticalScroll(id="outcome-body"):
                levels = [(Text(level), level) for level in LEVELS]
                confidences = [(Text(c), c) for c in CONFIDENCES]
                yield field_row("Stage", Select([], prompt="Stage", id="stage", compact=True))
                yield Static("", id="outcome-history")
                yield field_row("Level", Select(levels, prompt="Level", id="level", compact=True))
                yield Label("", classes="field-error", id="level-error")
                yield field_row(
                    "Confidence",
                    Select(confidences, prompt="Confidence", id="confidence", compact=True),
                )
                yield Label("", classes="field-error", id="confidence-error")
                yield field_row(
                    "Evidence",
                    LiteralTextArea(
                        "",
                        id="evidence",
                        compact=True,
                        soft_wrap=True,
                        tab_behavior="focus",
                        placeholder="What the assessment rests on",
                    ),  # fmt: skip
                )
                yield Label("", classes="field-error", id="evidence-error")
            yield Label("ctrl+s save · escape close", classes="hint-line")

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="outcome-load")
    def load(self) -> None:
        db, actor, case_id = self.app.db, self.app.actor, self.case_id
        call_database(
            self, lambda: outcomes.case_outcomes(db, actor, case_id), self._ready, self._failed
        )

    def _failed(self, exc: Exception) -> None:
        self.app.show_error(exc)
        self.dismiss(False)

    def _ready(self, data: CaseOutcomes) -> None:
        self.data = data
        title = Text("Outcome assessment")
        title.append(f" · {visible(data.case_number)} · {visible(data.client_name)}")
        self.query_one("#outcome-title", Label).update(title)
        stages = self.query_one("#stage", Select)
        stages.set_options([(Text(visible(s)), s) for s in data.stages])
        # The first stage not yet assessed, else the first: where the work usually is.
        waiting = [s for s in data.stages if s not in data.current]
        if self.first_stage in data.stages:
            stages.value = self.first_stage
        else:
            stages.value = waiting[0] if waiting else data.stages[0] if data.stages else Select.NULL
        if not data.may_assess:
            self.set_status("You may read these assessments; only the case's writers add one.")
            for field in ("#level", "#confidence", "#evidence"):
                self.query_one(field).disabled = True
        self._show_history()
        self.refresh_bindings()
        stages.focus()

    def set_status(self, words: str, *, problem: bool = False) -> None:
        status = self.query_one("#outcome-status", Static)
        status.update(Text(visible(words)))
        status.set_class(problem, "-problem")

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "stage":
            self._show_history()

    def _show_history(self) -> None:
        history = self.query_one("#outcome-history", Static)
        stage = self.query_one("#stage", Select).value
        if self.data is None or not isinstance(stage, str):
            history.update("")
            return
        found = self.data.history.get(stage, [])
        if not found:
            history.update(Text("Not assessed at this stage yet.", style="dim"))
            return
        lines = Text("Now: ")
        lines.append_text(assessment_line(found[0], self.zone))
        for earlier in found[1 : 1 + HISTORY_SHOWN]:
            lines.append("\nBefore: ", style="dim")
            lines.append_text(assessment_line(earlier, self.zone))
        if len(found) > 1 + HISTORY_SHOWN:
            lines.append(f"\n… and {len(found) - 1 - HISTORY_SHOWN} earlier", style="dim")
        history.update(lines)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        mark_focused_row(event.widget, True)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        mark_focused_row(event.widget, False)

    # --- saving -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            if self.data is not None and not self.data.may_assess:
                return False
            return True if self.data is not None and not self.saving else None
        return True

    def _typed(self, field: str) -> str:
        value = self.query_one(f"#{field}", Select).value
        return value if isinstance(value, str) else ""

    def action_save(self) -> None:
        if self.data is None or self.saving or not self.data.may_assess:
            return
        for label in self.query(".field-error").results(Label):
            label.update("")
            label.remove_class("-shown")
        self.saving = True
        self.set_status("Saving…")
        self._save(
            self._typed("stage"),
            self._typed("level"),
            self._typed("confidence"),
            self.query_one("#evidence", TextArea).text,
        )

    @work(thread=True, exclusive=True, group="outcome-save")
    def _save(self, stage: str, level: str, confidence: str, evidence: str) -> None:
        assert self.data is not None
        db, actor, number = self.app.db, self.app.actor, self.data.case_number

        def write() -> AssessmentView:
            return outcomes.assess(db, actor, number, stage, level, confidence, evidence)

        call_database(self, write, self._saved, self._refused)

    def _saved(self, found: AssessmentView) -> None:
        self.saving = False
        self.notify(f"{found.stage}: {found.level}, {found.confidence} confidence", markup=False)
        self.dismiss(True)

    def _refused(self, exc: CasetuiError) -> None:
        self.saving = False
        if isinstance(exc, ValidationError):
            errors = exc.errors if isinstance(exc, ValidationErrors) else [exc]
            for each in errors:
                found = self.query(f"#{each.field}-error")
                if found:
                    label = found.first(Label)
                    label.update(Text(visible(each.message)))
                    label.add_class("-shown")
            self.set_status("Not saved: see the message under the field.", problem=True)
            return
        self.set_status(f"Not saved: {exc}", problem=True)

    def action_close(self) -> None:
        self.dismiss(False)
