"""``casetui cases list``: the cases the signed-in staff member can see."""

from __future__ import annotations

import argparse
from datetime import datetime

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK
from casetui.cli.exports import exported
from casetui.cli.output import json_rows, table


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def cases_list(args: argparse.Namespace) -> int:
    from casetui.domain.dates import relative_age
    from casetui.repositories.cases import ACTIVE_STATUSES, CaseFilter, CaseRepository

    db, actor = signin.acting(args)
    flt = CaseFilter(
        query=args.query,
        statuses=tuple(dict.fromkeys(args.status or ACTIVE_STATUSES)),
        mine=args.mine,
    )
    with db.uow(write=False) as uow:
        repo = CaseRepository(uow.session, actor)
        rows = repo.rows(flt, limit=args.limit)
        now = uow.now()
    if args.json:
        exported(
            db,
            actor,
            "cases",
            len(rows),
            query=args.query,
            statuses=list(flt.statuses),
            mine=args.mine,
        )
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
