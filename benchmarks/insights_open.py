"""How long the insights heatmap takes to paint for 2,000 open cases assessed at six stages.

    python -m benchmarks.insights_open [--cases 2000] [--rounds 5] [--json]

A 2,000-case demo database (``casetui demo --cases 2000 --seed 1``, built once in ``--cache``)
is copied; every live case is opened and given a current assessment at each of the six default
stages, one in four with an earlier one kept as history (test-data preparation, straight SQL).
The real app then runs headless at 120x40 as the administrator, who sees every case; each
round pushes the insights screen and times it from the push to the heatmap's rows painted (the
one query, the figures and the paragraph, and the first screenful drawn), then goes back.
Prints the median and each round in milliseconds, and the process's peak memory.

``figures`` runs it in a process of its own for the benchmark table (``python -m benchmarks``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import _drive
from benchmarks.databases import demo_file

CASES = 2_000
TARGET_MS = 300.0
STAGES = (
    "Engagement", "Safety and stability", "Housing", "Health and wellbeing", "Skills and work",
    "Independence",
)  # fmt: skip


def build_demo(folder: Path, cases: int) -> Path:
    return demo_file(folder, "insights", cases, staff=40)


def prepare(url: str) -> int:
    """Every live case open and assessed at every stage; how many cases."""
    from sqlalchemy import text

    from casetui.db.engine import make_engine
    from casetui.db.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    try:
        with engine.begin() as conn:
            # The demo deletes a few clients with their cases: all 2,000 are wanted here.
            conn.execute(text("UPDATE client SET deleted_at = NULL"))
            conn.execute(
                text("UPDATE cases SET status = 'Open', closed_on = NULL, deleted_at = NULL")
            )
            conn.execute(text("DELETE FROM outcome_assessment"))
            worker = dict(
                conn.execute(
                    text(
                        "SELECT id, primary_worker_id FROM cases WHERE deleted_at IS NULL "
                        "AND primary_worker_id IS NOT NULL ORDER BY id"
                    )
                ).all()
            )
            ids = list(worker)
            levels, confidences = ("low", "medium", "high"), ("limited", "some", "strong")
            rows = []
            for n, case_id in enumerate(ids):
                for s, stage in enumerate(STAGES):
                    if (n + s) % 4 == 0:  # an earlier one, kept as history
                        rows.append(_row(case_id, stage, "low", "limited", worker[case_id], 1))
                    level, sure = levels[(n * 7 + s) % 3], confidences[(n + s * 5) % 3]
                    rows.append(_row(case_id, stage, level, sure, worker[case_id], 2))
            conn.execute(
                text(
                    "INSERT INTO outcome_assessment (case_id, stage, level, confidence, evidence, "
                    "assessed_by_id, assessed_at) VALUES (:case_id, :stage, :level, :confidence, "
                    "'Seen at the last appointment', :by, :at)"
                ),
                rows,
            )
            return len(ids)
    finally:
        engine.dispose()


def _row(case_id: int, stage: str, level: str, sure: str, by: int, month: int) -> dict[str, Any]:
    return {
        "case_id": case_id, "stage": stage, "level": level, "confidence": sure, "by": by,
        "at": f"2026-{month:02d}-15 10:00:00.000000",
    }  # fmt: skip


def measure(url: str, rounds: int) -> tuple[list[float], int]:
    from casetui.repositories.staff import actor_from, find_by_username
    from casetui.startup import open_database
    from casetui.tui.app import make_app
    from casetui.tui.screens.insights import InsightsScreen

    db = open_database(url)
    with db.uow(write=False) as uow:
        admin = actor_from(find_by_username(uow.session, "admin"))
    app = make_app(db, admin)
    times: list[float] = []
    shown = [0]

    def ready(screen: Any) -> bool:
        shown[0] = len(screen.heatmap.rows) if screen.grid else 0
        return bool(shown[0])

    async def drive(pilot: Any) -> None:
        times.extend(
            await _drive.screen_opened(
                app, InsightsScreen, ready, lambda screen: screen.heatmap, rounds
            )
        )
        app.exit(0)

    async def run() -> None:
        async with app.run_test(size=_drive.SIZE) as pilot:
            await drive(pilot)

    asyncio.run(run())
    db.dispose()
    return times, shown[0]


def run(cache: Path, cases: int, rounds: int) -> dict[str, Any]:
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "insights.db"
        shutil.copyfile(build_demo(cache, cases), copy)
        url = f"sqlite:///{copy}"
        assessed = prepare(url)
        times, shown = measure(url, rounds)
    return {
        "cases": assessed,
        "shown": shown,
        "stages": len(STAGES),
        "open_ms_median": round(statistics.median(times), 1),
        "open_ms": [round(t, 1) for t in times],
        "peak_rss_mb": round(_drive.peak_rss_kb() / 1024, 1),
    }


def figures(cache: Path, *, quick: bool) -> list[Any]:
    """The benchmark table's row: the median of a few rounds, against SPEC.md's 300 ms."""
    from benchmarks.report import Figure

    label = f"insights heatmap, {CASES:,} cases × {len(STAGES)} stages, push to rows painted"
    rounds = "2" if quick else "5"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.insights_open", "--cache", str(cache),
         "--rounds", rounds],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        error = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return [Figure("insights_open", label, "sqlite 2k", None, "s", error=error)]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    samples = [ms / 1000 for ms in found["open_ms"]]
    figure = Figure(
        "insights_open", label, "sqlite 2k", found["open_ms_median"] / 1000, "s",
        TARGET_MS / 1000, f"≤ {TARGET_MS:g} ms", samples=[round(s, 4) for s in samples],
    )  # fmt: skip
    figure.detail = {"cases": found["cases"], "shown": found["shown"]}
    if found["shown"] != CASES:
        figure.error = f"the heatmap showed {found['shown']} cases, not {CASES}"
    return [figure]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.insights_open")
    parser.add_argument("--cases", type=int, default=CASES)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=Path(__file__).parent / ".cache")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.cache, args.cases, args.rounds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
