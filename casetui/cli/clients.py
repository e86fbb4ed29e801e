"""``casetui clients add``, ``show``, ``edit``, ``list``, ``delete`` and ``restore``."""

from __future__ import annotations

import argparse
from typing import Any

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK, EXIT_USAGE
from casetui.cli.output import err, json_object, json_rows, say, table

EDITS = (
    "name", "preferred_name", "dob", "email", "phone", "type", "status", "add_warning",
    "remove_warning", "add_group", "remove_group",
)  # fmt: skip


def client_json(client: Any) -> dict[str, Any]:
    """A client as ``--json`` prints one (a ``ClientView``)."""
    return {
        "id": client.id,
        "name": client.name,
        "preferred_name": client.preferred_name,
        "date_of_birth": client.date_of_birth.isoformat() if client.date_of_birth else None,
        "email": client.email,
        "phone": client.phone,
        "client_type": client.client_type,
        "status": client.status,
        "warning_indicators": list(client.warnings),
        "groups": list(client.groups),
        "created_at": client.created_at.isoformat(),
    }


def _duplicate_json(duplicate: Any) -> dict[str, Any]:
    """A possible duplicate: only what the organisation-wide check may show of anyone."""
    born = duplicate.date_of_birth
    return {
        "id": duplicate.id,
        "name": duplicate.name,
        "preferred_name": duplicate.preferred_name,
        "date_of_birth": born.isoformat() if born else None,
        "case_numbers": list(duplicate.case_numbers),
        "reasons": list(duplicate.reasons),
        "may_open": duplicate.may_open,
    }


def _name(client: Any) -> str:
    return f"{client.name} ({client.preferred_name})" if client.preferred_name else client.name


def clients_add(args: argparse.Namespace) -> int:
    from casetui.services import search
    from casetui.services.clients import ClientInput, client_record, register_client

    db, actor = signin.acting(args)
    typed = ClientInput(
        name=args.name,
        preferred_name=args.preferred_name,
        date_of_birth=args.dob,
        email=args.email,
        phone=args.phone,
        client_type=args.type,
        warnings=tuple(args.warning or ()),
        groups=tuple(args.group or ()),
    )
    client_id = register_client(db, actor, typed)
    duplicates = search.possible_duplicates(db, actor, typed, exclude_id=client_id)
    view = client_record(db, actor, client_id).client
    if args.json:
        json_object(
            {**client_json(view), "possible_duplicates": [_duplicate_json(d) for d in duplicates]}
        )
        return EXIT_OK
    say(f"client {view.id} registered: {_name(view)}")
    if duplicates:
        say(f"{len(duplicates)} possible duplicate(s) already registered:")
        table(
            ("ID", "NAME", "BORN", "CASES", "WHY"),
            [(d.id, _name(d), d.date_of_birth, ", ".join(d.case_numbers), "; ".join(d.reasons))
             for d in duplicates],
        )  # fmt: skip
    return EXIT_OK


def clients_show(args: argparse.Namespace) -> int:
    from casetui.services.clients import client_record

    db, actor = signin.acting(args)
    record = client_record(db, actor, args.client_id)
    client = record.client
    if args.json:
        json_object({**client_json(client), "cases": [c.case_number for c in record.cases]})
        return EXIT_OK
    lines = [
        ("client", f"{client.id}  {_name(client)}"),
        ("born", client.date_of_birth),
        ("email", client.email),
        ("phone", client.phone),
        ("type", client.client_type),
        ("status", client.status),
        ("warnings", ", ".join(client.warnings)),
        ("groups", ", ".join(client.groups)),
        ("created", client.created_at.date()),
    ]
    for case in record.cases:
        was = f" (was {', '.join(case.former_numbers)})" if case.former_numbers else ""
        lines.append(
            ("case", f"{case.case_number}{was}  {case.status}  {case.worker_username or ''}")
        )
    if record.cases_out_of_sight:
        lines.append(("", f"and {record.cases_out_of_sight} case(s) you cannot see"))
    for label, value in lines:
        say(f"{label:<9} {'' if value is None else value}".rstrip())
    return EXIT_OK


def clients_edit(args: argparse.Namespace) -> int:
    from casetui.services.clients import ClientChanges, edit_client

    if all(getattr(args, name) is None for name in EDITS):
        err("usage: clients edit needs at least one change (--name, --status, --add-group, ...)")
        return EXIT_USAGE
    db, actor = signin.acting(args)
    view = edit_client(
        db,
        actor,
        args.client_id,
        ClientChanges(
            name=args.name,
            preferred_name=args.preferred_name,
            date_of_birth=args.dob,
            email=args.email,
            phone=args.phone,
            client_type=args.type,
            status=args.status,
            add_warnings=tuple(args.add_warning or ()),
            remove_warnings=tuple(args.remove_warning or ()),
            add_groups=tuple(args.add_group or ()),
            remove_groups=tuple(args.remove_group or ()),
        ),
    )
    if args.json:
        json_object(client_json(view))
    else:
        say(f"client {view.id} saved: {_name(view)} (version {view.version})")
    return EXIT_OK


def clients_list(args: argparse.Namespace) -> int:
    from casetui.services.clients import list_clients

    db, actor = signin.acting(args)
    # With --json the list is an export, recorded in the audit trail before it is printed.
    found = list_clients(db, actor, args.query, deleted=args.deleted, export=args.json)
    if args.json:
        json_rows(client_json(c) for c in found)
    else:
        table(
            ("ID", "NAME", "PREFERRED", "BORN", "TYPE", "STATUS", "WARNINGS", "GROUPS"),
            [(c.id, c.name, c.preferred_name, c.date_of_birth, c.client_type, c.status,
              ",".join(c.warnings), ",".join(c.groups)) for c in found],
        )  # fmt: skip
    return EXIT_OK


def clients_delete(args: argparse.Namespace) -> int:
    from casetui.services.clients import delete_client

    db, actor = signin.acting(args)
    delete_client(db, actor, args.client_id)
    say(f"client {args.client_id} deleted with their cases; an administrator can restore them")
    return EXIT_OK


def clients_restore(args: argparse.Namespace) -> int:
    from casetui.services.clients import restore_client

    db, actor = signin.acting(args)
    restore_client(db, actor, args.client_id)
    say(f"client {args.client_id} restored with the cases deleted with them")
    return EXIT_OK
