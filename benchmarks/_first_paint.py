"""A cold process that runs an app until its first paint, then prints when that was.

    python -m benchmarks._first_paint --db URL --user NAME   # casetui, through its CLI
    python -m benchmarks._first_paint --bare                 # a bare Textual app
    python -m benchmarks._first_paint --bare --data-layer    # the same, importing the data
                                                             # layer before its first paint

Prints one JSON line: ``painted_at`` and ``started_at`` (``time.time()``; the parent
notes the time just before starting this process), ``run_at`` (when ``App.run`` was
called) and ``maxrss_kb`` at the paint. For casetui ``painted_at`` is the caseload's rows
painted; ``frame_at`` is its frame painted (the title line, the filter line, the footer and
"Opening the database…"), and ``data_layer_at_frame`` lists which of the data layer's
modules were imported by then (none, when the start is right).

"Painted" here is the moment the app hands that picture to the terminal (``App._display``,
where every frame is written out): what someone watching the terminal sees, for casetui and
the bare apps alike. (The interactive figures, in other processes, wait for two refreshes
after the data arrives; a start's picture is judged here by the first write that shows it.)
"""

from __future__ import annotations

import time

STARTED_AT = time.time()

import argparse  # noqa: E402
import sys  # noqa: E402
from typing import Any  # noqa: E402

from benchmarks import _drive  # noqa: E402

# What "the data layer" is, for the bare app that loads it first and for the frame's check.
DATA_LAYER = ("sqlalchemy", "sqlmodel", "casetui.domain.models")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._first_paint")
    parser.add_argument("--db", metavar="URL")
    parser.add_argument("--user", metavar="NAME")
    parser.add_argument("--bare", action="store_true", help="a bare Textual app instead")
    parser.add_argument(
        "--data-layer", action="store_true", help="the bare app imports the data layer first"
    )
    args = parser.parse_args(argv)
    found: dict[str, Any] = {"started_at": STARTED_AT}
    if args.bare and args.data_layer:
        import importlib

        for name in DATA_LAYER:
            importlib.import_module(name)
    shown = _note_first_writes()

    async def watch(pilot: Any) -> None:
        app = pilot.app
        found["run_at"] = _drive.RUN_AT[0]
        try:
            if args.bare:
                await _drive.until(lambda: "bare" in shown, what="the Static on the terminal")
                found["painted_at"] = shown["bare"]
            else:
                await _drive.until(lambda: "frame" in shown, what="the frame on the terminal")
                found["frame_at"] = shown["frame"]
                found["data_layer_at_frame"] = shown["data_layer_at_frame"]
                await _drive.until(
                    lambda: "rows" in shown, seconds=120, what="the cases on the terminal"
                )
                found["painted_at"] = shown["rows"]
            found["maxrss_kb"] = _drive.peak_rss_kb()
        except Exception as error:  # noqa: BLE001 - reported to the parent
            found["error"] = f"{type(error).__name__}: {error}"
        app.exit(0)

    _drive.headless(watch)
    if args.bare:
        _bare_app().run()
    else:
        from casetui.cli import main as casetui_main

        command = ["--user", args.user] if args.user else []
        casetui_main([*(["--db", args.db] if args.db else []), *command])
    _drive.report(found)
    return 0 if "painted_at" in found else 1


def _note_first_writes() -> dict[str, Any]:
    """When the app first writes to the terminal a frame showing each awaited picture: the
    bare app's Static, the caseload's frame (and which of the data layer was imported by
    then), the caseload with its first rows."""
    from textual.app import App

    shown: dict[str, Any] = {}
    write = App._display

    def display(app: Any, screen: Any, renderable: Any) -> None:
        if renderable is not None:
            now, name = time.time(), type(screen).__name__
            if name == "CaseloadFrame" and "frame" not in shown:
                if _drive.caseload_frame_shown(app):
                    shown["frame"] = now
                    shown["data_layer_at_frame"] = [m for m in DATA_LAYER if m in sys.modules]
            elif name == "CaseloadScreen" and "rows" not in shown:
                table = _drive.caseload_table(app)
                if table is not None and _drive.first_page_shown(table):
                    shown["rows"] = now
            elif name == "Screen" and "bare" not in shown and screen.query("Static"):
                shown["bare"] = now
        write(app, screen, renderable)

    App._display = display  # type: ignore[method-assign]
    return shown


def _bare_app() -> Any:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Bare(App[int]):
        def compose(self) -> ComposeResult:
            yield Static("Hello")

    return Bare()


if __name__ == "__main__":
    sys.exit(main())
