"""One audit event in full, opened from the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from casetui.domain.read_models.audit import AuditEventView
from casetui.services import audit_trail
from casetui.tui.database_away import call_database
from casetui.tui.widgets.audit_text import event_text
from casetui.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from casetui.tui.app import CasetuiApp


class AuditEventScreen(ModalScreen[None]):
    """One event in full. Opening a restricted note's text is itself recorded."""

    HELP_TITLE = "An audit event"
    DEFAULT_CSS = """
    AuditEventScreen { align: center middle; }
    AuditEventScreen > Vertical {
        width: 100; max-width: 100%; height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    AuditEventScreen VerticalScroll { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "close", "Close", id="audit_event.close"),
        Binding("up,k", "scroll(-1)", "Scroll up", show=False, id="audit_event.up"),
        Binding("down,j", "scroll(1)", "Scroll down", show=False, id="audit_event.down"),
    ]

    def __init__(self, event_id: int, time_zone: str) -> None:
        super().__init__()
        self.event_id = event_id
        self.zone = ZoneInfo(time_zone)
        self.event: AuditEventView | None = None

    def compose(self) -> ComposeResult:
        with Vertical(), VerticalScroll(id="event-body"):
            yield Static(Text(f"Opening event #{self.event_id}…", style="dim"), id="event")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#event-body").focus()
        self._open()

    @work(thread=True, exclusive=True, group="audit-event")
    def _open(self) -> None:
        app: CasetuiApp = self.app  # type: ignore[assignment]

        def read() -> AuditEventView:
            # A write: opening a restricted note's text is recorded, as reading the note is.
            return audit_trail.open_event(app.db, app.signed_in, self.event_id)

        def failed(error: Exception) -> None:
            app.show_error(error)
            self.dismiss(None)

        call_database(self, read, self._show, failed)

    def _show(self, event: AuditEventView) -> None:
        self.event = event
        self.query_one("#event", Static).update(event_text(event, self.zone))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll(self, step: int) -> None:
        self.query_one("#event-body", VerticalScroll).scroll_relative(y=step, animate=False)


__all__ = ["AuditEventScreen"]
