"""The fields of a new case: status, concern, worker, pathway, tags, and (for those with the
grant) its number. Used when registering a client and when opening a case from a record."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, Select

from casetui.domain.enums import CaseStatus, Concern
from casetui.domain.errors import ValidationError
from casetui.domain.limits import CASE_NUMBER_MAX
from casetui.domain.read_models.people import StaffView
from casetui.services.cases import CaseInput
from casetui.tui.widgets.literal_fields import LiteralInput
from casetui.tui.widgets.note_form import FORM_CSS, field_row, mark_focused_row
from casetui.tui.widgets.safe_text import visible

CASE_FIELDS = {
    "status": "case-status",
    "concern": "case-concern",
    "case worker": "case-worker",
    "pathway": "case-pathway",
    "tag": "case-tags",
    "tags": "case-tags",
    "case number": "case-number",
}


class CaseFields(Vertical):
    DEFAULT_CSS = FORM_CSS.format(name="CaseFields")

    def __init__(
        self,
        *,
        workers: Sequence[StaffView],
        me: str,
        pathways: Sequence[str],
        may_choose_number: bool,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.worker_choices = list(workers)
        self.me = me
        self.pathways = list(pathways)
        self.may_choose_number = may_choose_number

    def compose(self) -> ComposeResult:
        statuses = [(s.value, s.value) for s in CaseStatus]
        yield from self._row("Status", Select(statuses, value=CaseStatus.OPEN.value,
                                              allow_blank=False, id="case-status", compact=True))  # fmt: skip
        concerns = [(c.value, c.value) for c in Concern]
        yield from self._row("Concern", Select(concerns, value=Concern.LOW.value,
                                               allow_blank=False, id="case-concern", compact=True))  # fmt: skip
        workers = [
            (visible(f"{w.display_name} ({w.username})"), w.username) for w in self.worker_choices
        ]
        mine = self.me if any(w.username == self.me for w in self.worker_choices) else None
        worker: Select[str] = Select(workers, prompt="Choose the case worker", id="case-worker",
                                     compact=True)  # fmt: skip
        if mine:
            worker.value = mine
        yield from self._row("Case worker", worker)
        pathways = [(visible(p), p) for p in self.pathways]
        yield from self._row("Pathway", Select(pathways, prompt="No pathway", id="case-pathway",
                                               compact=True))  # fmt: skip
        yield from self._row("Tags", LiteralInput(id="case-tags", compact=True,
                                                  placeholder="comma-separated, e.g. housing, urgent"))  # fmt: skip
        if self.may_choose_number:
            yield from self._row("Case number", LiteralInput(
                id="case-number", compact=True, max_length=CASE_NUMBER_MAX,
                placeholder="empty: the next number",
            ))  # fmt: skip

    def _row(self, label: str, widget: Widget) -> ComposeResult:
        assert widget.id is not None
        yield field_row(label, widget, row_id=f"{widget.id}-row")
        yield Label("", classes="field-error", id=f"{widget.id}-error")

    def _select(self, widget_id: str) -> str | None:
        value = self.query_one(f"#{widget_id}", Select).value
        return None if value is Select.NULL else str(value)

    def case_input(self, client_id: int = 0) -> CaseInput:
        tags = tuple(t.strip() for t in self.query_one("#case-tags", Input).value.split(","))
        number = self.query("#case-number")
        typed_number = number.first(Input).value.strip() if number else ""
        return CaseInput(
            client_id=client_id,
            status=self._select("case-status") or CaseStatus.OPEN.value,
            concern=self._select("case-concern") or Concern.LOW.value,
            worker=self._select("case-worker"),
            pathway=self._select("case-pathway"),
            tags=tuple(t for t in tags if t),
            case_number=typed_number or None,
        )

    def snapshot(self) -> tuple[object, ...]:
        return (self.case_input(),)

    def show_error(self, field: str, message: str) -> bool:
        widget_id = CASE_FIELDS.get(field)
        if widget_id is None or not self.query(f"#{widget_id}"):
            return False
        label = self.query_one(f"#{widget_id}-error", Label)
        label.update(Text(f"{field}: {visible(message)}"))
        label.add_class("-shown")
        self.query_one(f"#{widget_id}").focus()
        return True

    def show_errors(self, exc: ValidationError) -> bool:
        errors = getattr(exc, "errors", [exc])
        return any([self.show_error(e.field, e.message) for e in reversed(errors)])

    def clear_errors(self) -> None:
        for label in self.query(".field-error"):
            label.remove_class("-shown")

    def on_input_changed(self, event: Input.Changed) -> None:
        for label in self.query(f"#{event.input.id}-error"):
            label.remove_class("-shown")

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        mark_focused_row(event.widget, True)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        mark_focused_row(event.widget, False)
