"""Global search and the duplicate check, timed at the service: one process per database.

    python -m benchmarks._search --db URL --user NAME --inputs JSON [--rounds N]

``--inputs`` holds the queries (typed keystroke by keystroke: each prefix is one search, as
the search box asks on every key) and the drafts of new clients (each one duplicate check),
with one more draft to warm up on.
Prints one JSON line: seconds per keystroke and per check, and what each found.

The seam: this times ``services.search.search`` itself, not a screen. When the search screen
exists, a ``search`` step in ``_session.py`` takes over the keystroke figure, timed like the
filter's (key handed to the app, results in the widget, screen refreshed), and this process
keeps only the duplicate check, or times it from the new-client screen in the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

from benchmarks import _drive

WARM_UP_QUERY = "zq"  # matches nothing much; compiles the statements, fills the pool


def keystrokes(query: str) -> list[str]:
    """What the box holds after each key of ``query``."""
    return [query[: i + 1] for i in range(len(query))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._search")
    parser.add_argument("--db", required=True, metavar="URL")
    parser.add_argument("--user", required=True, metavar="NAME")
    parser.add_argument("--inputs", required=True, help="JSON: {queries: [...], drafts: [...]}")
    parser.add_argument("--rounds", type=int, default=3, help="times each query is typed")
    args = parser.parse_args(argv)
    inputs = json.loads(args.inputs)
    found: dict[str, Any] = {}
    try:
        found.update(measure(args.db, args.user, inputs, args.rounds))
    except Exception as error:  # noqa: BLE001 - reported to the parent
        found["error"] = f"{type(error).__name__}: {error}"
    found["maxrss_kb"] = _drive.peak_rss_kb()
    _drive.report(found)
    return 0 if "error" not in found else 1


def measure(url: str, user: str, inputs: dict[str, Any], rounds: int) -> dict[str, Any]:
    from casetui.services.auth import sign_in
    from casetui.services.clients import ClientInput
    from casetui.services.search import possible_duplicates, search
    from casetui.startup import open_database

    db = open_database(url)
    found: dict[str, Any] = {"search": [], "search_by_query": {}, "search_hits": {}}
    try:
        actor = sign_in(db, user, os.environ.get("CASETUI_PASSWORD"))
        # A session already in use: the first search and check of the process are not a
        # keystroke's (imports, statement compiling, the connection).
        search(db, actor, WARM_UP_QUERY)
        possible_duplicates(db, actor, ClientInput(**inputs["warm_up"]))

        for _ in range(rounds):
            for query in inputs["queries"]:
                times = found["search_by_query"].setdefault(query, [])
                for text in keystrokes(query):
                    started = time.perf_counter()
                    hits = search(db, actor, text)
                    times.append(time.perf_counter() - started)
                kinds: dict[str, int] = {}
                for hit in hits:
                    kinds[hit.kind] = kinds.get(hit.kind, 0) + 1
                found["search_hits"][query] = kinds  # what the whole query found
                found["search"] += times[-len(query) :]

        found["duplicates"], found["duplicates_found"] = [], []
        for draft in [ClientInput(**fields) for fields in inputs["drafts"]]:
            started = time.perf_counter()
            matches = possible_duplicates(db, actor, draft)
            found["duplicates"].append(time.perf_counter() - started)
            found["duplicates_found"].append(len(matches))
    finally:
        db.dispose()
    return found


if __name__ == "__main__":
    sys.exit(main())
