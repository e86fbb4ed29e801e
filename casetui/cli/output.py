"""What the command line prints: lines, tables and JSON, with stored or typed text shown literally.

Text from the database or the command line may hold terminal controls; they are printed as
visible escapes, so data can never move the cursor, recolour the terminal or forge a line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def say(text: str) -> None:
    # A line for people that may hold stored or typed text: shown literally, as err does.
    out(cell(text))


def err(text: str) -> None:
    # One line, whatever the message holds: control characters in data must not forge output.
    sys.stderr.write(cell(text.replace("\n", " ")) + "\n")


def json_rows(rows: Iterable[dict[str, Any]]) -> None:
    """One JSON array: what a listing prints with --json."""
    _json(list(rows))


def json_object(value: dict[str, Any]) -> None:
    """One JSON object: what a command that creates or shows one thing prints with --json."""
    _json(value)


def _json(value: object) -> None:
    text = json.dumps(value, ensure_ascii=False, indent=2, default=str, allow_nan=False)
    # JSON escapes C0 controls itself; DEL and the C1 controls (a terminal's CSI) go too.
    out("".join(f"\\u{ord(ch):04x}" if "\x7f" <= ch <= "\x9f" else ch for ch in text))


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[cell(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    out("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in cells:
        out("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def cell(value: object) -> str:
    text = "" if value is None else str(value)
    # Shown literally: control characters become visible escapes, never terminal commands.
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
