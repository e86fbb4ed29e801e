"""``casetui attachments add``, ``list`` and ``get``: files on a case or a note."""

from __future__ import annotations

import argparse
from typing import Any

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK
from casetui.cli.output import json_object, json_rows, out, say, table


def attachment_json(attachment: Any) -> dict[str, Any]:
    return {
        "id": attachment.id,
        "case_number": attachment.case_number,
        "note_id": attachment.note_id,
        "name": attachment.name,
        "size": attachment.size,
        "media_type": attachment.media_type,
        "sha256": attachment.sha256,
        "restricted": attachment.restricted,
    }


def _size(size: int) -> str:
    from casetui.services.attachment_files import megabytes

    return megabytes(size) if size >= 100_000 else f"{size:,} B"


def attachments_add(args: argparse.Namespace) -> int:
    from casetui.services.attachments import add_attachment

    db, actor = signin.acting(args)
    added = add_attachment(
        db, actor, args.case, args.file, note_id=args.note, restricted=args.restricted
    )
    if args.json:
        json_object(attachment_json(added))
    else:
        where = (
            f"note {added.note_id} on {added.case_number}" if added.note_id else added.case_number
        )
        restricted = ", restricted" if added.restricted else ""
        say(
            f"attachment {added.id} added to {where}: {added.name} ({_size(added.size)}, "
            f"{added.media_type}{restricted}) sha256 {added.sha256}"
        )
    return EXIT_OK


def attachments_list(args: argparse.Namespace) -> int:
    from casetui.services.attachments import list_attachments
    from casetui.services.settings import get_settings

    db, actor = signin.acting(args)
    # With --json the list is an export, recorded in the audit trail before it is printed.
    found = list_attachments(db, actor, args.case, export=args.json)
    if args.json:
        json_rows(attachment_json(a) for a in found)
        return EXIT_OK
    if not found:
        out(f"no attachments on {args.case}")
        return EXIT_OK
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(get_settings(db, actor).time_zone)
    table(
        ("ID", "ADDED", "BY", "NAME", "SIZE", "TYPE", "NOTE", "R"),
        [(a.id, a.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), a.uploaded_by, a.name,
          _size(a.size), a.media_type, a.note_id or "", "R" if a.restricted else "")
         for a in found],
    )  # fmt: skip
    return EXIT_OK


def attachments_get(args: argparse.Namespace) -> int:
    from casetui.services.attachments import save_attachment

    db, actor = signin.acting(args)
    # Never replaces a file: the refusal names it (exit 1). The download is audited.
    saved = save_attachment(db, actor, args.attachment_id, args.out)
    found = saved.attachment
    say(f"attachment {found.id} saved to {saved.path} ({_size(found.size)}, sha256 {found.sha256})")
    return EXIT_OK
