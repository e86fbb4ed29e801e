"""The import figure: ``casetui import clients FILE --commit`` of 100,000 rows with a case
each, through the real command in a process of its own (its peak memory is the figure).

The file is written here: names, birth dates, emails and phones from the demo's vocabulary,
the workers the database holds, half the rows with a case number of their own (a legacy
system's), half numbered by the organisation's series. The rows are imported into the
cached demo database and taken out again afterwards (test-data upkeep, like the timeline
case's), so the cache stays as built; the audit event of each run stays, as audit events do.
"""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.databases import BENCH_USER, BenchDatabase, connect_url, size_label
from benchmarks.report import MB, Figure

ROWS = 100_000
QUICK_ROWS = 2_000
SECONDS = 60.0  # SPEC.md, "Performance, part two"
PEAK_MB = 300
HEADER = ("name", "date_of_birth", "email", "phone", "worker", "status", "concern", "pathway",
          "tags", "case_number", "opened_on")  # fmt: skip


@dataclass(frozen=True)
class ImportRun:
    seconds: float
    cpu_seconds: float  # user and system: on a busy machine, what the wall clock hides
    maxrss_kb: int
    rows: int
    stderr_tail: str


def write_file(path: Path, rows: int, workers: list[str], pathways: list[str], legacy: str) -> None:
    """The same people every run; the legacy case numbers ``legacy``'s own."""
    from casetui.demo.vocabulary import EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, TAGS

    rng = random.Random(1)
    with path.open("w", newline="", encoding="utf-8") as stream:
        out = csv.writer(stream)
        out.writerow(HEADER)
        for i in range(rows):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            born = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1940, 2008)}"
            out.writerow((
                f"{first} {last}", born,
                f"{first}.{last}.{i}@{rng.choice(EMAIL_DOMAINS)}".lower().replace(" ", ""),
                f"07700 {i:06d}", rng.choice(workers),
                rng.choice(("Open", "Open", "Open", "Paused", "Closed")),
                rng.choice(("Low", "Medium", "High")), rng.choice([*pathways, ""]),
                "; ".join(rng.sample(TAGS, rng.randint(0, 2))),
                f"{legacy}-{i:06d}" if i % 2 else "",
                f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            ))  # fmt: skip


def _workers_and_pathways(url: str) -> tuple[list[str], list[str]]:
    from sqlalchemy import text

    from casetui.startup import open_database

    db = open_database(url)
    try:
        with db.engine.connect() as connection:
            workers = list(
                connection.execute(
                    text("SELECT username FROM staff WHERE active AND role = 'caseworker'")
                ).scalars()
            )
            pathways = list(
                connection.execute(
                    text("SELECT value FROM organisation_list_item WHERE kind = 'pathway'")
                ).scalars()
            )
    finally:
        db.dispose()
    return workers, pathways


def _highest_ids(url: str) -> tuple[int, int]:
    from sqlalchemy import text

    from casetui.startup import open_database

    db = open_database(url)
    try:
        with db.engine.connect() as connection:
            client = connection.execute(text("SELECT coalesce(max(id), 0) FROM client")).scalar()
            case = connection.execute(text("SELECT coalesce(max(id), 0) FROM cases")).scalar()
    finally:
        db.dispose()
    return int(client or 0), int(case or 0)


def _take_out(url: str, after_client: int, after_case: int) -> None:
    """Remove what the run imported (and nothing else): clients and cases after these ids."""
    from sqlalchemy import text

    from casetui.startup import open_database

    db = open_database(url)
    try:
        with db.engine.begin() as connection:
            for statement, bound in (
                ("DELETE FROM case_tag WHERE case_id > :case", after_case),
                # The follow-up tasks a case's pathway brought when it was imported.
                (
                    "DELETE FROM task_responsible WHERE task_id IN"
                    " (SELECT id FROM follow_up_task WHERE case_id > :case)",
                    after_case,
                ),
                ("DELETE FROM follow_up_task WHERE case_id > :case", after_case),
                ("DELETE FROM cases WHERE id > :case", after_case),
                ("DELETE FROM client_warning WHERE client_id > :client", after_client),
                ("DELETE FROM client_group WHERE client_id > :client", after_client),
                ("DELETE FROM client WHERE id > :client", after_client),
            ):
                key = "case" if ":case" in statement else "client"
                connection.execute(text(statement), {key: bound})
    finally:
        db.dispose()


def run_import(database: BenchDatabase, env: dict[str, str], folder: Path, rows: int) -> ImportRun:
    """Write the file, import it with --commit in a process of its own, take the rows out."""
    url = connect_url(database)
    workers, pathways = _workers_and_pathways(url)
    if not workers:
        raise RuntimeError("the database has no active caseworkers to assign the cases to")
    path = folder / f"import-{rows}.csv"
    # A number of this run's own: a run stopped before taking its rows out leaves its numbers.
    write_file(path, rows, workers, pathways, legacy=f"LEGACY{int(time.time()) % 1_000_000}")
    after_client, after_case = _highest_ids(url)
    argv = [sys.executable, "-m", "casetui", "--db", url, "--user", BENCH_USER, "import",
            "clients", str(path), "--commit", "--allow-duplicates", "--json"]  # fmt: skip
    out, err = folder / "import.out", folder / "import.err"
    started = time.perf_counter()
    try:
        with out.open("w") as stdout, err.open("w") as stderr:
            process = subprocess.Popen(
                argv, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr
            )
            # wait4, not wait: the child's own peak memory comes back with its exit.
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
    finally:
        _take_out(url, after_client, after_case)
    said = err.read_text(errors="replace").strip()
    if process.returncode != 0 or '"committed": true' not in out.read_text():
        raise RuntimeError(f"import exited {process.returncode}: {said[-500:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return ImportRun(seconds, cpu, usage.ru_maxrss, rows, said[-300:])


def figures(
    database: BenchDatabase, env: dict[str, str], folder: Path, *, quick: bool
) -> list[Figure]:
    """The import's time and peak memory on ``database``, with SPEC.md's targets."""
    rows = QUICK_ROWS if quick else ROWS
    place = f"{database.backend} {size_label(database.cases)}"
    label = f"`import clients --commit`, {rows:,} rows with cases"
    full = rows == ROWS
    try:
        run = run_import(database, env, folder, rows)
    except Exception as error:  # noqa: BLE001 - shown in the table
        message = f"{type(error).__name__}: {error}"
        print(f"[bench] import on {place} failed: {message}", file=sys.stderr, flush=True)
        return [Figure("import_seconds", label, place, None, "s", error=message)]
    sqlite = database.backend == "sqlite"
    found = [
        Figure("import_seconds", label, place, run.seconds, "s",
               SECONDS if full and sqlite else None,
               f"≤ {SECONDS:g} s" + ("" if full else f" at {ROWS:,}") if sqlite else "",
               samples=[round(run.seconds, 3)]),
        Figure("import_peak_rss", "peak memory (RSS) of that import", place,
               run.maxrss_kb * 1024, "bytes", PEAK_MB * MB if full and sqlite else None,
               f"≤ {PEAK_MB} MB" + ("" if full else f" at {ROWS:,}") if sqlite else ""),
    ]  # fmt: skip
    for figure in found:
        figure.detail = {"cpu_seconds": round(run.cpu_seconds, 1), "rows": run.rows}
    return found
