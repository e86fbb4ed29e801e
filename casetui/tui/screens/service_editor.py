"""Recording a supportive service on a case, or changing one (the timeline's ``v`` and ``e``).

The dialog saves through the services itself, so a refusal lands under the field it names
and what was typed stays. An edit is saved from the version opened: if someone saved the
service since, the save is refused naming who, and ctrl+l loads their version.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from casetui.domain.errors import CasetuiError, DatabaseUnavailable, StaleEdit, ValidationError
from casetui.domain.read_models.supportive_services import ServiceView
from casetui.services import supportive_services
from casetui.services.supportive_services import (
    ServiceChanges,
    ServiceEditorContext,
    ServiceInput,
)
from casetui.tui.database_away import call_database
from casetui.tui.screens.choice import ChoiceScreen
from casetui.tui.widgets.latest_note import who_and_when
from casetui.tui.widgets.service_form import ServiceForm
from casetui.tui.widgets.timeline_list import visible


class ServiceEditorScreen(ModalScreen[bool]):
    """Dismissed with True once the service is saved, False when closed without saving."""

    HELP_TITLE = "Supportive service"

    DEFAULT_CSS = """
    ServiceEditorScreen { align: center middle; }
    ServiceEditorScreen > Vertical {
        width: 84; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    ServiceEditorScreen #service-title { text-style: bold; width: 1fr; }
    ServiceEditorScreen #service-status { height: auto; color: $text-muted; }
    ServiceEditorScreen #service-status.-problem { color: $text-error; text-style: bold; }
    ServiceEditorScreen #service-body { height: auto; max-height: 18; }
    ServiceEditorScreen .hint-line { color: $text-muted; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="service_editor.save"),
        # Offered once a save was refused because someone else saved the service first.
        Binding("ctrl+l", "load_latest", "Load their version", id="service_editor.load_latest"),
        Binding("escape", "close", "Close", id="service_editor.close"),
    ]

    def __init__(self, case_id: int, service_id: int | None = None) -> None:
        super().__init__()
        self.case_id = case_id
        self.service_id = service_id
        self.context: ServiceEditorContext | None = None
        self.original: dict[str, str] = {}
        self.saving = False
        self.refused_as_stale: StaleEdit | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Loading…"), id="service-title")
            yield Static("", id="service-status")
            yield VerticalScroll(id="service-body")
            yield Label("ctrl+s save · escape close", classes="hint-line", id="service-keys")

    def on_mount(self) -> None:
        self.load()

    # --- loading ----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="service-editor-load")
    def load(self) -> None:
        case_id, service_id = self.case_id, self.service_id

        def read() -> ServiceEditorContext:
            return supportive_services.service_editor_context(
                self.app.db, self.app.actor, case_id, service_id
            )

        call_database(self, read, self._ready, self._unavailable)

    def _unavailable(self, exc: CasetuiError) -> None:
        self.app.show_error(exc)
        self.dismiss(False)

    async def _ready(self, context: ServiceEditorContext) -> None:
        self.context = context
        body = self.query_one("#service-body", VerticalScroll)
        await body.remove_children()
        form = ServiceForm(
            service_types=context.service_types,
            grants=context.grants,
            currency=context.currency,
            today=context.today,
            service=context.service,
            id="service-form",
        )
        await body.mount(form)
        self.original = form.values()
        case = context.case
        title = Text("Change supportive service" if context.service else "New supportive service")
        title.append(f" · {visible(case.case_number)} · {visible(case.client_name)}")
        self.query_one("#service-title", Label).update(title)
        if not context.grants:
            self.set_status("The organisation lists no grants yet: the service is from no grant.")
        else:
            self.set_status("")
        self.refresh_bindings()
        form.query_one("#service-type").focus()

    def set_status(self, words: str, *, problem: bool = False) -> None:
        status = self.query_one("#service-status", Static)
        status.update(Text(visible(words)))
        status.set_class(problem, "-problem")

    @property
    def form(self) -> ServiceForm | None:
        found = self.query(ServiceForm)
        return found.first() if found else None

    # --- which keys are on offer ------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            return True if self.context is not None and not self.saving else None
        if action == "load_latest":
            return self.refused_as_stale is not None and not self.saving
        return True

    # --- saving -----------------------------------------------------------------------------

    def action_save(self) -> None:
        form = self.form
        if self.context is None or self.saving or form is None:
            return
        form.clear_errors()
        if self.context.service is None:
            self._hold(True)
            self._save_new(form.service_input())
            return
        changes = form.service_changes(self.original)
        if changes == ServiceChanges():
            self.set_status("Nothing has changed.")
            return
        self._hold(True)
        self._save_edit(changes, self.context.service.version)

    def _hold(self, saving: bool) -> None:
        """While a save is on its way, what was typed stays put."""
        self.saving = saving
        self.query_one("#service-body").disabled = saving
        if saving:
            self.set_status("Saving…")
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="service-editor-save")
    def _save_new(self, service: ServiceInput) -> None:
        assert self.context is not None
        number = self.context.case.case_number

        def write() -> ServiceView:
            return supportive_services.add_service(self.app.db, self.app.actor, number, service)

        call_database(self, write, self._saved, self._refused)

    @work(thread=True, exclusive=True, group="service-editor-save")
    def _save_edit(self, changes: ServiceChanges, version: int) -> None:
        assert self.service_id is not None
        service_id = self.service_id

        def write() -> ServiceView:
            return supportive_services.edit_service(
                self.app.db, self.app.actor, service_id, changes, expected_version=version
            )

        call_database(self, write, self._saved, self._refused)

    def _saved(self, _service: ServiceView) -> None:
        self.saving = False
        self.notify("Supportive service saved", markup=False)
        self.app.caseload_changed()
        self.dismiss(True)

    def _refused(self, exc: CasetuiError) -> None:
        """Keep every character typed and say what to do next."""
        self._hold(False)
        form = self.form
        if isinstance(exc, ValidationError) and form is not None and form.show_errors(exc):
            self.set_status("Not saved: see the message under the field.", problem=True)
            return
        if isinstance(exc, StaleEdit):
            self.refused_as_stale = exc
            self.refresh_bindings()
            who, when = who_and_when(exc)
            self.set_status(
                f"Not saved: {who} changed this service{when}, after you opened it. What you "
                "typed is still here; ctrl+l loads their version (your changes go).",
                problem=True,
            )
            return
        if isinstance(exc, DatabaseUnavailable) and exc.in_doubt:
            self.set_status(
                "Not sure it was saved: the database went away while saving. Look at the case "
                "timeline before saving again.",
                problem=True,
            )
            return
        self.set_status(f"Not saved: {exc}", problem=True)

    def action_load_latest(self) -> None:
        if self.refused_as_stale is None or self.saving:
            return
        self.refused_as_stale = None
        self.context = None
        self.refresh_bindings()
        self.set_status("Loading their version…")
        self.load()

    # --- leaving ----------------------------------------------------------------------------

    def holds_unsaved_work(self) -> bool:
        form = self.form
        return self.context is not None and form is not None and form.values() != self.original

    def action_close(self) -> None:
        if not self.holds_unsaved_work():
            self.dismiss(False)
            return
        self.app.push_screen(
            ChoiceScreen(
                "Leave without saving?",
                [("Keep editing", "stay"), ("Discard my changes", "discard")],
                message="This supportive service is not saved.",
            ),
            lambda choice: self.dismiss(False) if choice == "discard" else None,
        )
