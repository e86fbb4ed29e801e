"""``casetui staff list``: the staff accounts."""

from __future__ import annotations

import argparse

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK
from casetui.cli.exports import exported
from casetui.cli.output import json_rows, table


def staff_list(args: argparse.Namespace) -> int:
    from casetui.services.staff import list_staff

    db, actor = signin.acting(args)
    with db.uow(write=False) as uow:
        people = list_staff(uow, actor)
    if args.json:
        exported(db, actor, "staff", len(people))
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
