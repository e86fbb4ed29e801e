"""``casetui outcomes set`` and ``outcomes show``: Theory of Change assessments and insights.

``add_commands`` wires the group into the parser; like the parser, it imports nothing of the
database, so ``casetui --help`` stays quick.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK
from casetui.cli.output import json_object, out, say, table

if TYPE_CHECKING:
    from casetui.domain.outcomes import Cell, OutcomeGrid, StageFigures, WorkerFigures

LEVELS = ("low", "medium", "high")
CONFIDENCES = ("limited", "some", "strong")


def add_commands(command: Any) -> None:
    """``outcomes set`` and ``outcomes show``, under ``casetui outcomes``."""
    group = command("outcomes", "where cases stand at the organisation's outcome stages")
    into = group.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
    assess = command(
        "set", "assess a case at one outcome stage (earlier assessments are kept)", into
    )
    assess.add_argument("--case", required=True, metavar="NUMBER")
    assess.add_argument(
        "--stage", required=True, metavar="S", help="one of the organisation's outcome stages"
    )
    assess.add_argument("--level", required=True, choices=LEVELS, metavar="low|medium|high")
    assess.add_argument(
        "--confidence", required=True, choices=CONFIDENCES, metavar="limited|some|strong"
    )
    assess.add_argument("--evidence", metavar="T", help="what the assessment rests on")
    show = command(
        "show",
        "each open or paused case's current assessment per stage, the figures per worker, "
        "and a paragraph about them",
        into,
    )
    show.add_argument("--worker", metavar="U", help="one worker's cases (within your scope)")
    show.add_argument("--json", action="store_true", help="print one JSON object")


def outcomes_set(args: argparse.Namespace) -> int:
    from casetui.services.outcomes import assess

    db, actor = signin.acting(args)
    view = assess(
        db, actor, args.case, args.stage, args.level, args.confidence, args.evidence or ""
    )
    say(f"{view.case_number} assessed at {view.stage}: {view.level} ({view.confidence} confidence)")
    return EXIT_OK


def _cell_json(cell: Cell) -> dict[str, str] | None:
    return None if cell is None else {"level": cell[0], "confidence": cell[1]}


def _stage_json(figures: StageFigures) -> dict[str, Any]:
    return {
        "stage": figures.stage,
        "low": figures.low,
        "medium": figures.medium,
        "high": figures.high,
        "limited_confidence": figures.limited,
        "not_assessed": figures.not_assessed,
        "high_share": round(figures.share_high, 4),
        "limited_share": round(figures.share_limited, 4),
    }


def _worker_json(figures: WorkerFigures) -> dict[str, Any]:
    return {
        "worker": figures.username,
        "name": figures.worker,
        "cases": figures.cases,
        "stages": [_stage_json(s) for s in figures.stages],
    }


def grid_json(grid: OutcomeGrid, worker: str | None) -> dict[str, Any]:
    """The keys README's command-line section documents."""
    usernames = {w.worker_id: w.username for w in grid.by_worker if w.worker_id is not None}
    return {
        "stages": list(grid.stages),
        "worker": worker,
        "cases": [
            {
                "case_number": row.case_number,
                "client": row.client_name,
                "worker": usernames.get(row.worker_id) if row.worker_id else None,
                "assessments": {
                    stage: _cell_json(cell)
                    for stage, cell in zip(grid.stages, row.cells, strict=True)
                },
            }
            for row in grid.rows
        ],
        "overall": _worker_json(grid.overall),
        "comparison": [_worker_json(w) for w in grid.by_worker],
        "narrative": grid.narrative,
        "complete": not grid.cut,
    }


def _letter(cell: Cell) -> str:
    if cell is None:
        return "·"
    return cell[0][0].upper() + ("?" if cell[1] == "limited" else "")


def outcomes_show(args: argparse.Namespace) -> int:
    from casetui.services.outcomes import outcome_grid

    db, actor = signin.acting(args)
    # With --json the figures are an export, and recorded as one.
    grid = outcome_grid(db, actor, worker=args.worker, export=args.json)
    if args.json:
        json_object(grid_json(grid, args.worker))
        return EXIT_OK
    # Stages as numbered columns: their names are listed under the table.
    numbers = [str(i) for i in range(1, len(grid.stages) + 1)]
    table(
        ("CASE", "CLIENT", *numbers),
        [(r.case_number, r.client_name, *(_letter(c) for c in r.cells)) for r in grid.rows],
    )
    out()
    say("  ".join(f"{n} {stage}" for n, stage in zip(numbers, grid.stages, strict=True)))
    say("L low · M medium · H high · ? limited confidence · · not assessed")
    out()
    table(
        ("WORKER", "CASES", *(f"{n} H/M/L ·" for n in numbers)),
        [
            (
                w.worker,
                w.cases,
                *(f"{s.high}/{s.medium}/{s.low} {s.not_assessed}" for s in w.stages),
            )
            for w in (grid.overall, *grid.by_worker)
        ],
    )
    out()
    say(grid.narrative)
    if grid.cut:
        say(f"(the first {len(grid.rows):,} cases by number; --worker shows one worker's)")
    return EXIT_OK
