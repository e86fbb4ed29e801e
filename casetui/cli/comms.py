"""``casetui comms add`` and ``comms list``: a case's communications and reminders."""

from __future__ import annotations

import argparse
from typing import Any
from zoneinfo import ZoneInfo

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK
from casetui.cli.output import json_object, json_rows, say, table

# An email to be sent on a day to come is a reminder: the one communication casetui sends.
SENT_KINDS = ("email", "reminder")


def _zone(db: Any, actor: Any) -> ZoneInfo:
    """The organisation's time zone: every date printed is a date there."""
    from casetui.services.settings import get_settings

    return ZoneInfo(get_settings(db, actor).time_zone)


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def communication_json(view: Any, zone: Any) -> dict[str, Any]:
    """A communication as ``comms list --json`` and ``comms add --json`` print it; the reminder
    keys are null on the other types."""
    local = view.occurred_at.astimezone(zone)
    reminder = view.is_reminder
    return {
        "id": view.id,
        "case_number": view.case_number,
        "type": view.kind,
        "direction": view.direction,
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "subject": view.subject,
        "body": view.body,
        "author": view.author,
        "created_at": view.created_at.isoformat(),
        "locked": view.locked,
        "version": view.version,
        "send_on": _iso(view.send_on),
        "repeats": (view.rrule or view.repeats) if reminder else None,
        "status": view.state,
        "attempts": view.attempts if reminder else None,
        "sent_at": _iso(view.sent_at),
        "message_id": view.message_id,
        "detail": view.server_answer,  # the mail server's last answer
    }


def comms_add(args: argparse.Namespace) -> int:
    from casetui.services.communications import CommunicationInput, add_communication

    kind = args.type
    if args.send_on is not None and kind.strip().lower() in SENT_KINDS:
        kind = "reminder"
    item = CommunicationInput(
        kind=kind,
        subject=args.subject,
        direction=args.direction,
        body=args.body,
        date=args.date,
        time=args.time,
        send_on=args.send_on,
        repeats=args.repeats,
        rrule=args.rrule,
    )
    db, actor = signin.acting(args)
    view = add_communication(db, actor, args.case, item)
    if args.json:
        json_object(communication_json(view, _zone(db, actor)))
    elif view.is_reminder:
        repeats = f", repeating {view.rrule or view.repeats}" if view.repeats != "none" else ""
        say(
            f"reminder {view.id} on {view.case_number}: {view.state}, sends on "
            f"{_iso(view.send_on)}{repeats}"
        )
    else:
        say(f"{view.kind} {view.id} added to {view.case_number}")
    return EXIT_OK


def comms_list(args: argparse.Namespace) -> int:
    from casetui.services.communications import list_communications

    db, actor = signin.acting(args)
    # With --json the list is taken out of casetui: an export, in the audit trail.
    found = list_communications(db, actor, args.case, export=args.json)
    zone = _zone(db, actor)
    if args.json:
        json_rows(communication_json(view, zone) for view in found)
        return EXIT_OK

    def status(view: Any) -> str:
        if not view.is_reminder:
            return ""
        when = _iso(view.sent_at.astimezone(zone).date()) if view.sent_at else _iso(view.send_on)
        return f"{view.state} {when}"

    table(
        ("ID", "DATE", "AUTHOR", "TYPE", "DIR", "SUBJECT", "REMINDER", "LOCK"),
        [(v.id, v.occurred_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), v.author, v.kind,
          v.direction, v.subject, status(v), "locked" if v.locked else "") for v in found],
    )  # fmt: skip
    return EXIT_OK
