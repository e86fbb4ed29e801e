"""Note audits (the caseload's ``Q``): audited notes with their scores, the notes not audited
yet, and each worker's monthly trend. What the actor may read is the service's answer:
caseworkers get their own notes only. Enter opens a note's audit; ``a`` audits every
unaudited note of the team in a date range at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Sparkline, Static, TabbedContent, TabPane

from casetui.domain.enums import Role
from casetui.domain.note_audit import AuditOverview, AuditRun, WorkerTrend
from casetui.services import note_audits
from casetui.tui.database_away import call_database
from casetui.tui.widgets.data_table import DataTable
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.note_score_text import (
    month_figures,
    month_name,
    not_met,
    score_bars,
    worst_words,
)
from casetui.tui.widgets.safe_text import fit, visible

PARTS = ("audited", "unaudited", "trends")
# (title, width) of the fixed columns; the last column takes what is left.
NOTE_COLUMNS = (("Date", 9), ("Case", 13), ("Author", 15))
SCORE_WIDTH = 5


def day(moment: Any) -> str:
    return f"{moment.day} {moment:%b %y}"


def fill_table(
    table: DataTable[Text],
    columns: Sequence[tuple[str, int]],
    rows: Sequence[Sequence[str | Text]],
    *,
    right: Sequence[int] = (),
) -> None:
    """Replace the rows, each cell cut to its column; the cursor stays on the same line."""
    row = table.cursor_row
    table.clear(columns=True)
    for number, (title, width) in enumerate(columns):
        heading = Text(title, justify="right") if number in right else title
        table.add_column(heading, width=width)
    for cells in rows:
        shown = []
        for number, (cell, (_title, width)) in enumerate(zip(cells, columns, strict=True)):
            words = cell.plain if isinstance(cell, Text) else visible(cell)
            if number in right:
                words = words.strip().rjust(width)
            text = Text(fit(words, width), style=cell.style if isinstance(cell, Text) else "")
            text.no_wrap = True
            shown.append(text)
        table.add_row(*shown)
    if rows:
        table.move_cursor(row=min(max(row, 0), len(rows) - 1))


class AuditsScreen(Screen[None]):
    HELP_TITLE = "Note audits"
    DEFAULT_CSS = """
    AuditsScreen #audits-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    AuditsScreen TabbedContent { height: 1fr; }
    AuditsScreen TabPane { padding: 0; height: 1fr; }
    AuditsScreen ContentSwitcher { height: 1fr; }
    AuditsScreen DataTable { height: 1fr; }
    AuditsScreen DataTable:nocolor > .datatable--cursor { text-style: bold reverse; }
    AuditsScreen #audits-detail {
        height: 3; padding: 0 1; color: $text-muted; border-top: solid $primary;
    }
    AuditsScreen #trend-chart-row {
        height: 30%; min-height: 4; padding: 0 1; border-top: solid $primary;
    }
    AuditsScreen #trend-chart { width: 24; height: 1fr; margin-right: 2; }
    AuditsScreen #trend-figures { width: 1fr; height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        # Before the table's own enter, so the footer offers it by name.
        Binding("enter", "open_audit", "Open", id="audits.open", priority=True),
        Binding("a", "run", "Audit all…", id="audits.run"),
        Binding(
            "right_square_bracket",
            "next_part(1)",
            "Next part",
            id="audits.next_part",
            key_display="]",
        ),  # fmt: skip
        Binding(
            "left_square_bracket",
            "next_part(-1)",
            "Previous part",
            show=False,
            id="audits.previous_part",
            key_display="[",
        ),  # fmt: skip
        Binding("g", "reload", "Refresh", id="audits.refresh"),
        Binding("escape", "back", "Back", id="audits.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.overview: AuditOverview | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Note audits · reading…"), id="audits-title")
        with TabbedContent(initial="audited"):
            with TabPane("Audited", id="audited"):
                yield DataTable(id="audited-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Unaudited", id="unaudited"):
                yield DataTable(id="unaudited-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Trends", id="trends"):
                yield DataTable(id="trends-table", cursor_type="row", zebra_stripes=True)
                with Horizontal(id="trend-chart-row"):
                    yield Sparkline([], id="trend-chart")
                    yield Static("", id="trend-figures")
        yield Static("", id="audits-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Note audits"
        self.query_one("#audited-table", DataTable).focus()
        self.action_reload()

    # --- reading ----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="audits-load")
    def action_reload(self) -> None:
        db, actor = self.app.db, self.app.actor  # type: ignore[attr-defined]
        call_database(self, lambda: note_audits.overview(db, actor), self._show)

    def _show(self, overview: AuditOverview) -> None:
        self.overview = overview
        title = f"Note audits · {overview.audited_count:,} audited · "
        title += f"{overview.unaudited_count:,} not yet"
        self.query_one("#audits-title", Static).update(Text(title))
        self._fill()
        self._show_detail()
        self.refresh_bindings()

    def on_resize(self) -> None:
        if self.overview is not None:
            self._fill()

    def _rest(self, fixed: Sequence[tuple[str, int]]) -> int:
        # Each column has a cell of padding either side; the scrollbar takes two more.
        used = sum(width + 2 for _title, width in fixed) + 2 + 2
        return max(self.size.width - used, 12)

    def _fill(self) -> None:
        overview = self.overview
        if overview is None:
            return
        fixed = [*NOTE_COLUMNS, ("Score", SCORE_WIDTH)]
        audited = [
            (day(a.contact_at), a.case_number, a.author_name, str(a.score),
             worst_words(a.criteria))
            for a in overview.audited
        ]  # fmt: skip
        fill_table(
            self.query_one("#audited-table", DataTable),
            [*fixed, ("Not met", self._rest(fixed))],
            audited,
            right=(3,),
        )
        unaudited = [
            (day(n.contact_at), n.case_number, n.author_name, n.summary) for n in overview.unaudited
        ]
        fill_table(
            self.query_one("#unaudited-table", DataTable),
            [*NOTE_COLUMNS, ("Summary", self._rest(NOTE_COLUMNS))],
            unaudited,
        )
        trend_fixed = [("Worker", 20), ("Notes", 5), ("Avg.", 4), ("Months", 12)]
        trends = [
            (t.display_name, f"{t.notes:,}", str(t.average), score_bars(t.months),
             month_figures(t.months[-1:]))
            for t in overview.trends
        ]  # fmt: skip
        fill_table(
            self.query_one("#trends-table", DataTable),
            [*trend_fixed, ("Latest month", self._rest(trend_fixed))],
            trends,
            right=(1, 2),
        )
        self._show_trend()

    # --- what is highlighted ----------------------------------------------------------------

    @property
    def part(self) -> str:
        return self.query_one(TabbedContent).active or "audited"

    def _row(self, table_id: str) -> int:
        return self.query_one(f"#{table_id}", DataTable).cursor_row

    def highlighted_note(self) -> tuple[int, str] | None:
        """(note id, heading) of the highlighted note, in the part shown."""
        overview = self.overview
        if overview is None:
            return None
        if self.part == "audited":
            row = self._row("audited-table")
            if 0 <= row < len(overview.audited):
                found = overview.audited[row]
                return found.note_id, f"{found.case_number} · {found.summary}"
        elif self.part == "unaudited":
            row = self._row("unaudited-table")
            if 0 <= row < len(overview.unaudited):
                note = overview.unaudited[row]
                return note.note_id, f"{note.case_number} · {note.summary}"
        return None

    def highlighted_trend(self) -> WorkerTrend | None:
        overview = self.overview
        row = self._row("trends-table")
        if overview is None or not 0 <= row < len(overview.trends):
            return None
        return overview.trends[row]

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_detail()
        self._show_trend()
        self.refresh_bindings()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        pane = event.pane.id or "audited"
        self.query_one(f"#{pane}-table", DataTable).focus()
        self._show_detail()
        self.refresh_bindings()

    def _show_detail(self) -> None:
        overview = self.overview
        detail = self.query_one("#audits-detail", Static)
        detail.display = self.part != "trends"
        if overview is None:
            return
        text = Text()
        if self.part == "audited":
            row = self._row("audited-table")
            if 0 <= row < len(overview.audited):
                found = overview.audited[row]
                text.append(visible(found.summary), style="bold")
                missed = not_met(found.criteria)
                text.append(
                    "\nNot met: " + ", ".join(visible(c.name) for c in missed)
                    if missed else "\nEvery criterion met"
                )  # fmt: skip
            else:
                text.append("No audited notes that you can see yet.")
        elif self.part == "unaudited":
            row = self._row("unaudited-table")
            if 0 <= row < len(overview.unaudited):
                note = overview.unaudited[row]
                text.append(visible(note.summary), style="bold")
                text.append(f"\nBy {visible(note.author_name)} ({visible(note.author)})")
            else:
                text.append("Every note that you can see is audited.")
        shown = overview.audited_count > len(overview.audited) and self.part == "audited"
        shown = shown or (
            overview.unaudited_count > len(overview.unaudited) and self.part == "unaudited"
        )
        if shown:
            text.append(f" · the newest {note_audits.SHOWN:,} are listed", style="italic")
        detail.update(text)

    def _show_trend(self) -> None:
        trend = self.highlighted_trend()
        chart = self.query_one("#trend-chart", Sparkline)
        figures = self.query_one("#trend-figures", Static)
        if trend is None:
            chart.data = []
            figures.update(Text("No audited notes in the last twelve months."))
            return
        chart.data = [m.average for m in trend.months]
        chart.styles.width = max(3 * len(trend.months), 3)
        first, last = trend.months[0].month, trend.months[-1].month
        words = Text(visible(trend.display_name), style="bold")
        span = month_name(first) if first == last else f"{month_name(first)}–{month_name(last)}"
        words.append(f" · {span} · average {trend.average} over {trend.notes:,} notes\n")
        words.append(month_figures(trend.months))
        figures.update(words)

    # --- keys -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run":
            return note_audits.may_audit(self.app.actor)  # type: ignore[attr-defined]
        if action == "open_audit":
            return None if self.highlighted_note() is None else True
        return True

    def action_open_audit(self) -> None:
        from casetui.tui.screens.note_audit import NoteAuditScreen

        found = self.highlighted_note()
        if found is not None:
            note_id, heading = found
            self.app.push_screen(
                NoteAuditScreen(note_id, heading),
                lambda changed: self.action_reload() if changed else None,
            )

    def action_run(self) -> None:
        from casetui.tui.screens.audit_run import AuditRunScreen

        actor = self.app.actor  # type: ignore[attr-defined]
        if not note_audits.may_audit(actor):
            return
        scope = "every team's notes" if actor.role is Role.ADMINISTRATOR else "your team's notes"
        today = self.app.db.clock().date()  # type: ignore[attr-defined]
        self.app.push_screen(AuditRunScreen(today, scope), self._ran)

    def _ran(self, run: AuditRun | None) -> None:
        if run is None:
            return
        if run.audited:
            words = f"{run.audited:,} notes audited · average score {run.average}"
        else:
            words = "No notes needed auditing"
        self.notify(words, markup=False)
        self.action_reload()

    def action_next_part(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = PARTS[(PARTS.index(self.part) + step) % len(PARTS)]

    def action_back(self) -> None:
        self.dismiss(None)


__all__ = ["AuditsScreen"]
