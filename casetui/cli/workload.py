"""``casetui workload``: hours allocated against capacity, per person."""

from __future__ import annotations

import argparse
import math

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK
from casetui.cli.output import json_rows, table


def workload(args: argparse.Namespace) -> int:
    from casetui.services.workload import workload as service_workload

    db, actor = signin.acting(args)
    # With --json the list is an export, recorded in the audit trail before it is printed.
    rows = service_workload(db, actor, team=args.team, export=args.json)
    if args.json:
        json_rows(
            {
                "username": r.username,
                "display_name": r.display_name,
                "team": r.team,
                "capacity_hours": r.capacity_hours,
                "allocated_hours": r.allocated_hours,
                # No capacity means no ratio: null, where Infinity would not be JSON.
                "utilisation": round(r.utilisation, 4) if math.isfinite(r.utilisation) else None,
                "cases_by_concern": r.cases_by_concern,
            }
            for r in rows
        )
    else:
        table(
            ("USERNAME", "TEAM", "CAPACITY", "ALLOCATED", "UTIL", "LOW", "MED", "HIGH"),
            [(r.username, r.team, f"{r.capacity_hours:g}", f"{r.allocated_hours:g}", f"{r.utilisation:.0%}",
              r.cases_by_concern["Low"], r.cases_by_concern["Medium"], r.cases_by_concern["High"]) for r in rows],
        )  # fmt: skip
    return EXIT_OK
