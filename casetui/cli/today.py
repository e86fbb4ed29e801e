"""``casetui today``: the signed-in person's Today list."""

from __future__ import annotations

import argparse
from typing import Any

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK
from casetui.cli.output import json_rows, out, table

KIND_WORDS = {
    "task": "task",
    "stale_case": "no contact",
    "failed_reminder": "reminder failed",
    "signoff": "sign-off",
}


def _json(item: Any) -> dict[str, Any]:
    return {
        "kind": item.kind.value,
        "id": item.id,
        "case_number": item.case_number,
        "title": item.title,
        "due_on": item.due_on.isoformat(),
    }


def today(args: argparse.Namespace) -> int:
    from casetui.services.today import today_list

    db, actor = signin.acting(args)
    # With --json the list is an export, recorded in the audit trail before it is printed.
    found = today_list(db, actor, export=args.json)
    if args.json:
        json_rows(_json(item) for item in found.items)
        return EXIT_OK
    if not found.items:
        out("nothing due today")
        return EXIT_OK
    table(
        ("DUE", "KIND", "CASE", "CLIENT", "WHAT"),
        [(("overdue " if item.overdue(found.today) else "") + item.due_on.isoformat(),
          KIND_WORDS[item.kind.value], item.case_number, item.client_name, item.title)
         for item in found.items],
    )  # fmt: skip
    return EXIT_OK
