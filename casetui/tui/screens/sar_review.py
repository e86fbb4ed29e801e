"""Reviewing a subject-access request: every held item in turn, in full, released or withheld
one at a time (as ``git add -p`` steps through hunks).

``r`` releases the item on screen, ``w`` withholds it (asking why: the reason goes to the
client with the list of what was withheld), ``n`` and ``p`` move on and back, ``q`` leaves.
The keys to decide are offered to those the services let decide (supervisors and
administrators with the reports grant); anyone who may read the request may step through it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from casetui.domain.errors import CasetuiError
from casetui.domain.subject_access import ItemState, SarItem, SarItemDetail, SarRequestView
from casetui.services import subject_access
from casetui.tui.database_away import call_database
from casetui.tui.screens.reason import ReasonScreen
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.timeline_list import visible

if TYPE_CHECKING:
    from casetui.tui.app import CasetuiApp

STATE_STYLE = {
    ItemState.HELD: "bold reverse",
    ItemState.RELEASED: "bold green",
    ItemState.WITHHELD: "bold red",
}


def decision_line(item: SarItem) -> Text:
    """What has been decided on the item, by whom and why (or that nobody has yet)."""
    line = Text()
    line.append(f" {item.state.value.upper()} ", style=STATE_STYLE[item.state])
    if item.state is ItemState.HELD:
        line.append(f" undecided · held because: {visible(item.held_because or '')}")
        return line
    who = f" by {visible(item.decided_by)}" if item.decided_by else ""
    when = f" on {item.decided_at:%Y-%m-%d %H:%M} UTC" if item.decided_at else ""
    line.append(f"{who}{when}")
    if item.reason:
        line.append(" · ")
        line.append(visible(item.reason), style="italic")
    if item.held_because:
        line.append(f" · held because: {visible(item.held_because)}", style="dim")
    return line


def detail_body(detail: SarItemDetail) -> Group:
    """The item in full: its heading, every field, then its text as typed."""
    heading = Text(visible(detail.heading), style="bold")
    if detail.restricted:
        heading.append("  RESTRICTED", style="bold reverse")
    fields = Table.grid(padding=(0, 1))
    fields.add_column(style="dim", no_wrap=True)
    fields.add_column(ratio=1)
    for label, value in detail.fields:
        fields.add_row(label, Text(visible(value)))
    parts: list[Text | Table] = [heading, fields]
    if detail.text.strip():
        parts.append(Text(""))
        parts.append(Text(visible(detail.text, keep_newlines=True)))
    return Group(*parts)


class SarReviewScreen(Screen[None]):
    """One held item at a time, with the keys to release or withhold it."""

    HELP_TITLE = "Subject-access review"
    DEFAULT_CSS = """
    SarReviewScreen #sar-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    SarReviewScreen #sar-progress { height: 1; padding: 0 1; }
    SarReviewScreen #sar-body { height: 1fr; border: round $primary; padding: 0 1; }
    SarReviewScreen #sar-decision { height: auto; padding: 0 1; }
    SarReviewScreen #sar-hint { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "release", "Release", id="sar.release"),
        Binding("w", "withhold", "Withhold", id="sar.withhold"),
        Binding("n", "next", "Next", id="sar.next"),
        Binding("p", "previous", "Previous", id="sar.previous"),
        Binding("q,escape", "quit", "Quit", id="sar.quit"),
        Binding("up,k", "scroll(-1)", "Scroll up", show=False, id="sar.up"),
        Binding("down,j", "scroll(1)", "Scroll down", show=False, id="sar.down"),
        Binding("ctrl+r", "reload", "Refresh", show=False, id="sar.reload"),
    ]

    def __init__(self, request_id: int) -> None:
        super().__init__()
        self.request_id = request_id
        self.request: SarRequestView | None = None
        self.detail: SarItemDetail | None = None
        self.position = 0  # among the reviewed items: those the rule held

    @property
    def casetui(self) -> CasetuiApp:
        return self.app  # type: ignore[return-value]

    @property
    def reviewed(self) -> tuple[SarItem, ...]:
        return self.request.reviewed if self.request is not None else ()

    @property
    def current(self) -> SarItem | None:
        items = self.reviewed
        return items[self.position] if 0 <= self.position < len(items) else None

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Subject-access request {self.request_id}"), id="sar-title")
        yield Static(Text("Loading…", style="dim"), id="sar-progress")
        with VerticalScroll(id="sar-body"):
            yield Static("", id="sar-item")
        yield Static("", id="sar-decision")
        yield Static("", id="sar-hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Subject-access review"
        self.query_one("#sar-body").focus()
        self._load(first_undecided=True)

    # --- reading -------------------------------------------------------------------------

    def action_reload(self) -> None:
        self._load(first_undecided=False)

    @work(thread=True, exclusive=True, group="sar-load")
    def _load(self, first_undecided: bool) -> None:
        app = self.casetui

        def read() -> SarRequestView:
            return subject_access.show_request(app.db, app.signed_in, self.request_id)

        call_database(
            self, read, lambda view: self._loaded(view, first_undecided), self._unavailable
        )

    def _unavailable(self, error: Exception) -> None:
        self.casetui.show_error(error)
        self.dismiss(None)

    def _loaded(self, view: SarRequestView, first_undecided: bool) -> None:
        keep = self.current.item if self.current is not None else None
        self.request = view
        items = view.reviewed
        if first_undecided:
            self.position = next(
                (i for i, item in enumerate(items) if item.state is ItemState.HELD), 0
            )
        elif keep is not None:
            self.position = next((i for i, item in enumerate(items) if item.item == keep), 0)
        self.position = min(self.position, max(len(items) - 1, 0))
        title = Text(f"Subject-access request {view.id} · ")
        title.append(visible(view.client_name))
        self.query_one("#sar-title", Static).update(title)
        self._show_position()
        self._open_current()

    def _show_position(self) -> None:
        """The progress line, the decision line and what to do next."""
        view = self.request
        if view is None:
            return
        items, item = view.reviewed, self.current
        progress = Text()
        if item is None:
            progress.append("Nothing is held for review", style="bold")
        else:
            progress.append(f"{self.position + 1} of {len(items)} held", style="bold")
            progress.append(f" · {len(view.undecided)} undecided · ")
            progress.append(visible(item.item), style="bold")
        progress.append(
            f" · {view.count(ItemState.RELEASED)} released, "
            f"{view.count(ItemState.WITHHELD)} withheld of {len(view.items)}"
        )
        self.query_one("#sar-progress", Static).update(progress)
        self.query_one("#sar-decision", Static).update(
            decision_line(item) if item is not None else ""
        )
        if view.undecided:
            hint = "r releases · w withholds with a reason · n next · p previous · q quits"
            if not subject_access.may_decide(self.casetui.signed_in):
                hint = "A supervisor or administrator releases or withholds each held item"
        else:
            hint = f"Every held item is decided: casetui sar export {view.id} --out FOLDER"
        if view.cases_out_of_sight:
            hint += f" · {view.cases_out_of_sight} case(s) out of your sight are not in it"
        self.query_one("#sar-hint", Static).update(Text(hint))
        self.refresh_bindings()

    def _open_current(self) -> None:
        item = self.current
        self.detail = None
        body = self.query_one("#sar-item", Static)
        if item is None:
            body.update(
                Text(
                    "Every item of this request is released by rule: nothing is restricted "
                    "or a 3rd Party contact.",
                    style="dim",
                )
            )
            self.refresh_bindings()
            return
        body.update(Text(f"Opening {item.item}…", style="dim"))
        self._read_item(item.item)

    @work(thread=True, exclusive=True, group="sar-item")
    def _read_item(self, item: str) -> None:
        app = self.casetui

        def read() -> SarItemDetail:
            # A write: reading a restricted note this way is recorded, as opening it is.
            return subject_access.review_item(app.db, app.signed_in, self.request_id, item)

        call_database(self, read, self._show_item, self._item_refused)

    def _show_item(self, detail: SarItemDetail) -> None:
        current = self.current
        if current is None or detail.item.item != current.item:
            return  # moved on meanwhile
        self.detail = detail
        self.query_one("#sar-item", Static).update(detail_body(detail))
        self.query_one("#sar-body", VerticalScroll).scroll_home(animate=False)
        self.refresh_bindings()

    def _item_refused(self, error: Exception) -> None:
        self.casetui.show_error(error)
        self.query_one("#sar-item", Static).update(Text(visible(str(error)), style="dim"))

    # --- what may be done ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("release", "withhold"):
            if not subject_access.may_decide(self.casetui.signed_in):
                return False
            return self.detail is not None or None
        if action == "next":
            return self.position + 1 < len(self.reviewed) or None
        if action == "previous":
            return self.position > 0 or None
        return True

    # --- moving --------------------------------------------------------------------------

    def _move(self, step: int) -> None:
        target = self.position + step
        if self.request is None or not 0 <= target < len(self.reviewed):
            return
        self.position = target
        self._show_position()
        self._open_current()

    def action_next(self) -> None:
        self._move(1)

    def action_previous(self) -> None:
        self._move(-1)

    def action_quit(self) -> None:
        self.dismiss(None)

    def action_scroll(self, step: int) -> None:
        self.query_one("#sar-body", VerticalScroll).scroll_relative(y=step, animate=False)

    # --- deciding ----------------------------------------------------------------------------

    def action_release(self) -> None:
        item = self.current
        if item is not None and self.detail is not None:
            self._decide(item.item, "release", None)

    def action_withhold(self) -> None:
        item = self.current
        if item is None or self.detail is None:
            return
        message = Text(
            f"Why is {item.item} withheld? The reason goes to the client with the list of "
            "what was withheld: name no one and quote nothing from it."
        )

        def chosen(reason: str | None) -> None:
            if reason:
                self._decide(item.item, "withhold", reason)

        self.app.push_screen(
            ReasonScreen(f"Withhold {item.item}", message, placeholder="Reason for the client"),
            chosen,
        )

    @work(thread=True, group="sar-decide")
    def _decide(self, item: str, decision: str, reason: str | None) -> None:
        app = self.casetui

        def write() -> SarItem:
            return subject_access.decide(
                app.db, app.signed_in, self.request_id, item, decision, reason
            )

        call_database(self, write, self._decided, self._refused)

    def _decided(self, item: SarItem) -> None:
        self.notify(f"{item.item} {item.state.value}", markup=False)
        # Forward, as git add -p does, unless this was the last one.
        if self.position + 1 < len(self.reviewed):
            self.position += 1
        self._load(first_undecided=False)

    def _refused(self, error: CasetuiError | Exception) -> None:
        self.casetui.show_error(error)
        self._load(first_undecided=False)


__all__ = ["SarReviewScreen", "decision_line", "detail_body"]
