"""``casetui staff list``: the staff accounts."""

from __future__ import annotations

import argparse

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK
from casetui.cli.output import json_rows, table


def staff_list(args: argparse.Namespace) -> int:
    from casetui.services.staff import list_staff

    db, actor = signin.acting(args)
    # With --json the list is an export, recorded in the audit trail before it is printed.
    people = list_staff(db, actor, export=args.json)
    if args.json:
        json_rows(
            {
                "username": p.username,
                "display_name": p.display_name,
                "role": p.role.value,
                "team": p.team,
            }
            for p in people
        )
    else:
        table(
            ("USERNAME", "NAME", "ROLE", "TEAM"),
            [(p.username, p.display_name, p.role.value, p.team) for p in people],
        )
    return EXIT_OK
