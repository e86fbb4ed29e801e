"""How long the workload's list of one person's cases takes to open, for a person holding
5,000 open cases.

    python -m benchmarks.person_cases_open [--cases 5000] [--rounds 5]

A copy of the 20,000-case SQLite demo database of ``benchmarks.bulk_note_wait`` (built once in
``--cache``) has ``--cases`` cases given to one caseworker, opened (test-data preparation,
straight SQL). The real app then runs headless at 120x40 as the administrator; each round
opens that person's cases from the workload and times it from opening the screen to its
rows painted (in the widget, and the screen refreshed since), then goes back. Prints the
median and each round in milliseconds, and the process's peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import _drive
from benchmarks.bulk_note_wait import DEMO_CASES, build_demo


def prepare(url: str, cases: int) -> str:
    """Give the busiest caseworker ``cases`` open cases; their username."""
    from sqlalchemy import text

    from casetui.db.engine import make_engine
    from casetui.db.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)  # a cached database from before the latest migration
    try:
        with engine.begin() as conn:
            who, team = conn.execute(
                text(
                    "SELECT s.id, s.team_id FROM staff s JOIN cases c ON c.primary_worker_id = s.id "
                    "WHERE s.role = 'caseworker' AND s.active GROUP BY s.id, s.team_id "
                    "ORDER BY count(*) DESC, s.id LIMIT 1"
                )
            ).one()
            conn.execute(
                text(
                    "UPDATE cases SET primary_worker_id = :who, team_id = :team, status = 'Open', "
                    "closed_on = NULL WHERE id IN (SELECT id FROM cases WHERE deleted_at IS NULL "
                    "ORDER BY id LIMIT :n)"
                ),
                {"who": who, "team": team, "n": cases},
            )
            return str(
                conn.execute(
                    text("SELECT username FROM staff WHERE id = :who"), {"who": who}
                ).scalar_one()
            )
    finally:
        engine.dispose()


def measure(url: str, username: str, rounds: int) -> list[float]:
    from casetui.repositories.staff import actor_from, find_by_username
    from casetui.services.workload import workload_of
    from casetui.startup import open_database
    from casetui.tui.app import make_app
    from casetui.tui.screens.person_cases import PersonCasesScreen

    db = open_database(url)
    with db.uow(write=False) as uow:
        admin = actor_from(find_by_username(uow.session, "admin"))
        person = actor_from(find_by_username(uow.session, username))
    row = workload_of(db, admin, [person.id])[0]
    app = make_app(db, admin)
    times: list[float] = []

    async def drive(pilot: Any) -> None:
        times.extend(
            await _drive.screen_opened(
                app,
                lambda: PersonCasesScreen(row),
                lambda screen: bool(screen.cases),
                lambda screen: screen.query_one("#person-cases"),
                rounds,
            )  # fmt: skip
        )
        app.exit(0)

    async def run() -> None:
        async with app.run_test(size=_drive.SIZE) as pilot:
            await drive(pilot)

    asyncio.run(run())
    db.dispose()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.person_cases_open")
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=Path(__file__).parent / ".cache")
    args = parser.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "office.db"
        shutil.copyfile(build_demo(args.cache, DEMO_CASES), copy)
        url = f"sqlite:///{copy}"
        username = prepare(url, args.cases)
        times = measure(url, username, args.rounds)
    report = {
        "cases": args.cases,
        "open_ms_median": round(statistics.median(times), 1),
        "open_ms": [round(t, 1) for t in times],
        "peak_rss_mb": round(_drive.peak_rss_kb() / 1024, 1),
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
