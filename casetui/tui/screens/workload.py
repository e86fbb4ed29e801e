"""Workload: who carries how many hours of cases; enter opens a person's cases. Supervisors
and administrators transfer a person's caseload (T) or sketch moves in a what-if (H): the bars
follow the sketch at once, and nothing is saved until the sketch is committed, all in one go."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from casetui.domain.errors import StaleEdit
from casetui.domain.read_models.cases import CaseRow
from casetui.domain.read_models.people import WorkloadRow
from casetui.domain.transfer import CaseMove, SketchMove, TransferDone, WhatIf, merged
from casetui.services import cases, policy, transfer
from casetui.services.workload import workload
from casetui.tui.database_away import call_database
from casetui.tui.screens.choice import ChoiceScreen
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.screens.person_cases import CasePickScreen, PersonCasesScreen
from casetui.tui.screens.transfer_preview import offer_transfer, recipient_label
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.safe_text import visible
from casetui.tui.widgets.workload_table import WorkloadTable, hours

LEGEND = "█ allocated of weekly capacity · near: 85–100% · over: above 100%"
SKETCH_LINES = 4  # moves listed under the banner; the rest are counted


class WorkloadScreen(Screen[None]):
    """Everyone the actor may see, highest utilisation first; enter opens a person's cases."""

    HELP_TITLE = "Workload"

    DEFAULT_CSS = """
    WorkloadScreen #workload-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    WorkloadScreen #workload-legend { height: 1; padding: 0 1; color: $text-muted; }
    WorkloadScreen #workload-sketch { height: auto; padding: 0 1; display: none;
        background: $warning-muted; }
    WorkloadScreen.sketching #workload-sketch { display: block; }
    WorkloadScreen:nocolor #workload-sketch { text-style: reverse; }
    """
    BINDINGS = [
        # Before the table's own enter, so the footer offers it by name.
        Binding("enter", "open_person", "Cases", id="workload.open_person", priority=True),
        Binding("enter", "sketch_move", "Move a case", id="workload.sketch_move", priority=True),
        Binding("T", "transfer", "Transfer", id="workload.transfer"),
        Binding("H", "what_if", "What-if", id="workload.what_if"),
        Binding("ctrl+s", "commit_sketch", "Commit", id="workload.commit_sketch", priority=True),
        Binding("u", "undo_move", "Undo move", id="workload.undo_move"),
        Binding("g", "reload", "Refresh", id="workload.refresh"),
        Binding("escape", "back", "Back", id="workload.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[WorkloadRow] = []
        self.sketching = False
        self.sketch: list[SketchMove] = []
        self.sketched: tuple[CaseMove, ...] = ()  # the sketch's moves, with their hours
        self.stale: str | None = None  # the case a refused commit named

    def compose(self) -> ComposeResult:
        yield Static(Text("Workload"), id="workload-title")
        yield Static(Text(LEGEND), id="workload-legend")
        yield Static("", id="workload-sketch")
        table = WorkloadTable(id="workload-table")
        yield table
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(WorkloadTable).focus()
        self.action_reload()

    def on_screen_resume(self) -> None:
        if self.rows:
            self.action_reload()

    @work(thread=True, exclusive=True, group="workload-load")
    def action_reload(self) -> None:
        db, actor = self.app.db, self.app.actor
        sketch = list(self.sketch)

        def read() -> list[WorkloadRow] | WhatIf:
            # While sketching, the figures as they are now with the sketch on top.
            return transfer.what_if(db, actor, sketch) if sketch else workload(db, actor)

        call_database(self, read, self._show)

    def _show(self, rows: list[WorkloadRow] | WhatIf) -> None:
        if isinstance(rows, WhatIf):
            self.sketched = rows.moves
            rows = list(rows.rows)
        self.rows = rows
        self.query_one(WorkloadTable).set_rows(rows)
        over = sum(1 for r in rows if r.utilisation > 1)
        title = f"Workload · {len(rows)} {'person' if len(rows) == 1 else 'people'}"
        title += f" · {over} over capacity" if over else ""
        if self.sketching:
            title = f"Workload · WHAT-IF sketch, not saved · {over} over capacity"
        self.query_one("#workload-title", Static).update(Text(title, no_wrap=True))
        self._show_sketch()

    def _highlighted(self) -> WorkloadRow | None:
        table = self.query_one(WorkloadTable)
        if self.rows and 0 <= table.cursor_row < len(self.rows):
            return self.rows[table.cursor_row]
        return None

    def action_open_person(self) -> None:
        person = self._highlighted()
        if person is not None:
            self.app.push_screen(PersonCasesScreen(person))

    def action_sketch_move(self) -> None:
        """Which of the highlighted person's cases moves, then to whom."""
        person = self._highlighted()
        if person is not None and self.sketching:
            self.app.push_screen(
                CasePickScreen(person),
                lambda case: self._pick_taker(person, case) if case else None,
            )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_person":
            # In a sketch, enter moves one of the person's cases instead.
            return not self.sketching
        if action == "sketch_move":
            return self.sketching
        if action in ("transfer", "what_if"):
            # Hidden while sketching: the sketch's own keys take the footer.
            return not self.sketching and policy.can(policy.ensure_reassigner, self.app.actor)
        if action in ("commit_sketch", "undo_move"):
            if not self.sketching:
                return False
            return True if self.sketch else None
        return True

    # --- a caseload transfer ---------------------------------------------------------------

    def action_transfer(self) -> None:
        person = self._highlighted()
        if person is not None and not self.sketching:
            offer_transfer(self, person.username, person.display_name, self._transferred)

    def _transferred(self, done: TransferDone) -> None:
        self.app.caseload_changed()
        self.action_reload()

    # --- what-if: moves sketched, the bars following, nothing saved until committed ----------

    def action_what_if(self) -> None:
        if self.sketching:
            return
        self.sketching = True
        self.sketch, self.sketched, self.stale = [], (), None
        self.add_class("sketching")
        self.refresh_bindings()
        self._show(self.rows)

    def _show_sketch(self) -> None:
        if not self.sketching:
            return
        count = len(self.sketch)
        text = Text(no_wrap=True)
        text.append("WHAT-IF SKETCH", style="bold")
        text.append(f" · {count} move{'' if count == 1 else 's'} · ")
        text.append("nothing is saved until ctrl+s commits them all")
        for move in self.sketched[-SKETCH_LINES:]:
            text.append("\n")
            mark = "! " if move.case_number == self.stale else "  "
            text.append(
                f"{mark}{move.case_number} {visible(move.client_name)[:18]} · "
                f"{move.from_username} → {move.to_username} · {hours(move.hours)}"
            )
            if move.case_number == self.stale:
                text.append(" · changed since sketched", style="bold")
        if count > SKETCH_LINES:
            text.append(f"\n  and {count - SKETCH_LINES} earlier")
        self.query_one("#workload-sketch", Static).update(text)

    def _pick_taker(self, person: WorkloadRow, case: CaseRow) -> None:
        self._offer_takers(person, case)

    @work(thread=True, exclusive=True, group="workload-takers")
    def _offer_takers(self, person: WorkloadRow, case: CaseRow) -> None:
        """Who may take the case (as the service answers), with their sketched figures."""
        db, actor = self.app.db, self.app.actor

        def read() -> list[str]:
            return [p.username for p in cases.worker_choices(db, actor, case.case_number)]

        call_database(self, read, lambda names: self._choose_taker(person, case, names))

    def _choose_taker(self, person: WorkloadRow, case: CaseRow, names: list[str]) -> None:
        allowed = set(names)
        takers = sorted(
            (r for r in self.rows if r.username in allowed),
            key=lambda r: (r.utilisation, r.display_name),
        )
        choices = [(Text(recipient_label(r)), r.username) for r in takers]
        title = f"What if {case.case_number} ({case.concern}, {visible(case.client_name)}) went to"
        self.app.push_screen(
            ChoiceScreen(title, choices, message="Least loaded in the sketch first."),
            lambda username: self._sketch_move(person, case, username) if username else None,
        )

    def _sketch_move(self, person: WorkloadRow, case: CaseRow, username: str) -> None:
        move = SketchMove(case.case_number, person.username, username, case.version)
        self.sketch = merged(self.sketch, move)
        self.stale = None
        self.refresh_bindings()
        self.action_reload()

    def action_undo_move(self) -> None:
        if self.sketching and self.sketch:
            self.sketch = self.sketch[:-1]
            self.stale = None
            self.refresh_bindings()
            self.action_reload()

    def action_commit_sketch(self) -> None:
        if self.sketching and self.sketch:
            self._commit_sketch(list(self.sketch))

    @work(thread=True, exclusive=True, group="workload-commit")
    def _commit_sketch(self, sketch: list[SketchMove]) -> None:
        db, actor = self.app.db, self.app.actor
        call_database(
            self,
            lambda: transfer.commit_sketch(db, actor, sketch),
            self._committed,
            self._commit_refused,
        )

    def _committed(self, done: TransferDone) -> None:
        self.notify(f"Committed {len(done.moves)} moves, in one go", markup=False)
        self._leave_sketch()
        self.app.caseload_changed()

    def _commit_refused(self, error: Exception) -> None:
        """The sketch stays as it was, the refused case marked, to undo or discard."""
        if isinstance(error, StaleEdit):
            message = str(error)
            self.stale = next(
                (m.case_number for m in self.sketch if m.case_number in message), None
            )
            self._show_sketch()
        self.app.show_error(error)

    def _leave_sketch(self) -> None:
        self.sketching = False
        self.sketch, self.sketched, self.stale = [], (), None
        self.remove_class("sketching")
        self.refresh_bindings()
        self.action_reload()

    def _discard(self, answer: bool | None) -> None:
        if answer:
            self._leave_sketch()

    def on_workload_table_chosen(self, event: WorkloadTable.Chosen) -> None:
        event.stop()
        if self.sketching:
            self.action_sketch_move()
        else:
            self.action_open_person()

    def action_back(self) -> None:
        if self.sketching:
            if not self.sketch:
                self._leave_sketch()
                return
            count = len(self.sketch)
            self.app.push_screen(
                ConfirmScreen(
                    "Discard the what-if sketch?",
                    f"{count} sketched move{'' if count == 1 else 's'}; nothing has been saved.",
                    yes="Discard",
                    no="Keep sketching",
                ),
                self._discard,
            )
            return
        self.dismiss(None)


__all__ = ["WorkloadScreen"]
