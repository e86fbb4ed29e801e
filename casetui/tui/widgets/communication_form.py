"""The fields of one communication or reminder, with a message under each field.

Used by the communication editor and the bulk communication. The form only gathers what was
typed; the services validate it and name the field they refuse, which the form shows in place.
A reminder shows its send date, its repeat and who it goes to instead of a direction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Select, TextArea

from casetui.domain.dates import DateOrder, parse_date
from casetui.domain.enums import CommunicationType, Direction, Repeats
from casetui.domain.errors import ValidationError
from casetui.domain.read_models.communications import CommunicationView
from casetui.services.communications import CommunicationChanges, CommunicationInput
from casetui.services.note_rules import default_contact_time
from casetui.tui.widgets.literal_fields import LiteralInput
from casetui.tui.widgets.literal_text_area import LiteralTextArea
from casetui.tui.widgets.note_form import FORM_CSS, field_row, mark_focused_row, understood
from casetui.tui.widgets.task_form import REPEAT_CHOICES
from casetui.tui.widgets.timeline_list import visible

REMINDER = CommunicationType.REMINDER.value
TYPE_NAMES = {
    CommunicationType.PHONE.value: "Phone call",
    CommunicationType.EMAIL.value: "Email",
    CommunicationType.SMS.value: "Text message (SMS)",
    CommunicationType.LETTER.value: "Letter",
    CommunicationType.IN_PERSON.value: "In person",
    REMINDER: "Reminder (emailed to the client)",
}
DIRECTIONS = [
    ("Out: to the client", Direction.OUT.value),
    ("In: from the client", Direction.IN.value),
]
# The services' field names, mapped to the widgets that hold them.
FIELDS = {
    "type": "comm-type",
    "direction": "comm-direction",
    "date": "comm-date",
    "time": "comm-time",
    "subject": "comm-subject",
    "body": "comm-body",
    "send date": "comm-send-on",
    "repeats": "comm-repeats",
    "client": "comm-recipient",
}


def communication_values(view: CommunicationView, zone: Any) -> dict[str, Any]:
    """A saved communication as the form's values, in the organisation's time zone."""
    local = view.occurred_at.astimezone(zone)
    return {
        "type": view.kind,
        "direction": view.direction,
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "subject": view.subject,
        "body": view.body,
        "send_on": view.send_on.isoformat() if view.send_on else "",
        "repeats": view.repeats,
        "rrule": view.rrule or "",
    }


class CommunicationForm(Vertical):
    """Type, direction, date and time, subject, body; a reminder's send date and repeat."""

    DEFAULT_CSS = (
        FORM_CSS.format(name="CommunicationForm")
        + """
    CommunicationForm .reminder-row { display: none; }
    CommunicationForm.-reminder .reminder-row { display: block; }
    CommunicationForm.-reminder #comm-direction-row { display: none; }
    CommunicationForm.-reminder .contact-row { display: none; }
    CommunicationForm #comm-rrule-row { display: none; }
    CommunicationForm.-reminder.-custom #comm-rrule-row { display: block; }
    CommunicationForm #comm-recipient { padding-left: 15; height: auto; width: 100%; }
    CommunicationForm #comm-recipient.-problem { color: $text-error; text-style: bold; }
    """
    )

    class Changed(Message):
        """Anything in the form changed."""

    def __init__(
        self,
        *,
        today: date,
        now: datetime | None = None,
        order: DateOrder | None = None,
        kinds: list[str] | None = None,
        recipient: str | None = None,
        recipient_problem: str | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.today = today
        self.now = now
        self.order = order
        self.kinds = kinds or list(TYPE_NAMES)
        self.recipient = recipient  # a single case's client's email, for the line under
        self.recipient_problem = recipient_problem
        self._time_typed = False
        self._time_set = now.strftime("%H:%M") if now else ""

    def compose(self) -> ComposeResult:
        kinds = [(TYPE_NAMES[k], k) for k in self.kinds]
        yield field_row("Type", Select(kinds, allow_blank=False, id="comm-type", compact=True))
        yield Label("", classes="field-error", id="comm-type-error")
        yield field_row(
            "Direction",
            Select(DIRECTIONS, allow_blank=False, id="comm-direction", compact=True),
            "comm-direction-row",
        )
        yield Label("", classes="field-error", id="comm-direction-error")
        yield field_row(
            "Send on",
            LiteralInput(
                "+1d", id="comm-send-on", compact=True, placeholder="tomorrow, +1w, friday"
            ),
            "comm-send-on-row",
        ).set_classes("row reminder-row")
        yield Label("", classes="hint reminder-row", id="comm-send-on-hint")
        yield Label("", classes="field-error", id="comm-send-on-error")
        yield field_row(
            "Repeats",
            Select(REPEAT_CHOICES, allow_blank=False, id="comm-repeats", compact=True),
            "comm-repeats-row",
        ).set_classes("row reminder-row")
        yield Horizontal(
            Label("RRULE", classes="field-label"),
            LiteralInput(id="comm-rrule", compact=True, placeholder="FREQ=WEEKLY;BYDAY=MO"),
            classes="row",
            id="comm-rrule-row",
        )
        yield Label("", classes="field-error", id="comm-repeats-error")
        yield Label("", classes="reminder-row", id="comm-recipient")
        yield Label("", classes="field-error", id="comm-recipient-error")
        # When a call or a letter took place; a reminder is dated when it is written.
        yield field_row(
            "Date",
            LiteralInput("today", id="comm-date", compact=True, placeholder="today, -3d, monday"),
        ).set_classes("row contact-row")
        yield Label("", classes="hint contact-row", id="comm-date-hint")
        yield Label("", classes="field-error", id="comm-date-error")
        time_now = self.now.strftime("%H:%M") if self.now else ""
        yield field_row(
            "Time", LiteralInput(time_now, id="comm-time", compact=True, placeholder="14:30")
        ).set_classes("row contact-row")
        yield Label("", classes="field-error", id="comm-time-error")
        yield field_row(
            "Subject",
            LiteralInput(id="comm-subject", compact=True, placeholder="One line"),
        )
        yield Label("", classes="field-error", id="comm-subject-error")
        yield field_row(
            "Body",
            LiteralTextArea(id="comm-body", compact=True, soft_wrap=True, tab_behavior="focus"),
        )
        yield Label("", classes="field-error", id="comm-body-error")

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        mark_focused_row(event.widget, True)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        mark_focused_row(event.widget, False)

    def on_mount(self) -> None:
        self._show_kind()
        self._show_hints()

    # --- what was typed -----------------------------------------------------------------

    @property
    def is_reminder(self) -> bool:
        # Asked by its screen's keys as soon as the screen has its data, which on a busy
        # machine can be before this form has composed its fields: nothing is chosen yet.
        chosen = self.query("#comm-type")
        return bool(chosen) and chosen.first(Select).value == REMINDER

    def values(self) -> dict[str, Any]:
        return {
            "type": str(self.query_one("#comm-type", Select).value),
            "direction": str(self.query_one("#comm-direction", Select).value),
            "date": self.query_one("#comm-date", Input).value,
            "time": self.query_one("#comm-time", Input).value,
            "subject": self.query_one("#comm-subject", Input).value,
            "body": self.query_one("#comm-body", TextArea).text,
            "send_on": self.query_one("#comm-send-on", Input).value,
            "repeats": str(self.query_one("#comm-repeats", Select).value),
            "rrule": self.query_one("#comm-rrule", Input).value,
        }

    def load(self, values: dict[str, Any]) -> None:
        """Fill the fields from a saved communication; unknown keys are ignored."""
        self._time_typed = True
        inputs = {
            "date": "#comm-date",
            "time": "#comm-time",
            "subject": "#comm-subject",
            "send_on": "#comm-send-on",
            "rrule": "#comm-rrule",
        }
        for key, selector in inputs.items():
            if isinstance(values.get(key), str):
                self.query_one(selector, Input).value = values[key]
        if isinstance(values.get("body"), str):
            self.query_one("#comm-body", TextArea).text = values["body"]
        for key, selector, allowed in (
            ("type", "#comm-type", self.kinds),
            ("direction", "#comm-direction", [d for _, d in DIRECTIONS]),
            ("repeats", "#comm-repeats", [r for _, r in REPEAT_CHOICES]),
        ):
            if values.get(key) in allowed:
                self.query_one(selector, Select).value = values[key]
        self._show_kind()
        self._show_hints()

    def communication_input(self) -> CommunicationInput:
        v = self.values()
        reminder = v["type"] == REMINDER
        custom = v["repeats"] == Repeats.CUSTOM.value
        return CommunicationInput(
            kind=v["type"],
            subject=v["subject"],
            direction=Direction.OUT.value if reminder else v["direction"],
            body=v["body"],
            date=v["date"],
            time=v["time"].strip() or None,
            send_on=v["send_on"] if reminder else None,
            repeats=v["repeats"] if reminder else Repeats.NONE.value,
            rrule=v["rrule"] if reminder and custom else None,
        )

    def changes(self, original: dict[str, Any]) -> CommunicationChanges:
        """Only what differs from the communication as it was opened, so an untouched old date
        is not checked again."""
        v = self.values()
        changed = {k: v[k] for k in v if v[k] != original.get(k)}
        reminder = original.get("type") == REMINDER
        custom = v["repeats"] == Repeats.CUSTOM.value
        repeat_changed = "repeats" in changed or (custom and "rrule" in changed)
        return CommunicationChanges(
            kind=changed.get("type"),
            direction=None if reminder else changed.get("direction"),
            subject=changed.get("subject"),
            body=changed.get("body"),
            date=changed.get("date"),
            time=changed.get("time"),
            send_on=changed.get("send_on") if reminder else None,
            repeats=v["repeats"] if reminder and repeat_changed else None,
            rrule=v["rrule"] if reminder and repeat_changed and custom else None,
        )

    # --- messages in place ----------------------------------------------------------------

    def show_error(self, field: str, message: str) -> bool:
        """Show a service's refusal under its field; False when the field is not on this form."""
        widget_id = FIELDS.get(field)
        if widget_id is None:
            return False
        label = self.query_one(f"#{widget_id}-error", Label)
        label.update(Text(f"{field}: {visible(message)}"))
        label.add_class("-shown")
        if widget_id == "comm-repeats" and self.has_class("-custom"):
            widget_id = "comm-rrule"
        elif widget_id == "comm-recipient":
            widget_id = "comm-type"
        self.query_one(f"#{widget_id}").focus()
        return True

    def clear_errors(self) -> None:
        for label in self.query(".field-error"):
            label.remove_class("-shown")

    def _clear_error(self, widget_id: str | None) -> None:
        if widget_id is not None:
            for label in self.query(f"#{widget_id}-error"):
                label.remove_class("-shown")

    # --- reacting to typing ------------------------------------------------------------------

    def _show_kind(self) -> None:
        self.set_class(self.is_reminder, "-reminder")
        custom = self.query_one("#comm-repeats", Select).value == Repeats.CUSTOM.value
        self.set_class(custom, "-custom")
        line = self.query_one("#comm-recipient", Label)
        if self.recipient_problem:
            line.update(Text(f"Cannot be sent: {visible(self.recipient_problem)}"))
        elif self.recipient:
            line.update(Text(f"Emailed to {visible(self.recipient)} on the send date"))
        else:
            line.update(Text("Emailed to each client on the send date"))
        line.set_class(bool(self.recipient_problem), "-problem")

    def _show_hints(self) -> None:
        for field_id, prefer, name in (
            ("comm-date", "past", "date"),
            ("comm-send-on", "future", "send date"),
        ):
            text = self.query_one(f"#{field_id}", Input).value
            words, ok = understood(text, self.today, prefer, name, self.order)
            self.query_one(f"#{field_id}-hint", Label).update(
                Text(visible(words), style="" if ok else "bold")
            )

    def _follow_date_with_time(self) -> None:
        """Until the time is typed, it is the one the services would give the date chosen:
        now for today, noon for an earlier day."""
        if self.now is None or self._time_typed:
            return
        try:
            day = parse_date(
                self.query_one("#comm-date", Input).value, self.today, "past", order=self.order
            )
        except ValidationError:
            return
        shown = default_contact_time(day, self.today, self.now).strftime("%H:%M")
        field = self.query_one("#comm-time", Input)
        if field.value != shown:
            self._time_set = shown
            field.value = shown

    def on_input_changed(self, event: Input.Changed) -> None:
        self._clear_error(event.input.id)
        if event.input.id in ("comm-date", "comm-send-on"):
            self._show_hints()
        if event.input.id == "comm-date":
            self._follow_date_with_time()
        elif event.input.id == "comm-time" and event.value != self._time_set:
            self._time_typed = True
        elif event.input.id == "comm-rrule":
            self._clear_error("comm-repeats")
        self.post_message(self.Changed())

    def on_select_changed(self, event: Select.Changed) -> None:
        self._clear_error(event.select.id)
        self._show_kind()
        self.post_message(self.Changed())

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._clear_error(event.text_area.id)
        self.post_message(self.Changed())
