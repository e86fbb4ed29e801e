"""The Teams tab: every team with its supervisors and members; add, rename, and choose the
supervisors (staff with the supervisor role, who join the team they are chosen for)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Static

from casetui.domain.enums import Role
from casetui.domain.read_models.people import StaffView, TeamView
from casetui.services import staff as staff_service
from casetui.services import teams as team_service
from casetui.tui.database_away import call_database
from casetui.tui.screens.administration.common import AdminTable, WordScreen
from casetui.tui.screens.pickers import ChoicePicker
from casetui.tui.widgets.data_table import DataTable


class TeamsTab(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "add_team", "Add", id="administration.teams.add"),
        Binding("e", "rename_team", "Rename", id="administration.teams.rename"),
        Binding("s", "supervisors", "Supervisors", id="administration.teams.supervisors"),
    ]
    HELP_TITLE = "Teams"
    DEFAULT_CSS = """
    TeamsTab { height: 1fr; }
    TeamsTab #teams-summary { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__(id="teams-tab")
        self.teams: list[TeamView] = []
        self.supervisors: list[StaffView] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Static(
            Text("A supervisor sees their team's cases and workload from their next sign-in."),
            id="teams-summary",
        )
        yield AdminTable(id="teams-table")

    def on_mount(self) -> None:
        self.reload()

    @property
    def table(self) -> AdminTable:
        return self.query_one(AdminTable)

    @property
    def current(self) -> TeamView | None:
        key = self.table.current_key
        return next((t for t in self.teams if t.name == key), None)

    @work(thread=True, exclusive=True, group="administration-teams")
    def reload(self, keep: str | None = None) -> None:
        app = self.app
        db, actor = app.db, app.actor  # type: ignore[attr-defined]

        def read() -> tuple[list[TeamView], list[StaffView]]:
            people = staff_service.list_staff(db, actor)
            return team_service.list_teams(db, actor), [
                p for p in people if p.role is Role.SUPERVISOR
            ]

        call_database(self, read, lambda found: self._show(*found, keep=keep))

    def _show(self, teams: list[TeamView], supervisors: list[StaffView], keep: str | None) -> None:
        self.teams, self.supervisors, self.loaded = teams, supervisors, True
        self._fill(keep)
        self.screen.refresh_bindings()

    def _fill(self, keep: str | None = None) -> None:
        width = self.size.width or self.app.size.width
        names = max(24, width - 24 - 10 - 8)
        columns = [("Team", 20), ("Supervisors", names), ("Members", 7)]
        rows = [
            (t.name, [t.name, ", ".join(t.supervisors) or "—", str(t.members)]) for t in self.teams
        ]
        self.table.fill(columns, rows, keep=keep)

    def on_resize(self) -> None:
        if self.loaded:
            self._fill()

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.screen.refresh_bindings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_supervisors()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("rename_team", "supervisors"):
            return None if self.current is None else True
        return True

    def action_add_team(self) -> None:
        def named(name: str | None) -> None:
            if name:
                self._write(lambda db, actor: team_service.add_team(db, actor, name))

        self.app.push_screen(
            WordScreen("New team", "The team's name, as staff know it.", field="team name"),
            named,
        )

    def action_rename_team(self) -> None:
        team = self.current
        if team is None:
            return

        def named(name: str | None) -> None:
            if name and name != team.name:
                self._write(lambda db, actor: team_service.edit_team(
                    db, actor, team.name, new_name=name, expected_version=team.version))  # fmt: skip

        self.app.push_screen(
            WordScreen(f"Rename {team.name}", "The team's new name.", field="team name",
                       value=team.name),
            named,
        )  # fmt: skip

    def action_supervisors(self) -> None:
        team = self.current
        if team is None:
            return
        choices = [(f"{p.display_name} ({p.username}) · {p.team or 'no team'}", p.username)
                   for p in self.supervisors]  # fmt: skip

        def chosen(usernames: tuple[str, ...] | None) -> None:
            if usernames is None:
                return
            adding = [u for u in usernames if u not in team.supervisors]
            removing = [u for u in team.supervisors if u not in usernames]
            if adding or removing:
                self._write(lambda db, actor: team_service.edit_team(
                    db, actor, team.name, add_supervisors=adding, remove_supervisors=removing))  # fmt: skip

        picker = ChoicePicker(
            f"Supervisors of {team.name}", choices, team.supervisors, empty_means="no supervisor"
        )
        self.app.push_screen(picker, chosen)

    @work(thread=True, exclusive=True, group="administration-teams-write")
    def _write(self, write: Callable[[Any, Any], TeamView]) -> None:
        app = self.app

        def done(team: TeamView) -> None:
            self.notify(Text(f"Team {team.name} saved"), timeout=3)
            self.reload(keep=team.name)

        call_database(self, lambda: write(app.db, app.actor), done, self._refused)  # type: ignore[attr-defined]

    def _refused(self, error: Exception) -> None:
        self.app.show_error(error)  # type: ignore[attr-defined]
        self.reload()
