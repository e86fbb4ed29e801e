"""``casetui audit verify``: check the audit trail's hash chain and its anchor."""

from __future__ import annotations

import argparse
import json

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK, EXIT_REFUSED
from casetui.cli.output import err, out


def audit_verify(args: argparse.Namespace) -> int:
    from casetui.services import audit

    db, actor = signin.acting(args)
    check = audit.verify_trail(db, actor, expect_head=args.expect_head, since_head=args.since_head)
    if args.json:
        out(json.dumps({
            "ok": check.ok, "events": check.events, "head_id": check.head_id,
            "head_hash": check.head_hash, "written": check.written, "missing": check.missing,
            "broken_at": check.broken_at, "problem": check.problem,
        }, ensure_ascii=False, indent=2))  # fmt: skip
    if check.ok:
        if not args.json:
            out(check.describe())
        return EXIT_OK
    err(f"refused: {check.describe()}")
    return EXIT_REFUSED
