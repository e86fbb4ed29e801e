"""``casetui report notes|communications|services ... --out FILE``: a standard report to a file.

Progress goes to stderr (a line every few seconds; rewritten in place on a terminal), the file
written and its sha256 to stdout. An existing file is never replaced.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK
from casetui.cli.output import cell, err, say

if TYPE_CHECKING:
    from casetui.domain.reports import ReportProgress

PROGRESS_SECONDS = 2.0  # between progress lines


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


class _Progress:
    """Rows and rate on stderr: in place on a terminal, else a line every few seconds."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.terminal = sys.stderr.isatty()
        self.last = time.monotonic()
        self.shown = False

    def __call__(self, progress: ReportProgress) -> None:
        now = time.monotonic()
        if now - self.last < (0.2 if self.terminal else PROGRESS_SECONDS):
            return
        self.last = now
        words = f"{self.what}: {_plural(progress.rows, 'row')} ({progress.rate:,.0f} rows/s)"
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


def report(args: argparse.Namespace) -> int:
    from casetui.domain.reports import ReportFilters, ReportFormat, ReportKind
    from casetui.services.reports import run_report

    kind = ReportKind(args.kind)
    if args.format:
        format = ReportFormat(args.format)
    else:
        format = ReportFormat.XLSX if args.out.lower().endswith(".xlsx") else ReportFormat.CSV
    filters = ReportFilters(
        date_from=args.date_from, date_to=args.date_to, team=args.team, worker=args.worker,
        pathway=args.pathway, status=args.status, include_restricted=args.include_restricted,
        include_deleted=args.include_deleted,
    )  # fmt: skip
    db, actor = signin.acting(args)
    progress = _Progress(f"{kind.value} report")
    try:
        done = run_report(db, actor, kind, filters, args.out, format=format, progress=progress)
    finally:
        progress.finish()
    rate = done.rows / done.seconds if done.seconds > 0 else 0.0
    err(f"{_plural(done.rows, 'row')} in {done.seconds:.1f} s ({rate:,.0f} rows/s)")
    if done.restricted_details:
        err(
            f"{_plural(done.restricted_details, 'restricted note')} with details: "
            "each recorded as read"
        )
    say(
        f"wrote {done.path} ({_plural(done.rows, 'row')}, {done.format.value}, sha256 {done.sha256})"
    )
    return EXIT_OK
