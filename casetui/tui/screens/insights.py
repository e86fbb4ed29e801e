"""Insights (``O`` on the caseload): where the open and paused cases stand at each outcome
stage, as a heatmap; a per-worker comparison; and a paragraph written from the figures."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from casetui.domain.outcomes import OutcomeGrid, StageFigures, WorkerFigures
from casetui.domain.read_models.people import StaffView
from casetui.services import outcomes
from casetui.tui.database_away import call_database
from casetui.tui.screens.choice import ChoiceScreen
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.outcome_heatmap import LEGEND, OutcomeHeatmap
from casetui.tui.widgets.safe_text import visible

EVERYONE = ""  # the worker picker's "all workers"
# Fits 80 columns with six stages: a stage cell is "H100 L0" at its widest.
WORKER_WIDTH, CASES_WIDTH, STAGE_WIDTH = 14, 5, 8
COMPARISON_LEGEND = "Per stage: H % high, L % low · ? % limited confidence · · cells not assessed"


def _share(value: float) -> str:
    return f"{round(value * 100)}"


def _stage_cell(figures: StageFigures) -> str:
    if not figures.assessed:
        return "–"
    return f"H{_share(figures.share_high)} L{_share(figures.share_low)}"


def comparison_text(grid: OutcomeGrid) -> Text:
    """Everyone's line, then each worker's: a cell per stage and the totals after them."""
    text = Text(no_wrap=True, overflow="ellipsis")
    heading = f"{'Worker':<{WORKER_WIDTH}}{'Cases':>{CASES_WIDTH}} "
    heading += "".join(f"{stage[: STAGE_WIDTH - 1]:<{STAGE_WIDTH}}" for stage in grid.stages)
    text.append(heading + f"{'?':>4} {'·':>5}\n", style="bold")
    for index, figures in enumerate((grid.overall, *grid.by_worker)):
        text.append_text(_worker_line(figures, bold=index == 0))
    return text


def _worker_line(figures: WorkerFigures, *, bold: bool) -> Text:
    name = visible(figures.worker)
    if len(name) > WORKER_WIDTH - 1:
        name = name[: WORKER_WIDTH - 2] + "…"
    line = f"{name:<{WORKER_WIDTH}}{figures.cases:>{CASES_WIDTH},} "
    line += "".join(f"{_stage_cell(s):<{STAGE_WIDTH}}" for s in figures.stages)
    assessed = sum(s.assessed for s in figures.stages)
    limited = sum(s.limited for s in figures.stages)
    unsure = f"{_share(limited / assessed)}%" if assessed else "–"
    unassessed = sum(s.not_assessed for s in figures.stages)
    return Text(line + f"{unsure:>4} {unassessed:>5,}\n", style="bold" if bold else "")


class InsightsScreen(Screen[None]):
    """The heatmap, or the comparison (``v``); ``W`` one worker's cases; enter a case."""

    HELP_TITLE = "Insights"

    DEFAULT_CSS = """
    InsightsScreen #insights-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    InsightsScreen #insights-legend { height: 1; padding: 0 1; color: $text-muted; }
    InsightsScreen #insights-comparison { height: 1fr; padding: 0 1; display: none; }
    InsightsScreen.-comparing #insights-comparison { display: block; }
    InsightsScreen.-comparing #insights-map { display: none; }
    InsightsScreen #insights-narrative {
        height: auto; max-height: 6; padding: 0 1; border-top: solid $primary-background;
    }
    """
    BINDINGS = [
        # Before the map's own enter, so the footer offers it by name.
        Binding("enter", "open_case", "Timeline", id="insights.open_case", priority=True),
        Binding("W", "pick_worker", "Worker", id="insights.pick_worker"),
        Binding("v", "toggle_comparison", "Comparison", id="insights.comparison"),
        Binding("ctrl+r", "reload", "Refresh", id="insights.refresh", show=False),
        Binding("escape", "back", "Back", id="insights.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.grid: OutcomeGrid | None = None
        self.worker: str = EVERYONE  # a username, or everyone's
        self.comparing = False

    @property
    def heatmap(self) -> OutcomeHeatmap:
        return self.query_one(OutcomeHeatmap)

    def compose(self) -> ComposeResult:
        yield Static(Text("Insights · loading…"), id="insights-title")
        yield Static(Text(LEGEND), id="insights-legend")
        yield OutcomeHeatmap(colour=not self.app.no_color, id="insights-map")
        with VerticalScroll(id="insights-comparison"):
            yield Static("", id="comparison-table")
        yield Static("", id="insights-narrative")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.heatmap.focus()
        self.action_reload()

    # --- loading ----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="insights-load")
    def action_reload(self) -> None:
        db, actor, worker = self.app.db, self.app.actor, self.worker or None

        def read() -> OutcomeGrid:
            return outcomes.outcome_grid(db, actor, worker=worker)

        call_database(self, read, self._show)

    def _show(self, grid: OutcomeGrid) -> None:
        self.grid = grid
        self.heatmap.set_rows(grid.stages, grid.rows)
        self.query_one("#comparison-table", Static).update(comparison_text(grid))
        self.query_one("#insights-narrative", Static).update(Text(visible(grid.narrative)))
        self._show_title()
        self.refresh_bindings()

    def _show_title(self) -> None:
        grid = self.grid
        if grid is None:
            return
        count = len(grid.rows)
        words = f"Insights · {count:,} case{'' if count == 1 else 's'}"
        if grid.cut:
            words += " (the first by number: W shows one worker's)"
        words += f" · {visible(grid.worker) if grid.worker else 'all workers'}"
        words += " · comparison" if self.comparing else " · heatmap"
        self.query_one("#insights-title", Static).update(Text(words))
        legend = COMPARISON_LEGEND if self.comparing else LEGEND
        self.query_one("#insights-legend", Static).update(Text(legend))

    # --- keys -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_case":
            if self.comparing:
                return False
            return True if self.grid is not None and self.heatmap.current else None
        return True

    def action_open_case(self) -> None:
        from casetui.tui.screens.timeline import TimelineScreen

        row = self.heatmap.current
        if row is not None and not self.comparing:
            self.app.push_screen(TimelineScreen(row.case_id))

    def on_outcome_heatmap_chosen(self, message: OutcomeHeatmap.Chosen) -> None:
        message.stop()
        self.action_open_case()

    def action_toggle_comparison(self) -> None:
        self.comparing = not self.comparing
        self.set_class(self.comparing, "-comparing")
        if self.comparing:
            self.query_one("#insights-comparison").focus()
        else:
            self.heatmap.focus()
        self._show_title()
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="insights-workers")
    def action_pick_worker(self) -> None:
        db, actor = self.app.db, self.app.actor
        call_database(self, lambda: outcomes.worker_choices(db, actor), self._pick_worker)

    def _pick_worker(self, people: list[StaffView]) -> None:
        choices: list[tuple[str | Text, str]] = [("All workers", EVERYONE)]
        choices += [(f"{p.display_name} ({p.username})", p.username) for p in people]

        def chosen(username: str | None) -> None:
            if username is not None and username != self.worker:
                self.worker = username
                self.action_reload()

        self.app.push_screen(
            ChoiceScreen("Show the cases of", choices, current=self.worker), chosen
        )

    def action_back(self) -> None:
        self.dismiss(None)


__all__ = ["InsightsScreen", "comparison_text"]
