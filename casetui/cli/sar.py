"""``casetui sar start``, ``show``, ``decide`` and ``export``: a subject-access request."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK
from casetui.cli.output import err, json_object, say, table

if TYPE_CHECKING:
    from casetui.domain.subject_access import SarRequestView


def request_json(view: SarRequestView) -> dict[str, Any]:
    return {
        "id": view.id,
        "client_id": view.client_id,
        "items": [
            {"item": i.item, "kind": i.kind, "state": i.state.value, "reason": i.reason}
            for i in view.items
        ],
    }


def _notices(view: SarRequestView) -> None:
    """What a reader of the request must know, on stderr (stdout may be JSON)."""
    if view.cases_out_of_sight:
        err(
            f"notice: {view.cases_out_of_sight} case(s) of this client are held by teams you "
            "cannot see and are not in the request; an administrator sees them all"
        )
    for change in view.changes:
        err(f"notice: since the request was last kept, {change}")


def _summary(view: SarRequestView) -> str:
    from casetui.domain.subject_access import ItemState

    return (
        f"subject-access request {view.id} for client {view.client_id} ({view.client_name}): "
        f"{len(view.items)} items, {view.count(ItemState.RELEASED)} released, "
        f"{view.count(ItemState.WITHHELD)} withheld, {len(view.undecided)} held for review"
    )


def sar_start(args: argparse.Namespace) -> int:
    from casetui.services.subject_access import start_request

    db, actor = signin.acting(args)
    view = start_request(db, actor, args.client)
    _notices(view)
    if args.json:
        json_object(request_json(view))
        return EXIT_OK
    say(_summary(view))
    for item in view.undecided:
        say(f"  held: {item.item} ({item.reason})")
    if view.undecided:
        say(f"next: casetui sar decide {view.id} ITEM release|withhold --reason TEXT")
    else:
        say(f"next: casetui sar export {view.id} --out FOLDER")
    return EXIT_OK


def sar_show(args: argparse.Namespace) -> int:
    from casetui.services.subject_access import show_request

    db, actor = signin.acting(args)
    # With --json the list is an export, recorded in the audit trail before it is printed.
    view = show_request(db, actor, args.request_id, export=args.json)
    _notices(view)
    if args.json:
        json_object(request_json(view))
        return EXIT_OK
    say(_summary(view))
    if view.exported_at is not None:
        say(
            f"last exported {view.exported_at:%Y-%m-%d %H:%M} UTC, SHA256SUMS {view.manifest_sha256}"
        )
    table(
        ("ITEM", "KIND", "STATE", "REASON"),
        [(i.item, i.kind, i.state.value, i.reason or "") for i in view.items],
    )
    return EXIT_OK


def sar_decide(args: argparse.Namespace) -> int:
    from casetui.services.subject_access import decide

    db, actor = signin.acting(args)
    item = decide(db, actor, args.request_id, args.item, args.decision, args.reason)
    because = f": {item.reason}" if item.reason else ""
    say(f"{item.item} {item.state.value}{because}")
    return EXIT_OK


def sar_export(args: argparse.Namespace) -> int:
    from casetui.services.subject_access import export_request

    db, actor = signin.acting(args)
    done = export_request(db, actor, args.request_id, args.out)
    say(
        f"subject-access request {done.request_id} exported to {done.folder}: "
        f"{done.released} items released, {done.withheld} withheld, {len(done.files)} files; "
        f"SHA256SUMS sha256 {done.manifest_sha256}"
    )
    return EXIT_OK
