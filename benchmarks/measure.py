"""Running the measurements: cold processes, app sessions, and the SQL floor."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.databases import BENCH_PASSWORD, BENCH_USER, BenchDatabase, connect_url

ROOT = Path(__file__).resolve().parent.parent  # where ``python -m benchmarks._…`` finds us


class MeasureError(RuntimeError):
    pass


def _say(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def child_env(drafts: Path) -> dict[str, str]:
    """The environment of every measured process: the demo password, private drafts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL_")}
    env.update(
        CASETUI_PASSWORD=BENCH_PASSWORD, CASETUI_DRAFTS_DIR=str(drafts), PYTHONUNBUFFERED="1"
    )
    return env


def _json_line(stdout: str) -> dict[str, Any]:
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)  # type: ignore[no-any-return]
    raise MeasureError("the process printed no result")


@dataclass(frozen=True)
class Cold:
    """One cold process: seconds from just before starting it to its first paint."""

    seconds: float
    maxrss_kb: int
    from_run: float  # App.run called to painted
    frame: float | None = None  # casetui: seconds to the caseload's frame painted
    # casetui: which of the data layer's modules were imported when the frame was painted
    data_layer_at_frame: tuple[str, ...] = ()


def cold_paint(argv: Sequence[str], env: dict[str, str], timeout: float = 600) -> Cold:
    started = time.time()
    done = subprocess.run(
        list(argv), cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True,
        text=True, timeout=timeout, check=False,
    )  # fmt: skip
    try:
        found = _json_line(done.stdout)
    except (MeasureError, json.JSONDecodeError) as exc:
        raise MeasureError(f"{exc}; stderr: {done.stderr.strip()[-500:]}") from None
    if "painted_at" not in found:
        raise MeasureError(found.get("error") or done.stderr.strip()[-500:] or "never painted")
    return Cold(
        seconds=found["painted_at"] - started,
        maxrss_kb=int(found["maxrss_kb"]),
        from_run=found["painted_at"] - found.get("run_at", started),
        frame=found["frame_at"] - started if "frame_at" in found else None,
        data_layer_at_frame=tuple(found.get("data_layer_at_frame", ())),
    )


def whole_process(argv: Sequence[str], env: dict[str, str]) -> float:
    """Seconds from starting a process to its exit."""
    started = time.perf_counter()
    subprocess.run(list(argv), cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)  # fmt: skip
    return time.perf_counter() - started


def repeat(what: str, runs: int, measure: Any, *, warmup: int = 1) -> list[Any]:
    """``runs`` results of ``measure()``, after ``warmup`` discarded ones (disk cache, .pyc)."""
    for _ in range(warmup):
        measure()
    found = []
    for number in range(runs):
        found.append(measure())
        _say(f"{what}: {number + 1}/{runs}")
    return found


def first_paint_argv(database: BenchDatabase) -> list[str]:
    return [sys.executable, "-m", "benchmarks._first_paint", "--db", connect_url(database),
            "--user", BENCH_USER]  # fmt: skip


def bare_argv(*, data_layer: bool = False) -> list[str]:
    """A bare Textual app; with ``data_layer``, one that imports the data layer first."""
    return [sys.executable, "-m", "benchmarks._first_paint", "--bare",
            *(["--data-layer"] if data_layer else [])]  # fmt: skip


def help_argv() -> list[str]:
    script = Path(sys.executable).parent / "casetui"
    return (
        [str(script), "--help"] if script.exists() else [sys.executable, "-m", "casetui", "--help"]
    )


def python_pass_argv() -> list[str]:
    return [sys.executable, "-c", "pass"]


# --- a session in the app --------------------------------------------------------------------


@dataclass(frozen=True)
class Queries:
    surname: str
    case_prefix: str
    tag: str

    def joined(self) -> str:
        return ",".join((self.surname, self.case_prefix, self.tag))


def realistic_queries(database: BenchDatabase) -> Queries:
    """A surname, a case number prefix and a tag that this database holds."""
    from sqlalchemy import text

    from casetui.startup import open_database

    db = open_database(connect_url(database))
    try:
        with db.engine.connect() as connection:
            name = connection.execute(
                text(
                    "SELECT name FROM client WHERE id >= (SELECT max(id) / 2 FROM client) "
                    "AND deleted_at IS NULL ORDER BY id LIMIT 1"
                )
            ).scalar_one()
            number = connection.execute(
                text(
                    "SELECT case_number FROM cases WHERE deleted_at IS NULL ORDER BY id DESC LIMIT 1"
                )
            ).scalar_one()
            tag = connection.execute(
                text("SELECT tag FROM case_tag ORDER BY case_id LIMIT 1")
            ).scalar_one()
    finally:
        db.dispose()
    return Queries(surname=name.split()[-1].lower(), case_prefix=number[:-4], tag=tag)


def session(
    database: BenchDatabase,
    env: dict[str, str],
    *,
    steps: Sequence[str],
    keys: int,
    pages: int,
    repeat_count: int,
    bulk_cases: int,
) -> dict[str, Any]:
    queries = realistic_queries(database)
    argv = [
        sys.executable, "-m", "benchmarks._session", "--db", connect_url(database),
        "--user", BENCH_USER, "--timeline-case", database.timeline_case,
        "--queries", queries.joined(), "--steps", ",".join(steps), "--keys", str(keys),
        "--pages", str(pages), "--repeat", str(repeat_count), "--bulk-cases", str(bulk_cases),
    ]  # fmt: skip
    done = subprocess.run(argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=3600, check=False)  # fmt: skip
    try:
        found = _json_line(done.stdout)
    except (MeasureError, json.JSONDecodeError) as exc:
        raise MeasureError(f"{exc}; stderr: {done.stderr.strip()[-800:]}") from None
    found["queries"] = queries.joined()
    return found


# --- global search and the duplicate check -------------------------------------------------

NEW_PHONE_STEM = "01632 960"  # reserved for fiction like the demo's, and not among them


@dataclass(frozen=True)
class SearchInputs:
    queries: list[str]  # a surname, a case number, two words of note text
    # New clients' details: someone registered already, someone new, in turn.
    drafts: list[dict[str, str]]
    warm_up: dict[str, str]  # checked first, untimed

    def to_json(self) -> str:
        return json.dumps({"queries": self.queries, "drafts": self.drafts, "warm_up": self.warm_up})


# Words nobody searches notes for.
_LITTLE_WORDS = frozenset((
    "about", "after", "again", "before", "being", "could", "from", "have", "their", "there",
    "these", "they", "this", "those", "which", "while", "will", "with", "would",
))  # fmt: skip


def _two_words(text: str) -> str | None:
    """Two neighbouring words of a note, as someone remembering it would type them."""
    import re

    found = re.findall(r"[A-Za-z]+|\S", text)
    for first, second in zip(found, found[1:], strict=False):
        pair = (first, second)
        if all(w.islower() and len(w) >= 4 and w not in _LITTLE_WORDS for w in pair):
            return f"{first} {second}"
    return None


def search_inputs(database: BenchDatabase, drafts: int) -> SearchInputs:
    """Values this database holds (none of a deleted client), and drafts of new clients: half
    of them people already registered (typed a little differently), half new people."""
    import random

    from sqlalchemy import text

    from casetui.startup import open_database

    db = open_database(connect_url(database))
    rng = random.Random(1)
    try:
        with db.engine.connect() as connection:
            half = connection.execute(text("SELECT max(id) / 2 FROM client")).scalar_one()
            name = connection.execute(
                text(
                    "SELECT name FROM client WHERE id >= :half AND deleted_at IS NULL "
                    "ORDER BY id LIMIT 1"
                ),
                {"half": half},
            ).scalar_one()
            number = connection.execute(
                text(
                    "SELECT case_number FROM cases WHERE deleted_at IS NULL AND id >= "
                    "(SELECT max(id) / 2 FROM cases) ORDER BY id LIMIT 1"
                )
            ).scalar_one()
            notes = connection.execute(
                text(
                    "SELECT n.summary, n.details FROM case_note n JOIN cases c ON c.id = n.case_id "
                    "WHERE c.deleted_at IS NULL AND n.deleted_at IS NULL AND n.id >= :half "
                    "ORDER BY n.id LIMIT 200"
                ),
                # From the count when built: each run's bulk note adds to the notes.
                {"half": database.notes // 2},
            ).all()
            total = connection.execute(text("SELECT count(*) FROM client")).scalar_one()
            known = connection.execute(
                text(
                    "SELECT name, date_of_birth, email, phone FROM client WHERE deleted_at IS NULL "
                    "AND date_of_birth IS NOT NULL AND email IS NOT NULL AND phone IS NOT NULL "
                    "AND id % :step = 0 ORDER BY id LIMIT :n"
                ),
                {"step": max(1, total // (8 * drafts)), "n": drafts},  # about 2 in 5 have all three
            ).all()
    finally:
        db.dispose()
    words = next(filter(None, (_two_words(f"{s} {d}") for s, d in notes)), None)
    if words is None:
        raise MeasureError("no two words of note text to search for")
    people: list[dict[str, str]] = []
    for i, (full_name, born, email, phone) in enumerate(known, start=1):
        people.append({  # someone already registered, the phone typed without spaces
            "name": full_name, "date_of_birth": str(born), "email": email,
            "phone": "".join(c for c in phone if c.isdigit()),
        })  # fmt: skip
        first, last = full_name.split()[0], rng.choice(known)[0].split()[-1]
        people.append({  # someone new
            "name": f"{first} {last}",
            "date_of_birth": f"{rng.randint(1950, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "email": f"{first}.{last}.{i}@example.net".lower(),
            "phone": f"{NEW_PHONE_STEM} {i:03d}",
        })  # fmt: skip
    queries = [name.split()[-1].lower(), number, words]
    warm_up = {"name": "Warm Up", "date_of_birth": "1970-01-01", "phone": f"{NEW_PHONE_STEM} 000"}
    return SearchInputs(queries=queries, drafts=people[:drafts], warm_up=warm_up)


def search_session(
    database: BenchDatabase, env: dict[str, str], *, rounds: int, drafts: int
) -> dict[str, Any]:
    """Search typed keystroke by keystroke, and duplicate checks, in a process of their own."""
    inputs = search_inputs(database, drafts)
    argv = [
        sys.executable, "-m", "benchmarks._search", "--db", connect_url(database),
        "--user", BENCH_USER, "--inputs", inputs.to_json(), "--rounds", str(rounds),
    ]  # fmt: skip
    done = subprocess.run(argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=3600, check=False)  # fmt: skip
    try:
        found = _json_line(done.stdout)
    except (MeasureError, json.JSONDecodeError) as exc:
        raise MeasureError(f"{exc}; stderr: {done.stderr.strip()[-800:]}") from None
    found["queries"] = inputs.queries
    return found


def datatable(database: BenchDatabase, env: dict[str, str], rows: int) -> dict[str, Any]:
    path = database.sqlite_file
    assert path is not None
    argv = [
        sys.executable,
        "-m",
        "benchmarks._datatable",
        "--sqlite",
        str(path),
        "--rows",
        str(rows),
    ]
    started = time.time()
    done = subprocess.run(argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=1800, check=False)  # fmt: skip
    found = _json_line(done.stdout)
    found["seconds"] = found["painted_at"] - started
    return found


# --- the SQL under the caseload's first page -----------------------------------------------


@dataclass(frozen=True)
class FirstPageSql:
    statements: int
    raw: list[float]  # the same statements straight on sqlite3
    repository: list[float]  # the caseload's own read (the service's), through SQLAlchemy


def first_page_sql(database: BenchDatabase, runs: int) -> FirstPageSql:
    """Time the caseload's first page as the table reads it, and its SQL run bare.

    The statements are captured as the real read issues them (admin, starting filter: the
    page and the clock it is read by, as the table's first fetch asks the caseload service),
    then replayed with their parameters on a plain read-only sqlite3 connection: the floor.
    """
    from sqlalchemy import event

    from casetui.services.auth import sign_in
    from casetui.startup import open_database
    from casetui.tui.screens.caseload import starting_filter
    from casetui.tui.widgets.case_table import CaseloadSource

    path = database.sqlite_file
    assert path is not None
    db = open_database(database.url)
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    try:
        actor = sign_in(db, BENCH_USER, BENCH_PASSWORD)
        source, flt = CaseloadSource(db, actor), starting_filter(actor)

        def read() -> None:
            source.page(flt, offset=0)

        read()  # warm: compiled statement cache, connection pool
        event.listen(db.engine, "before_cursor_execute", capture)
        read()
        event.remove(db.engine, "before_cursor_execute", capture)
        repository = []
        for _ in range(runs):
            started = time.perf_counter()
            read()
            repository.append(time.perf_counter() - started)
    finally:
        db.dispose()
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for statement, parameters in captured:  # warm, as above
            connection.execute(statement, parameters).fetchall()
        raw = []
        for _ in range(runs):
            started = time.perf_counter()
            for statement, parameters in captured:
                connection.execute(statement, parameters).fetchall()
            raw.append(time.perf_counter() - started)
    finally:
        connection.close()
    return FirstPageSql(statements=len(captured), raw=raw, repository=repository)


def scratch_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="casetui-bench-"))
