"""For contrast: Textual's built-in DataTable holding every row, in a cold process.

    python -m benchmarks._datatable --sqlite FILE [--rows 100000]

Reads the caseload's columns for ``--rows`` cases straight from SQLite (newest interaction
first), loads them all into a DataTable on mount, and prints one JSON line: ``painted_at``
(``time.time()``), ``mount_to_paint`` (seconds from loading the rows to the first paint),
``rows`` and ``maxrss_kb``.
"""

from __future__ import annotations

import time

STARTED_AT = time.time()

import argparse  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402
from typing import Any  # noqa: E402

from benchmarks import _drive  # noqa: E402

COLUMNS = ("Client", "Case", "Worker", "Status", "Concern", "Pathway", "Last")
QUERY = """
SELECT client.name, cases.case_number, staff.display_name, cases.status, cases.concern,
       cases.pathway, cases.last_interaction_at
FROM cases JOIN client ON client.id = cases.client_id
LEFT JOIN staff ON staff.id = cases.primary_worker_id
ORDER BY cases.last_interaction_at IS NULL, cases.last_interaction_at DESC, cases.id DESC
LIMIT ?
"""


def fetch(path: str, rows: int) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [
            tuple("" if v is None else str(v) for v in row)
            for row in connection.execute(QUERY, (rows,))
        ]
    finally:
        connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._datatable")
    parser.add_argument("--sqlite", required=True, metavar="FILE")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)

    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    data = fetch(args.sqlite, args.rows)
    found: dict[str, Any] = {"started_at": STARTED_AT, "rows": len(data)}

    class Contrast(App[int]):
        def compose(self) -> ComposeResult:
            yield DataTable(cursor_type="row")

        def on_mount(self) -> None:
            found["mounted_at"] = time.perf_counter()
            table = self.query_one(DataTable)
            table.add_columns(*COLUMNS)
            table.add_rows(data)

    async def watch(pilot: Any) -> None:
        table = pilot.app.query_one(DataTable)
        await _drive.until(lambda: table.row_count == len(data), seconds=600, what="the rows")
        await _drive.painted(table)
        found["mount_to_paint"] = time.perf_counter() - found.pop("mounted_at")
        found["painted_at"] = time.time()
        found["maxrss_kb"] = _drive.peak_rss_kb()
        pilot.app.exit(0)

    _drive.headless(watch)
    Contrast().run()
    _drive.report(found)
    return 0


if __name__ == "__main__":
    sys.exit(main())
