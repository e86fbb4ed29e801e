"""``casetui notes list``, ``add`` and ``edit``: a case's notes."""

from __future__ import annotations

import argparse
from typing import Any
from zoneinfo import ZoneInfo

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
        "signoff": note.signoff.state if note.signoff else None,
        "addenda": [
            {"author": a.author, "created_at": a.created_at.isoformat(), "reason": a.reason,
             "text": a.text}
            for a in note.addenda
        ],
    }  # fmt: skip


def _zone(db: Any, actor: Any) -> ZoneInfo:
    """The organisation's time zone: every date printed is a date there."""
    from casetui.services.settings import get_settings

    return ZoneInfo(get_settings(db, actor).time_zone)


def _lock(note: Any) -> str:
    """``locked``, or where a note stands with its sign-off: ``awaiting sign-off``..."""
    from casetui.domain.signoff import state_words

    if note.signoff is not None:
        return state_words(note.signoff.state)
    return "locked" if note.locked else ""


def notes_list(args: argparse.Namespace) -> int:
    from casetui.services.notes import list_notes

    db, actor = signin.acting(args)
    # Restricted notes read are audited as viewed; with --json the list is an export too.
    notes = list_notes(db, actor, args.case, export=args.json)
    zone = _zone(db, actor)
    if args.json:
        json_rows(_note_json(n, zone) for n in notes)
    else:
        table(
            ("ID", "DATE", "AUTHOR", "ACTIVITY", "CONTACT", "SUMMARY", "LOCK", "R"),
            [(n.id, n.contact_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), n.author, n.activity_type,
              n.contact_type, n.summary, _lock(n), "R" if n.restricted else "") for n in notes],
        )  # fmt: skip
    return EXIT_OK


def notes_add(args: argparse.Namespace) -> int:
    from casetui.services.bulk_notes import bulk_add_notes
    from casetui.services.notes import NoteInput, add_note

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
    if len(numbers) == 1:
        view = add_note(db, actor, numbers[0], note)
        if args.json:
            json_rows([_note_json(view, _zone(db, actor))])
        else:
            say(f"note {view.id} added to {view.case_number}")
        return EXIT_OK
    result = bulk_add_notes(db, actor, numbers, note)
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
    from casetui.services.notes import NoteChanges, edit_note

    if args.summary is None and args.details is None:
        err("usage: notes edit needs --summary or --details")
        return EXIT_USAGE
    from casetui.domain.errors import NoteLocked

    db, actor = signin.acting(args)
    try:
        view = edit_note(
            db,
            actor,
            args.note_id,
            NoteChanges(summary=args.summary, details=args.details),
            reason=args.reason,
        )
    except NoteLocked as locked:
        raise NoteLocked(
            f"{locked.args[0]} (an override's reason goes in --reason; an addendum: casetui "
            f"notes addendum {args.note_id} --text TEXT --reason TEXT)"
        ) from None
    if args.json:
        json_rows([_note_json(view, _zone(db, actor))])
    else:
        out(f"note {view.id} saved (version {view.version})")
    return EXIT_OK


def notes_addendum(args: argparse.Namespace) -> int:
    from casetui.services.notes import add_addendum

    db, actor = signin.acting(args)
    view = add_addendum(db, actor, args.note_id, args.text, args.reason)
    if args.json:
        json_rows([_note_json(view, _zone(db, actor))])
    else:
        say(f"addendum added to note {view.id} on {view.case_number}")
    return EXIT_OK
