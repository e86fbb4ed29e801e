"""``casetui notes list``, ``add`` and ``edit``: a case's notes."""

from __future__ import annotations

import argparse
from typing import Any

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK, EXIT_USAGE
from casetui.cli.output import err, json_rows, out, say, table


def _note_json(note: Any, zone: Any) -> dict[str, Any]:
    local = note.contact_at.astimezone(zone)
    return {
        "id": note.id,
        "case_number": note.case_number,
        "author": note.author,
        "contact_date": local.date().isoformat(),
        "contact_time": local.strftime("%H:%M"),
        "created_at": note.created_at.isoformat(),
        "activity": note.activity_type,
        "contact_type": note.contact_type,
        "third_party_org": note.third_party_org,
        "summary": note.summary,
        "details": note.details,
        "locked": note.locked,
        "restricted": note.restricted,
        "batch_id": note.batch_id,
        "version": note.version,
    }


def notes_list(args: argparse.Namespace) -> int:
    from casetui.services import context
    from casetui.services.notes import list_notes

    db, actor = signin.acting(args)
    with db.uow() as uow:  # a write: viewing a restricted note is an audit event
        notes = list_notes(uow, actor, args.case)
        zone = context.zone(uow)
        if args.json:
            from casetui.services.exports import record_export

            case_id = notes[0].case_id if notes else None
            record_export(uow, actor, "notes", len(notes), {"case": args.case}, case_id=case_id)
    if args.json:
        json_rows(_note_json(n, zone) for n in notes)
    else:
        table(
            ("ID", "DATE", "AUTHOR", "ACTIVITY", "CONTACT", "SUMMARY", "LOCK", "R"),
            [(n.id, n.contact_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), n.author, n.activity_type,
              n.contact_type, n.summary, "locked" if n.locked else "", "R" if n.restricted else "") for n in notes],
        )  # fmt: skip
    return EXIT_OK


def notes_add(args: argparse.Namespace) -> int:
    from casetui.services import context
    from casetui.services.notes import NoteInput, add_note, bulk_add_notes

    db, actor = signin.acting(args)
    note = NoteInput(
        summary=args.summary,
        activity_type=args.activity,
        contact_date=args.date,
        contact_time=args.time,
        contact_type=args.contact_type,
        third_party_org=args.third_party,
        details=args.details,
        restricted=args.restricted,
    )
    numbers = list(dict.fromkeys(args.cases))
    with db.uow() as uow:
        zone = context.zone(uow)
        if len(numbers) == 1:
            view = add_note(uow, actor, numbers[0], note)
            if args.json:
                json_rows([_note_json(view, zone)])
            else:
                say(f"note {view.id} added to {view.case_number}")
            return EXIT_OK
        result = bulk_add_notes(uow, actor, numbers, note)
    if args.json:
        json_rows(
            {"id": i, "case_number": c, "batch_id": result.batch_id}
            for i, c in zip(result.note_ids, result.case_numbers, strict=True)
        )
    else:
        say(
            f"bulk note {result.batch_id}: {len(result.note_ids)} notes added ({', '.join(result.case_numbers)})"
        )
    return EXIT_OK


def notes_edit(args: argparse.Namespace) -> int:
    from casetui.services import context
    from casetui.services.notes import NoteChanges, edit_note

    if args.summary is None and args.details is None:
        err("usage: notes edit needs --summary or --details")
        return EXIT_USAGE
    from casetui.domain.errors import NoteLocked

    db, actor = signin.acting(args)
    with db.uow() as uow:
        try:
            view = edit_note(
                uow,
                actor,
                args.note_id,
                NoteChanges(summary=args.summary, details=args.details),
                reason=args.reason,
            )
        except NoteLocked as locked:
            raise NoteLocked(f"{locked.args[0]} (the reason goes in --reason)") from None
        zone = context.zone(uow)
    if args.json:
        json_rows([_note_json(view, zone)])
    else:
        out(f"note {view.id} saved (version {view.version})")
    return EXIT_OK
