"""``casetui teams``: list, add and edit teams and choose their supervisors (administrators)."""

from __future__ import annotations

import argparse
from typing import Any

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK, EXIT_USAGE
from casetui.cli.output import err, json_object, json_rows, say, table


def team_json(team: Any) -> dict[str, Any]:
    return {"name": team.name, "supervisors": list(team.supervisors), "members": team.members}


def _print(team: Any, as_json: bool, what: str) -> None:
    if as_json:
        json_object(team_json(team))
        return
    supervisors = ", ".join(team.supervisors) or "none yet"
    say(f"team {team.name} {what}: supervisors {supervisors}; {team.members} member(s)")


def teams_list(args: argparse.Namespace) -> int:
    from casetui.services.teams import list_teams

    db, actor = signin.acting(args)
    teams = list_teams(db, actor, export=args.json)
    if args.json:
        json_rows(team_json(t) for t in teams)
    else:
        table(
            ("TEAM", "SUPERVISORS", "MEMBERS"),
            [(t.name, ", ".join(t.supervisors), t.members) for t in teams],
        )
    return EXIT_OK


def teams_add(args: argparse.Namespace) -> int:
    from casetui.services.teams import add_team

    db, actor = signin.acting(args)
    _print(add_team(db, actor, args.name, tuple(args.supervisor or ())), args.json, "added")
    return EXIT_OK


def teams_edit(args: argparse.Namespace) -> int:
    from casetui.services.teams import edit_team

    if args.rename is None and not args.supervisor and not args.remove_supervisor:
        err("usage: teams edit needs --rename, --supervisor or --remove-supervisor")
        return EXIT_USAGE
    db, actor = signin.acting(args)
    team = edit_team(
        db,
        actor,
        args.name,
        new_name=args.rename,
        add_supervisors=tuple(args.supervisor or ()),
        remove_supervisors=tuple(args.remove_supervisor or ()),
    )
    _print(team, args.json, "saved")
    return EXIT_OK
