"""A bulk note killed with SIGKILL at any moment leaves all of its notes or none.

``casetui notes add`` with 5,000 ``--case`` options runs in a process of its own, as a script
runs it, against a prepared database: 5,000 open cases held by four caseworkers, written by an
administrator. One run goes to the end and gives the length of a full run; the others are
killed: once during interpreter start-up, once as soon as its transaction is seen writing rows,
and at delays drawn (seeded) from 0 to 1.2 times a full run. After every run the database must
open, hold that run's 5,000 notes in one batch or none of them, hold an audit event for every
note and none for a note it lacks, pass ``casetui audit verify``, and on SQLite pass
``PRAGMA integrity_check``.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from casetui.db.engine import make_engine, sqlite_path
from casetui.db.maintenance import analyze
from casetui.db.migrate import upgrade
from casetui.db.uow import Database
from casetui.demo.bulk import BulkWriter
from casetui.demo.caseload import CASE_COLUMNS, CLIENT_COLUMNS
from casetui.domain.models import Staff
from casetui.domain.name_words import search_name
from casetui.repositories.staff import actor_from, find_by_username
from casetui.services.defaults import ensure_defaults
from casetui.services.staff import StaffInput, create_staff

CASES = 5000
WORKERS = ("wren", "yara", "zeke", "xavi")
PASSWORD = "crash-drill"
SEED = 5000
RANDOM_KILLS = 3
EARLY_KILL_S = 0.05  # the interpreter is still starting: nothing can have been written
# SQLite spills a transaction's pages to the WAL once its cache is full: past this, rows are
# being written (a sign-in's commit adds a few dozen KiB; the WAL is emptied before each run).
WAL_WRITING_BYTES = 256 * 1024
SETTLE_TIMEOUT_S = 30.0


@dataclass
class Drill:
    """The prepared database and how to run ``casetui`` against it."""

    url: str
    folder: Path
    env: dict[str, str]
    case_numbers: list[str]

    @property
    def is_sqlite(self) -> bool:
        return make_url(self.url).get_backend_name() == "sqlite"

    @property
    def sqlite_file(self) -> Path | None:
        return sqlite_path(self.url) if self.is_sqlite else None

    def libpq(self, database: str | None = None) -> str:
        url = make_url(self.url).set(drivername="postgresql")
        if database is not None:
            url = url.set(database=database)
        return url.render_as_string(hide_password=False)

    def casetui(self, *args: str, app_name: str = "casetui-drill") -> subprocess.Popen[bytes]:
        # The process may be killed mid-way: its output goes to a file, never into a full pipe.
        with (self.folder / f"{app_name}.log").open("wb") as log:
            return subprocess.Popen(
                [sys.executable, "-m", "casetui", *args, "--db", self.url, "--user", "admin"],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,  # never a password prompt
                env={**self.env, "PGAPPNAME": app_name},  # names its server process
            )

    def log(self, app_name: str) -> str:
        return (self.folder / f"{app_name}.log").read_text(errors="replace")


def _prepare(url: str) -> list[str]:
    """Schema, settings, an administrator, four caseworkers and 5,000 open cases."""
    db = Database(make_engine(url))
    try:
        upgrade(db.engine)
        with db.uow() as uow:
            ensure_defaults(uow)
            uow.commit()
        create_staff(
            db, None, StaffInput("admin", "Admin", role="administrator", password=PASSWORD)
        )
        with db.uow(write=False) as uow:
            admin = actor_from(find_by_username(uow.session, "admin"))
        for name in WORKERS:
            create_staff(db, admin, StaffInput(name, name.title(), team="Drill"))
        numbers = [f"D-{n:06d}" for n in range(1, CASES + 1)]
        with db.uow() as uow:
            workers = uow.session.execute(
                select(Staff.id, Staff.team_id).where(Staff.username.in_(WORKERS))  # type: ignore[attr-defined]
            ).all()
            now = datetime.now(UTC).replace(tzinfo=None)
            # Rows as the demo writes them: thousands through the driver in one go.
            bulk = BulkWriter(uow.session.connection())
            first_client, first_case = bulk.first_free_id("client"), bulk.first_free_id("cases")
            bulk.insert("client", CLIENT_COLUMNS, [
                (first_client + n, f"Drill Client {n + 1}", None, None, None, None, None,
                 search_name(f"Drill Client {n + 1}", None), None, "Active", bulk.moment(now),
                 None, 1)
                for n in range(CASES)
            ])  # fmt: skip
            bulk.insert("cases", CASE_COLUMNS, [
                (first_case + n, number, first_client + n, "Open", "Low", workers[n % 4][0],
                 workers[n % 4][1], None, bulk.day(now.date()), None, None, bulk.moment(now),
                 None, 1)
                for n, number in enumerate(numbers)
            ])  # fmt: skip
            bulk.finish()
            uow.commit()
        analyze(db.engine)
        return numbers
    finally:
        db.dispose()


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASETUI_")}
    env.update(
        CASETUI_PASSWORD=PASSWORD,
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        NO_COLOR="1",
    )
    return env


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def drill(request: pytest.FixtureRequest, tmp_path: Path) -> Drill:
    url: str = request.getfixturevalue(f"{request.param}_url")  # a new, empty database
    return Drill(url, tmp_path, _env(tmp_path), _prepare(url))


# --- one run -------------------------------------------------------------------------------------


@dataclass
class Run:
    number: int
    how: str  # "full", "early", "writing" or "random"
    delay_s: float | None = None  # for "early" and "random"
    took_s: float = 0.0
    exit_code: int | None = None
    killed_while_writing: bool = False
    notes: int = 0

    @property
    def summary(self) -> str:
        return f"Crash drill {self.number}"

    @property
    def app_name(self) -> str:
        return f"casetui-drill-{self.number}"

    def __str__(self) -> str:
        when = f" at {self.delay_s:.2f} s" if self.delay_s is not None else ""
        end = "killed" if self.exit_code == -signal.SIGKILL else f"exit {self.exit_code}"
        return f"run {self.number} ({self.how}{when}; {end} after {self.took_s:.2f} s)"


@contextmanager
def _writing_seen(drill: Drill, run: Run) -> Iterator[Callable[[], bool]]:
    """A check that the run's bulk-note transaction has started writing rows."""
    if drill.is_sqlite:
        wal = Path(f"{drill.sqlite_file}-wal")
        yield lambda: wal.exists() and wal.stat().st_size > WAL_WRITING_BYTES
        return
    # Taken by the first INSERT INTO case_note and held until the transaction ends.
    query = (
        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE a.application_name = %s AND l.locktype = 'relation' "
        "AND l.relation = 'case_note'::regclass AND l.mode = 'RowExclusiveLock'"
    )
    with psycopg.connect(drill.libpq(), autocommit=True) as watcher:

        def check() -> bool:
            row = watcher.execute(query, (run.app_name,)).fetchone()
            return bool(row and row[0])

        yield check


def _kill_once_writing(
    process: subprocess.Popen[bytes], writing: Callable[[], bool], run: Run, deadline: float
) -> None:
    while process.poll() is None and time.monotonic() < deadline:
        if writing():
            run.killed_while_writing = True
            process.send_signal(signal.SIGKILL)
            return
        time.sleep(0.003)


def _perform(drill: Drill, run: Run, deadline_s: float) -> None:
    numbers = [arg for number in drill.case_numbers for arg in ("--case", number)]
    watching: AbstractContextManager[Callable[[], bool]] = (
        _writing_seen(drill, run) if run.how == "writing" else nullcontext(lambda: False)
    )
    with watching as writing:
        started = time.monotonic()
        process = drill.casetui(
            "notes", "add", *numbers, "--activity", "Workshop", "--summary", run.summary,
            app_name=run.app_name,
        )  # fmt: skip
        try:
            if run.how == "writing":
                _kill_once_writing(process, writing, run, started + deadline_s)
            elif run.delay_s is not None:
                try:
                    process.wait(run.delay_s)
                except subprocess.TimeoutExpired:
                    process.send_signal(signal.SIGKILL)
            run.exit_code = process.wait(deadline_s)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        run.took_s = time.monotonic() - started


# --- after a run -------------------------------------------------------------------------------


def _settled(drill: Drill, run: Run) -> None:
    """On PostgreSQL, wait until the server has noticed the lost client and rolled it back."""
    if drill.is_sqlite:
        return
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    with psycopg.connect(drill.libpq(), autocommit=True) as watcher:
        while True:
            row = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                (run.app_name,),
            ).fetchone()
            if not (row and row[0]):
                return
            assert time.monotonic() < deadline, f"{run}: its server process never went away"
            time.sleep(0.01)


def _check(drill: Drill, run: Run, runs: list[Run]) -> None:
    """The database opens and holds whole bulk notes only, each fully audited."""
    database = Database(make_engine(drill.url))
    try:
        with database.engine.connect() as conn:
            batches = conn.execute(
                text(
                    "SELECT summary, batch_id, count(*) FROM case_note "
                    "GROUP BY summary, batch_id ORDER BY summary"
                )
            ).all()
            note_ids = set(
                conn.execute(text("SELECT CAST(id AS VARCHAR(20)) FROM case_note")).scalars()
            )
            audited = list(
                conn.execute(
                    text("SELECT entity_id FROM audit_event WHERE action = 'note.add'")
                ).scalars()
            )
    finally:
        database.dispose()
    written = {summary: count for summary, _batch, count in batches}
    assert len(written) == len(batches), f"{run}: a run's notes are split over batches: {batches}"
    assert all(count == CASES for count in written.values()), f"{run}: partial batch: {batches}"
    run.notes = written.get(run.summary, 0)
    assert set(written) == {r.summary for r in runs if r.notes}, f"{run}: stray notes: {batches}"
    assert sorted(audited) == sorted(note_ids), f"{run}: notes and their audit events disagree"

    verify = drill.casetui("audit", "verify", app_name=f"{run.app_name}-verify")
    assert verify.wait(120) == 0, f"{run}: audit verify: {drill.log(f'{run.app_name}-verify')}"
    assert "audit trail intact" in drill.log(f"{run.app_name}-verify")

    if drill.sqlite_file is not None:
        with sqlite3.connect(drill.sqlite_file) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)], str(run)
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == [], str(run)
            # An empty WAL for the next run, so its growth shows the next transaction writing.
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# --- the drill ------------------------------------------------------------------------------------


def test_bulk_note_killed_at_any_moment_leaves_all_or_none(drill: Drill) -> None:
    runs: list[Run] = []

    def go(run: Run, deadline_s: float) -> Run:
        runs.append(run)
        _perform(drill, run, deadline_s)
        _settled(drill, run)
        _check(drill, run, runs)
        print(f"{'sqlite' if drill.is_sqlite else 'postgres'} {run}: {run.notes} notes")
        return run

    full = go(Run(1, "full"), deadline_s=600)
    assert full.exit_code == 0, f"{full}: {drill.log(full.app_name)}"
    assert full.notes == CASES
    lifetime = full.took_s

    early = go(Run(2, "early", EARLY_KILL_S), deadline_s=lifetime * 3 + 30)
    assert early.exit_code == -signal.SIGKILL and early.notes == 0, str(early)

    writing = go(Run(3, "writing"), deadline_s=lifetime * 3 + 30)
    assert writing.killed_while_writing, f"{writing}: never seen writing before it ended"

    rng = random.Random(SEED)
    for number in range(4, 4 + RANDOM_KILLS):
        go(Run(number, "random", rng.uniform(0, 1.2 * lifetime)), deadline_s=lifetime * 3 + 30)

    for run in runs:
        assert run.notes in (0, CASES), str(run)
        if run.exit_code == 0:
            assert run.notes == CASES, f"{run}: finished but its notes are missing"
