"""``casetui demo``: fill an empty database with realistic demo data."""

from __future__ import annotations

import argparse
import sys

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK
from casetui.cli.output import out, say


def demo(args: argparse.Namespace) -> int:
    import time

    from casetui.demo import generate_demo
    from casetui.services import setup

    conn = signin.connection(args)
    db = signin.open_database(conn, check=False)
    setup.upgrade_schema(db)
    if setup.holds_demo_data(db):
        # Running the quick start twice should open the app, not stop at a refusal.
        say(f"{db.url} already holds demo data; left as it is (password for every account: demo)")
        return EXIT_OK
    started = time.perf_counter()
    summary = generate_demo(db, cases=args.cases, staff=args.staff, seed=args.seed,
                            progress=lambda m: print(m, file=sys.stderr))  # fmt: skip
    setup.refresh_statistics(db)
    took = time.perf_counter() - started
    say(f"demo data in {db.url} ({took:.1f} s):")
    out(f"  {summary.teams} teams, {summary.staff} staff, {summary.clients} clients, {summary.cases} cases, "
        f"{summary.notes} notes, {summary.tasks} tasks, {summary.communications} communications")  # fmt: skip
    for role, names in summary.usernames_by_role.items():
        shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        out(f"  {role}: {shown}")
    out(f"  password for every account: {summary.password}")
    if summary.leaver is not None:
        leaver = summary.leaver
        out(f"  leaving: {leaver.display_name} ({leaver.username}, {leaver.team}), "
            f"{leaver.cases} open or paused cases to share: casetui cases transfer --from "
            f"{leaver.username} --to {leaver.colleagues[0]} --to {leaver.colleagues[1]} "
            f"--user {leaver.supervisor}")  # fmt: skip
    out(f"  try: casetui --user {summary.usernames_by_role.get('caseworker', ['admin'])[0]}")
    return EXIT_OK
