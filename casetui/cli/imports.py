"""``casetui import clients|notes FILE``: a dry run by default, ``--commit`` to write.

Progress, the columns left out and the names read go to stderr, so with ``--json`` stdout
holds the one JSON object alone.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK, EXIT_REFUSED
from casetui.cli.output import err, json_object, say, table

REFUSALS_SHOWN = 200  # in the table; --json lists every one


def report_json(report: Any) -> dict[str, Any]:
    """The report as ``--json`` prints it."""
    return {
        "committed": report.committed,
        "clients": report.clients,
        "cases": report.cases,
        "notes": report.notes,
        "duplicates": [
            {
                "row": d.row,
                "name": d.name,
                "reasons": list(d.reasons),
                "other_row": d.other_row,
                "client_id": d.client_id,
                "other_name": d.other_name,
                "case_numbers": list(d.case_numbers),
            }
            for d in report.duplicates
        ],
        "refused": [{"row": r.row, "column": r.column, "rule": r.rule} for r in report.refused],
    }


def import_clients(args: argparse.Namespace) -> int:
    from casetui.services.imports import import_clients as run_import

    db, actor = signin.acting(args)
    report = run_import(
        db, actor, Path(args.file), mapping=args.map or (), encoding=args.encoding,
        allow_duplicates=args.allow_duplicates, commit=args.commit, progress=err,
    )  # fmt: skip
    return _show(report, args)


def import_notes(args: argparse.Namespace) -> int:
    from casetui.services.imports import import_notes as run_import

    db, actor = signin.acting(args)
    report = run_import(
        db, actor, Path(args.file), encoding=args.encoding, commit=args.commit, progress=err
    )
    return _show(report, args)


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def _what(report: Any) -> str:
    if report.kind == "notes":
        return plural(report.notes, "note")
    return f"{plural(report.clients, 'client')} and {plural(report.cases, 'case')}"


def _show(report: Any, args: argparse.Namespace) -> int:
    err(f"read {report.file_name} as {report.read_as}: {plural(report.rows, 'row')}")
    if report.names:
        label = "first summaries" if report.kind == "notes" else "first names"
        err(f"{label}: {'; '.join(report.names)}")
    if report.ignored_columns:
        err(f"ignored columns: {', '.join(report.ignored_columns)}")
    refused = report.refused_rows
    if args.json:
        json_object(report_json(report))
    else:
        _tables(report)
        if report.committed:
            say(f"imported {_what(report)} from {report.file_name} (sha256 {report.sha256})")
        elif not args.commit:
            without = f" without the {plural(refused, 'refused row')}" if refused else ""
            say(f"dry run: --commit would write {_what(report)}{without}; nothing was written")
    if args.commit and not report.committed:
        first = report.refused[0]
        err(
            f"refused: import not written: {plural(refused, 'row')} refused; row {first.row}, "
            f"{first.column}: {first.rule}"
        )
        return EXIT_REFUSED
    return EXIT_OK


def _tables(report: Any) -> None:
    if report.duplicates:
        say(f"possible duplicates ({len(report.duplicates):,}):")
        table(
            ("ROW", "NAME", "MAY BE", "WHY"),
            [(d.row, d.name, _other(d), "; ".join(d.reasons)) for d in report.duplicates],
        )
    if report.refused:
        say(f"refused ({plural(report.refused_rows, 'row')}):")
        shown = report.refused[:REFUSALS_SHOWN]
        table(("ROW", "COLUMN", "RULE"), [(r.row, r.column, r.rule) for r in shown])
        if len(report.refused) > len(shown):
            say(f"... and {len(report.refused) - len(shown):,} more (--json lists every one)")


def _other(duplicate: Any) -> str:
    if duplicate.client_id is not None:
        cases = f", {', '.join(duplicate.case_numbers)}" if duplicate.case_numbers else ""
        return f"client {duplicate.client_id} {duplicate.other_name}{cases}"
    return f"row {duplicate.other_row} {duplicate.other_name}"
