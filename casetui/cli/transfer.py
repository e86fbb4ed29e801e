"""``casetui cases transfer``: a person's open and paused cases shared among others, balanced by
allocated hours; a preview unless ``--commit``."""

from __future__ import annotations

import argparse
import math
from typing import Any

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK
from casetui.cli.output import err, json_object, out, say, table


def _share(utilisation: float) -> str:
    return "no capacity" if math.isinf(utilisation) else f"{utilisation:.0%}"


def _ratio(utilisation: float) -> float | None:
    # No capacity means no ratio: null, where Infinity would not be JSON.
    return round(utilisation, 4) if math.isfinite(utilisation) else None


def plan_json(plan: Any, committed: bool) -> dict[str, Any]:
    return {
        "committed": committed,
        "from": plan.source,
        "to": list(plan.targets),
        "moves": [
            {"case_number": m.case_number, "client": m.client_name, "concern": m.concern,
             "status": m.status, "hours": m.hours, "from": m.from_username, "to": m.to_username}
            for m in plan.moves
        ],
        "people": [
            {"username": p.username, "display_name": p.display_name, "team": p.team,
             "capacity_hours": p.capacity_hours, "allocated_before": p.before_hours,
             "allocated_after": p.after_hours, "utilisation_before": _ratio(p.before),
             "utilisation_after": _ratio(p.after)}
            for p in plan.people
        ],
    }  # fmt: skip


def cases_transfer(args: argparse.Namespace) -> int:
    from casetui.services.transfer import commit_transfer, plan_transfer

    db, actor = signin.acting(args)
    plan = plan_transfer(db, actor, args.source, args.targets)
    if args.commit:
        commit_transfer(db, actor, plan)
    if args.json:
        json_object(plan_json(plan, args.commit))
        return EXIT_OK
    if plan.moves:
        table(
            ("CASE", "CLIENT", "CONCERN", "STATUS", "HOURS", "FROM", "TO"),
            [(m.case_number, m.client_name, m.concern, m.status, f"{m.hours:g}",
              m.from_username, m.to_username) for m in plan.moves],
        )  # fmt: skip
        out()
    table(
        ("USERNAME", "CAPACITY", "BEFORE", "AFTER", "UTIL BEFORE", "UTIL AFTER"),
        [(p.username, f"{p.capacity_hours:g}", f"{p.before_hours:g}", f"{p.after_hours:g}",
          _share(p.before), _share(p.after)) for p in plan.people],
    )  # fmt: skip
    count = len(plan.moves)
    cases = f"{count} case{'' if count == 1 else 's'} ({plan.hours:g} h a week)"
    if args.commit:
        say(f"moved {cases} from {plan.source}, in one transaction")
    elif count:
        err(f"a preview: nothing moved; add --commit to move {cases}")
    else:
        err(f"{plan.source} holds no open or paused cases to move")
    return EXIT_OK
