"""``casetui groups add``: the clients of several cases join a group, all or nothing."""

from __future__ import annotations

import argparse

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK
from casetui.cli.output import say


def groups_add(args: argparse.Namespace) -> int:
    from casetui.services.clients import join_group

    db, actor = signin.acting(args)
    numbers = list(dict.fromkeys(args.cases))
    joined = join_group(db, actor, args.group, numbers)
    already = "" if joined else " (every one of them was in it already)"
    say(f"{joined} client(s) of {len(numbers)} case(s) joined {args.group.strip()}{already}")
    return EXIT_OK
