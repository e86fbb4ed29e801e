"""The Settings tab: the organisation's settings as a form. ctrl+s saves what changed, from the
version shown; each refusal is shown under its field, and what a change means for notes
already written is said above the form."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from casetui.domain.limits import NAME_MAX, NOTICE_MAX
from casetui.domain.read_models.settings import SettingsResult, SettingsView
from casetui.services import settings as settings_service
from casetui.services.settings import DATE_ORDERS, SETTING_KEYS, SMTP_TLS_MODES, field_name
from casetui.tui.database_away import call_database
from casetui.tui.screens.administration.common import field_errors, is_stale, refusal_text
from casetui.tui.widgets.literal_fields import LiteralInput
from casetui.tui.widgets.note_form import FORM_CSS, field_row, mark_focused_row
from casetui.tui.widgets.safe_text import visible

# Each setting's label on the form (at most 14 characters: the labels' column).
LABELS = {
    "name": "Name", "lock_days": "Lock days", "time_zone": "Time zone",
    "weight_low": "Weight: low", "weight_medium": "Weight: medium", "weight_high": "Weight: high",
    "paused_factor": "Paused factor", "case_number_prefix": "Case prefix",
    "stale_days": "Stale days", "notify_closed_clients": "Notify closed", "date_order": "Date order",
    "currency": "Currency", "attachment_limit_mb": "Attachment MB", "smtp_host": "Mail server",
    "smtp_port": "Mail port", "smtp_tls": "Mail security", "smtp_username": "Mail username",
    "smtp_sender": "Mail sender", "confidentiality_notice": "Print notice",
}  # fmt: skip
HINTS = {
    "lock_days": "days after writing that a note locks (1–365)",
    "weight_low": "hours a week a Low case counts in the workload",
    "paused_factor": "share of its weight a Paused case counts (0–1)",
    "stale_days": "days without contact before a case counts as stale",
    "notify_closed_clients": "notifications about closed or inactive clients",
    "date_order": "how imports read 03/04/1990",
    "smtp_host": "for reminders; its password: keyring or CASETUI_SMTP_PASSWORD",
    "confidentiality_notice": "the confidentiality notice at the foot of every printed page",
}
CHOICES = {
    "notify_closed_clients": ("yes", "no"),
    "date_order": DATE_ORDERS,
    "smtp_tls": SMTP_TLS_MODES,
}


def as_text(key: str, view: SettingsView) -> str:
    """A setting as the form shows it: the words ``settings set`` takes."""
    value = getattr(view, key)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)


def widget_id(key: str) -> str:
    return "setting-" + key.replace("_", "-")


class SettingsTab(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="administration.settings.save"),
        Binding("ctrl+r", "reload", "Undo changes", id="administration.settings.reload"),
    ]
    HELP_TITLE = "Settings"
    DEFAULT_CSS = (
        FORM_CSS.format(name="SettingsTab")
        + """
    SettingsTab { height: 1fr; }
    SettingsTab #settings-said { height: auto; max-height: 4; padding: 0 1; color: $text-muted; }
    SettingsTab #settings-said.-error { color: $text-error; text-style: bold; }
    SettingsTab VerticalScroll { height: 1fr; padding: 0 1; }
    """
    )

    def __init__(self) -> None:
        super().__init__(id="settings-tab")
        self.view: SettingsView | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("ctrl+s saves what you changed · ctrl+r puts back what is saved"),
                     id="settings-said")  # fmt: skip
        with VerticalScroll(id="settings-form"):
            for key in SETTING_KEYS:
                yield field_row(LABELS[key], self._widget(key))
                if key in HINTS:
                    yield Label(HINTS[key], classes="hint")
                yield Label("", classes="field-error", id=f"{widget_id(key)}-error")

    def _widget(self, key: str) -> Widget:
        if key in CHOICES:
            options = [(word, word) for word in CHOICES[key]]
            return Select(options, allow_blank=True, id=widget_id(key), compact=True)
        suggester = None
        if key == "time_zone":
            suggester = SuggestFromList(settings_service.time_zones(), case_sensitive=False)
        longest = NOTICE_MAX if key == "confidentiality_notice" else NAME_MAX
        return LiteralInput(
            max_length=longest, suggester=suggester, id=widget_id(key), compact=True
        )

    def on_mount(self) -> None:
        self.action_reload()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        mark_focused_row(event.widget, True)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        mark_focused_row(event.widget, False)

    # --- loading and what was typed -----------------------------------------------------------

    @work(thread=True, exclusive=True, group="administration-settings")
    def action_reload(self) -> None:
        app = self.app
        db, actor = app.db, app.actor  # type: ignore[attr-defined]
        call_database(self, lambda: settings_service.show_settings(db, actor), self._load)

    def _load(self, view: SettingsView) -> None:
        self.view = view
        for key in SETTING_KEYS:
            text = as_text(key, view)
            widget = self.query_one(f"#{widget_id(key)}")
            if isinstance(widget, Select):
                widget.value = text if text else Select.NULL
            elif isinstance(widget, Input):
                widget.value = text
        self.clear_errors()

    def typed(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for key in SETTING_KEYS:
            widget = self.query_one(f"#{widget_id(key)}")
            if isinstance(widget, Select):
                values[key] = "" if widget.value is Select.NULL else str(widget.value)
            elif isinstance(widget, Input):
                values[key] = widget.value
        return values

    def changed(self) -> dict[str, str]:
        """What differs from the settings as loaded: the only settings a save sends."""
        if self.view is None:
            return {}
        view = self.view
        return {k: v for k, v in self.typed().items() if v != as_text(k, view)}

    def holds_unsaved_work(self) -> bool:
        return bool(self.changed())

    # --- saving --------------------------------------------------------------------------------

    def action_save(self) -> None:
        changed = self.changed()
        if self.view is None:
            return
        if not changed:
            self._say("Nothing has changed.")
            return
        self.clear_errors()
        self._save(changed, self.view.version)

    @work(thread=True, exclusive=True, group="administration-settings")
    def _save(self, changed: dict[str, str], version: int) -> None:
        app = self.app
        db, actor = app.db, app.actor  # type: ignore[attr-defined]
        call_database(
            self,
            lambda: settings_service.set_settings(db, actor, changed, expected_version=version),
            self._saved,
            self._refused,
        )

    def _saved(self, result: SettingsResult) -> None:
        self._load(result.settings)
        said = "Saved." + "".join(
            f"\n{notice[:1].upper()}{notice[1:]}." for notice in result.notices
        )
        self._say(said)
        self.notify("Settings saved", timeout=3)

    def _refused(self, error: Exception) -> None:
        errors = field_errors(error)
        keys = {field_name(k): k for k in SETTING_KEYS}
        placed = [e for e in errors if e.field in keys]
        for e in placed:
            label = self.query_one(f"#{widget_id(keys[e.field])}-error", Label)
            label.update(Text(f"{e.field}: {visible(e.message)}"))
            label.add_class("-shown")
        if placed:
            self.query_one(f"#{widget_id(keys[placed[0].field])}").focus()
        if is_stale(error):
            self._say(
                refusal_text(error).removesuffix("; reload and try again")
                + ". What you typed is kept: ctrl+s saves it over their change, ctrl+r shows "
                "theirs.",
                error=True,
            )
            self._catch_up()
        else:
            self._say("Not saved: " + refusal_text(error).removeprefix("refused: "), error=True)

    @work(thread=True, exclusive=True, group="administration-settings")
    def _catch_up(self) -> None:
        """The settings as saved now, to save from next, leaving what was typed in place."""
        app = self.app
        db, actor = app.db, app.actor  # type: ignore[attr-defined]
        call_database(self, lambda: settings_service.show_settings(db, actor), self._caught_up)

    def _caught_up(self, view: SettingsView) -> None:
        self.view = view

    def clear_errors(self) -> None:
        for label in self.query(".field-error"):
            label.remove_class("-shown")

    def _say(self, message: str, *, error: bool = False) -> None:
        line = self.query_one("#settings-said", Static)
        line.set_class(error, "-error")
        line.update(Text("\n".join(visible(part) for part in message.split("\n"))))
