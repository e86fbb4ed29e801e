"""The administration screen: a tab each for staff, teams, settings and lists."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static, TabbedContent, TabPane

from casetui.tui.screens.administration.lists_tab import ListsTab
from casetui.tui.screens.administration.settings_tab import SettingsTab
from casetui.tui.screens.administration.staff_tab import StaffTab
from casetui.tui.screens.administration.teams_tab import TeamsTab
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.widgets.data_table import DataTable
from casetui.tui.widgets.footer import Footer

TABS = ("staff", "teams", "settings", "lists")


class AdministrationScreen(Screen[None]):
    """Administrators only: the caseload offers its key to nobody else, and every tab's reads
    and writes are refused by the services for anyone else."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Not in the footer: the title says them. ctrl+pagedown/up also work inside a field.
        Binding(
            "right_square_bracket",
            "next_tab(1)",
            "Next tab",
            show=False,
            id="administration.next_tab",
        ),
        Binding(
            "left_square_bracket",
            "next_tab(-1)",
            "Previous tab",
            show=False,
            id="administration.previous_tab",
        ),
        Binding(
            "ctrl+pagedown",
            "next_tab(1)",
            "Next tab",
            show=False,
            priority=True,
            id="administration.next_tab_anywhere",
        ),
        Binding(
            "ctrl+pageup",
            "next_tab(-1)",
            "Previous tab",
            show=False,
            priority=True,
            id="administration.previous_tab_anywhere",
        ),
        Binding("escape", "close", "Back", id="administration.back"),
    ]
    HELP_TITLE = "Administration"
    DEFAULT_CSS = """
    AdministrationScreen #administration-title {
        height: 1; padding: 0 1; background: $boost; text-style: bold;
    }
    AdministrationScreen TabbedContent { height: 1fr; }
    AdministrationScreen TabPane { padding: 0; height: 1fr; }
    AdministrationScreen ContentSwitcher { height: 1fr; }
    """

    def __init__(self, tab: str = "staff") -> None:
        super().__init__()
        self.first_tab = tab

    def compose(self) -> ComposeResult:
        yield Static(Text("Administration · [ ] change tab · ? help"), id="administration-title")
        with TabbedContent(initial=self.first_tab):
            with TabPane("Staff", id="staff"):
                yield StaffTab()
            with TabPane("Teams", id="teams"):
                yield TeamsTab()
            with TabPane("Settings", id="settings"):
                yield SettingsTab()
            with TabPane("Lists", id="lists"):
                yield ListsTab()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Administration"
        self._focus_tab(self.first_tab)

    @property
    def tab(self) -> str:
        return self.query_one(TabbedContent).active

    def action_next_tab(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = TABS[(TABS.index(tabs.active) + step) % len(TABS)]

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._focus_tab(event.pane.id or "staff")

    def _focus_tab(self, tab: str) -> None:
        """Keys follow the focus: the tab's own table (or first field) takes it at once."""
        pane = self.query_one(f"#{tab}", TabPane)
        tables = pane.query(DataTable)
        if tables:
            tables.first().focus()
        else:
            # The form itself, not its first field: [ and ] still change tab; tab goes in.
            pane.query_one("#settings-form").focus()
        self.refresh_bindings()

    def holds_unsaved_work(self) -> bool:
        return self.query_one(SettingsTab).holds_unsaved_work()

    def action_close(self) -> None:
        if not self.holds_unsaved_work():
            self.dismiss(None)
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen(
                "Leave without saving?",
                "The settings you changed are not saved yet.",
                yes="Leave",
                no="Stay",
            ),
            answered,
        )


__all__ = ["AdministrationScreen"]
