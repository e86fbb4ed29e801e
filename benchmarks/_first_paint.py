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

    async def watch(pilot: Any) -> None:
        app = pilot.app
        found["run_at"] = _drive.RUN_AT[0]
        try:
            if args.bare:
                from textual.widgets import Static

                await _drive.until(lambda: bool(app.screen.query(Static)), what="the Static")
                await _drive.painted(app.screen.query_one(Static))
            else:
                loaded = await _drive.caseload_frame_painted(app, DATA_LAYER)
                found["frame_at"] = time.time()
                found["data_layer_at_frame"] = loaded
                await _drive.caseload_painted(app)
            found["painted_at"] = time.time()
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


def _bare_app() -> Any:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Bare(App[int]):
        def compose(self) -> ComposeResult:
            yield Static("Hello")

    return Bare()


if __name__ == "__main__":
    sys.exit(main())
