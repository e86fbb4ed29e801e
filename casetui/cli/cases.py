"""``casetui cases list``: the cases the signed-in staff member can see."""

from __future__ import annotations

import argparse
from datetime import datetime

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK
from casetui.cli.output import err, json_rows, table


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def cases_list(args: argparse.Namespace) -> int:
    from casetui.domain.dates import relative_age
    from casetui.domain.filters import ACTIVE_STATUSES, CaseFilter
    from casetui.services.caseload import list_cases

    db, actor = signin.acting(args)
    flt = CaseFilter(
        query=args.query,
        statuses=tuple(dict.fromkeys(args.status or ACTIVE_STATUSES)),
        mine=args.mine,
    )
    # With --json the list is an export, recorded in the audit trail before it is printed.
    found = list_cases(db, actor, flt, limit=args.limit or None, export=args.json)
    rows, now = found.rows, found.now
    if found.cut:
        # On stderr, never in the --json on stdout: a script can still tell it missed rows.
        err(f"{len(rows)} of {found.matching} shown; --limit N to see more, --limit 0 for all")
    if args.json:
        json_rows(
            {
                "case_number": r.case_number,
                "client_name": r.client_name,
                "status": r.status,
                "concern": r.concern,
                "worker": r.worker_username,
                "pathway": r.pathway,
                "tags": list(r.tags),
                "last_interaction": _iso(r.last_interaction_at),
            }
            for r in rows
        )
    else:
        table(
            ("CASE", "CLIENT", "WORKER", "STATUS", "CONCERN", "PATHWAY", "TAGS", "LAST"),
            [(r.case_number, r.client_name, r.worker_username, r.status, r.concern, r.pathway,
              ",".join(r.tags), relative_age(r.last_interaction_at, now)) for r in rows],
        )  # fmt: skip
    return EXIT_OK
