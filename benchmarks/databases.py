"""The benchmark's demo databases: built once through ``casetui demo``, then reused.

A SQLite database is cached as a file named by its size and seed, brought up to the code's
schema by ``casetui init`` when a migration arrives; a PostgreSQL one lives in its own
database on the server, with a note of what it holds kept next to the SQLite files. Each also gets one case with a 10,000-item timeline. That case is
test-data preparation, written with bulk inserts (the services refuse back-dated notes); the
measurements themselves only ever go through the app.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

SEED = 1
# What the demo writes, beyond the schema: raised when it writes something new (name words,
# former case numbers, deleted clients: 2; communications and reminders: 3; outcome
# assessments: 4), so a cached database without it is built again.
DEMO_DATA = 4
STAFF = 500  # every size: the workload figure is for 500 staff
TIMELINE_ITEMS = 10_000
BENCH_USER = "admin"
BENCH_PASSWORD = "demo"  # every demo account's password
CACHE_ENV = "CASETUI_BENCH_CACHE"
PG_URL_ENV = "CASETUI_BENCH_PG_URL"
DEFAULT_PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "casetui_bench_{label}"
PROTECTED_DATABASES = {"test", "postgres", "template0", "template1"}


def default_cache() -> Path:
    return Path(os.environ.get(CACHE_ENV) or Path(__file__).parent / ".cache")


def schema_head() -> str:
    from casetui.db.migrate import SCHEMA_HEAD

    return SCHEMA_HEAD


def size_label(cases: int) -> str:
    if cases % 1_000_000 == 0:
        return f"{cases // 1_000_000}m"
    if cases % 1000 == 0:
        return f"{cases // 1000}k"
    return str(cases)


@dataclass(frozen=True)
class BenchDatabase:
    """A database ready to measure, and what the measurements need to know about it."""

    url: str
    backend: str  # "sqlite" or "postgresql"
    cases: int
    staff: int
    notes: int
    timeline_case: str  # the case number with TIMELINE_ITEMS timeline entries
    schema: str
    build_seconds: float
    demo_data: int = 1  # DEMO_DATA when it was built; notes from before it had none

    @property
    def current(self) -> bool:
        return self.demo_data == DEMO_DATA

    @property
    def sqlite_file(self) -> Path | None:
        prefix = "sqlite:///"
        return Path(self.url[len(prefix) :]) if self.url.startswith(prefix) else None

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def _say(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def _demo(url: str, cases: int) -> float:
    """Fill an empty database through the real CLI, in a subprocess; the seconds it took."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "casetui", "--db", url, "demo",
               "--cases", str(cases), "--staff", str(STAFF), "--seed", str(SEED)]  # fmt: skip
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    return time.perf_counter() - started


def demo_file(folder: Path, stem: str, cases: int, staff: int) -> Path:
    """A SQLite demo of its own for one measure (``casetui demo --seed 1``), built once into
    ``folder`` under a name holding its size; a run copies it rather than writing to it."""
    template = folder / f"{stem}-{cases}.db"
    if not template.exists():
        partial = template.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        subprocess.run(
            [sys.executable, "-m", "casetui", "--db", f"sqlite:///{partial}", "demo",
             "--cases", str(cases), "--staff", str(staff), "--seed", str(SEED)],
            check=True, capture_output=True,
        )  # fmt: skip
        partial.rename(template)
    return template


# --- the 10,000-item timeline -------------------------------------------------------------


def _prepare_timeline(url: str) -> tuple[str, int]:
    """Grow one open case's timeline to TIMELINE_ITEMS entries; its number and the note count.

    Notes and tasks are copies of other cases' wording, spread over the past year, so the
    timeline looks like a long-running case's rather than 10,000 identical lines.
    """
    from sqlalchemy import text

    from casetui.db.engine import make_engine
    from casetui.db.uow import Database
    from casetui.demo.bulk import BulkWriter
    from casetui.demo.caseload import NOTE_COLUMNS, TASK_COLUMNS
    from casetui.repositories.timeline import TimelineRepository
    from casetui.services.auth import sign_in

    db = Database(make_engine(url))
    try:
        actor = sign_in(db, BENCH_USER, BENCH_PASSWORD)
        with db.uow() as uow:
            session = uow.session
            case_id, number, worker_id = session.execute(
                text(
                    "SELECT id, case_number, primary_worker_id FROM cases WHERE status = 'Open' "
                    "AND primary_worker_id IS NOT NULL AND deleted_at IS NULL ORDER BY id LIMIT 1"
                )
            ).one()
            have = len(TimelineRepository(session, actor).entries(case_id))
            missing = max(0, TIMELINE_ITEMS - have)
            tasks = missing // 5
            notes = missing - tasks
            wording = session.execute(
                text(
                    "SELECT activity_type, contact_type, third_party_org, summary, details, "
                    "restricted FROM case_note WHERE case_id <> :case ORDER BY id LIMIT :n"
                ),
                {"case": case_id, "n": max(notes, 1)},
            ).all()
            task_wording = session.execute(
                text(
                    "SELECT name, details, status FROM follow_up_task WHERE case_id <> :case "
                    "ORDER BY id LIMIT :n"
                ),
                {"case": case_id, "n": max(tasks, 1)},
            ).all()
            # Naive UTC, as the bulk writer wants; a day back, so nothing is dated today.
            now = datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(days=1)
            with BulkWriter(session.connection()) as bulk:
                note_id = bulk.first_free_id("case_note")
                note_rows, newest = [], None
                for i in range(notes):
                    activity, contact, org, summary, details, restricted = wording[i % len(wording)]
                    contact_at = now - timedelta(minutes=int(i * 365 * 24 * 60 / max(notes, 1)))
                    created = bulk.moment(contact_at + timedelta(minutes=20))
                    newest = max(newest or contact_at, contact_at)
                    note_rows.append((
                        note_id + i, case_id, worker_id, bulk.moment(contact_at), activity,
                        contact, org, summary, details, bool(restricted), None, created, created,
                        None, 1,
                    ))  # fmt: skip
                bulk.insert("case_note", NOTE_COLUMNS, note_rows)
                task_id = bulk.first_free_id("follow_up_task")
                task_rows, responsible = [], []
                for i in range(tasks):
                    name, details, status = task_wording[i % len(task_wording)]
                    created_at = now - timedelta(minutes=int(i * 365 * 24 * 60 / max(tasks, 1)) + 7)
                    due = (created_at + timedelta(days=7)).date()
                    done = bulk.moment(created_at + timedelta(days=2)) if status == "done" else None
                    task_rows.append((
                        task_id + i, case_id, None, name, bulk.day(due), "none", None, False,
                        details, status, worker_id, bulk.moment(created_at), done, None, 1,
                    ))  # fmt: skip
                    responsible.append((task_id + i, worker_id))
                bulk.insert("follow_up_task", TASK_COLUMNS, task_rows)
                bulk.insert("task_responsible", ("task_id", "staff_id"), responsible)
                bulk.finish()
            if newest is not None:
                session.execute(
                    text(
                        "UPDATE cases SET last_interaction_at = :at WHERE id = :case "
                        "AND (last_interaction_at IS NULL OR last_interaction_at < :at)"
                    ),
                    {"at": bulk.moment(newest), "case": case_id},
                )
            uow.commit()
        with db.uow(write=False) as uow:
            total = len(TimelineRepository(uow.session, actor).entries(case_id))
            note_count = uow.session.execute(text("SELECT count(*) FROM case_note")).scalar_one()
        if total != TIMELINE_ITEMS:
            raise RuntimeError(f"the timeline case has {total} entries, not {TIMELINE_ITEMS}")
        from casetui.db.maintenance import analyze

        analyze(db.engine)
        return number, int(note_count)
    finally:
        db.dispose()


# --- SQLite --------------------------------------------------------------------------------


def _checkpoint(path: Path) -> None:
    """Fold the WAL into the file, so the file alone is the whole database."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _upgraded(found: BenchDatabase, meta: Path) -> BenchDatabase:
    """A cached database brought to the code's schema by ``casetui init``, as a user's would be.

    Rebuilding a million cases takes ten minutes; a new migration takes seconds.
    """
    if found.schema == schema_head():
        return found
    _say(f"upgrading {found.sqlite_file} from schema {found.schema} to {schema_head()}")
    command = [sys.executable, "-m", "casetui", "--db", found.url, "init"]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    upgraded = replace(found, schema=schema_head())
    meta.write_text(json.dumps(upgraded.to_json(), indent=2))
    return upgraded


def sqlite_database(cases: int, cache: Path, *, rebuild: bool = False) -> BenchDatabase:
    """The cached SQLite demo database of ``cases`` cases, built first if need be."""
    cache.mkdir(parents=True, exist_ok=True)
    stem = f"casetui-{size_label(cases)}-seed{SEED}"
    final, meta = cache / f"{stem}.db", cache / f"{stem}.json"
    if rebuild:
        for path in (final, meta):
            path.unlink(missing_ok=True)
    if final.exists() and meta.exists():
        noted = BenchDatabase(**json.loads(meta.read_text()))
        if noted.current:
            return _upgraded(noted, meta)
        _say(f"{final.name} was written by an older demo: building it again")
        final.unlink()
    part = cache / f"{stem}.part.db"
    for path in (part, Path(f"{part}-wal"), Path(f"{part}-shm")):
        path.unlink(missing_ok=True)
    if cases >= 1_000_000:
        _say(f"building the {cases:,}-case SQLite database: this takes several minutes")
    else:
        _say(f"building the {cases:,}-case SQLite database")
    url = f"sqlite:///{part}"
    seconds = _demo(url, cases)
    started = time.perf_counter()
    number, notes = _prepare_timeline(url)
    seconds += time.perf_counter() - started
    _checkpoint(part)
    part.rename(final)
    found = BenchDatabase(
        url=f"sqlite:///{final}", backend="sqlite", cases=cases, staff=STAFF, notes=notes,
        timeline_case=number, schema=schema_head(), build_seconds=round(seconds, 1),
        demo_data=DEMO_DATA,
    )  # fmt: skip
    meta.write_text(json.dumps(found.to_json(), indent=2))
    _say(f"built {final.name} in {seconds:.1f} s ({notes:,} notes)")
    return found


# --- PostgreSQL ----------------------------------------------------------------------------


def pg_server_url() -> str:
    return os.environ.get(PG_URL_ENV, DEFAULT_PG_SERVER)


def _libpq(url: str, database: str | None = None) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def postgres_reachable() -> str | None:
    """None if the server answers; else why not."""
    import psycopg

    try:
        with psycopg.connect(_libpq(pg_server_url()), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return " ".join(str(exc).split()) or type(exc).__name__


def _pg_holds(url: str, expected: BenchDatabase) -> bool:
    """Does the database hold what the note says: schema, cases, the timeline case?"""
    import psycopg

    try:
        with psycopg.connect(_libpq(url), connect_timeout=5) as connection:
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            cases = connection.execute("SELECT count(*) FROM cases").fetchone()
            timeline = connection.execute(
                "SELECT count(*) FROM case_note n JOIN cases c ON c.id = n.case_id "
                "WHERE c.case_number = %s",
                (expected.timeline_case,),
            ).fetchone()
    except psycopg.Error:
        return False
    return (
        revision is not None and revision[0] == expected.schema
        and cases is not None and cases[0] == expected.cases
        and timeline is not None and timeline[0] > TIMELINE_ITEMS // 2
    )  # fmt: skip


def postgres_database(cases: int, cache: Path, *, rebuild: bool = False) -> BenchDatabase:
    """The dedicated PostgreSQL benchmark database of ``cases`` cases, built if need be."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = PG_DATABASE.format(label=size_label(cases))
    if name in PROTECTED_DATABASES:
        raise ValueError(f"refusing to use the database {name!r}")
    server = pg_server_url()
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    cache.mkdir(parents=True, exist_ok=True)
    meta = cache / f"{name}.json"
    if not rebuild and meta.exists():
        noted = BenchDatabase(**json.loads(meta.read_text()))
        if (
            noted.current and noted.schema == schema_head() and noted.cases == cases
            and _pg_holds(url, noted)
        ):  # fmt: skip
            return noted
    meta.unlink(missing_ok=True)
    with psycopg.connect(_libpq(server), autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    _say(f"building the {cases:,}-case PostgreSQL database {name}")
    seconds = _demo(url, cases)
    started = time.perf_counter()
    number, notes = _prepare_timeline(url)
    seconds += time.perf_counter() - started
    hidden = make_url(url).render_as_string(hide_password=True)
    found = BenchDatabase(
        url=hidden, backend="postgresql", cases=cases, staff=STAFF, notes=notes,
        timeline_case=number, schema=schema_head(), build_seconds=round(seconds, 1),
        demo_data=DEMO_DATA,
    )  # fmt: skip
    meta.write_text(json.dumps(found.to_json(), indent=2))
    _say(f"built {name} in {seconds:.1f} s ({notes:,} notes)")
    return found


def connect_url(database: BenchDatabase) -> str:
    """The URL to connect with: a PostgreSQL one regains the server URL's password, if any."""
    if database.backend != "postgresql":
        return database.url
    from sqlalchemy.engine import make_url

    password = make_url(pg_server_url()).password
    parsed = make_url(database.url)
    if password:
        parsed = parsed.set(password=password)
    return parsed.render_as_string(hide_password=False)


if __name__ == "__main__":  # build ahead of a run: python -m benchmarks.databases 1000000
    for size in sys.argv[1:] or ["1000"]:
        print(sqlite_database(int(size), default_cache()).to_json())
