"""The caseload's frame, shown the moment ``casetui`` starts: the title line, the filter line,
the status line and the footer, with "Opening the database…" where the cases will be.

It paints before SQLAlchemy, SQLModel and the services are imported (the app opens the
database after this screen's first refresh), so nothing here may import them, directly or
through a widget: ``tests/tui/test_start.py`` starts the app in a process of its own and checks.
The caseload itself is pushed over this screen once someone is signed in.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets import Static

from casetui.tui.screens.styled_once import StyledOnceAsItOpens
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.safe_text import visible

OPENING = "Opening the database…"
# The filter box's placeholder (``widgets/filter_bar.py``), drawn as the box looks unfocused:
# the box itself would import the domain's filters and read models before the first paint.
FILTER_PLACEHOLDER = "/ to filter by name, case number or tag"


def shown_location(url: str) -> str:
    """A database URL for the title line, its password as ``***`` the way SQLAlchemy shows it
    (which is not imported yet). A SQLite file's path is shown as it is."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.split("+", 1)[0] == "sqlite":
        return url
    userinfo, at, host = rest.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{host}"


def frame_title(username: str | None, database: str) -> Text:
    """The title line before anyone is signed in: who is signing in, and where."""
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append("casetui ", style="bold")
    if username:
        line.append(visible(username), style="bold")
    line.append("  " + visible(shown_location(database)), style="dim")
    return line


class FrameFooter(Footer):
    """The footer with its keys in the screen's first paint, not rebuilt underneath the
    caseload once that is pushed over the frame.

    Textual's footer composes empty and fills in its keys once the screen has announced its
    bindings; by then the data layer is loading and the keys would wait for it. The frame
    focuses nothing, so its keys are known when it is composed.
    """

    def __init__(self) -> None:
        super().__init__(compact=True)
        self.set_reactive(TextualFooter._bindings_ready, True)

    async def recompose(self) -> None:
        # Signing in offers more keys, for the caseload pushed over this screen at that moment:
        # rebuilding this footer underneath it would only delay the caseload's first paint.
        # (Textual counts the screen right under the top one as current: ask for the top.)
        if self.app.screen is not self.screen:
            self._shown = None  # rebuilt if this screen is ever shown again
            return
        await super().recompose()


class CaseloadFrame(StyledOnceAsItOpens, Screen[None]):
    """The caseload without its cases: what the database is being opened for."""

    HELP_TITLE = "Starting"
    AUTO_FOCUS = None
    DEFAULT_CSS = """
    CaseloadFrame #filter-placeholder {
        height: 1; padding: 0 1; background: $surface; color: $text-disabled;
    }
    CaseloadFrame #filters-in-force { height: 1; padding: 0 1; }
    CaseloadFrame #starting { height: 1fr; }
    """

    def __init__(self, username: str | None, database: str) -> None:
        super().__init__()
        self.username = username
        self.database = database

    def compose(self) -> ComposeResult:
        yield Static(frame_title(self.username, self.database), id="signed-in")
        yield Static(FILTER_PLACEHOLDER, id="filter-placeholder", markup=False)
        yield Static(id="filters-in-force")
        yield Static(Text(OPENING, style="dim"), id="starting")
        with Horizontal(id="caseload-status-line"):
            yield Static(id="caseload-status")
            yield Static(Text("? help  ^p actions", style="dim"), id="caseload-hint")
        yield FrameFooter()
