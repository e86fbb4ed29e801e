"""The print figure: ``casetui print`` of a case with 1,000 notes, through the real command in
a process of its own, from process start to the file in place (its peak memory alongside).

A copy of the smallest cached SQLite demo database is used, so the cache stays as built:
one open case of it is grown to 1,000 notes with wording copied from other cases' notes,
spread over two years, an addendum on one note in ten and a follow-up task on one in five,
as a long-running case has. The copy is thrown away afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.databases import BENCH_USER, BenchDatabase, size_label
from benchmarks.report import Figure, median

NOTES = 1_000
SECONDS = 5.0  # SPEC.md, "Performance, part two"
RUNS, QUICK_RUNS = 5, 2


@dataclass(frozen=True)
class PrintRun:
    seconds: float
    cpu_seconds: float
    maxrss_kb: int
    pages: int
    notes: int


def prepare(url: str, avoid: str) -> str:
    """Grow one open case (not ``avoid``, the timeline case) to exactly NOTES notes; its number."""
    from sqlalchemy import text

    from casetui.db.engine import make_engine
    from casetui.db.uow import Database
    from casetui.demo.bulk import BulkWriter
    from casetui.demo.caseload import ADDENDUM_COLUMNS, NOTE_COLUMNS, TASK_COLUMNS

    db = Database(make_engine(url))
    try:
        with db.uow() as uow:
            session = uow.session
            case_id, number, worker_id = session.execute(
                text(
                    "SELECT id, case_number, primary_worker_id FROM cases WHERE status = 'Open' "
                    "AND primary_worker_id IS NOT NULL AND deleted_at IS NULL "
                    "AND case_number <> :avoid ORDER BY id LIMIT 1"
                ),
                {"avoid": avoid},
            ).one()
            have = session.execute(
                text("SELECT count(*) FROM case_note WHERE case_id = :case AND deleted_at IS NULL"),
                {"case": case_id},
            ).scalar_one()
            missing = NOTES - int(have)
            wording = session.execute(
                text(
                    "SELECT activity_type, contact_type, third_party_org, summary, details "
                    "FROM case_note WHERE case_id <> :case ORDER BY id LIMIT :n"
                ),
                {"case": case_id, "n": max(missing, 1)},
            ).all()
            # Naive UTC, as the bulk writer wants; before the case's own notes.
            start = datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(days=800)
            with BulkWriter(session.connection()) as bulk:
                note_id = bulk.first_free_id("case_note")
                task_id = bulk.first_free_id("follow_up_task")
                addendum_id = bulk.first_free_id("note_addendum")
                notes, tasks, responsible, addenda = [], [], [], []
                for i in range(missing):
                    activity, contact, org, summary, details = wording[i % len(wording)]
                    at = start + timedelta(minutes=i * 2 * 365 * 24 * 60 // max(missing, 1))
                    moment = bulk.moment(at + timedelta(minutes=20))
                    notes.append((
                        note_id + i, case_id, worker_id, bulk.moment(at), activity, contact,
                        org, summary, details, False, None, moment, moment, None, 1,
                    ))  # fmt: skip
                    if i % 10 == 0:
                        addenda.append((
                            addendum_id + len(addenda), note_id + i, worker_id,
                            bulk.moment(at + timedelta(days=1)), "Late information",
                            "The client rang back to add what they had forgotten to say.",
                        ))  # fmt: skip
                    if i % 5 == 0:
                        tasks.append((
                            task_id + len(tasks), case_id, note_id + i, "Ring the client back",
                            bulk.day((at + timedelta(days=7)).date()), "none", None, False, "",
                            "done", worker_id, moment, moment, None, 1,
                        ))  # fmt: skip
                        responsible.append((task_id + len(tasks) - 1, worker_id))
                bulk.insert("case_note", NOTE_COLUMNS, notes)
                bulk.insert("note_addendum", ADDENDUM_COLUMNS, addenda)
                bulk.insert("follow_up_task", TASK_COLUMNS, tasks)
                bulk.insert("task_responsible", ("task_id", "staff_id"), responsible)
                bulk.finish()
            uow.commit()
        with db.uow(write=False) as uow:
            total = uow.session.execute(
                text("SELECT count(*) FROM case_note WHERE case_id = :case AND deleted_at IS NULL"),
                {"case": case_id},
            ).scalar_one()
        if total != NOTES:
            raise RuntimeError(f"the print case has {total} notes, not {NOTES}")
        return str(number)
    finally:
        db.dispose()


def run_print(url: str, number: str, env: dict[str, str], folder: Path, run: int) -> PrintRun:
    target = folder / f"case-file-{run}.pdf"
    argv = [sys.executable, "-m", "casetui", "--db", url, "--user", BENCH_USER, "print",
            "--case", number, "--out", str(target), "--force", "--json"]  # fmt: skip
    out, err = folder / "print.out", folder / "print.err"
    started = time.perf_counter()
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            argv, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr
        )
        # wait4, not wait: the child's own peak memory comes back with its exit.
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"print exited {code}: {err.read_text(errors='replace')[-500:]}")
    printed = json.loads(out.read_text())
    target.unlink(missing_ok=True)
    return PrintRun(
        seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, printed["pages"],
        printed["notes"],
    )  # fmt: skip


def figures(
    database: BenchDatabase, env: dict[str, str], folder: Path, *, quick: bool
) -> list[Figure]:
    """The print's time (median of a few runs) and peak memory, with SPEC.md's target."""
    place = f"{database.backend} {size_label(database.cases)}"
    label = f"`casetui print` of a case with {NOTES:,} notes, whole process"
    copy = folder / "print.db"
    try:
        if database.sqlite_file is None:
            raise RuntimeError("the print figure is taken on a copy of a SQLite database")
        shutil.copyfile(database.sqlite_file, copy)
        url = f"sqlite:///{copy}"
        number = prepare(url, database.timeline_case)
        runs = [
            run_print(url, number, env, folder, i) for i in range(QUICK_RUNS if quick else RUNS)
        ]
    except Exception as error:  # noqa: BLE001 - shown in the table
        message = f"{type(error).__name__}: {error}"
        print(f"[bench] print on {place} failed: {message}", file=sys.stderr, flush=True)
        return [Figure("print_seconds", label, place, None, "s", error=message)]
    finally:
        for path in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
            path.unlink(missing_ok=True)
    samples = [run.seconds for run in runs]
    found = [
        Figure("print_seconds", label, place, median(samples), "s", SECONDS, f"≤ {SECONDS:g} s",
               samples=[round(s, 3) for s in samples]),
        Figure("print_peak_rss", "peak memory (RSS) of that print", place,
               max(run.maxrss_kb for run in runs) * 1024, "bytes"),
    ]  # fmt: skip
    for figure in found:
        figure.detail = {
            "cpu_seconds": [round(run.cpu_seconds, 2) for run in runs],
            "pages": runs[0].pages,
            "notes": runs[0].notes,
            "addenda": "one note in ten",
            "tasks": "one note in five",
        }
    if runs[0].notes != NOTES:
        found[0].error = f"printed {runs[0].notes} notes, not {NOTES}"
    return found
