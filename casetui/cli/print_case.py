"""``casetui print --case NUMBER [--from D] [--to D] --out FILE.pdf``: a case file as a PDF.

Progress goes to stderr (every 250 notes on a large case), so with ``--json`` stdout holds the
one JSON object alone. An existing file is replaced only with ``--force``.
"""

from __future__ import annotations

import argparse
from typing import Any

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK
from casetui.cli.output import err, json_object, say

PROGRESS_EVERY = 250  # notes between two progress lines


def printed_json(printed: Any) -> dict[str, Any]:
    return {
        "case_number": printed.case_number,
        "file": printed.path,
        "from": printed.since.isoformat() if printed.since else None,
        "to": printed.until.isoformat() if printed.until else None,
        "notes": printed.notes,
        "restricted": printed.restricted,
        "pages": printed.pages,
        "size": printed.size,
        "sha256": printed.sha256,
    }


def print_case(args: argparse.Namespace) -> int:
    from casetui.domain.errors import ValidationError
    from casetui.services.print_case import print_case as print_file

    db, actor = signin.acting(args)

    def progress(done: int, total: int) -> None:
        if total >= PROGRESS_EVERY and (done % PROGRESS_EVERY == 0 or done == total):
            err(f"laid out {done:,} of {total:,} notes")

    try:
        printed = print_file(
            db, actor, args.case, args.out, since=args.since or "", until=args.until or "",
            replace=args.force, progress=progress,
        )  # fmt: skip
    except ValidationError as refused:
        if refused.field == "out" and "already exists" in refused.message:
            raise ValidationError("out", f"{refused.message} (--force replaces it)") from None
        raise
    if args.json:
        json_object(printed_json(printed))
    else:
        notes = f"{printed.notes:,} {'note' if printed.notes == 1 else 'notes'}"
        pages = f"{printed.pages:,} {'page' if printed.pages == 1 else 'pages'}"
        say(f"printed {printed.case_number} ({notes}, {pages}) to {printed.path}")
        say(f"sha256 {printed.sha256}")
    return EXIT_OK
