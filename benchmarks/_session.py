"""A working session in the real app, timed from outside: one process per database.

    python -m benchmarks._session --db URL --user NAME --timeline-case NUMBER \\
        --queries SURNAME,PREFIX,TAG [--steps page_down,filter,timeline,workload,bulk]

The app starts through ``casetui``'s own CLI (password from CASETUI_PASSWORD), headless at
120x40. Each figure runs from a key press to the moment the result is on screen: the data is
in the widget and the screen has been refreshed since. Prints one JSON line: seconds per
figure (lists where repeated), and the process's peak RSS at the end.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from benchmarks import _drive

STEPS = ("refresh", "page_down", "filter", "timeline", "workload", "bulk")


def keystrokes(queries: list[str], count: int) -> list[tuple[str, str]]:
    """(key, the box's text after it): each query typed, then erased, round and round."""
    cycle: list[tuple[str, str]] = []
    for query in queries:
        cycle += [(ch, query[: i + 1]) for i, ch in enumerate(query)]
        cycle += [("backspace", query[:i]) for i in range(len(query) - 1, -1, -1)]
    if not cycle:
        raise ValueError("no queries to type")
    return [cycle[i % len(cycle)] for i in range(count)]


async def timed(
    pilot: Any, key: str, done: Any, widget: Any = None, seconds: float = 60.0
) -> float:
    """Press ``key``; seconds until ``done()`` holds and the screen has refreshed.

    ``done`` must only hold once the key has had its effect.
    """
    app = pilot.app
    started = time.perf_counter()
    _drive.send_key(app, key)
    await _drive.until(done, seconds=seconds, what=f"the result of {key!r}")
    await _drive.painted(widget if widget is not None else app.screen)
    return time.perf_counter() - started


class Session:
    def __init__(self, pilot: Any, args: argparse.Namespace) -> None:
        self.pilot = pilot
        self.app = pilot.app
        self.args = args
        self.table: Any = None

    async def type_into_filter(self, text: str) -> None:
        """Set the filter box (untimed) and wait for its rows."""
        box = self.app.screen.query_one("#filter-query")
        box.value = text
        table = self.table
        await _drive.until(
            lambda: table.case_filter.query == text and _drive.first_page_shown(table),
            what=f"rows for {text!r}",
        )
        await _drive.painted(table)

    async def back_to_table(self) -> None:
        self.table.focus()
        await self.pilot.pause()

    async def page_down(self, count: int) -> list[float]:
        table = self.table
        await self.back_to_table()
        await _drive.until(lambda: table.total is not None, what="the count")
        await self.pilot.press("home")
        times: list[float] = []
        while len(times) < count and table.max_scroll_y > 0:
            if int(table.scroll_y) >= int(table.max_scroll_y):  # at the end: back to the top
                await self.pilot.press("home")
                await _drive.until(lambda: _drive.rows_in_view_loaded(table))
            before = int(table.scroll_y)

            def moved(before: int = before) -> bool:
                return int(table.scroll_y) != before and _drive.rows_in_view_loaded(table)

            times.append(await timed(self.pilot, "pagedown", moved, table))
        await self.pilot.press("home")
        return times

    async def refresh_floor(self, count: int) -> list[float]:
        """A repaint asked for with nothing else to do: Textual's own frame pacing."""
        times = []
        for _ in range(count):
            started = time.perf_counter()
            self.table.refresh()
            await _drive.painted(self.table)
            times.append(time.perf_counter() - started)
        return times

    async def filter(self, queries: list[str], count: int) -> list[float]:
        table = self.table
        await self.pilot.press("slash")
        box = self.app.screen.query_one("#filter-query")
        await _drive.until(lambda: self.app.focused is box, what="the filter box")
        times = []
        for key, text in keystrokes(queries, count):
            times.append(
                await timed(
                    self.pilot,
                    key,
                    lambda text=text: (
                        table.case_filter.query == text and _drive.first_page_shown(table)
                    ),
                    table,
                )
            )
        await self.type_into_filter("")
        return times

    async def timeline(self, case_number: str, repeat: int) -> list[float]:
        from casetui.tui.widgets.timeline_list import TimelineList

        await self.pilot.press("slash")
        await self.type_into_filter(case_number)
        await self.back_to_table()
        table = self.table
        await _drive.until(
            lambda: table.current is not None and table.current.case_number == case_number,
            what=f"case {case_number} in the caseload",
        )
        times = []
        for _ in range(repeat):
            await _drive.settled(table)

            def shown() -> bool:
                if not _drive.screen_named(self.app, "TimelineScreen"):
                    return False
                lists = self.app.screen.query(TimelineList)
                return (
                    bool(lists) and self.app.screen.data is not None and bool(lists.first().entries)
                )

            times.append(await timed(self.pilot, "enter", shown))
            # The case's entries in all; the list reads only its first page when it opens.
            count = self.app.screen.query_one(TimelineList).total
            await self.pilot.press("escape")
            await _drive.until(lambda: _drive.screen_named(self.app, "CaseloadScreen"))
        self.entries = count
        await self.pilot.press("slash")
        await self.type_into_filter("")
        await self.back_to_table()
        return times

    async def details(self, length: int, count: int) -> list[float]:
        """Keys typed at the end of a note's Details already ``length`` characters long: each
        should cost what it costs in a short note."""
        from textual.widgets import TextArea

        await self.back_to_table()
        await self.pilot.press("n")  # a new note on the case under the cursor

        def editing() -> bool:
            if _drive.screen_named(self.app, "ChoiceScreen"):
                self.app.screen.dismiss("discard")  # a draft left by an earlier run
                return False
            return _drive.screen_named(self.app, "NoteEditorScreen") and bool(
                self.app.screen.query("#details")
            )

        await _drive.until(editing, what="the note editor")
        area = self.app.screen.query_one("#details", TextArea)
        area.focus()
        area.text = ("Met at the library to go through the application form. " * length)[:length]
        area.move_cursor(area.document.end)
        await _drive.settled(area)
        times = []
        for _ in range(count):
            typed = len(area.text) + 1
            times.append(await timed(self.pilot, "a", lambda t=typed: len(area.text) == t, area))
        self.details_length = length
        editor = self.app.screen
        area.text = ""  # nothing typed to keep, so closing asks nothing
        editor.action_close()
        await _drive.until(
            lambda: (
                _drive.screen_named(self.app, "ChoiceScreen")
                or _drive.screen_named(self.app, "CaseloadScreen")
            ),
            what="the editor closing",
        )
        if _drive.screen_named(self.app, "ChoiceScreen"):
            self.app.screen.dismiss("discard")
        await _drive.until(lambda: _drive.screen_named(self.app, "CaseloadScreen"))
        return times

    async def workload(self, repeat: int) -> list[float]:
        await self.back_to_table()
        times = []
        for _ in range(repeat):
            await _drive.settled(self.table)

            def shown() -> bool:
                if not _drive.screen_named(self.app, "WorkloadScreen"):
                    return False
                screen = self.app.screen
                tables = screen.query("#workload-table")
                return (
                    bool(screen.rows)
                    and bool(tables)
                    and tables.first().row_count == len(screen.rows)
                )

            times.append(await timed(self.pilot, "w", shown))
            self.people = len(self.app.screen.rows)
            await self.pilot.press("escape")
            await _drive.until(lambda: _drive.screen_named(self.app, "CaseloadScreen"))
        return times

    async def bulk(self, cases: int, keep_out: str) -> dict[str, float]:
        """Select ``cases`` cases with space, open the bulk note, add a task, save.

        The cases are the first of the caseload, leaving out ``keep_out`` (the timeline case,
        whose size must not grow from run to run).
        """
        from textual.widgets import Input

        from casetui.tui.widgets.task_form import TaskForm

        table, pilot = self.table, self.pilot
        await self.back_to_table()
        await pilot.press("home")
        # Selecting is preparation, not measured: the space key's own action, without the
        # pilot's idle wait per key. The status updates it queued are all handled before
        # the timing starts.
        while table.selected_count < cases:
            await _drive.until(lambda: table.current is not None, what="the next case")
            if table.current.case_number == keep_out:
                table.action_cursor(1)
            else:
                table.action_toggle_select()
        await _drive.settled(table)
        if table.selected_count != cases:
            raise RuntimeError(f"{table.selected_count} cases selected, not {cases}")

        def ready() -> bool:
            return (
                _drive.screen_named(self.app, "BulkNoteScreen")
                and self.app.screen.original is not None
            )

        opened = await timed(pilot, "b", ready)
        screen = self.app.screen
        screen.query_one("#summary", Input).focus()
        await pilot.press(*"Group session")
        screen.query_one("#activity-type").focus()
        await pilot.press("enter", "down", "enter")
        await pilot.press("ctrl+t")
        await _drive.until(lambda: bool(screen.query(TaskForm)), what="the task form")
        await pilot.press(*"Follow up")
        await pilot.press("ctrl+s")
        await _drive.until(
            lambda: _drive.screen_named(self.app, "ConfirmScreen"), what="the question"
        )

        def saved() -> bool:
            return screen not in self.app.screen_stack and _drive.screen_named(
                self.app, "CaseloadScreen"
            )

        save = await timed(pilot, "y", saved, seconds=120)
        return {"open": opened, "save": save}

    async def run(self) -> dict[str, Any]:
        args = self.args
        found: dict[str, Any] = {}
        self.table = await _drive.caseload_painted(self.app)
        # The high-water mark after each step: which step the peak memory comes from.
        peak = found["peak_rss_kb_after"] = {"first_paint": _drive.peak_rss_kb()}
        steps = [s for s in args.steps.split(",") if s]
        for step in steps:
            started = time.perf_counter()
            try:
                await _drive.settled(self.table)
                if step == "refresh":
                    found["refresh"] = await self.refresh_floor(args.pages)
                elif step == "page_down":
                    found["page_down"] = await self.page_down(args.pages)
                elif step == "filter":
                    found["filter"] = await self.filter(args.queries.split(","), args.keys)
                elif step == "timeline":
                    found["timeline"] = await self.timeline(args.timeline_case, args.repeat)
                    found["timeline_entries"] = self.entries
                elif step == "details":
                    found["details"] = await self.details(args.details_length, args.keys)
                    found["details_length"] = self.details_length
                elif step == "workload":
                    found["workload"] = await self.workload(args.repeat)
                    found["workload_people"] = self.people
                elif step == "bulk":
                    bulk = await self.bulk(args.bulk_cases, args.timeline_case)
                    found["bulk_open"], found["bulk_save"] = bulk["open"], bulk["save"]
                else:
                    raise ValueError(f"unknown step {step!r}")
            except Exception as error:  # noqa: BLE001 - reported per figure, the rest go on
                found.setdefault("errors", {})[step] = f"{type(error).__name__}: {error}"
                await self._recover()
            found.setdefault("step_seconds", {})[step] = round(time.perf_counter() - started, 2)
            peak[step] = _drive.peak_rss_kb()
        return found

    async def _recover(self) -> None:
        """Back to the caseload after a failed step, so the next one starts from there."""
        for _ in range(5):
            if _drive.screen_named(self.app, "CaseloadScreen"):
                return
            await self.pilot.press("escape")
            await self.pilot.pause(0.1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._session")
    parser.add_argument("--db", required=True, metavar="URL")
    parser.add_argument("--user", required=True, metavar="NAME")
    parser.add_argument("--timeline-case", required=True, metavar="NUMBER")
    parser.add_argument(
        "--queries", required=True, help="comma-separated: surname, case number prefix, tag"
    )
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--keys", type=int, default=50, help="filter and details keystrokes")
    parser.add_argument(
        "--details-length", type=int, default=20_000, help="characters already in Details"
    )
    parser.add_argument("--pages", type=int, default=50, help="page downs")
    parser.add_argument("--repeat", type=int, default=5, help="timeline and workload openings")
    parser.add_argument("--bulk-cases", type=int, default=500)
    args = parser.parse_args(argv)
    found: dict[str, Any] = {}

    async def drive(pilot: Any) -> None:
        try:
            found.update(await Session(pilot, args).run())
        except Exception as error:  # noqa: BLE001 - reported to the parent
            found["error"] = f"{type(error).__name__}: {error}"
        found["maxrss_kb"] = _drive.peak_rss_kb()
        pilot.app.exit(0)

    _drive.headless(drive)
    from casetui.cli import main as casetui_main

    casetui_main(["--db", args.db, "--user", args.user])
    _drive.report(found)
    return 0 if "error" not in found else 1


if __name__ == "__main__":
    sys.exit(main())
