"""One person's open and paused cases, to reassign from or open."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from casetui.domain.errors import StaleEdit
from casetui.domain.filters import ACTIVE_STATUSES, CaseFilter
from casetui.domain.read_models.cases import CaseRow
from casetui.domain.read_models.people import WorkloadRow
from casetui.services import cases, policy
from casetui.services.workload import workload_of
from casetui.tui.database_away import call_database
from casetui.tui.screens.choice import ChoiceScreen
from casetui.tui.widgets.case_table import CaseloadSource, CaseTable
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.latest_note import stale_notice
from casetui.tui.widgets.person_case_table import PersonCaseTable
from casetui.tui.widgets.timeline_list import visible
from casetui.tui.widgets.utilisation_bar import percent, utilisation_text
from casetui.tui.widgets.workload_table import hours


class PersonCasesScreen(Screen[CaseRow | None]):
    """One person's open and paused cases; supervisors and administrators reassign from here."""

    HELP_TITLE = "A person's cases"

    DEFAULT_CSS = """
    PersonCasesScreen #person-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    PersonCasesScreen #person-figures { height: 1; padding: 0 1; }
    """
    BINDINGS = [
        Binding("r", "reassign", "Reassign", id="workload.reassign"),
        Binding("enter", "open_case", "Timeline", id="workload.open_case", priority=True),
        Binding("escape", "back", "Back", id="workload.back_to_people"),
    ]

    def __init__(self, person: WorkloadRow) -> None:
        super().__init__()
        self.person = person
        self.case_filter = CaseFilter(
            worker_ids=(person.staff_id,), statuses=ACTIVE_STATUSES, sort="client",
            descending=False,
        )  # fmt: skip
        self._offered: tuple[int | None, bool] | None = None

    @property
    def table(self) -> PersonCaseTable:
        return self.query_one(PersonCaseTable)

    @property
    def cases(self) -> list[CaseRow]:
        """The person's cases fetched so far, in the list's order."""
        return self.table.fetched_rows()

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Cases of {visible(self.person.display_name)}"), id="person-title")
        yield Static("", id="person-figures")
        source = CaseloadSource(self.app.db, self.app.actor)
        yield PersonCaseTable(source, self.case_filter, id="person-cases")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._show_figures()
        self.table.focus()
        self.table.show(self.case_filter)

    def _show_figures(self) -> None:
        person = self.person
        figures = Text(
            f"{hours(person.allocated_hours)} of {hours(person.capacity_hours)} a week  "
        )
        figures.append_text(utilisation_text(person.utilisation, 20))
        self.query_one("#person-figures", Static).update(figures)

    def reload(self) -> None:
        """The cases again (the highlighted line stays where it was), and the figures."""
        self.table.reload()
        self._reload_figures()

    @work(thread=True, exclusive=True, group="person-load")
    def _reload_figures(self) -> None:
        person = self.person.staff_id
        db, actor = self.app.db, self.app.actor

        def show(figures: list[WorkloadRow]) -> None:
            self.person = next((r for r in figures if r.staff_id == person), self.person)
            self._show_figures()

        call_database(self, lambda: workload_of(db, actor, [person]), show)

    def on_case_table_status_changed(self, _message: CaseTable.StatusChanged) -> None:
        table = self.table
        offered = (table.total, table.current is None)
        if offered == self._offered:
            return
        self._offered = offered
        title = f"Cases of {visible(self.person.display_name)}"
        if table.total is not None:
            title += f" · {table.total:,} open or paused"
        self.query_one("#person-title", Static).update(Text(title))
        self.refresh_bindings()  # reassign is offered once a case is highlighted

    def on_case_table_load_failed(self, message: CaseTable.LoadFailed) -> None:
        self.app.show_error(message.error)

    def on_case_table_chosen(self, message: CaseTable.Chosen) -> None:
        message.stop()
        self.action_open_case()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reassign":
            if not policy.can(policy.ensure_reassigner, self.app.actor):
                return False
            return True if self.table.current is not None else None
        return True

    def _current(self) -> CaseRow | None:
        return self.table.current

    def action_reassign(self) -> None:
        case = self._current()
        if case is not None:
            self._offer_workers(case)

    @work(thread=True, exclusive=True, group="person-choices")
    def _offer_workers(self, case: CaseRow) -> None:
        """Who may take the case (as the service answers), with how loaded each one is."""
        db, actor = self.app.db, self.app.actor

        def read() -> list[WorkloadRow]:
            people = cases.worker_choices(db, actor, case.case_number)
            return workload_of(db, actor, [p.id for p in people])

        call_database(self, read, lambda people: self._pick_worker(case, people))

    def _pick_worker(self, case: CaseRow, people: list[WorkloadRow]) -> None:
        others = sorted(people, key=lambda r: (r.utilisation, r.display_name))
        choices = [
            (
                Text(
                    f"{visible(r.display_name)} · {visible(r.team or 'no team')} · {percent(r.utilisation)}"
                ),
                r.username,
            )
            for r in others
        ]
        title = f"Reassign {case.case_number} ({case.concern} concern) to"
        self.app.push_screen(
            ChoiceScreen(title, choices, message="Least loaded first."),
            lambda username: self._reassign(case, username) if username else None,
        )

    @work(thread=True, exclusive=True, group="person-write")
    def _reassign(self, case: CaseRow, username: str) -> None:
        db, actor = self.app.db, self.app.actor

        def write() -> None:
            cases.reassign(db, actor, case.case_number, username, expected_version=case.version)

        call_database(self, write, lambda _: self._reassigned(case, username), self._refused)

    def _refused(self, exc: Exception) -> None:
        if not isinstance(exc, StaleEdit):
            self.app.show_error(exc)
            return
        words = stale_notice(exc, "The list is shown as it is now.")
        self.notify(words, title="Someone else saved first", severity="warning", markup=False)
        self.reload()

    def _reassigned(self, case: CaseRow, username: str) -> None:
        self.notify(f"{case.case_number} now with {username}", markup=False)
        self.app.caseload_changed()
        self.reload()

    def action_open_case(self) -> None:
        from casetui.tui.screens.timeline import TimelineScreen

        case = self._current()
        if case is not None:
            self.app.push_screen(TimelineScreen(case.id))

    def action_back(self) -> None:
        self.dismiss(None)


class CasePickScreen(PersonCasesScreen):
    """A person's cases for the workload's what-if: enter picks the case to move."""

    HELP_TITLE = "Pick a case to move (what-if)"
    BINDINGS = [
        Binding("enter", "open_case", "Move this case", id="workload.pick_case", priority=True),
        Binding("escape", "back", "Back", id="workload.back_from_pick"),
    ]

    def on_mount(self) -> None:
        super().on_mount()
        self._retitle()

    def _retitle(self) -> None:
        title = f"What-if: which of {visible(self.person.display_name)}'s cases moves?"
        self.query_one("#person-title", Static).update(Text(title, no_wrap=True))

    def on_case_table_status_changed(self, _message: CaseTable.StatusChanged) -> None:
        self._retitle()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action != "reassign"

    def action_open_case(self) -> None:
        case = self._current()
        if case is not None:
            self.dismiss(case)


__all__ = ["CasePickScreen", "PersonCasesScreen"]
