"""``python -m benchmarks``: casetui measured against SPEC.md's performance table.

Builds (once, then cached) demo databases through ``casetui demo``, measures the real app
headless at 120x40, prints one table (figure, size, measured, target, PASS/MISS) and writes
the same as JSON.

``python -m benchmarks load [--help]``: many caseworkers at once on one PostgreSQL, straight
and through PgBouncer (``_load.py``).
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from benchmarks import _audits, _import, _print, _reminders, _reports, insights_open, measure
from benchmarks.databases import (
    BenchDatabase,
    default_cache,
    postgres_database,
    postgres_reachable,
    schema_head,
    size_label,
    sqlite_database,
)
from benchmarks.report import MB, Figure, median, percentile, table, write_json

T = TypeVar("T")

DEFAULT_SIZES = (1_000, 100_000, 1_000_000)
PG_CASES = 100_000
DATATABLE_ROWS = 100_000
BULK_CASES = 500
SQLITE_STEPS = ("refresh", "page_down", "filter", "details", "timeline", "workload", "bulk")
PG_STEPS = ("filter", "timeline", "workload", "bulk")
STEP_RESULT = {"refresh": "refresh", "page_down": "page_down", "filter": "filter",
               "details": "details", "timeline": "timeline", "workload": "workload",
               "bulk": "bulk_save"}  # fmt: skip

# Targets from SPEC.md, "Performance".
FRAME_X_BARE = 1.5  # the caseload's frame, against a bare Textual app
ROWS_X_BARE_DATA = 1.2  # its rows, against a bare Textual app that imports the data layer first
FIRST_PAINT_GROWTH = 1.1
FILTER_MEDIAN = 0.050
FILTER_P95 = 0.150
DETAILS_KEY = 0.050  # a key typed into a long note costs what it costs in a short one
PAGE_DOWN = 0.030
TIMELINE = 0.200
BULK = {"sqlite": 1.0, "postgresql": 2.0}
WORKLOAD = 0.200
HELP_X_PASS, HELP_PLUS = 1.2, 0.100
PEAK_RSS = 150 * MB
RSS_GROWTH = 1.1  # "flat in the number of cases"
# Part two.
SEARCH_MEDIAN = 0.100
SEARCH_P95 = 0.250
DUPLICATE_CHECK = 0.050

# The order figures appear in: the numbering, then the floors.
ORDER = ("frame_paint", "first_paint", "first_paint_growth", "filter_median", "filter_p95", "details_key",
         "page_down",
         "page_down_p95", "timeline", "bulk_save", "bulk_open", "workload", "help",
         "python_pass", "bare_first_paint", "bare_data_first_paint", "peak_rss", "peak_rss_growth",
         "peak_rss_browsing", "search_median", "search_p95", "duplicate_check",
         "duplicate_check_p95", "report_seconds", "report_peak_rss", "report_peak_rss_small",
         "report_peak_rss_growth", "datatable", "sql_floor", "sql_repository",
         "refresh_floor")  # fmt: skip


class Plan:
    """How much to repeat: the full run, or a quick one for CI."""

    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.cold_runs = 2 if quick else 5
        self.process_runs = 3 if quick else 10
        self.keys = 20 if quick else 50
        self.pages = 20 if quick else 50
        self.repeat = 2 if quick else 5
        self.bulk_cases = 100 if quick else BULK_CASES
        self.sql_runs = 5 if quick else 20
        self.search_rounds = 1 if quick else 3  # each query typed this many times
        self.drafts = 10 if quick else 40  # duplicate checks


def say(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def where(database: BenchDatabase) -> str:
    return f"{database.backend} {size_label(database.cases)}"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def trying(what: str, measure_it: Callable[[], T]) -> tuple[T | None, str | None]:
    """The measurement, or its failure in words: one broken figure never ends the run."""
    try:
        return measure_it(), None
    except Exception as error:  # noqa: BLE001 - shown in the table
        message = f"{type(error).__name__}: {error}"
        say(f"{what} failed: {message}")
        return None, message


def timed(
    key: str,
    label: str,
    place: str,
    samples: Sequence[float] | None,
    *,
    use: Callable[[Sequence[float]], float | None] = median,
    target: float | None = None,
    target_text: str = "",
    error: str | None = None,
) -> Figure:
    """A figure in seconds from its samples (the median unless ``use`` says otherwise)."""
    figure = Figure(key, label, place, None, "s", target, target_text, error)
    if samples:
        figure.samples = [round(s, 6) for s in samples]
        figure.value = use(samples)
    elif error is None:
        figure.error = "no samples"
    return figure


def p95(samples: Sequence[float]) -> float | None:
    return percentile(samples, 0.95)


# --- the parts -----------------------------------------------------------------------------


def machine_figures(plan: Plan, env: dict[str, str]) -> list[Figure]:
    """`python -c pass` and `casetui --help`, timed in this run."""
    say("timing python -c pass and casetui --help")

    def process(what: str, argv: list[str]) -> tuple[list[float] | None, str | None]:
        return trying(
            what,
            lambda: measure.repeat(
                what, plan.process_runs, lambda: measure.whole_process(argv, env)
            ),
        )

    python, python_error = process("python -c pass", measure.python_pass_argv())
    help_runs, help_error = process("casetui --help", measure.help_argv())
    return [
        timed("python_pass", "`python -c pass`, whole process", "", python, error=python_error),
        timed("help", "`casetui --help`, whole process", "", help_runs, error=help_error),
    ]


class BareApps:
    """The two bare Textual apps' first paints, gathered between casetui's starts."""

    def __init__(self) -> None:
        self.bare: list[float] = []
        self.data: list[float] = []
        self.errors: list[str] = []

    def figures(self) -> list[Figure]:
        error = "; ".join(self.errors) or None
        return [
            timed("bare_first_paint", "bare Textual app first paint, from process start", "",
                  self.bare, error=error),
            timed("bare_data_first_paint", "bare Textual app importing the data layer "
                  "(sqlalchemy, sqlmodel, casetui.domain.models) first, first paint", "",
                  self.data, error=error),
        ]  # fmt: skip


def start_figures(
    database: BenchDatabase, plan: Plan, env: dict[str, str], bare_apps: BareApps
) -> list[Figure]:
    """The caseload's frame and its rows, from process start, each start run right after a
    bare Textual app and one that imports the data layer first: the machine's state (other
    work on it, its caches) is then the same for the figures and their targets."""
    place = where(database)
    argv = measure.first_paint_argv(database)
    bare_argv, data_argv = measure.bare_argv(), measure.bare_argv(data_layer=True)

    def one_round() -> tuple[measure.Cold, measure.Cold, measure.Cold]:
        bare = measure.cold_paint(bare_argv, env)
        data = measure.cold_paint(data_argv, env)
        return bare, data, measure.cold_paint(argv, env)

    rounds, error = trying(
        f"start {place}", lambda: measure.repeat(f"start {place}", plan.cold_runs, one_round)
    )
    rounds = rounds or []
    bare = [r[0].seconds for r in rounds]
    data = [r[1].seconds for r in rounds]
    starts = [r[2] for r in rounds]
    bare_apps.bare += bare
    bare_apps.data += data
    if error:
        bare_apps.errors.append(f"{place}: {error}")
    frame = timed("frame_paint", "caseload frame painted (title, filter line, footer, "
                  "\"Opening the database…\"), from process start", place,
                  [r.frame for r in starts if r.frame is not None], error=error)  # fmt: skip
    rows = timed("first_paint", "caseload rows painted, from process start", place,
                 [r.seconds for r in starts], error=error)  # fmt: skip
    loaded = sorted({name for r in starts for name in r.data_layer_at_frame})
    if loaded and frame.error is None:
        frame.error = f"the data layer was imported before the frame was painted: {loaded}"
    if bare:
        frame.target = FRAME_X_BARE * median(bare)
        frame.target_text = f"≤ {FRAME_X_BARE:g}× bare ({ms(frame.target)})"
    if data:
        rows.target = ROWS_X_BARE_DATA * median(data)
        rows.target_text = f"≤ {ROWS_X_BARE_DATA:g}× bare + data layer ({ms(rows.target)})"
    if starts:
        detail = {
            "bare_first_paint": median(bare),
            "bare_data_first_paint": median(data),
            "data_layer_at_frame": loaded,
        }
        frame.detail = dict(detail)
        rows.detail = detail | {
            "from_app_run": median([r.from_run for r in starts]),
            "maxrss_kb": max(r.maxrss_kb for r in starts),
        }
    return [frame, rows]


def session_figures(
    database: BenchDatabase, plan: Plan, env: dict[str, str], steps: Sequence[str]
) -> list[Figure]:
    place = where(database)
    say(f"session in the app on {place}: {', '.join(steps)}")
    found, failed = trying(
        f"session on {place}",
        lambda: measure.session(
            database, env, steps=steps, keys=plan.keys, pages=plan.pages,
            repeat_count=plan.repeat, bulk_cases=plan.bulk_cases,
        ),
    )  # fmt: skip
    found = found or {}
    errors: dict[str, str] = dict(found.get("errors", {}))
    for step in steps:
        if STEP_RESULT[step] not in found and step not in errors:
            errors[step] = failed or found.get("error") or "not measured"

    figures: list[Figure] = []
    if "filter" in steps:
        samples, error = found.get("filter"), errors.get("filter")
        figures += [
            timed("filter_median", f"filter keystroke, median of {plan.keys}", place, samples,
                  target=FILTER_MEDIAN, target_text=f"≤ {ms(FILTER_MEDIAN)}", error=error),
            timed("filter_p95", f"filter keystroke, 95th percentile of {plan.keys}", place, samples,
                  use=p95, target=FILTER_P95, target_text=f"≤ {ms(FILTER_P95)}", error=error),
        ]  # fmt: skip
        for figure in figures[-2:]:
            figure.detail["queries"] = found.get("queries", "")
    if "details" in steps:
        label = f"keystroke in a {found.get('details_length', 0):,}-character note, median"
        figures.append(
            timed("details_key", label, place, found.get("details"), target=DETAILS_KEY,
                  target_text=f"≤ {ms(DETAILS_KEY)}", error=errors.get("details"))
        )  # fmt: skip
    if "refresh" in steps:
        label = "floor: a repaint and nothing else (Textual's frame pacing)"
        figures.append(
            timed("refresh_floor", label, place, found.get("refresh"), error=errors.get("refresh"))
        )
    if "page_down" in steps:
        samples, error = found.get("page_down"), errors.get("page_down")
        figures += [
            timed("page_down", f"page down, median of {len(samples or [])}", place, samples,
                  target=PAGE_DOWN, target_text=f"≤ {ms(PAGE_DOWN)}", error=error),
            timed("page_down_p95", "page down, 95th percentile", place, samples, use=p95,
                  error=error),
        ]  # fmt: skip
    if "timeline" in steps:
        label = f"open a case timeline of {found.get('timeline_entries', 0):,} items"
        figures.append(
            timed("timeline", label, place, found.get("timeline"), target=TIMELINE,
                  target_text=f"≤ {ms(TIMELINE)}", error=errors.get("timeline"))
        )  # fmt: skip
    if "bulk" in steps:
        limit = BULK[database.backend]
        full = plan.bulk_cases == BULK_CASES  # the target is for 500 cases
        save, opened, error = found.get("bulk_save"), found.get("bulk_open"), errors.get("bulk")
        figures += [
            timed("bulk_save", f"bulk note with a task to {plan.bulk_cases} cases, save", place,
                  [save] if save is not None else None, target=limit if full else None,
                  target_text=f"≤ {limit:g} s" + ("" if full else f" at {BULK_CASES}"), error=error),
            timed("bulk_open", f"bulk note for {plan.bulk_cases} cases, screen ready", place,
                  [opened] if opened is not None else None, error=error),
        ]  # fmt: skip
    if "workload" in steps:
        label = f"workload screen, {found.get('workload_people', 0)} staff"
        figures.append(
            timed("workload", label, place, found.get("workload"), target=WORKLOAD,
                  target_text=f"≤ {ms(WORKLOAD)}", error=errors.get("workload"))
        )  # fmt: skip
    if database.backend == "sqlite":
        before_bulk = [
            kb for step, kb in found.get("peak_rss_kb_after", {}).items() if step != "bulk"
        ]
        figures.append(
            Figure("peak_rss_browsing", "peak memory (RSS) before the bulk note", place,
                   max(before_bulk) * 1024 if before_bulk else None, "bytes",
                   error=None if before_bulk else failed or "not measured")
        )  # fmt: skip
        rss = found.get("maxrss_kb")
        figures.append(
            Figure("peak_rss", "peak memory (RSS) over the session", place,
                   rss * 1024 if rss else None, "bytes", PEAK_RSS, "≤ 150 MB",
                   error=None if rss else failed or "not measured")
        )  # fmt: skip
    for figure in figures:
        figure.detail["step_seconds"] = found.get("step_seconds", {})
        if figure.key == "peak_rss":
            figure.detail["peak_rss_kb_after"] = found.get("peak_rss_kb_after", {})
    return figures


def search_figures(database: BenchDatabase, plan: Plan, env: dict[str, str]) -> list[Figure]:
    """Part two's search rows, timed at the service for now (see ``_search.py``)."""
    place = where(database)
    say(f"global search and duplicate checks on {place}")
    found, failed = trying(
        f"search on {place}",
        lambda: measure.search_session(
            database, env, rounds=plan.search_rounds, drafts=plan.drafts
        ),
    )
    found = found or {}
    error = failed or found.get("error")
    search_error = error
    hits: dict[str, dict[str, int]] = found.get("search_hits", {})
    empty = [query for query in found.get("queries", []) if not hits.get(query)]
    if empty and not error:  # timing a search that finds nothing would flatter it
        search_error = f"found nothing for {', '.join(map(repr, empty))}"
    keys = len(found.get("search", []))
    figures = [
        timed("search_median", f"global search, keystroke to first results, median of {keys}",
              place, found.get("search"), target=SEARCH_MEDIAN,
              target_text=f"≤ {ms(SEARCH_MEDIAN)}", error=search_error),
        timed("search_p95", "global search, keystroke to first results, 95th percentile", place,
              found.get("search"), use=p95, target=SEARCH_P95, target_text=f"≤ {ms(SEARCH_P95)}",
              error=search_error),
    ]  # fmt: skip
    by_query = found.get("search_by_query", {})
    for figure in figures:
        figure.detail = {
            "measured": "at the service (services.search.search), per prefix typed",
            "queries": found.get("queries", []),
            "median_by_query": {q: median(t) for q, t in by_query.items()},
            "slowest_by_query": {q: max(t) for q, t in by_query.items() if t},
            "hits": hits,
        }
    checks, counts = found.get("duplicates"), found.get("duplicates_found", [])
    duplicate_error = error
    if counts and not any(counts[0::2]) and not error:  # every other draft, from the first
        duplicate_error = "no registered client was found as a possible duplicate"
    n = len(checks or [])
    figures += [
        timed("duplicate_check", f"duplicate check while registering a client, median of {n}",
              place, checks, target=DUPLICATE_CHECK, target_text=f"≤ {ms(DUPLICATE_CHECK)}",
              error=duplicate_error),
        timed("duplicate_check_p95", "duplicate check, 95th percentile", place, checks, use=p95,
              error=duplicate_error),
    ]  # fmt: skip
    for figure in figures[-2:]:
        figure.detail = {
            "measured": "at the service (services.search.possible_duplicates), a full draft",
            "possible_duplicates_found": counts,
        }
    return figures


def sql_figures(database: BenchDatabase, plan: Plan) -> list[Figure]:
    place = where(database)
    say(f"caseload first page SQL on {place}")
    found, error = trying(
        f"first page SQL on {place}", lambda: measure.first_page_sql(database, plan.sql_runs)
    )
    statements = f", {found.statements} statements" if found else ""
    return [
        timed("sql_floor", f"caseload first page, raw SQL on sqlite3 (floor{statements})", place,
              found.raw if found else None, error=error),
        timed("sql_repository", "caseload first page, through the repository", place,
              found.repository if found else None, error=error),
    ]  # fmt: skip


def datatable_figure(database: BenchDatabase, env: dict[str, str]) -> Figure:
    place = where(database)
    say(f"built-in DataTable with {DATATABLE_ROWS:,} rows (about 20 s)")
    found, error = trying(
        "DataTable contrast", lambda: measure.datatable(database, env, DATATABLE_ROWS)
    )
    label = f"built-in DataTable, {DATATABLE_ROWS:,} rows, first paint from process start"
    figure = timed("datatable", label, place, [found["seconds"]] if found else None, error=error)
    if found:
        figure.detail = {key: found[key] for key in ("rows", "mount_to_paint", "maxrss_kb")}
    return figure


# --- targets that depend on other figures ------------------------------------------------------


def relate(figures: list[Figure], sqlite_dbs: Sequence[BenchDatabase]) -> list[Figure]:
    """Targets relative to this run's baselines, and the growth from smallest to largest."""
    by_key = {(f.key, f.where): f for f in figures}
    python = by_key.get(("python_pass", ""))
    for figure in figures:
        if figure.key == "help" and python is not None and python.value is not None:
            figure.target = HELP_X_PASS * python.value + HELP_PLUS
            figure.target_text = f"≤ {HELP_X_PASS:g}× python + 100 ms ({ms(figure.target)})"
    if len(sqlite_dbs) < 2:
        return figures
    small, large = sqlite_dbs[0], sqlite_dbs[-1]
    span = f"{size_label(large.cases)} ÷ {size_label(small.cases)}"
    for key, label, limit in (
        ("first_paint", "caseload rows painted", FIRST_PAINT_GROWTH),
        ("peak_rss", "peak memory", RSS_GROWTH),
    ):
        low, high = by_key.get((key, where(small))), by_key.get((key, where(large)))
        ratio = None
        if low is not None and high is not None and low.value and high.value is not None:
            ratio = high.value / low.value
        figures.append(
            Figure(f"{key}_growth", f"{label}, {span}", "sqlite", ratio, "ratio", limit,
                   f"≤ {limit:g}× (flat)", error=None if ratio else "a size was not measured")
        )  # fmt: skip
    return figures


def ordered(figures: list[Figure]) -> list[Figure]:
    rank = {key: i for i, key in enumerate(ORDER)}
    return sorted(
        figures, key=lambda f: (rank.get(f.key, len(ORDER)), f.where.startswith("postgresql"))
    )


# --- the command -------------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--sizes",
        metavar="N,N",
        help="SQLite sizes in cases (default 1000,100000,1000000; 1000 with --quick)",
    )
    parser.add_argument(
        "--postgres",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"PostgreSQL at {PG_CASES:,} cases too (default: if the server "
        "answers, and not with --quick)",
    )
    parser.add_argument(
        "--datatable",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="the DataTable contrast (default: on, off with --quick)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer repetitions, 1,000 cases only: the smoke test"
    )
    parser.add_argument(
        "--cache",
        type=Path,
        metavar="DIR",
        help="where databases are cached (default: CASETUI_BENCH_CACHE, else benchmarks/.cache)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        metavar="PATH",
        help="where the results go (default: CACHE/latest.json)",
    )
    parser.add_argument("--rebuild", action="store_true", help="build the databases afresh")
    return parser.parse_args(argv)  # fmt: skip


def commit() -> str:
    """The code being measured, as git names it ("-dirty" with uncommitted changes)."""
    try:
        return subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            capture_output=True, text=True, cwd=measure.ROOT, check=False,
        ).stdout.strip()  # fmt: skip
    except OSError:
        return ""


def meta(plan: Plan, started: float, code: str) -> dict[str, Any]:
    import textual

    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
        "quick": plan.quick,
        "commit": code,
        "schema": schema_head(),
        "python": platform.python_version(),
        "textual": textual.__version__,
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "terminal": "120x40, headless",
        "file cache": "warm: each SQLite file read once before it is measured",
    }


def compile_casetui() -> None:
    """Byte-compile casetui, as installing it does (Textual and the rest came compiled).

    An editable install leaves the compiling to the first import, and with
    PYTHONDONTWRITEBYTECODE set every process would compile casetui again: 100-200 ms of
    each first paint here that no installed copy pays.
    """
    import compileall

    import casetui

    say("byte-compiling casetui")
    compileall.compile_dir(Path(casetui.__file__).parent, quiet=1)


def warm_file_cache(database: BenchDatabase) -> None:
    """Read the database file once, so the operating system's cache holds it.

    Every figure is then taken in one known state: a database in use, as on a server or a
    laptop that has had it open today. Left alone, which pages are cached depends on what ran
    before (the build, another size's run): at a million cases the first keystrokes of a new
    name then wait on the disk, by 100 to 600 ms here, and from run to run by a different
    amount. The app's code and SQLite's own cache are untouched.
    """
    path = database.sqlite_file
    if path is None:
        return
    say(f"reading {path.name} once into the file cache")
    for name in (path, path.with_name(path.name + "-wal")):
        if name.exists():
            with name.open("rb", buffering=0) as stream:
                while stream.read(8 << 20):
                    pass


def public_url(database: BenchDatabase) -> str:
    """The URL without this machine's folders."""
    path = database.sqlite_file
    return f"sqlite:///{path.name}" if path is not None else database.url


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["load"]:  # the shared PostgreSQL under load: a run of its own
        from benchmarks import _load

        return _load.main(argv[1:])
    args = parse(argv)
    plan = Plan(args.quick)
    started, code = time.perf_counter(), commit()
    cache = args.cache or default_cache()
    if args.sizes:
        sizes = sorted(int(s) for s in args.sizes.split(","))
    else:
        sizes = [1_000] if plan.quick else list(DEFAULT_SIZES)
    use_postgres = args.postgres if args.postgres is not None else not plan.quick
    use_datatable = args.datatable if args.datatable is not None else not plan.quick

    sqlite_dbs = [sqlite_database(n, cache, rebuild=args.rebuild) for n in sizes]
    pg_db: BenchDatabase | None = None
    if use_postgres:
        problem = postgres_reachable()
        if problem is None:
            pg_db = postgres_database(PG_CASES, cache, rebuild=args.rebuild)
        elif args.postgres:
            say(f"PostgreSQL was asked for but does not answer: {problem}")
            return 2
        else:
            say(f"leaving PostgreSQL out: {problem}")

    compile_casetui()
    env = measure.child_env(measure.scratch_dir())
    figures = machine_figures(plan, env)
    bare_apps = BareApps()
    for database in sqlite_dbs:
        warm_file_cache(database)
        figures += start_figures(database, plan, env, bare_apps)
        figures += session_figures(database, plan, env, SQLITE_STEPS)
        figures += search_figures(database, plan, env)
        figures += sql_figures(database, plan)
    if pg_db is not None:
        figures += start_figures(pg_db, plan, env, bare_apps)
        figures += session_figures(pg_db, plan, env, PG_STEPS)
        figures += search_figures(pg_db, plan, env)
    # Importing a spreadsheet: into the largest SQLite database, and PostgreSQL's.
    for database in [sqlite_dbs[-1], *filter(None, [pg_db])]:
        say(f"import clients --commit on {where(database)}")
        figures += _import.figures(database, env, measure.scratch_dir(), quick=plan.quick)
    # Reminders to a mail server on 127.0.0.1: in the same databases.
    for database in [sqlite_dbs[-1], *filter(None, [pg_db])]:
        say(f"reminders send on {where(database)}")
        figures += _reminders.figures(database, env, measure.scratch_dir(), quick=plan.quick)
    # Printing a case file: a case of 1,000 notes, in a copy of the smallest SQLite database.
    say("casetui print of a case with 1,000 notes")
    figures += _print.figures(sqlite_dbs[0], env, measure.scratch_dir(), quick=plan.quick)
    # Auditing 10,000 notes at once, in a database of its own.
    say("audits run of 10,000 notes")
    figures += _audits.figures(measure.scratch_dir(), quick=plan.quick)
    # The notes report of about a million rows: the largest SQLite database, and PostgreSQL's.
    for database in [sqlite_dbs[-1], *filter(None, [pg_db])]:
        say(f"report notes on {where(database)}")
        figures += _reports.figures(database, env, measure.scratch_dir(), quick=plan.quick)
    # The insights heatmap: 2,000 cases by six stages, in a demo database of its own.
    say("insights heatmap of 2,000 cases")
    figures += insights_open.figures(cache, quick=plan.quick)
    big = [d for d in sqlite_dbs if d.cases >= DATATABLE_ROWS]
    if use_datatable and big:
        figures.append(datatable_figure(big[0], env))
    figures = ordered(relate(figures + bare_apps.figures(), sqlite_dbs))

    print(table(figures))
    if commit() != code:
        say(f"the code changed during the run (from {code} to {commit()}): the figures mix both")
    path = args.json or cache / "latest.json"
    databases = [
        d.to_json() | {"url": public_url(d)} for d in [*sqlite_dbs, *filter(None, [pg_db])]
    ]
    write_json(path, meta(plan, started, code), databases, figures)
    print(f"\nJSON: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
