"""Global search (ctrl+f on every screen): clients, cases and notes as you type.

One box; the results come grouped by kind, each a line with the words that matched, and
enter opens one. The services decide what the searcher may see; a restricted note's line
shows only its summary, and opening it is recorded as reading it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from casetui.domain.read_models.clients import SearchHit
from casetui.services import search as search_service
from casetui.tui.database_away import call_database
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.literal_fields import LiteralInput
from casetui.tui.widgets.safe_text import visible

if TYPE_CHECKING:
    from casetui.tui.app import CasetuiApp

KIND_HEADINGS = {"client": "Clients", "case": "Cases", "note": "Notes"}
TYPING_PAUSE = 0.15  # seconds without a key before the box is searched


def marked(snippet: str) -> Text:
    """A snippet with the services' [matches] shown bold and underlined, not bracketed: the
    underline keeps them visible without colour."""
    line = Text(no_wrap=True, overflow="ellipsis")
    rest = snippet
    while "[" in rest and "]" in rest[rest.index("[") :]:
        start = rest.index("[")
        end = rest.index("]", start)
        line.append(visible(rest[:start]))
        line.append(visible(rest[start + 1 : end]), style="bold underline")
        rest = rest[end + 1 :]
    line.append(visible(rest))
    return line


def hit_line(hit: SearchHit) -> Text:
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(visible(hit.title), style="bold")
    if hit.restricted:
        line.append("  restricted", style="italic")
    if hit.snippet:
        line.append("  ")
        line.append_text(marked(hit.snippet))
    return line


class SearchScreen(Screen[None]):
    HELP_TITLE = "Search"
    DEFAULT_CSS = """
    SearchScreen #search-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    SearchScreen #search-box { margin: 0 1; }
    SearchScreen #search-status { height: 1; padding: 0 1; color: $text-muted; }
    SearchScreen #search-results { height: 1fr; border: none; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", priority=True, id="search.open"),
        Binding("down", "to_results", "Results", show=False, id="search.to_results"),
        Binding("escape", "close", "Close", id="search.close"),
    ]

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.hits: list[SearchHit | None] = []  # one per option; None for a heading
        self.first_text = text
        self._pending: Timer | None = None
        self._asked = ""  # the text of the newest search sent to the database

    @property
    def casetui(self) -> CasetuiApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(Text("Search clients, case numbers and notes"), id="search-title")
        yield LiteralInput(
            self.first_text,
            placeholder="a name, a date of birth, an email, a phone, a case number, note words",
            id="search-box",
            compact=True,
        )
        yield Static("Type to search.", id="search-status")
        yield OptionList(id="search-results")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Search"
        self.query_one("#search-box", LiteralInput).focus()
        if self.first_text.strip():
            self._search(self.first_text)

    # --- asking ------------------------------------------------------------------------------

    def on_input_changed(self, event: LiteralInput.Changed) -> None:
        if self._pending is not None:
            self._pending.stop()
        text = event.value
        if not text.strip():
            self._asked = ""
            self._show([], "")
            return
        # Fast typing over SSH: one search for the word, not one per letter.
        self._pending = self.set_timer(TYPING_PAUSE, lambda: self._search(text))

    def _search(self, text: str) -> None:
        self._asked = text
        self.query_one("#search-status", Static).update("Searching…")
        self._run_search(text)

    @work(thread=True, exclusive=True, group="search")
    def _run_search(self, text: str) -> None:
        app = self.casetui

        def read() -> list[SearchHit]:
            return search_service.search(app.db, app.signed_in, text)

        call_database(self, read, lambda hits: self._show(hits, text))

    def _show(self, hits: list[SearchHit], text: str) -> None:
        if text != self._asked:
            return  # an older answer, arriving after a newer question
        listing = self.query_one("#search-results", OptionList)
        listing.clear_options()
        self.hits = []
        options: list[Option] = []
        kind = None
        for hit in hits:
            if hit.kind != kind:
                kind = hit.kind
                heading = KIND_HEADINGS.get(kind, kind.title())
                options.append(Option(Text(heading, style="bold reverse"), disabled=True))
                self.hits.append(None)
            options.append(Option(hit_line(hit)))
            self.hits.append(hit)
        listing.add_options(options)
        if hits:
            listing.highlighted = 1
        status = self.query_one("#search-status", Static)
        if not text.strip():
            status.update("Type to search.")
        elif not hits:
            status.update(Text(f"Nothing you can see matches {visible(text)!r}."))
        else:
            counts = {k: sum(1 for h in hits if h.kind == k) for k in KIND_HEADINGS}
            words = [f"{n} {KIND_HEADINGS[k].lower()}" for k, n in counts.items() if n]
            status.update(", ".join(words) + " · ↓ to the results, enter opens")
        self.refresh_bindings()

    # --- moving and opening ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open":
            return self._chosen() is not None or None
        if action == "to_results":
            return bool(self.hits) and isinstance(self.focused, LiteralInput)
        return True

    def _chosen(self) -> SearchHit | None:
        listing = self.query_one("#search-results", OptionList)
        index = listing.highlighted
        if index is None or index >= len(self.hits):
            return None
        return self.hits[index]

    def action_to_results(self) -> None:
        self.query_one("#search-results", OptionList).focus()

    def on_key(self, event: events.Key) -> None:
        # Up from the first result goes back to the box, so typing carries on from there.
        listing = self.query_one("#search-results", OptionList)
        if event.key == "up" and self.focused is listing and listing.highlighted in (None, 1):
            event.stop()
            self.query_one("#search-box", LiteralInput).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        hit = self._chosen()
        if hit is None:
            return
        if hit.kind == "client":
            from casetui.tui.screens.client_record import ClientRecordScreen

            self.app.push_screen(ClientRecordScreen(hit.id))
        else:
            self._open_case(hit)

    @work(thread=True, exclusive=True, group="search-open")
    def _open_case(self, hit: SearchHit) -> None:
        from casetui.services import cases

        app = self.casetui
        number = hit.case_number or ""

        def read() -> int:
            return cases.show_case(app.db, app.signed_in, number).id

        call_database(self, read, lambda case_id: self._show_case(case_id, hit))

    def _show_case(self, case_id: int, hit: SearchHit) -> None:
        from casetui.tui.screens.timeline import TimelineScreen

        screen = TimelineScreen(case_id)
        if hit.kind == "note":
            screen.open_note_on_arrival = hit.id
        self.app.push_screen(screen)

    def action_close(self) -> None:
        self.dismiss(None)
