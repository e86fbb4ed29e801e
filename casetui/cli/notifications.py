"""``casetui notifications`` and ``notifications read``: the signed-in person's own inbox."""

from __future__ import annotations

import argparse
from typing import Any
from zoneinfo import ZoneInfo

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK, EXIT_USAGE
from casetui.cli.output import err, json_rows, out, table


def _json(notification: Any) -> dict[str, Any]:
    return {
        "id": notification.id,
        "kind": notification.kind,
        "case_number": notification.case_number,
        "text": notification.text,
        "created_at": notification.created_at.isoformat(),
        "read": notification.read,
    }


def notifications_list(args: argparse.Namespace) -> int:
    from casetui.services.notifications import inbox
    from casetui.services.settings import get_settings

    db, actor = signin.acting(args)
    # With --json the list is an export, recorded in the audit trail before it is printed.
    page = inbox(db, actor, unread_only=args.unread, limit=None, export=args.json)
    if args.json:
        json_rows(_json(n) for n in page.notifications)
        return EXIT_OK
    if not page.notifications:
        out("no unread notifications" if args.unread else "no notifications")
        return EXIT_OK
    zone = ZoneInfo(get_settings(db, actor).time_zone)
    table(
        ("ID", "NEW", "KIND", "CASE", "WHEN", "TEXT"),
        [(n.id, "" if n.read else "*", n.kind, n.case_number or "",
          n.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), n.text)
         for n in page.notifications],
    )  # fmt: skip
    return EXIT_OK


def notifications_read(args: argparse.Namespace) -> int:
    from casetui.services.notifications import mark_all_read, mark_read

    if bool(args.ids) == bool(args.all):
        err("usage: casetui notifications read (ID... | --all): give ids or --all, not both")
        return EXIT_USAGE
    db, actor = signin.acting(args)
    newly = mark_all_read(db, actor) if args.all else mark_read(db, actor, args.ids)
    out(f"{newly} marked read")
    return EXIT_OK
