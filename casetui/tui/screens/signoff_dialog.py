"""A note's sign-off: send it to a supervisor, or (a supervisor) approve it or return it with a
comment. Only what the service says the person may do is offered."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from casetui.domain.limits import REASON_MAX
from casetui.domain.signoff import SignoffChoices
from casetui.tui.screens.modal import as_text, modal_css
from casetui.tui.widgets.case_text import signoff_words
from casetui.tui.widgets.literal_fields import LiteralInput
from casetui.tui.widgets.timeline_list import visible

REQUEST, APPROVE, RETURN = "request", "approve", "return"


@dataclass(frozen=True)
class SignoffDecision:
    action: str  # REQUEST, APPROVE or RETURN
    comment: str


class SignoffScreen(ModalScreen[SignoffDecision | None]):
    """Pick send, approve or return (whichever are offered); a return needs a comment."""

    DEFAULT_CSS = (
        modal_css("SignoffScreen")
        + """
    SignoffScreen OptionList, SignoffScreen OptionList:focus {
        height: auto; max-height: 4; border: none; padding: 0; margin-top: 1;
    }
    SignoffScreen Label.field { margin-top: 1; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="signoff.cancel")]

    def __init__(
        self,
        summary: str,
        choices: SignoffChoices,
        zone: ZoneInfo,
        *,
        comment: str = "",
        error: str | None = None,
        chosen: str | None = None,
    ) -> None:
        super().__init__()
        self.summary, self.choices, self.zone = summary, choices, zone
        self.comment, self.error, self.chosen = comment, error, chosen
        self.offered: list[tuple[str, str]] = []
        if choices.request:
            again = choices.signoff is not None and choices.signoff.returned
            self.offered.append((REQUEST, "Send it again" if again else "Send for sign-off"))
        if choices.decide:
            self.offered.append((APPROVE, "Approve: sign it off, which locks it"))
            self.offered.append((RETURN, "Return it to its author with a comment"))

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Sign-off", classes="title")
            note = Text("Note: ")
            note.append(visible(self.summary), style="bold")
            yield Static(note)
            yield Static(as_text(signoff_words(self.choices.signoff, self.zone)))
            yield OptionList(*[Option(label, id=action) for action, label in self.offered])
            if self.choices.decide:
                yield Label("Comment (required to return it)", classes="field")
                yield LiteralInput(
                    self.comment, placeholder="What the note needs", max_length=REASON_MAX,
                    id="signoff-comment",
                )  # fmt: skip
            yield Label(as_text(self.error or ""), classes="error", id="signoff-error")
            hint = "enter choose · tab comment · escape cancel"
            yield Label(
                hint if self.choices.decide else "enter send · escape cancel", classes="hint"
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        actions = [action for action, _ in self.offered]
        options.highlighted = actions.index(self.chosen) if self.chosen in actions else 0
        if self.chosen == RETURN:
            self.query_one("#signoff-comment", Input).focus()
        else:
            options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(self.offered[event.option_index][0])

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the comment: the highlighted choice, with the comment."""
        event.stop()
        index = self.query_one(OptionList).highlighted
        if index is not None and 0 <= index < len(self.offered):
            self._choose(self.offered[index][0])

    def _choose(self, action: str) -> None:
        fields = self.query("#signoff-comment").results(Input)
        comment = next((field.value.strip() for field in fields), "")
        if action == RETURN and not comment:
            self.query_one("#signoff-error", Label).update("comment: is required to return a note")
            self.query_one("#signoff-comment", Input).focus()
            return
        self.dismiss(SignoffDecision(action, comment))

    def action_cancel(self) -> None:
        self.dismiss(None)
