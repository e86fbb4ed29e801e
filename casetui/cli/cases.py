"""``casetui cases list``, ``open``, ``show`` and ``edit``."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK, EXIT_USAGE
from casetui.cli.output import err, json_object, json_rows, say, table


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


CASE_EDITS = (
    "status", "concern", "pathway", "worker", "add_tag", "remove_tag", "add_navigator",
    "remove_navigator", "new_number",
)  # fmt: skip


def case_json(case: Any) -> dict[str, Any]:
    """A case with the keys of ``cases list --json`` (a ``CaseDetail``)."""
    return {
        "case_number": case.case_number,
        "client_name": case.client_name,
        "status": case.status,
        "concern": case.concern,
        "worker": case.worker_username,
        "pathway": case.pathway,
        "tags": list(case.tags),
        "last_interaction": _iso(case.last_interaction_at),
    }


def case_detail_json(case: Any) -> dict[str, Any]:
    """``cases show --json``: the list's keys and the case's people, client and history."""
    return {
        **case_json(case),
        "navigators": list(case.navigators),
        "client_id": case.client_id,
        "opened_on": case.opened_on.isoformat(),
        "former_numbers": list(case.former_numbers),
    }


def _show(case: Any) -> None:
    was = f" (was {', '.join(case.former_numbers)})" if case.former_numbers else ""
    lines = [
        ("case", f"{case.case_number}{was}"),
        ("client", f"{case.client_id}  {case.client_name}"),
        ("status", case.status),
        ("concern", case.concern),
        ("worker", case.worker_username),
        ("navigators", ", ".join(case.navigators)),
        ("pathway", case.pathway),
        ("tags", ", ".join(case.tags)),
        ("warnings", ", ".join(case.warnings)),
        ("opened", case.opened_on),
        ("closed", case.closed_on),
    ]
    for label, value in lines:
        say(f"{label:<11} {'' if value is None else value}".rstrip())


def cases_open(args: argparse.Namespace) -> int:
    from casetui.services.cases import CaseInput, open_case

    db, actor = signin.acting(args)
    case = open_case(
        db,
        actor,
        CaseInput(
            client_id=args.client,
            concern=args.concern,
            status=args.status,
            worker=args.worker,
            pathway=args.pathway,
            tags=tuple(args.tag or ()),
            case_number=args.number,
        ),
    )
    if args.json:
        json_object(case_json(case))
    else:
        say(f"case {case.case_number} opened for {case.client_name}, worker {case.worker_username}")
    return EXIT_OK


def cases_show(args: argparse.Namespace) -> int:
    from casetui.services.cases import show_case

    db, actor = signin.acting(args)
    case = show_case(db, actor, args.number)
    if args.json:
        json_object(case_detail_json(case))
    else:
        _show(case)
    return EXIT_OK


def cases_edit(args: argparse.Namespace) -> int:
    from casetui.services.cases import CaseChanges, edit_case

    if all(getattr(args, name) is None for name in CASE_EDITS):
        err("usage: cases edit needs at least one change (--status, --worker, --number, ...)")
        return EXIT_USAGE
    db, actor = signin.acting(args)
    case = edit_case(
        db,
        actor,
        args.number,
        CaseChanges(
            status=args.status,
            concern=args.concern,
            pathway=args.pathway,
            worker=args.worker,
            add_tags=tuple(args.add_tag or ()),
            remove_tags=tuple(args.remove_tag or ()),
            add_navigators=tuple(args.add_navigator or ()),
            remove_navigators=tuple(args.remove_navigator or ()),
            number=args.new_number,
        ),
    )
    if args.json:
        json_object(case_detail_json(case))
    else:
        say(f"case {case.case_number} saved (version {case.version})")
    return EXIT_OK
