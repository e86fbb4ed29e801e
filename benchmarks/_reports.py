"""The report figure: ``casetui report notes --out FILE.csv`` of about 1,000,000 rows, through
the real command in a process of its own, and its peak memory against a report of about
10,000 rows from the same database (SPEC.md: "≥ 100,000 rows a second, memory flat").

The rows are the newest notes: ``--from`` is the day of the 1,000,000th (10,000th) newest
note, so the report holds that many rows or a few more (the rest of that day); a database
with fewer notes reports them all. The speed is the command's own count of rows over its own
time (from the start of the report to the file in place and recorded), which leaves out the
interpreter's start; the whole process's time and its CPU time are kept beside it. Each run's
audit event stays, as audit events do; the files are deleted.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from benchmarks.databases import BENCH_USER, BenchDatabase, connect_url, size_label
from benchmarks.report import MB, Figure

ROWS = 1_000_000
SMALL_ROWS = 10_000
QUICK_ROWS = 10_000
QUICK_SMALL_ROWS = 1_000
RATE = 100_000  # rows a second, SPEC.md "Performance, part two"
RSS_GROWTH = 1.1  # "memory flat": the large report's peak within 10% of the small one's
SAID = re.compile(r"([\d,]+) rows? in ([\d.]+) s")


@dataclass(frozen=True)
class ReportRun:
    rows: int
    seconds: float  # the report itself, as the command says
    process_seconds: float  # the whole process, start to exit
    cpu_seconds: float
    maxrss_kb: int


def _from_day(url: str, newest: int) -> tuple[date | None, int]:
    """The day of the ``newest``-th newest live note (None: fewer notes than that), and how
    many live notes there are."""
    from sqlalchemy import text

    from casetui.startup import open_database

    db = open_database(url)
    try:
        with db.engine.connect() as connection:
            total = int(
                connection.execute(
                    text("SELECT count(*) FROM case_note WHERE deleted_at IS NULL")
                ).scalar_one()
            )
            at = connection.execute(
                text(
                    "SELECT contact_at FROM case_note WHERE deleted_at IS NULL "
                    "ORDER BY contact_at DESC LIMIT 1 OFFSET :skip"
                ),
                {"skip": newest - 1},
            ).scalar()
    finally:
        db.dispose()
    if at is None:
        return None, total
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return at.date(), total


def run_report(
    database: BenchDatabase, env: dict[str, str], folder: Path, newest: int
) -> ReportRun:
    url = connect_url(database)
    first_day, _ = _from_day(url, newest)
    out = folder / f"notes-{newest}.csv"
    out.unlink(missing_ok=True)
    argv = [sys.executable, "-m", "casetui", "--db", url, "--user", BENCH_USER, "report",
            "notes", "--out", str(out)]  # fmt: skip
    if first_day is not None:
        argv += ["--from", first_day.isoformat()]
    err_path = folder / "report.err"
    started = time.perf_counter()
    try:
        with err_path.open("w") as stderr:
            process = subprocess.Popen(
                argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr
            )
            # wait4, not wait: the child's own peak memory comes back with its exit.
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
        process_seconds = time.perf_counter() - started
    finally:
        out.unlink(missing_ok=True)
    said = err_path.read_text(errors="replace")
    found = SAID.findall(said)
    if process.returncode != 0 or not found:
        raise RuntimeError(f"report exited {process.returncode}: {said.strip()[-500:]}")
    rows, seconds = found[-1]
    return ReportRun(
        int(rows.replace(",", "")), float(seconds), process_seconds,
        usage.ru_utime + usage.ru_stime, usage.ru_maxrss,
    )  # fmt: skip


def figures(
    database: BenchDatabase, env: dict[str, str], folder: Path, *, quick: bool
) -> list[Figure]:
    """The report's speed on about a million rows, and its peak memory there and at about
    ten thousand, with SPEC.md's targets."""
    large, small = (QUICK_ROWS, QUICK_SMALL_ROWS) if quick else (ROWS, SMALL_ROWS)
    place = f"{database.backend} {size_label(database.cases)}"
    label = f"`report notes` to CSV, the newest {large:,} notes"
    try:
        big = run_report(database, env, folder, large)
        little = run_report(database, env, folder, small)
    except Exception as error:  # noqa: BLE001 - shown in the table
        message = f"{type(error).__name__}: {error}"
        print(f"[bench] report on {place} failed: {message}", file=sys.stderr, flush=True)
        return [Figure("report_seconds", label, place, None, "s", error=message)]
    full = big.rows >= ROWS * 0.9
    target = big.rows / RATE
    rate = big.rows / big.seconds if big.seconds else 0.0
    found = [
        Figure("report_seconds", f"{label}: {big.rows:,} rows, {rate:,.0f} rows/s", place,
               big.seconds, "s", target if full else None,
               f"≤ {target:.1f} s ({RATE:,} rows/s)" + ("" if full else f" at {ROWS:,}"),
               samples=[round(big.seconds, 3)]),
        Figure("report_peak_rss", f"peak memory (RSS) of that report, {big.rows:,} rows", place,
               big.maxrss_kb * 1024, "bytes"),
        Figure("report_peak_rss_small", f"peak memory (RSS) of a report of {little.rows:,} rows",
               place, little.maxrss_kb * 1024, "bytes"),
    ]  # fmt: skip
    if not quick:
        growth = big.maxrss_kb / little.maxrss_kb if little.maxrss_kb else None
        found.append(
            Figure("report_peak_rss_growth",
                   f"report peak memory, {big.rows:,} ÷ {little.rows:,} rows", place, growth,
                   "ratio", RSS_GROWTH, f"≤ {RSS_GROWTH:g}× (flat)")
        )  # fmt: skip
    for figure, run in zip(found, (big, big, little), strict=False):
        figure.detail = {
            "rows": run.rows,
            "rows_per_second": round(run.rows / run.seconds) if run.seconds else None,
            "process_seconds": round(run.process_seconds, 2),
            "cpu_seconds": round(run.cpu_seconds, 2),
            "maxrss_mb": round(run.maxrss_kb * 1024 / MB, 1),
        }
    return found
