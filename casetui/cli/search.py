"""``casetui search TEXT``: the global search, as the app's ctrl+f box finds it."""

from __future__ import annotations

import argparse

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK
from casetui.cli.output import json_rows, out, table

KIND_HEADINGS = {"client": "CLIENTS", "case": "CASES", "note": "NOTES"}


def search(args: argparse.Namespace) -> int:
    from casetui.services.search import search as find

    db, actor = signin.acting(args)
    # With --json the list is an export, recorded in the audit trail before it is printed.
    hits = find(db, actor, " ".join(args.text), export=args.json)
    if args.json:
        json_rows(
            {"kind": h.kind, "id": h.id, "case_number": h.case_number, "title": h.title,
             "snippet": h.snippet}
            for h in hits
        )  # fmt: skip
        return EXIT_OK
    if not hits:
        out("nothing found")
        return EXIT_OK
    for kind, heading in KIND_HEADINGS.items():
        rows = [h for h in hits if h.kind == kind]
        if not rows:
            continue
        out(f"{heading} ({len(rows)})")
        table(
            ("ID", "TITLE", "MATCH", "R"),
            [(h.id, h.title, h.snippet, "R" if h.restricted else "") for h in rows],
        )
        out()
    return EXIT_OK
