"""``casetui audits run``, ``audits list`` and ``audits trend``: note-quality audits.

``add_commands`` wires the group into the parser; like the parser, it imports nothing of the
database, so ``casetui --help`` stays quick. Progress goes to stderr, so ``--json`` leaves
nothing but the JSON on stdout.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, Any

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK
from casetui.cli.output import cell, err, json_object, json_rows, say, table

if TYPE_CHECKING:
    from casetui.domain.note_audit import NoteAuditView, WorkerTrend

PROGRESS_SECONDS = 2.0  # between progress lines when stderr is not a terminal


def add_commands(command: Any) -> None:
    group = command("audits", "note-quality audits: score notes, list the scores, the trend")
    into = group.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
    run = command(
        "run", "audit every unaudited note of your team (or a team, a worker) at once", into
    )
    run.add_argument("--team", metavar="T", help="a team's cases (administrators: any team)")
    run.add_argument("--worker", metavar="U", help="the notes one worker wrote")
    run.add_argument("--from", dest="date_from", metavar="D", help="contact on or after D")
    run.add_argument("--to", dest="date_to", metavar="D", help="contact on or before D")
    run.add_argument("--json", action="store_true", help='print {"audited", "average"}')
    listing = command("list", "audited notes with their scores, newest first", into)
    listing.add_argument("--unaudited", action="store_true", help="the notes not audited yet")
    listing.add_argument("--worker", metavar="U", help="the notes one worker wrote")
    listing.add_argument("--json", action="store_true")
    trend = command("trend", "each worker's average score, month by month", into)
    trend.add_argument("--worker", metavar="U", help="one worker only")
    trend.add_argument("--json", action="store_true")


class _Progress:
    """Notes audited so far, on stderr: in place on a terminal, else a line now and then."""

    def __init__(self) -> None:
        self.terminal = sys.stderr.isatty()
        self.last = 0.0
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done not in (0, total) and now - self.last < (
            0.2 if self.terminal else PROGRESS_SECONDS
        ):
            return
        self.last = now
        words = f"auditing notes: {done:,} of {total:,}"
        if self.terminal:
            sys.stderr.write("\r" + cell(words) + "\x1b[K")
            sys.stderr.flush()
            self.shown = True
        else:
            err(words)

    def finish(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def audits_run(args: argparse.Namespace) -> int:
    from casetui.services.note_audits import run_audits

    db, actor = signin.acting(args)
    progress = _Progress()
    try:
        run = run_audits(
            db, actor, team=args.team, worker=args.worker, date_from=args.date_from,
            date_to=args.date_to, progress=progress,
        )  # fmt: skip
    finally:
        progress.finish()
    if args.json:
        json_object({"audited": run.audited, "average": run.average})
    elif run.audited:
        say(f"{run.audited:,} note(s) audited; average score {run.average}")
    else:
        say("no unaudited notes to audit")
    return EXIT_OK


def audit_json(view: NoteAuditView) -> dict[str, Any]:
    return {
        "note_id": view.note_id,
        "case_number": view.case_number,
        "author": view.author,
        "score": view.score,
        "criteria": [{"name": c.name, "met": c.met, "evidence": c.evidence} for c in view.criteria],
    }


def audits_list(args: argparse.Namespace) -> int:
    from casetui.services.note_audits import list_audited, list_unaudited

    db, actor = signin.acting(args)
    if args.unaudited:
        notes = list_unaudited(db, actor, worker=args.worker, export=args.json)
        if args.json:
            json_rows(
                {"note_id": n.note_id, "case_number": n.case_number, "author": n.author,
                 "score": None, "criteria": []}
                for n in notes
            )  # fmt: skip
        else:
            table(
                ("NOTE", "CASE", "CONTACT", "AUTHOR", "SUMMARY"),
                [(n.note_id, n.case_number, f"{n.contact_at:%Y-%m-%d %H:%M}", n.author,
                  n.summary[:50]) for n in notes],
            )  # fmt: skip
        return EXIT_OK
    audits = list_audited(db, actor, worker=args.worker, export=args.json)
    if args.json:
        json_rows(audit_json(a) for a in audits)
        return EXIT_OK
    table(
        ("NOTE", "CASE", "CONTACT", "AUTHOR", "SCORE", "NOT MET"),
        [(a.note_id, a.case_number, f"{a.contact_at:%Y-%m-%d %H:%M}", a.author, a.score,
          ", ".join(c.name for c in a.criteria if not c.met)) for a in audits],
    )  # fmt: skip
    return EXIT_OK


def trend_json(trend: WorkerTrend) -> dict[str, Any]:
    return {
        "worker": trend.username,
        "name": trend.display_name,
        "average": trend.average,
        "notes": trend.notes,
        "months": [
            {"month": m.month, "average": m.average, "notes": m.notes} for m in trend.months
        ],
    }


def audits_trend(args: argparse.Namespace) -> int:
    from casetui.services.note_audits import trends

    db, actor = signin.acting(args)
    found = trends(db, actor, worker=args.worker, export=args.json)
    if args.json:
        json_rows(trend_json(t) for t in found)
        return EXIT_OK
    rows = [(t.username, m.month, m.average, m.notes) for t in found for m in t.months]
    table(("WORKER", "MONTH", "AVERAGE", "NOTES"), rows)
    return EXIT_OK
