"""A client's details as a form: registering a client, and editing one.

The form gathers what was typed; the services validate it and name the field they refuse,
which the form shows under that field. Warnings and groups are ticked from the
organisation's lists (space ticks), so a misspelt indicator cannot be saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Select

from casetui.domain.dates import date_order as to_order
from casetui.domain.dates import parse_date
from casetui.domain.errors import ValidationError
from casetui.domain.limits import NAME_MAX
from casetui.domain.read_models.clients import ClientView
from casetui.services.clients import ClientChanges, ClientInput
from casetui.tui.widgets.literal_fields import LiteralInput
from casetui.tui.widgets.note_form import FORM_CSS, field_row, mark_focused_row
from casetui.tui.widgets.safe_text import visible
from casetui.tui.widgets.tick_field import TickField

# The services' field names, mapped to the widgets that hold them.
CLIENT_FIELDS = {
    "name": "client-name",
    "preferred name": "preferred-name",
    "date of birth": "date-of-birth",
    "email": "email",
    "phone": "phone",
    "client type": "client-type",
    "warning indicator": "warnings",
    "group": "groups",
}
# What the duplicate check looks at: a change in one of these asks it again.
IDENTIFYING = {"client-name", "preferred-name", "date-of-birth", "email", "phone"}


class ClientForm(Vertical):
    """Name, preferred name, date of birth, email, phone, client type, warnings, groups."""

    DEFAULT_CSS = (
        FORM_CSS.format(name="ClientForm")
        + """
    ClientForm #date-of-birth-hint { display: none; }
    ClientForm #date-of-birth-hint.-shown { display: block; }
    """
    )

    class Identifying(Message):
        """Something the duplicate check looks at was changed."""

    def __init__(
        self,
        *,
        client_types: Sequence[str],
        warning_indicators: Sequence[str],
        groups: Sequence[str],
        today: date,
        date_order: str = "dmy",
        client: ClientView | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.client_types = list(client_types)
        self.warning_indicators = list(warning_indicators)
        self.groups = list(groups)
        self.today = today
        self.date_order = date_order
        self.client = client
        if client is not None:
            # A retired list item the client still carries stays shown and ticked.
            self.client_types += [t for t in [client.client_type] if t and t not in client_types]
            self.warning_indicators += [w for w in client.warnings if w not in warning_indicators]
            self.groups += [g for g in client.groups if g not in groups]

    def compose(self) -> ComposeResult:
        c = self.client
        yield from self._row("Name", LiteralInput(
            c.name if c else "", id="client-name", compact=True, max_length=NAME_MAX,
            placeholder="Full name (required)",
        ))  # fmt: skip
        yield from self._row("Preferred name", LiteralInput(
            (c.preferred_name or "") if c else "", id="preferred-name", compact=True,
            max_length=NAME_MAX,
        ))  # fmt: skip
        dob = c.date_of_birth.isoformat() if c and c.date_of_birth else ""
        yield from self._row("Date of birth", LiteralInput(
            dob, id="date-of-birth", compact=True, placeholder="1990-03-04 or 4/3/1990"
        ))  # fmt: skip
        yield Label("", classes="hint", id="date-of-birth-hint")
        yield from self._row("Email", LiteralInput(
            (c.email or "") if c else "", id="email", compact=True, max_length=254
        ))  # fmt: skip
        yield from self._row("Phone", LiteralInput(
            (c.phone or "") if c else "", id="phone", compact=True, max_length=40
        ))  # fmt: skip
        types = [(visible(t), t) for t in self.client_types]
        select: Select[str] = Select(types, prompt="No client type", id="client-type", compact=True)
        if c and c.client_type:
            select.value = c.client_type
        yield from self._row("Client type", select)
        yield from self._row("Warnings", TickField(
            "Warning indicators", self.warning_indicators, c.warnings if c else (), id="warnings"
        ))  # fmt: skip
        yield from self._row("Groups", TickField(
            "Groups", self.groups, c.groups if c else (), id="groups"
        ))  # fmt: skip

    def _row(self, label: str, widget: Widget) -> ComposeResult:
        assert widget.id is not None
        yield field_row(label, widget, row_id=f"{widget.id}-row")
        yield Label("", classes="field-error", id=f"{widget.id}-error")

    # --- reading what was typed ------------------------------------------------------------

    def _text(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value

    def _type(self) -> str | None:
        value = self.query_one("#client-type", Select).value
        return None if value is Select.NULL else str(value)

    def _ticked(self, widget_id: str) -> tuple[str, ...]:
        return self.query_one(f"#{widget_id}", TickField).ticked

    def client_input(self) -> ClientInput:
        return ClientInput(
            name=self._text("client-name"),
            preferred_name=self._text("preferred-name") or None,
            date_of_birth=self._text("date-of-birth") or None,
            email=self._text("email") or None,
            phone=self._text("phone") or None,
            client_type=self._type(),
            warnings=self._ticked("warnings"),
            groups=self._ticked("groups"),
        )

    def client_changes(self) -> ClientChanges:
        """What differs from the client the form was opened on ("" clears a field)."""
        c = self.client
        assert c is not None
        typed = self.client_input()

        def changed(new: object, old: object) -> str | None:
            new_text = "" if new is None else str(new)
            old_text = "" if old is None else str(old)
            return None if new_text == old_text else new_text

        dob_typed = self._text("date-of-birth")
        dob_old = c.date_of_birth.isoformat() if c.date_of_birth else ""
        warnings, groups = set(typed.warnings), set(typed.groups)
        return ClientChanges(
            name=changed(typed.name, c.name),
            preferred_name=changed(typed.preferred_name, c.preferred_name),
            date_of_birth=None if dob_typed == dob_old else dob_typed,
            email=changed(typed.email, c.email),
            phone=changed(typed.phone, c.phone),
            client_type=changed(typed.client_type, c.client_type),
            add_warnings=tuple(w for w in typed.warnings if w not in c.warnings),
            remove_warnings=tuple(w for w in c.warnings if w not in warnings),
            add_groups=tuple(g for g in typed.groups if g not in c.groups),
            remove_groups=tuple(g for g in c.groups if g not in groups),
        )

    def snapshot(self) -> tuple[object, ...]:
        """Everything typed or ticked: unchanged means nothing to lose on closing."""
        return (*(self._text(w) for w in IDENTIFYING), self._type(),
                self._ticked("warnings"), self._ticked("groups"))  # fmt: skip

    # --- refusals ----------------------------------------------------------------------------

    def show_error(self, field: str, message: str) -> bool:
        widget_id = CLIENT_FIELDS.get(field)
        if widget_id is None:
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

    # --- reacting to typing ------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        widget_id = event.input.id
        for label in self.query(f"#{widget_id}-error"):
            label.remove_class("-shown")
        if widget_id == "date-of-birth":
            self._show_date_hint(event.value)
        if widget_id in IDENTIFYING:
            self.post_message(self.Identifying())

    def on_tick_field_changed(self, event: TickField.Changed) -> None:
        for label in self.query(f"#{event.field.id}-error"):
            label.remove_class("-shown")

    def _show_date_hint(self, text: str) -> None:
        hint = self.query_one("#date-of-birth-hint", Label)
        hint.set_class(bool(text.strip()), "-shown")
        if not text.strip():
            hint.update("")
            return
        try:
            day = parse_date(
                text, self.today, field="date of birth", order=to_order(self.date_order)
            )
        except ValidationError as exc:
            hint.update(Text(visible(exc.message)))
            return
        hint.update(f"understood as {day.day} {day:%B %Y}")

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        mark_focused_row(event.widget, True)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        mark_focused_row(event.widget, False)
