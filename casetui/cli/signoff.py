"""``casetui signoff request``, ``approve`` and ``return``: a supervisor's sign-off of a note."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK
from casetui.cli.output import json_object, say

if TYPE_CHECKING:
    from casetui.domain.signoff import SignoffView


def signoff_json(view: SignoffView) -> dict[str, Any]:
    return {
        "note_id": view.note_id,
        "case_number": view.case_number,
        "state": view.state,
        "requested_by": view.requested_by,
        "requested_at": view.requested_at.isoformat(),
        "decided_by": view.decided_by,
        "decided_at": view.decided_at.isoformat() if view.decided_at else None,
        "comment": view.comment,
        "version": view.version,
    }


def _done(args: argparse.Namespace, view: SignoffView, said: str) -> int:
    if args.json:
        json_object(signoff_json(view))
    else:
        say(f"note {view.note_id} on {view.case_number} {said}")
    return EXIT_OK


def signoff_request(args: argparse.Namespace) -> int:
    from casetui.services.signoff import request_signoff

    db, actor = signin.acting(args)
    return _done(args, request_signoff(db, actor, args.note_id), "sent for sign-off")


def signoff_approve(args: argparse.Namespace) -> int:
    from casetui.services.signoff import approve

    db, actor = signin.acting(args)
    view = approve(db, actor, args.note_id, comment=args.comment)
    return _done(args, view, "signed off; it is locked now (an addendum adds to it)")


def signoff_return(args: argparse.Namespace) -> int:
    from casetui.services.signoff import return_note

    db, actor = signin.acting(args)
    view = return_note(db, actor, args.note_id, args.comment)
    return _done(args, view, f"returned to its author, who is told: {view.comment}")
