"""What another writer sees while a bulk note to 5,000 cases is written.

    python -m benchmarks.bulk_note_wait [--db URL] [--cases 5000] [--rounds 3]

One process writes a bulk note (with a follow-up task) to ``--cases`` cases held by one
caseworker; another process, a second caseworker, saves a note on a case of their own every
50 ms from a second before the bulk note starts until a second after it ends, each through
the services exactly as the command line does (``notes.add_note``). Reported: how long the
bulk note took, how long it held the write lock (its BEGIN IMMEDIATE, or on PostgreSQL the
writer lock it holds shared beside other writers, to COMMIT; there the other writer's case is
not among the bulk note's, so it need not wait at all), the longest wait of the other writer's saves, and how many of them
gave up ("database is locked") instead of saving.

Without ``--db`` a SQLite demo database of 20,000 cases (``--demo-cases``) is built once in ``--cache`` and
copied for every round, so rounds start alike. With ``--db`` the given database is used as it
is (each round adds its notes to it). Everything talks to the local machine only.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.databases import demo_file

DEMO_CASES = 20_000
DEMO_STAFF = 50
SAVE_EVERY_S = 0.05
MARGIN_S = 1.0


def build_demo(folder: Path, cases: int = DEMO_CASES) -> Path:
    return demo_file(folder, "bulk-note-wait", cases, staff=DEMO_STAFF)


def prepare(url: str, cases: int) -> dict[str, Any]:
    """Give the bulk writer ``cases`` cases (test-data preparation, straight SQL), and
    pick the other writer and a case of theirs."""
    from sqlalchemy import text

    from casetui.db.engine import make_engine
    from casetui.db.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)  # a cached database from before the latest migration
    try:
        with engine.begin() as conn:
            people = conn.execute(
                text(
                    "SELECT s.username, s.id, s.team_id FROM staff s "
                    "JOIN cases c ON c.primary_worker_id = s.id "
                    "WHERE s.role = 'caseworker' AND s.active AND s.grants LIKE '%bulk_actions%' "
                    "GROUP BY s.username, s.id, s.team_id ORDER BY count(*) DESC, s.id LIMIT 2"
                )
            ).all()
            (bulk_user, bulk_id, team_id), (other_user, other_id, _) = people
            conn.execute(
                text(
                    "UPDATE cases SET primary_worker_id = :who, team_id = :team WHERE id IN "
                    "(SELECT id FROM cases WHERE deleted_at IS NULL AND primary_worker_id <> :other "
                    " ORDER BY id LIMIT :n)"
                ),
                {"who": bulk_id, "team": team_id, "other": other_id, "n": cases},
            )
            numbers = conn.execute(
                text(
                    "SELECT case_number FROM cases WHERE primary_worker_id = :who "
                    "AND deleted_at IS NULL ORDER BY id LIMIT :n"
                ),
                {"who": bulk_id, "n": cases},
            ).scalars()
            numbers = list(numbers)
            other_case = conn.execute(
                text(
                    "SELECT case_number FROM cases WHERE primary_worker_id = :who "
                    "AND status = 'Open' AND deleted_at IS NULL ORDER BY id LIMIT 1"
                ),
                {"who": other_id},
            ).scalar_one()
    finally:
        engine.dispose()
    if len(numbers) < cases:
        raise SystemExit(f"only {len(numbers)} cases could be given to {bulk_user}")
    return {"bulk_user": bulk_user, "numbers": numbers, "other_user": other_user,
            "other_case": other_case}  # fmt: skip


def _actor(db: Any, username: str) -> Any:
    from casetui.repositories.staff import actor_from, find_by_username

    with db.uow(write=False) as uow:
        return actor_from(find_by_username(uow.session, username))


def other_writer(
    url: str, username: str, case_number: str, ready: Any, stop: Any, out: Any
) -> None:
    """Save a note every SAVE_EVERY_S until told to stop; report each save's start and wait."""
    from casetui.domain.errors import DatabaseUnavailable
    from casetui.services import notes
    from casetui.startup import open_database

    db = open_database(url)
    actor = _actor(db, username)
    saves: list[dict[str, Any]] = []
    note = notes.NoteInput(summary="Phoned to check in", activity_type="Phone call")
    notes.add_note(db, actor, case_number, note)  # warm: statements compiled, pool filled
    ready.set()
    while not stop.is_set():
        began = time.time()
        try:
            notes.add_note(db, actor, case_number, note)
            outcome = "saved"
        except DatabaseUnavailable as error:
            outcome = f"gave up: {error}"
        saves.append({"at": began, "wait": time.time() - began, "outcome": outcome})
        time.sleep(SAVE_EVERY_S)
    db.dispose()
    out.put(saves)


def bulk_writer(url: str, username: str, numbers: list[str]) -> dict[str, float]:
    from sqlalchemy import event

    from casetui.db.engine import WRITE_OPTION
    from casetui.services import bulk_notes, notes
    from casetui.services.tasks import TaskInput
    from casetui.startup import open_database

    db = open_database(url)
    actor = _actor(db, username)
    locked: dict[str, float] = {}

    def on_begin(conn: Any) -> None:
        # SQLite: the engine's own listener, registered first, has just run BEGIN IMMEDIATE.
        if conn.get_execution_options().get(WRITE_OPTION) and db.is_sqlite:
            locked["lock"] = time.time()

    def on_commit(_conn: Any) -> None:
        locked["commit"] = time.time()

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # PostgreSQL: a writing unit of work takes the writer lock (shared) as it begins.
        if "pg_advisory_xact_lock" in statement:
            locked.setdefault("lock", time.time())

    event.listen(db.engine, "begin", on_begin)
    event.listen(db.engine, "commit", on_commit)
    event.listen(db.engine, "before_cursor_execute", on_statement)
    note = notes.NoteInput(summary="Attended the budgeting workshop", activity_type="Workshop")
    task = TaskInput(name="Send the workshop handout", due="2030-01-15")
    began = time.time()
    result = bulk_notes.bulk_add_notes(db, actor, numbers, note, task)
    ended = time.time()
    db.dispose()
    assert len(result.note_ids) == len(numbers)
    return {"began": began, "ended": ended, "lock_from": locked.get("lock", began),
            "lock_to": locked.get("commit", ended)}  # fmt: skip


def one_round(url: str, cases: int) -> dict[str, Any]:
    plan = prepare(url, cases)
    spawn = multiprocessing.get_context("spawn")
    ready, stop, out = spawn.Event(), spawn.Event(), spawn.Queue()
    writer = spawn.Process(
        target=other_writer,
        args=(url, plan["other_user"], plan["other_case"], ready, stop, out),
    )
    writer.start()
    if not ready.wait(60):
        writer.kill()
        raise SystemExit("the other writer never started")
    time.sleep(MARGIN_S)
    bulk = bulk_writer(url, plan["bulk_user"], plan["numbers"])
    time.sleep(MARGIN_S)
    stop.set()
    saves = out.get(timeout=60)
    writer.join(60)
    during = [s for s in saves if s["at"] + s["wait"] >= bulk["began"] and s["at"] <= bulk["ended"]]
    gave_up = [s for s in saves if s["outcome"] != "saved"]
    return {
        "cases": cases,
        "bulk_note_s": round(bulk["ended"] - bulk["began"], 3),
        "write_lock_held_s": round(bulk["lock_to"] - bulk["lock_from"], 3),
        "saves": len(saves),
        "saves_during_bulk": len(during),
        "longest_wait_s": round(max(s["wait"] for s in saves), 3),
        "median_wait_ms": round(statistics.median(s["wait"] for s in saves) * 1000, 1),
        "gave_up": len(gave_up),
        "first_refusal": gave_up[0]["outcome"] if gave_up else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bulk_note_wait")
    parser.add_argument("--db", metavar="URL", help="a database holding demo data")
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--demo-cases", type=int, default=DEMO_CASES, help="size of the demo database built"
    )
    parser.add_argument("--cache", type=Path, default=Path(__file__).parent / ".cache")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        for _ in range(args.rounds):
            if args.db:
                url = args.db
            else:
                args.cache.mkdir(parents=True, exist_ok=True)
                copy = Path(scratch) / "office.db"
                shutil.copyfile(build_demo(args.cache, args.demo_cases), copy)
                url = f"sqlite:///{copy}"
            results.append(one_round(url, args.cases))
            print(json.dumps(results[-1]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
