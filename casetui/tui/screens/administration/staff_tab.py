"""The Staff tab: every account, deactivated ones too; add, edit, deactivate or reactivate,
and reset a password (the new temporary one shown once)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Static

from casetui.domain.errors import CasesStillHeld
from casetui.domain.read_models.people import StaffView, TeamView
from casetui.services import staff as staff_service
from casetui.services import teams as team_service
from casetui.tui.database_away import call_database
from casetui.tui.screens.administration.common import AdminTable, grants_text
from casetui.tui.screens.administration.staff_form import Saved, StaffFormScreen
from casetui.tui.screens.choice import ChoiceScreen
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.screens.transfer_preview import offer_transfer
from casetui.tui.widgets.data_table import DataTable

WIDE = 110  # from this width the grants get a column of their own


def state(person: StaffView) -> str:
    if not person.active:
        return "deactivated"
    return "temporary password" if person.must_change_password else "active"


class StaffTab(Vertical):
    """Everyone, by name; the cursor's person is the one each key acts on."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "add_person", "Add", id="administration.staff.add"),
        Binding("e", "edit_person", "Edit", id="administration.staff.edit"),
        Binding("d", "deactivate", "Deactivate", id="administration.staff.deactivate"),
        Binding("r", "reactivate", "Reactivate", id="administration.staff.reactivate"),
        Binding("p", "reset_password", "Reset password", id="administration.staff.password"),
        Binding("T", "transfer", "Transfer cases", id="administration.staff.transfer"),
    ]
    HELP_TITLE = "Staff"
    DEFAULT_CSS = """
    StaffTab { height: 1fr; }
    StaffTab #staff-summary { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__(id="staff-tab")
        self.people: list[StaffView] = []
        self.teams: list[TeamView] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Static("", id="staff-summary")
        yield AdminTable(id="staff-table")

    def on_mount(self) -> None:
        self.reload()

    @property
    def table(self) -> AdminTable:
        return self.query_one(AdminTable)

    @property
    def current(self) -> StaffView | None:
        key = self.table.current_key
        return next((p for p in self.people if p.username == key), None)

    # --- loading -------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="administration-staff")
    def reload(self, keep: str | None = None) -> None:
        app = self.app
        db, actor = app.db, app.actor  # type: ignore[attr-defined]

        def read() -> tuple[list[StaffView], list[TeamView]]:
            return (
                staff_service.list_staff(db, actor, include_inactive=True),
                team_service.list_teams(db, actor),
            )

        call_database(self, read, lambda found: self._show(*found, keep=keep))

    def _show(self, people: list[StaffView], teams: list[TeamView], keep: str | None) -> None:
        self.people, self.teams, self.loaded = people, teams, True
        self._fill(keep)
        off = sum(1 for p in people if not p.active)
        temporary = sum(1 for p in people if p.active and p.must_change_password)
        summary = f"{len(people) - off} active · {off} deactivated"
        summary += f" · {temporary} yet to choose a password" if temporary else ""
        self.query_one("#staff-summary", Static).update(Text(summary))
        self.screen.refresh_bindings()

    def _fill(self, keep: str | None = None) -> None:
        wide = (self.size.width or self.app.size.width) >= WIDE
        columns = [("Username", 12), ("Name", 20 if wide else 15), ("Role", 13), ("Team", 12 if wide else 10),
                   ("Hours", 5), ("State", 18 if wide else 11)]  # fmt: skip
        if wide:
            columns.insert(5, ("Grants", 22))
        rows = []
        for p in self.people:
            cells = [p.username, p.display_name, p.role.value, p.team or "", f"{p.capacity_hours:g}",
                     state(p)]  # fmt: skip
            if wide:
                cells.insert(5, grants_text(p.grants))
            rows.append((p.username, cells))
        self.table.fill(columns, rows, keep=keep)

    def on_resize(self) -> None:
        if self.loaded:
            self._fill()

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.screen.refresh_bindings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit_person()

    # --- keys ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        person = self.current
        if action in ("edit_person", "reset_password", "transfer"):
            return None if person is None else True
        if action == "deactivate":
            return None if person is None or not person.active else True
        if action == "reactivate":
            return None if person is None or person.active else True
        return True

    def action_add_person(self) -> None:
        self.app.push_screen(StaffFormScreen(self.teams), self._saved)

    def action_edit_person(self) -> None:
        person = self.current
        if person is not None:
            self.app.push_screen(StaffFormScreen(self.teams, person), self._saved)

    def _saved(self, saved: Saved | None) -> None:
        if saved is None:
            return
        self.reload(keep=saved.person.username)
        if saved.temporary_password is None:
            self.notify(Text(f"{saved.person.username} saved"), timeout=3)
            return
        self._show_password(saved.person.username, saved.temporary_password, "added")

    def _show_password(self, username: str, password: str, what: str) -> None:
        message = Text()
        message.append(f"{username} {what}. Their temporary password:\n\n")
        message.append(f"    {password}\n\n", style="bold")
        message.append(
            "Give it to them in person or by phone. It signs in once, to choose their own "
            "password, and is not shown again."
        )
        self.app.push_screen(
            ChoiceScreen(
                "Temporary password", [("Done: I have passed it on", True)], message=message
            )
        )

    def action_deactivate(self) -> None:
        person = self.current
        if person is None or not person.active:
            return
        question = Text(
            f"{person.display_name} ({person.username}) will no longer be able to sign in, and "
            "will not be offered as a case worker. Their notes and records stay."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._write(lambda db, actor: staff_service.deactivate_staff(
                    db, actor, person.username, expected_version=person.version),
                    f"{person.username} deactivated", person.username,
                    still_held=person)  # fmt: skip

        self.app.push_screen(ConfirmScreen(f"Deactivate {person.username}?", question), answered)

    def action_reactivate(self) -> None:
        person = self.current
        if person is None or person.active:
            return
        self._write(
            lambda db, actor: staff_service.reactivate_staff(
                db, actor, person.username, expected_version=person.version
            ),
            f"{person.username} reactivated: they can sign in again",
            person.username,
        )

    def action_transfer(self) -> None:
        """The highlighted person's open and paused cases to others: after a leaver's last
        day, before they can be deactivated."""
        person = self.current
        if person is not None:
            self._transfer(person)

    def _transfer(self, person: StaffView) -> None:
        offer_transfer(
            self, person.username, person.display_name,
            lambda done: self.reload(keep=person.username),
        )  # fmt: skip

    def action_reset_password(self) -> None:
        person = self.current
        if person is None:
            return
        question = Text(
            f"{person.username}'s password stops working now. They sign in with a temporary "
            "one, shown to you once, and choose their own."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._reset(person.username)

        self.app.push_screen(
            ConfirmScreen(f"Reset the password of {person.username}?", question), answered
        )

    @work(thread=True, exclusive=True, group="administration-staff-write")
    def _reset(self, username: str) -> None:
        app = self.app

        def done(password: str) -> None:
            self.reload(keep=username)
            self._show_password(username, password, "has a new password")

        call_database(
            self,
            lambda: staff_service.reset_password(app.db, app.actor, username),  # type: ignore[attr-defined]
            done,
            self._refused,
        )

    @work(thread=True, exclusive=True, group="administration-staff-write")
    def _write(
        self,
        write: Callable[[Any, Any], object],
        said: str,
        keep: str,
        still_held: StaffView | None = None,
    ) -> None:
        app = self.app

        def done(_: object) -> None:
            self.notify(Text(said), timeout=4)
            self.reload(keep=keep)

        def refused(error: Exception) -> None:
            self._refused(error)
            if still_held is not None and isinstance(error, CasesStillHeld):
                self._offer_transfer_first(still_held)

        call_database(self, lambda: write(app.db, app.actor), done, refused)  # type: ignore[attr-defined]

    def _offer_transfer_first(self, person: StaffView) -> None:
        """Deactivating someone who still holds cases: offer to move them on first."""
        message = Text(
            f"{person.display_name} is still primary worker on open or paused cases. Share "
            "them among colleagues now? You see the moves before anything is saved."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._transfer(person)

        self.app.push_screen(
            ConfirmScreen(f"{person.username} still holds cases", message, yes="Transfer"),
            answered,
        )

    def _refused(self, error: Exception) -> None:
        self.app.show_error(error)  # type: ignore[attr-defined]
        self.reload()
