"""The fields of one supportive service, with the date it understood and a message under each
field. The form only gathers what was typed; the services check it (the amount too: it is
handed over as typed text, never turned into a number here) and name the field they refuse."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, Select, TextArea

from casetui.domain.errors import ValidationError, ValidationErrors
from casetui.domain.limits import DATE_WORDS_MAX, NAME_MAX
from casetui.domain.money import AMOUNT_TYPED_MAX, currency_sign, plain_amount
from casetui.domain.read_models.supportive_services import ServiceView
from casetui.services.supportive_services import ServiceChanges, ServiceInput
from casetui.tui.widgets.literal_fields import LiteralInput
from casetui.tui.widgets.literal_text_area import LiteralTextArea
from casetui.tui.widgets.note_form import FORM_CSS, field_row, mark_focused_row, understood
from casetui.tui.widgets.timeline_list import visible

# The services' field names, mapped to the widgets that hold them.
SERVICE_FIELDS = {
    "service type": "service-type",
    "date": "service-date",
    "provider": "provider",
    "amount": "amount",
    "grant": "grant",
    "justification": "justification",
}
NO_GRANT = ""


class ServiceForm(Vertical):
    """Service type, date given, provider, amount, grant, justification."""

    DEFAULT_CSS = (
        FORM_CSS.format(name="ServiceForm")
        + """
    ServiceForm TextArea { height: 4; }
    """
    )

    def __init__(
        self,
        *,
        service_types: Sequence[str],
        grants: Sequence[str],
        currency: str,
        today: date,
        service: ServiceView | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.service_types = list(service_types)
        self.grants = list(grants)
        self.currency = currency
        self.today = today
        self.service = service

    def compose(self) -> ComposeResult:
        service = self.service
        types = [(Text(visible(t)), t) for t in self.service_types]
        yield field_row(
            "Service",
            Select(
                types,
                prompt="Choose the service",
                value=service.service_type if service else Select.NULL,
                allow_blank=service is None,
                id="service-type",
                compact=True,
            ),
        )
        yield Label("", classes="field-error", id="service-type-error")
        yield field_row(
            "Date given",
            LiteralInput(
                service.provided_on.isoformat() if service else "today",
                id="service-date",
                compact=True,
                max_length=DATE_WORDS_MAX,
                placeholder="today, yesterday, -3d, monday, 2026-11-03",
            ),
        )
        yield Label("", classes="hint", id="service-date-hint")
        yield Label("", classes="field-error", id="service-date-error")
        yield field_row(
            "Provider",
            LiteralInput(
                service.provider if service else "",
                id="provider",
                compact=True,
                max_length=NAME_MAX,
                placeholder="Who gave it: a shop, a bus company, a training centre",
            ),
        )
        yield Label("", classes="field-error", id="provider-error")
        yield field_row(
            f"Amount ({currency_sign(self.currency)})",
            LiteralInput(
                plain_amount(service.amount) if service else "",
                id="amount",
                compact=True,
                max_length=AMOUNT_TYPED_MAX,
                placeholder="12.50",
            ),
        )
        yield Label("", classes="field-error", id="amount-error")
        grants = [(Text(visible(g)), g) for g in self.grants]
        yield field_row(
            "Grant",
            Select(
                grants,
                prompt="No grant",
                value=service.grant if service and service.grant else Select.NULL,
                id="grant",
                compact=True,
            ),
        )
        yield Label("", classes="field-error", id="grant-error")
        area = LiteralTextArea(
            service.justification if service else "",
            id="justification",
            compact=True,
            soft_wrap=True,
            tab_behavior="focus",
            placeholder="Why it was given (required)",
        )
        yield field_row("Justification", area)
        yield Label("", classes="field-error", id="justification-error")

    def on_mount(self) -> None:
        self._show_date_hint()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        mark_focused_row(event.widget, True)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        mark_focused_row(event.widget, False)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "service-date":
            self._show_date_hint()

    def _show_date_hint(self) -> None:
        typed = self.query_one("#service-date", Input).value
        words, _ok = understood(typed, self.today, "past", "date")
        self.query_one("#service-date-hint", Label).update(Text(visible(words)))

    # --- what was typed -------------------------------------------------------------------

    def values(self) -> dict[str, str]:
        kind = self.query_one("#service-type", Select).value
        grant = self.query_one("#grant", Select).value
        return {
            "service_type": "" if kind is Select.NULL else str(kind),
            "provided_on": self.query_one("#service-date", Input).value,
            "provider": self.query_one("#provider", Input).value,
            "amount": self.query_one("#amount", Input).value,
            "grant": NO_GRANT if grant is Select.NULL else str(grant),
            "justification": self.query_one("#justification", TextArea).text,
        }

    def service_input(self) -> ServiceInput:
        typed = self.values()
        return ServiceInput(
            service_type=typed["service_type"],
            provided_on=typed["provided_on"],
            provider=typed["provider"],
            amount=typed["amount"],
            justification=typed["justification"],
            grant=typed["grant"] or None,
        )

    def service_changes(self, original: dict[str, str]) -> ServiceChanges:
        """Only the fields that differ from what the form opened with; a grant taken off is ""."""
        typed = self.values()
        changed: dict[str, Any] = {k: v for k, v in typed.items() if v != original.get(k)}
        return ServiceChanges(**changed)

    # --- what the services refused --------------------------------------------------------

    def clear_errors(self) -> None:
        for label in self.query(".field-error").results(Label):
            label.update("")
            label.remove_class("-shown")

    def show_errors(self, error: ValidationError) -> bool:
        """Each refusal under its field; False when one names no field of this form."""
        errors = error.errors if isinstance(error, ValidationErrors) else [error]
        all_placed = True
        first: Widget | None = None
        for each in errors:
            widget_id = SERVICE_FIELDS.get(each.field)
            if widget_id is None:
                all_placed = False
                continue
            label = self.query_one(f"#{widget_id}-error", Label)
            label.update(Text(visible(each.message)))
            label.add_class("-shown")
            if first is None:
                first = self.query_one(f"#{widget_id}")
        if first is not None:
            first.focus()
        return all_placed
