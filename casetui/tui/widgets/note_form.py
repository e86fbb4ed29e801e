"""The fields of one case note, with the date it understood and a message under each field.

Used by the note editor and the bulk note. The form only gathers what was typed; the
services validate it and name the field they refuse, which the form shows in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, TextArea

from casetui.domain.dates import DateOrder, parse_date
from casetui.domain.enums import ContactType
from casetui.domain.errors import ValidationError
from casetui.domain.limits import DETAILS_MAX
from casetui.domain.read_models.notes import NoteView
from casetui.services.note_rules import default_contact_time
from casetui.services.notes import NoteChanges, NoteInput
from casetui.tui.widgets.literal_fields import LiteralInput
from casetui.tui.widgets.literal_text_area import LiteralTextArea
from casetui.tui.widgets.timeline_list import visible

NEAR_THE_LIMIT = 0.9  # from here the editor shows how long the details are
# The services' field names, mapped to the widgets that hold them.
NOTE_FIELDS = {
    "contact date": "contact-date",
    "contact time": "contact-time",
    "activity type": "activity-type",
    "contact type": "contact-type",
    "third-party organisation": "third-party",
    "summary": "summary",
    "details": "details",
}

FORM_CSS = """
{name} {{ height: auto; }}
{name} .row {{ height: auto; }}
{name} .field-label {{ width: 15; padding-right: 1; color: $text-muted; }}
{name} .row.-focused > .field-label {{ color: $text; text-style: bold reverse; }}
{name} Input, {name} Select {{ width: 1fr; }}
{name} Input {{ background: $boost; }}
{name} .hint {{ padding-left: 15; color: $text-muted; height: auto; width: 100%; }}
{name} .field-error {{ padding-left: 15; color: $text-error; text-style: bold; height: auto; width: 100%; display: none; }}
{name} .field-error.-shown {{ display: block; }}
{name} .length {{ padding-left: 15; color: $text-warning; height: auto; display: none; }}
{name} .length.-shown {{ display: block; }}
{name} TextArea {{ height: 5; width: 1fr; background: $boost; }}
{name} Checkbox {{ width: auto; }}
"""


class TickBox(Checkbox):
    """A checkbox that reads ``[x]`` or ``[ ]``, so its state shows without colour."""

    @property
    def _button(self) -> Content:
        style = self.get_visual_style("toggle--button")
        return Content.assemble(("[", style), ("x" if self.value else " ", style), ("]", style))


def understood(
    text: str, today: date, prefer: str, field: str, order: DateOrder | None = None
) -> tuple[str, bool]:
    """What a typed date means, for the hint under the field: (words, understood?)."""
    if not text.strip():
        return "", True
    try:
        day = parse_date(text, today, prefer=prefer, field=field, order=order)  # type: ignore[arg-type]
    except ValidationError as exc:
        return exc.message, False
    return f"understood as {day:%a} {day.day} {day:%b %Y}", True


def field_row(label: str, widget: Widget, row_id: str | None = None) -> Horizontal:
    return Horizontal(Label(label, classes="field-label"), widget, classes="row", id=row_id)


def mark_focused_row(widget: Widget, focused: bool) -> None:
    """Light up the label of the row holding ``widget``.

    A class on the row, set here, because Textual does not restyle a row's label when
    ``:focus-within`` changes on the row.
    """
    for node in widget.ancestors_with_self:
        if isinstance(node, Widget) and node.has_class("row"):
            node.set_class(focused, "-focused")
            return


class NoteForm(Vertical):
    """Contact date and time, activity, contact type, summary, details, restricted."""

    DEFAULT_CSS = (
        FORM_CSS.format(name="NoteForm")
        + """
    NoteForm #third-party-row { display: none; }
    NoteForm.-third-party #third-party-row { display: block; }
    """
    )

    class Changed(Message):
        """Anything in the form changed: time to save a draft."""

    def __init__(
        self,
        *,
        activity_types: Sequence[str],
        contact_types: Sequence[str],
        today: date,
        now: datetime | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.activity_types = list(activity_types)
        self.contact_types = list(contact_types)
        self.today = today
        self.now = now
        self._time_typed = False  # the time field was typed in (not only filled for the date)
        self._time_set = now.strftime("%H:%M") if now else ""  # what the form put there

    def compose(self) -> ComposeResult:
        yield field_row(
            "Contact date",
            LiteralInput(
                "today",
                id="contact-date",
                compact=True,
                placeholder="today, yesterday, -3d, monday, 2026-11-03",
            ),
        )
        yield Label("", classes="hint", id="contact-date-hint")
        yield Label("", classes="field-error", id="contact-date-error")
        time_now = self.now.strftime("%H:%M") if self.now else ""
        yield field_row(
            "Time", LiteralInput(time_now, id="contact-time", compact=True, placeholder="14:30")
        )
        yield Label("", classes="field-error", id="contact-time-error")
        activities = [(Text(visible(a)), a) for a in self.activity_types]
        yield field_row(
            "Activity",
            Select(activities, prompt="Choose the activity", id="activity-type", compact=True),
        )
        yield Label("", classes="field-error", id="activity-type-error")
        contacts = [(Text(visible(c)), c) for c in self.contact_types]
        yield field_row(
            "Contact type", Select(contacts, allow_blank=False, id="contact-type", compact=True)
        )
        yield Label("", classes="field-error", id="contact-type-error")
        yield field_row(
            "3rd party org",
            LiteralInput(id="third-party", compact=True, placeholder="Organisation"),
            "third-party-row",
        )
        yield Label("", classes="field-error", id="third-party-error")
        yield field_row(
            "Summary",
            LiteralInput(id="summary", compact=True, placeholder="One line, shown in the timeline"),
        )
        yield Label("", classes="field-error", id="summary-error")
        yield field_row(
            "Details",
            LiteralTextArea(id="details", compact=True, soft_wrap=True, tab_behavior="focus"),
        )
        yield Label("", classes="field-error", id="details-error")
        yield Label("", classes="length", id="details-length")
        yield field_row(
            "Restricted",
            TickBox("not for the client without review", id="restricted", compact=True),
        )

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        mark_focused_row(event.widget, True)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        mark_focused_row(event.widget, False)

    def on_mount(self) -> None:
        self._show_date_hint()

    # --- what was typed -----------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        activity = self.query_one("#activity-type", Select).value
        return {
            "contact_date": self.query_one("#contact-date", Input).value,
            "contact_time": self.query_one("#contact-time", Input).value,
            "activity_type": "" if activity is Select.NULL else str(activity),
            "contact_type": str(self.query_one("#contact-type", Select).value),
            "third_party_org": self.query_one("#third-party", Input).value,
            "summary": self.query_one("#summary", Input).value,
            "details": self.query_one("#details", TextArea).text,
            "restricted": self.query_one("#restricted", Checkbox).value,
        }

    def load(self, values: dict[str, Any]) -> None:
        """Fill the fields from a draft or a saved note; unknown keys are ignored."""
        # A time that was saved or typed before stays: the date filled in with it must not
        # move it to the default for that day.
        self._time_typed = True
        inputs = {
            "contact_date": "#contact-date",
            "contact_time": "#contact-time",
            "third_party_org": "#third-party",
            "summary": "#summary",
        }
        for key, selector in inputs.items():
            if isinstance(values.get(key), str):
                self.query_one(selector, Input).value = values[key]
        if isinstance(values.get("details"), str):
            self.query_one("#details", TextArea).text = values["details"]
        if isinstance(values.get("restricted"), bool):
            self.query_one("#restricted", Checkbox).value = values["restricted"]
        activity = values.get("activity_type")
        if activity in self.activity_types:
            self.query_one("#activity-type", Select).value = activity
        elif activity == "":
            self.query_one("#activity-type", Select).clear()
        if values.get("contact_type") in self.contact_types:
            self.query_one("#contact-type", Select).value = values["contact_type"]
        self._show_third_party()
        self._show_date_hint()

    def load_note(self, note: NoteView, zone: Any) -> None:
        local = note.contact_at.astimezone(zone)
        self.load(note_values(note, local))

    def note_input(self) -> NoteInput:
        v = self.values()
        return NoteInput(
            summary=v["summary"],
            activity_type=v["activity_type"],
            contact_date=v["contact_date"],
            contact_time=v["contact_time"].strip() or None,
            contact_type=v["contact_type"],
            third_party_org=v["third_party_org"] or None,
            details=v["details"],
            restricted=v["restricted"],
        )

    def note_changes(self, original: dict[str, Any]) -> NoteChanges:
        """Only what differs from the note as it was opened, so an untouched old date is not re-checked."""
        v = self.values()
        changed = {k: v[k] for k in v if v[k] != original.get(k)}
        return NoteChanges(
            summary=changed.get("summary"),
            details=changed.get("details"),
            activity_type=changed.get("activity_type") or None,
            contact_type=changed.get("contact_type"),
            third_party_org=v["third_party_org"]
            if "third_party_org" in changed or "contact_type" in changed
            else None,
            restricted=changed.get("restricted"),
            contact_date=changed.get("contact_date"),
            contact_time=changed.get("contact_time"),
        )

    # --- messages in place ----------------------------------------------------------------

    def show_error(self, field: str, message: str) -> bool:
        """Show a service's refusal under its field; False when the field is not on this form."""
        widget_id = NOTE_FIELDS.get(field)
        if widget_id is None:
            return False
        label = self.query_one(f"#{widget_id}-error", Label)
        label.update(Text(f"{field}: {visible(message)}"))
        label.add_class("-shown")
        if widget_id == "third-party":
            self.add_class("-third-party")
        self.query_one(f"#{widget_id}").focus()
        return True

    def clear_errors(self) -> None:
        for label in self.query(".field-error"):
            label.remove_class("-shown")

    def _clear_error(self, widget_id: str | None) -> None:
        """A field being changed drops the refusal shown under it: it no longer says why."""
        if widget_id is not None:
            for label in self.query(f"#{widget_id}-error"):
                label.remove_class("-shown")

    # --- reacting to typing ------------------------------------------------------------------

    def _show_date_hint(self) -> None:
        text = self.query_one("#contact-date", Input).value
        words, ok = understood(text, self.today, "past", "contact date")
        hint = self.query_one("#contact-date-hint", Label)
        hint.update(Text(visible(words), style="" if ok else "bold"))

    def _follow_date_with_time(self) -> None:
        """Until the time is typed, it is the one the services would give the date chosen:
        now for today, noon for an earlier day, so what is shown is what is saved."""
        if self.now is None or self._time_typed:
            return
        try:
            day = parse_date(self.query_one("#contact-date", Input).value, self.today, "past")
        except ValidationError:
            return
        shown = default_contact_time(day, self.today, self.now).strftime("%H:%M")
        field = self.query_one("#contact-time", Input)
        if field.value != shown:
            self._time_set = shown
            field.value = shown

    def _show_third_party(self) -> None:
        kind = self.query_one("#contact-type", Select).value
        self.set_class(kind == ContactType.THIRD_PARTY.value, "-third-party")

    def on_input_changed(self, event: Input.Changed) -> None:
        self._clear_error(event.input.id)
        if event.input.id == "contact-date":
            self._show_date_hint()
            self._follow_date_with_time()
        elif event.input.id == "contact-time" and event.value != self._time_set:
            self._time_typed = True
        self.post_message(self.Changed())

    def on_select_changed(self, event: Select.Changed) -> None:
        self._clear_error(event.select.id)
        if event.select.id == "contact-type":
            self._show_third_party()
        self.post_message(self.Changed())

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._clear_error(event.text_area.id)
        if event.text_area.id == "details":
            self._show_length(event.text_area)
        self.post_message(self.Changed())

    def _show_length(self, area: TextArea) -> None:
        """Near the limit, how much room is left: before a save is refused, not after."""
        used = len(area.text)
        label = self.query_one("#details-length", Label)
        near = used >= DETAILS_MAX * NEAR_THE_LIMIT
        if near:
            label.update(f"{used:,} of {DETAILS_MAX:,} characters")
        label.set_class(near, "-shown")

    def on_checkbox_changed(self, _event: Checkbox.Changed) -> None:
        self.post_message(self.Changed())


def note_values(note: NoteView, local: datetime) -> dict[str, Any]:
    """A saved note as the form's values, in the organisation's time zone."""
    return {
        "contact_date": local.date().isoformat(),
        "contact_time": local.strftime("%H:%M"),
        "activity_type": note.activity_type,
        "contact_type": note.contact_type,
        "third_party_org": note.third_party_org or "",
        "summary": note.summary,
        "details": note.details,
        "restricted": note.restricted,
    }
