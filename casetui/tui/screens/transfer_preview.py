"""A caseload transfer: pick who takes the cases, see the moves and everyone's bars before and
after, then commit them all in one go or cancel. Opened from the workload screen and from the
administration's staff tab (T), for the highlighted person."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Static

from casetui.domain.read_models.people import WorkloadRow
from casetui.domain.transfer import PersonLoad, TransferDone, TransferPlan
from casetui.services import transfer
from casetui.tui.database_away import call_database
from casetui.tui.screens.pickers import ChoicePicker
from casetui.tui.widgets.data_table import DataTable
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.safe_text import visible
from casetui.tui.widgets.utilisation_bar import percent, utilisation_text
from casetui.tui.widgets.workload_table import hours

BAR = 10


def person_line(person: PersonLoad, name_width: int = 16) -> Text:
    """``Lee Ward          12.5h → 0h    ███░░░░░░░  33% → ░░░░░░░░░░   0%``"""
    name = Text(visible(person.display_name), no_wrap=True)
    name.truncate(name_width, overflow="ellipsis", pad=True)
    line = Text(no_wrap=True, end="")
    line.append_text(name)
    line.append(f" {hours(person.before_hours):>6} → {hours(person.after_hours):<6} ")
    line.append_text(utilisation_text(person.before, BAR, words=False))
    line.append(" → ")
    line.append_text(utilisation_text(person.after, BAR))
    return line


def recipient_label(row: WorkloadRow) -> str:
    return f"{row.display_name} · {row.team or 'no team'} · {percent(row.utilisation)}"


class TransferPreviewScreen(Screen[TransferDone | None]):
    """The moves a transfer would make and everyone's utilisation before and after; commit all
    of them in one transaction, or cancel and nothing moves."""

    HELP_TITLE = "Caseload transfer"

    DEFAULT_CSS = """
    TransferPreviewScreen #transfer-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    TransferPreviewScreen #transfer-people { height: auto; max-height: 8; padding: 0 1; }
    TransferPreviewScreen #transfer-note { height: 1; padding: 0 1; color: $text-muted; }
    TransferPreviewScreen DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("ctrl+s", "commit", "Commit all", id="transfer.commit", priority=True),
        Binding("escape", "cancel", "Cancel", id="transfer.cancel"),
    ]

    def __init__(self, plan: TransferPlan) -> None:
        super().__init__()
        self.plan = plan
        self.committing = False

    def compose(self) -> ComposeResult:
        plan = self.plan
        source = plan.people[0].display_name if plan.people else plan.source
        count = len(plan.moves)
        title = f"Transfer {visible(source)}'s caseload · {count} case{'' if count == 1 else 's'}"
        title += f" · {hours(plan.hours)} a week"
        yield Static(Text(title, no_wrap=True), id="transfer-title")
        people = Text("\n").join(person_line(p) for p in plan.people)
        yield Static(people, id="transfer-people")
        note = "A preview: nothing has moved. ctrl+s moves every case below, in one go."
        if not plan.moves:
            note = "Nothing to move: no open or paused cases."
        yield Static(Text(note, no_wrap=True), id="transfer-note")
        table: DataTable[str] = DataTable(
            id="transfer-moves", cursor_type="row", zebra_stripes=True
        )
        table.add_columns("Case", "Client", "Concern", "Status", "Hours", "To")
        for m in plan.moves:
            table.add_row(
                m.case_number, visible(m.client_name), m.concern, m.status, hours(m.hours),
                m.to_username,
            )  # fmt: skip
        yield table
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "commit":
            return bool(self.plan.moves) and not self.committing
        return True

    def action_commit(self) -> None:
        if self.plan.moves and not self.committing:
            self.committing = True
            self.refresh_bindings()
            self._commit()

    @work(thread=True, exclusive=True, group="transfer-commit")
    def _commit(self) -> None:
        db, actor = self.app.db, self.app.actor  # type: ignore[attr-defined]
        plan = self.plan
        call_database(
            self, lambda: transfer.commit_transfer(db, actor, plan), self._done, self._refused
        )

    def _done(self, done: TransferDone) -> None:
        self.notify(
            f"Moved {len(done.moves)} cases from {self.plan.source}, in one go", markup=False
        )
        self.dismiss(done)

    def _refused(self, error: Exception) -> None:
        self.committing = False
        self.refresh_bindings()
        self.app.show_error(error)  # type: ignore[attr-defined]

    def action_cancel(self) -> None:
        self.dismiss(None)


def offer_transfer(
    node: DOMNode, username: str, display_name: str, moved: Callable[[TransferDone], Any]
) -> None:
    """From a screen: who may take ``username``'s cases (ticked in a list), the preview, then
    ``moved`` once they are committed."""
    app: Any = node.app
    db, actor = app.db, app.actor

    def pick(people: list[WorkloadRow]) -> None:
        choices = [(recipient_label(r), r.username) for r in people]
        picker: ChoicePicker[str] = ChoicePicker(
            f"Move {display_name}'s cases to (least loaded first)",
            choices,
            empty_means="nothing moves",
        )
        app.push_screen(picker, lambda chosen: preview(chosen) if chosen else None)

    def preview(chosen: tuple[str, ...]) -> None:
        def read() -> TransferPlan:
            return transfer.plan_transfer(db, actor, username, list(chosen))

        def show(plan: TransferPlan) -> None:
            app.push_screen(TransferPreviewScreen(plan), lambda done: moved(done) if done else None)

        node.run_worker(lambda: call_database(node, read, show), thread=True, group="transfer-plan")

    node.run_worker(
        lambda: call_database(node, lambda: transfer.recipients(db, actor, username), pick),
        thread=True,
        exclusive=True,
        group="transfer-recipients",
    )


__all__ = ["TransferPreviewScreen", "offer_transfer", "person_line"]
