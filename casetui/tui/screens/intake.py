"""Registering a client and opening their case in one go; or a new case for a known client.

While the name, date of birth, email or phone is typed, the people already registered who may
be the same person are listed below the form (the services look organisation-wide, through
indexes): open one instead, or save anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from casetui.domain.enums import Grant
from casetui.domain.errors import CasetuiError, ValidationError
from casetui.domain.read_models.cases import CaseDetail
from casetui.domain.read_models.clients import ClientRecord, PossibleDuplicate
from casetui.domain.read_models.people import StaffView
from casetui.domain.read_models.settings import SettingsView
from casetui.services import cases, clients, policy, settings
from casetui.services import search as search_service
from casetui.tui.database_away import call_database
from casetui.tui.screens.choice import ChoiceScreen
from casetui.tui.widgets.case_fields import CaseFields
from casetui.tui.widgets.client_form import ClientForm
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.safe_text import visible

if TYPE_CHECKING:
    from casetui.services.clients import ClientInput
    from casetui.tui.app import CasetuiApp

CHECK_PAUSE = 0.3  # seconds without a key before the duplicate check runs


@dataclass(frozen=True)
class IntakeContext:
    settings: SettingsView
    workers: list[StaffView]
    client: ClientRecord | None  # opening a case for a known client


def duplicate_line(d: PossibleDuplicate) -> Text:
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(visible(d.name), style="bold")
    if d.preferred_name:
        line.append(f" ({visible(d.preferred_name)})")
    if d.date_of_birth:
        line.append(f"  born {d.date_of_birth.isoformat()}")
    if d.case_numbers:
        line.append("  " + ", ".join(visible(n) for n in d.case_numbers))
    line.append("  " + "; ".join(d.reasons), style="italic")
    if not d.may_open:
        line.append("  (not yours to open)", style="dim")
    return line


class IntakeScreen(Screen[CaseDetail | None]):
    """Dismissed with the new case once saved, None when closed."""

    HELP_TITLE = "Register a client"
    DEFAULT_CSS = """
    IntakeScreen #intake-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    IntakeScreen #intake-status { height: auto; padding: 0 1; color: $text-muted; }
    IntakeScreen #intake-status.-problem { color: $text-error; text-style: bold; }
    IntakeScreen #intake-body { height: 1fr; padding: 0 1; }
    IntakeScreen .section { text-style: bold; margin-top: 1; }
    IntakeScreen #duplicates-title { height: 1; padding: 0 1; background: $warning-muted; }
    IntakeScreen #duplicates { height: auto; max-height: 5; border: none; padding: 0 1; }
    IntakeScreen.-no-duplicates #duplicates-title, IntakeScreen.-no-duplicates #duplicates {
        display: none;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="intake.save"),
        Binding(
            "ctrl+o", "open_duplicate", "Open the possible duplicate", id="intake.open_duplicate"
        ),
        Binding("escape", "close", "Close", id="intake.close"),
    ]

    def __init__(self, client_id: int | None = None) -> None:
        super().__init__()
        self.client_id = client_id
        self.context: IntakeContext | None = None
        self.duplicates: list[PossibleDuplicate] = []
        self.saving = False
        self._pending: Timer | None = None
        self._asked: ClientInput | None = None
        self._original: tuple[object, ...] | None = None

    @property
    def casetui(self) -> CasetuiApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        title = "Register a client and open a case" if self.client_id is None else "Open a case"
        yield Static(Text(title), id="intake-title")
        yield Static("Loading…", id="intake-status")
        yield VerticalScroll(id="intake-body")
        yield Static(Text("Possibly already registered"), id="duplicates-title")
        yield OptionList(id="duplicates")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.add_class("-no-duplicates")
        self.title = "Register a client" if self.client_id is None else "Open a case"
        self._load()

    @work(thread=True, exclusive=True, group="intake-load")
    def _load(self) -> None:
        app = self.casetui
        client_id = self.client_id

        def read() -> IntakeContext:
            record = clients.client_record(app.db, app.signed_in, client_id) if client_id else None
            return IntakeContext(
                settings=settings.get_settings(app.db, app.signed_in),
                workers=cases.opening_workers(app.db, app.signed_in),
                client=record,
            )

        call_database(self, read, self._ready, self._unavailable)

    def _unavailable(self, error: CasetuiError) -> None:
        self.casetui.show_error(error)
        self.dismiss(None)

    async def _ready(self, context: IntakeContext) -> None:
        self.context = context
        app = self.casetui
        body = self.query_one("#intake-body", VerticalScroll)
        s = context.settings
        if context.client is None:
            await body.mount(Label("The client", classes="section"))
            await body.mount(ClientForm(
                client_types=s.client_types, warning_indicators=s.warning_indicators,
                groups=s.groups, today=app.db.clock().date(), date_order=s.date_order,
            ))  # fmt: skip
        else:
            c = context.client.client
            await body.mount(Label(Text(f"For {visible(c.name)}"), classes="section"))
        await body.mount(Label("The case", classes="section"))
        may_number = policy.can(policy.ensure_grant, app.signed_in, Grant.CASE_NUMBERS, "")
        await body.mount(CaseFields(
            workers=context.workers, me=app.signed_in.username, pathways=s.pathways,
            may_choose_number=may_number,
        ))  # fmt: skip
        self._original = self._snapshot()
        self.set_status("ctrl+s saves; the case number comes from the organisation's numbering.")
        first = self.query("#client-name") or self.query("#case-status")
        first.first().focus()
        self.refresh_bindings()

    def set_status(self, words: str, *, problem: bool = False) -> None:
        status = self.query_one("#intake-status", Static)
        status.update(Text(words))
        status.set_class(problem, "-problem")

    def _snapshot(self) -> tuple[object, ...]:
        forms = self.query(ClientForm)
        fields = self.query(CaseFields)
        return (
            forms.first().snapshot() if forms else (),
            fields.first().snapshot() if fields else (),
        )

    # --- the duplicate check -------------------------------------------------------------------

    def on_client_form_identifying(self, _message: ClientForm.Identifying) -> None:
        if self._pending is not None:
            self._pending.stop()
        self._pending = self.set_timer(CHECK_PAUSE, self._check)

    def _check(self) -> None:
        draft = self.query_one(ClientForm).client_input()
        self._asked = draft
        self._run_check(draft)

    @work(thread=True, exclusive=True, group="intake-duplicates")
    def _run_check(self, draft: ClientInput) -> None:
        app = self.casetui

        def read() -> list[PossibleDuplicate]:
            try:
                return search_service.possible_duplicates(app.db, app.signed_in, draft)
            except ValidationError:
                return []  # half-typed (a date not finished yet): nothing to compare yet

        call_database(self, read, lambda found: self._show_duplicates(draft, found))

    def _show_duplicates(self, draft: ClientInput, found: list[PossibleDuplicate]) -> None:
        if draft != self._asked:
            return  # an older answer
        self.duplicates = found
        listing = self.query_one("#duplicates", OptionList)
        listing.clear_options()
        listing.add_options([Option(duplicate_line(d)) for d in found])
        if found:
            listing.highlighted = 0
            title = f"Possibly already registered: {len(found)} · ctrl+o opens the highlighted one"
            self.query_one("#duplicates-title", Static).update(Text(title))
        self.set_class(not found, "-no-duplicates")
        self.refresh_bindings()

    def _highlighted_duplicate(self) -> PossibleDuplicate | None:
        index = self.query_one("#duplicates", OptionList).highlighted
        if index is None or index >= len(self.duplicates):
            return None
        return self.duplicates[index]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open_duplicate()

    def action_open_duplicate(self) -> None:
        from casetui.tui.screens.client_record import ClientRecordScreen

        duplicate = self._highlighted_duplicate()
        if duplicate is None:
            return
        if not duplicate.may_open:
            self.notify(
                "That record belongs to cases you cannot see: ask their worker or a supervisor.",
                severity="warning",
            )
            return
        self.app.push_screen(ClientRecordScreen(duplicate.id))

    # --- saving --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            return self.context is not None and not self.saving
        if action == "open_duplicate":
            return bool(self.duplicates) and self.client_id is None
        return True

    def action_save(self) -> None:
        if self.context is None or self.saving:
            return
        if self.duplicates and self.client_id is None:
            names = ", ".join(visible(d.name) for d in self.duplicates[:3])
            self.app.push_screen(
                ChoiceScreen(
                    "Save anyway?",
                    [("Save a new client anyway", "save"), ("Go back and look", "back")],
                    message=f"Possibly already registered: {names}.",
                ),
                lambda choice: self._start_save() if choice == "save" else None,
            )
            return
        self._start_save()

    def _start_save(self) -> None:
        for form in [*self.query(ClientForm), *self.query(CaseFields)]:
            form.clear_errors()
        self.saving = True
        self.query_one("#intake-body").disabled = True
        self.set_status("Saving…")
        self.refresh_bindings()
        case = self.query_one(CaseFields).case_input(self.client_id or 0)
        forms = self.query(ClientForm)
        self._save(forms.first().client_input() if forms else None, case)

    @work(thread=True, exclusive=True, group="intake-save")
    def _save(self, client: ClientInput | None, case: cases.CaseInput) -> None:
        app = self.casetui

        def write() -> CaseDetail:
            if client is None:
                return cases.open_case(app.db, app.signed_in, case)
            return clients.register_with_case(app.db, app.signed_in, client, case)

        call_database(self, write, self._saved, self._refused)

    def _saved(self, case: CaseDetail) -> None:
        self.saving = False
        self.notify(
            f"Case {visible(case.case_number)} opened for {visible(case.client_name)}", markup=False
        )
        self.casetui.caseload_changed()
        self.dismiss(case)

    def _refused(self, error: CasetuiError) -> None:
        """Every typed value stays; the refusal is shown under its field, or here."""
        self.saving = False
        body = self.query_one("#intake-body")
        body.disabled = False
        self.refresh_bindings()
        if isinstance(error, ValidationError):
            shown = any(
                [f.show_errors(error) for f in [*self.query(CaseFields), *self.query(ClientForm)]]
            )
            if shown:
                self.set_status("Not saved: see the message under the field.", problem=True)
                return
        self.set_status(f"Not saved: {visible(str(error))}", problem=True)

    # --- leaving -------------------------------------------------------------------------------

    def holds_unsaved_work(self) -> bool:
        return self._original is not None and self._snapshot() != self._original

    def action_close(self) -> None:
        if not self.holds_unsaved_work():
            self.dismiss(None)
            return
        self.app.push_screen(
            ChoiceScreen(
                "Leave without saving?",
                [("Keep typing", "stay"), ("Discard what I typed", "discard")],
                message="The client and case are not saved yet.",
            ),
            lambda choice: self.dismiss(None) if choice == "discard" else None,
        )
