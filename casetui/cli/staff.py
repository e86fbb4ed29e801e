"""``casetui staff``: list and show accounts; administrators add, edit, deactivate and
reactivate them and hand out temporary passwords; everyone changes their own password."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK, EXIT_USAGE
from casetui.cli.output import err, json_object, json_rows, say, table
from casetui.config import ENV_PASSWORD

ENV_NEW_PASSWORD = "CASETUI_NEW_PASSWORD"
EDITS = ("name", "role", "team", "capacity", "grant", "revoke")


def staff_json(person: Any) -> dict[str, Any]:
    """One account as ``staff show`` and ``add``/``edit --json`` print it (a ``StaffView``)."""
    return {
        "username": person.username,
        "display_name": person.display_name,
        "role": person.role.value,
        "team": person.team,
        "capacity_hours": person.capacity_hours,
        "grants": sorted(g.value for g in person.grants),
        "active": person.active,
        "must_change_password": person.must_change_password,
    }


def staff_list(args: argparse.Namespace) -> int:
    from casetui.services.staff import list_staff

    db, actor = signin.acting(args)
    # With --json the list is an export, recorded in the audit trail before it is printed.
    people = list_staff(db, actor, include_inactive=args.all, export=args.json)
    if args.json:
        json_rows(
            {
                "username": p.username,
                "display_name": p.display_name,
                "role": p.role.value,
                "team": p.team,
                **({"active": p.active} if args.all else {}),
            }
            for p in people
        )
    else:
        table(
            ("USERNAME", "NAME", "ROLE", "TEAM", *(("ACTIVE",) if args.all else ())),
            [(p.username, p.display_name, p.role.value, p.team,
              *(("yes" if p.active else "no",) if args.all else ())) for p in people],
        )  # fmt: skip
    return EXIT_OK


def staff_show(args: argparse.Namespace) -> int:
    from casetui.services.staff import staff_member

    db, actor = signin.acting(args)
    _print(staff_member(db, actor, args.username), args.json)
    return EXIT_OK


def _print(person: Any, as_json: bool, what: str = "") -> None:
    if as_json:
        json_object(staff_json(person))
        return
    if what:
        say(f"{person.username} {what}")
    shown = staff_json(person)
    shown["grants"] = ", ".join(shown["grants"])
    for key in ("active", "must_change_password"):
        shown[key] = "yes" if shown[key] else "no"
    for key, value in shown.items():
        say(f"{key.replace('_', ' '):<21} {'' if value is None else value}".rstrip())


def staff_add(args: argparse.Namespace) -> int:
    from casetui.services.staff import StaffInput, add_staff

    db, actor = signin.acting(args)
    temporary = new_password(f"Temporary password for {args.username}", "temporary password")
    person = add_staff(
        db,
        actor,
        StaffInput(
            username=args.username,
            display_name=args.name,
            role=args.role,
            team=args.team,
            capacity_hours=args.capacity,
            extra_grants=tuple(args.grant or ()),
        ),
        temporary,
    )
    _print(person, args.json, "added; the temporary password must be changed at first sign-in")
    return EXIT_OK


def staff_edit(args: argparse.Namespace) -> int:
    from casetui.services.staff import StaffChanges, edit_staff

    if all(getattr(args, name) is None for name in EDITS):
        err("usage: staff edit needs at least one change (--name, --role, --team, ...)")
        return EXIT_USAGE
    db, actor = signin.acting(args)
    person = edit_staff(
        db,
        actor,
        args.username,
        StaffChanges(
            display_name=args.name,
            role=args.role,
            team=args.team,
            capacity_hours=args.capacity,
            grant=tuple(args.grant or ()),
            revoke=tuple(args.revoke or ()),
        ),
    )
    _print(person, args.json, f"saved (version {person.version})")
    return EXIT_OK


def staff_deactivate(args: argparse.Namespace) -> int:
    from casetui.services.staff import deactivate_staff

    db, actor = signin.acting(args)
    person = deactivate_staff(db, actor, args.username)
    say(f"{person.username} deactivated: they can no longer sign in; their records stay")
    return EXIT_OK


def staff_reactivate(args: argparse.Namespace) -> int:
    from casetui.services.staff import reactivate_staff

    db, actor = signin.acting(args)
    person = reactivate_staff(db, actor, args.username)
    say(f"{person.username} reactivated: they can sign in again")
    return EXIT_OK


def staff_password(args: argparse.Namespace) -> int:
    """Your own password (the current one asked first), or, for administrators, a new
    temporary password for someone else."""
    from casetui.services.auth import change_own_password, os_username

    conn = signin.connection(args)
    db = signin.open_database(conn)
    me = (signin.username_for(args, conn) or os_username()).strip()
    target = (args.username or "").strip()
    if target and target != me:
        from casetui.services.staff import reset_password

        actor = signin.sign_in(db, me)
        temporary = new_password(f"Temporary password for {target}", "temporary password")
        reset_password(db, actor, target, temporary)
        say(f"temporary password set for {target}: they choose their own at their next sign-in")
        return EXIT_OK
    current = os.environ.get(ENV_PASSWORD)
    if current is None and sys.stdin.isatty():
        import getpass

        current = getpass.getpass(f"Current password for {me}: ") or None
    change_own_password(db, me, current, new_password(f"New password for {me}", "new password"))
    say(f"password changed for {me}")
    return EXIT_OK


def new_password(prompt: str, field: str) -> str:
    """From CASETUI_NEW_PASSWORD, else typed twice at a terminal; else refused naming it."""
    from casetui.domain.errors import ValidationError

    given = os.environ.get(ENV_NEW_PASSWORD)
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise ValidationError(
            field, f"set {ENV_NEW_PASSWORD} or run the command in a terminal to type it"
        )
    import getpass

    first = getpass.getpass(f"{prompt}: ")
    if getpass.getpass(f"{prompt}, again: ") != first:
        raise ValidationError(field, "the two differ; nothing was changed")
    return first
