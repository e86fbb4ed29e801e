"""An audit criterion's weight and cues (the Lists tab's ``W`` on the audit criteria). The
service checks the weight and the cues; a refusal comes back under the fields, typing kept."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static, TextArea

from casetui.domain.note_audit import CriterionView
from casetui.tui.screens.modal import modal_css
from casetui.tui.widgets.literal_fields import LiteralInput
from casetui.tui.widgets.literal_text_area import LiteralTextArea
from casetui.tui.widgets.safe_text import visible

BUILT_IN_SHOWN = 12  # built-in cues named in the hint; the rest are counted


def built_in_hint(criterion: CriterionView) -> str:
    if not criterion.built_in:
        if criterion.name.lower().startswith("enough detail"):
            return "A number on its own is the words a note needs (40 without one)."
        return "The scorer knows no cues for this criterion: it is never met without some."
    shown = ", ".join(criterion.built_in[:BUILT_IN_SHOWN])
    more = len(criterion.built_in) - BUILT_IN_SHOWN
    return f"With none, the scorer looks for: {shown}" + (f" and {more} more" if more > 0 else "")


class CriterionScreen(ModalScreen[tuple[str, str] | None]):
    """Returns (weight, cues one a line) as typed; the caller saves through the service."""

    HELP_TITLE = "Audit criterion"
    DEFAULT_CSS = (
        modal_css("CriterionScreen")
        + """
    CriterionScreen > Vertical { width: 80; }
    CriterionScreen #criterion-weight-row { height: auto; margin-top: 1; }
    CriterionScreen #criterion-weight-row Label { width: 8; padding-top: 1; }
    CriterionScreen #criterion-weight { width: 12; }
    CriterionScreen #criterion-weight-said { width: 1fr; padding: 1 0 0 2; color: $text-muted; }
    CriterionScreen #criterion-cues { height: 6; }
    CriterionScreen .field-title { margin-top: 1; }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="criterion.save"),
        Binding("escape", "cancel", "Cancel", id="criterion.cancel"),
    ]

    def __init__(
        self,
        criterion: CriterionView,
        *,
        weight: str | None = None,
        cues: str | None = None,
        error: str | None = None,
    ) -> None:
        super().__init__()
        self.criterion = criterion
        self.weight = str(criterion.weight) if weight is None else weight
        self.cues = "\n".join(criterion.cues) if cues is None else cues
        self.error = error

    def compose(self) -> ComposeResult:
        criterion = self.criterion
        with Vertical():
            yield Label(Text(f"Audit criterion: {visible(criterion.name)}"), classes="title")
            with Horizontal(id="criterion-weight-row"):
                yield Label("Weight")
                yield LiteralInput(self.weight, id="criterion-weight", max_length=3)
                yield Static(
                    Text("0 to 100: its share of a note's score"), id="criterion-weight-said"
                )
            yield Label("Cues, one a line (the organisation's own replace the built-in ones)",
                        classes="field-title")  # fmt: skip
            yield LiteralTextArea(self.cues, id="criterion-cues", soft_wrap=False)
            yield Static(Text(visible(built_in_hint(criterion))), classes="hint")
            yield Label(Text(visible(self.error or "")), classes="error", id="criterion-error")
            yield Label("ctrl+s save · escape cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#criterion-weight", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#criterion-cues", TextArea).focus()

    def action_save(self) -> None:
        weight = self.query_one("#criterion-weight", Input).value
        cues = self.query_one("#criterion-cues", TextArea).text
        self.dismiss((weight, cues))

    def action_cancel(self) -> None:
        self.dismiss(None)


__all__ = ["CriterionScreen", "built_in_hint"]
