"""Add or edit a staff member: the form gathers, the services check and the form shows each
refusal under its field. A new account's temporary password is made here and handed back to
be shown once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Select

from casetui.domain.enums import DEFAULT_GRANTS, Grant, Role
from casetui.domain.limits import NAME_MAX, USERNAME_MAX
from casetui.domain.read_models.people import StaffView, TeamView
from casetui.services import staff as staff_service
from casetui.services.passwords import temporary_password
from casetui.tui.database_away import call_database
from casetui.tui.screens.administration.common import field_errors, refusal_text
from casetui.tui.widgets.literal_fields import LiteralInput
from casetui.tui.widgets.note_form import FORM_CSS, TickBox, field_row, mark_focused_row
from casetui.tui.widgets.safe_text import visible

NO_TEAM = ""
# The services' field names, mapped to the widgets that hold them.
STAFF_FIELDS = {
    "username": "username",
    "display name": "display-name",
    "role": "role",
    "team": "team",
    "capacity hours": "capacity",
    "grants": "grants",
}


@dataclass(frozen=True)
class Saved:
    person: StaffView
    temporary_password: str | None  # a new account's: shown once, kept nowhere


class StaffFormScreen(ModalScreen[Saved | None]):
    """A new account (``person`` None) or an edit of one, saved from the version shown."""

    DEFAULT_CSS = (
        FORM_CSS.format(name="StaffFormScreen")
        + """
    StaffFormScreen { align: center middle; height: 100%; }
    StaffFormScreen > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    StaffFormScreen VerticalScroll { height: auto; max-height: 18; }
    StaffFormScreen .title { text-style: bold; }
    StaffFormScreen #staff-form-error { color: $text-error; text-style: bold; }
    StaffFormScreen .hint-line { color: $text-muted; }
    StaffFormScreen #grants { grid-size: 2; height: auto; width: 1fr; grid-gutter: 0 1; }
    StaffFormScreen #username-shown { width: 1fr; }
    """
    )
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="staff_form.save"),
        Binding("escape", "cancel", "Cancel", id="staff_form.cancel"),
    ]
    HELP_TITLE = "Staff member"

    def __init__(self, teams: Sequence[TeamView], person: StaffView | None = None) -> None:
        super().__init__()
        self.teams = list(teams)
        self.person = person
        self.busy = False

    def compose(self) -> ComposeResult:
        person = self.person
        title = "New staff member" if person is None else f"Edit {person.username}"
        with Vertical():
            yield Label(Text(visible(title)), classes="title")
            with VerticalScroll():
                if person is None:
                    yield field_row(
                        "Username",
                        LiteralInput(
                            placeholder="lower-case letters, digits, . _ -",
                            max_length=USERNAME_MAX, id="username", compact=True,
                        ),
                    )  # fmt: skip
                    yield Label("", classes="field-error", id="username-error")
                else:
                    yield field_row(
                        "Username", Label(Text(visible(person.username)), id="username-shown")
                    )
                yield field_row(
                    "Name",
                    LiteralInput(
                        person.display_name if person else "", placeholder="as colleagues know them",
                        max_length=NAME_MAX, id="display-name", compact=True,
                    ),
                )  # fmt: skip
                yield Label("", classes="field-error", id="display-name-error")
                roles = [(r.value, r.value) for r in Role]
                yield field_row(
                    "Role",
                    Select(
                        roles, value=(person.role.value if person else Role.CASEWORKER.value),
                        allow_blank=False, id="role", compact=True,
                    ),
                )  # fmt: skip
                yield Label("", classes="field-error", id="role-error")
                teams = [("(no team)", NO_TEAM)] + [(visible(t.name), t.name) for t in self.teams]
                yield field_row(
                    "Team",
                    Select(
                        teams, value=(person.team or NO_TEAM) if person else NO_TEAM,
                        allow_blank=False, id="team", compact=True,
                    ),
                )  # fmt: skip
                yield Label("", classes="field-error", id="team-error")
                hours = f"{person.capacity_hours:g}" if person else "37.5"
                yield field_row(
                    "Hours a week",
                    LiteralInput(hours, placeholder="37.5", id="capacity", compact=True),
                )
                yield Label("", classes="field-error", id="capacity-error")
                held = person.grants if person else DEFAULT_GRANTS[Role.CASEWORKER]
                ticks = [
                    TickBox(g.value, value=g in held, id=f"grant-{g.value}", compact=True)
                    for g in Grant
                ]
                yield field_row("Grants", Grid(*ticks, id="grants"))
                yield Label("", classes="field-error", id="grants-error")
            yield Label("", id="staff-form-error")
            yield Label("ctrl+s save · escape cancel", classes="hint-line")

    def on_mount(self) -> None:
        first = "#username" if self.person is None else "#display-name"
        self.query_one(first, Input).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        """A new account starts with its role's grants, ticked so they can be seen."""
        if self.person is None and event.select.id == "role" and event.value in set(Role):
            defaults = DEFAULT_GRANTS[Role(str(event.value))]
            for grant in Grant:
                self.query_one(f"#grant-{grant.value}", Checkbox).value = grant in defaults

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        mark_focused_row(event.widget, True)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        mark_focused_row(event.widget, False)

    # --- what was typed ------------------------------------------------------------------------

    def _ticked(self) -> set[str]:
        return {g.value for g in Grant if self.query_one(f"#grant-{g.value}", Checkbox).value}

    def _capacity(self) -> float | None:
        text = self.query_one("#capacity", Input).value.strip()
        try:
            return float(text)
        except ValueError:
            self.show_error("capacity hours", f"{text[:20]!r} is not a number of hours")
            return None

    def action_save(self) -> None:
        if self.busy:
            return
        self.clear_errors()
        capacity = self._capacity()
        if capacity is None:
            return
        name = self.query_one("#display-name", Input).value
        role = str(self.query_one("#role", Select).value)
        team = str(self.query_one("#team", Select).value)
        ticked = self._ticked()
        person = self.person
        self.busy = True
        if person is None:
            username = self.query_one("#username", Input).value
            new = staff_service.StaffInput(
                username=username, display_name=name, role=role, team=team or None,
                capacity_hours=capacity, grants=tuple(sorted(ticked)),
            )  # fmt: skip
            self._add(new)
            return
        held = {g.value for g in person.grants}
        changes = staff_service.StaffChanges(
            display_name=name if name != person.display_name else None,
            role=role if role != person.role.value else None,
            team=team if team != (person.team or NO_TEAM) else None,
            capacity_hours=capacity if capacity != person.capacity_hours else None,
            grant=tuple(sorted(ticked - held)),
            revoke=tuple(sorted(held - ticked)),
        )
        self._edit(person.username, changes, person.version)

    @work(thread=True, exclusive=True, group="staff-form")
    def _add(self, new: staff_service.StaffInput) -> None:
        app = self.app
        password = temporary_password()

        def save() -> Saved:
            view = staff_service.add_staff(app.db, app.actor, new, password)  # type: ignore[attr-defined]
            return Saved(view, password)

        call_database(self, save, self.dismiss, self._refused)

    @work(thread=True, exclusive=True, group="staff-form")
    def _edit(self, username: str, changes: staff_service.StaffChanges, version: int) -> None:
        app = self.app

        def save() -> Saved:
            view = staff_service.edit_staff(
                app.db,
                app.actor,
                username,
                changes,
                expected_version=version,  # type: ignore[attr-defined]
            )
            return Saved(view, None)

        call_database(self, save, self.dismiss, self._refused)

    # --- refusals in place -------------------------------------------------------------------

    def _refused(self, error: Exception) -> None:
        self.busy = False
        errors = field_errors(error)
        shown = [e for e in errors if self.show_error(e.field, e.message)]
        if len(shown) < len(errors) or not errors:
            self.query_one("#staff-form-error", Label).update(Text(visible(refusal_text(error))))

    def show_error(self, field: str, message: str) -> bool:
        widget_id = STAFF_FIELDS.get(field)
        if widget_id is None:
            return False
        label = self.query_one(f"#{widget_id}-error", Label)
        label.update(Text(f"{field}: {visible(message)}"))
        label.add_class("-shown")
        return True

    def clear_errors(self) -> None:
        for label in self.query(".field-error"):
            label.remove_class("-shown")
        self.query_one("#staff-form-error", Label).update("")

    def action_cancel(self) -> None:
        self.dismiss(None)
