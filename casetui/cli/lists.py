"""``casetui lists``: the organisation's lists; administrators add, retire, restore, rename
and move their items. Nothing is ever deleted: records keep the words they were written with."""

from __future__ import annotations

import argparse
from typing import Any

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK
from casetui.cli.output import json_rows, say, table


def item_json(item: Any, *, with_kind: bool = False) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "value": item.value,
        "retired": item.retired,
        "position": item.position,
    }
    if with_kind:
        from casetui.services.lists import cli_name, kind_named

        shown = {"kind": cli_name(kind_named(item.kind)), **shown}
    return shown


def lists_show(args: argparse.Namespace) -> int:
    from casetui.services.lists import cli_name, kind_named, list_items_of

    db, actor = signin.acting(args)
    items = list_items_of(db, actor, args.kind, export=args.json)
    whole = args.kind is None
    if args.json:
        json_rows(item_json(i, with_kind=whole) for i in items)
        return EXIT_OK
    rows = [
        ((cli_name(kind_named(i.kind)),) if whole else ())
        + (i.value, "retired" if i.retired else "")
        for i in items
    ]
    table((("LIST",) if whole else ()) + ("VALUE", "STATE"), rows)
    return EXIT_OK


def lists_add(args: argparse.Namespace) -> int:
    from casetui.services.lists import add_item

    db, actor = signin.acting(args)
    item = add_item(db, actor, args.kind, args.value)
    say(f"{item.value} is in {args.kind}, at position {item.position}")
    return EXIT_OK


def lists_retire(args: argparse.Namespace) -> int:
    from casetui.services.lists import retire_item

    db, actor = signin.acting(args)
    item = retire_item(db, actor, args.kind, args.value)
    say(f"{item.value} retired from {args.kind}: no longer offered; records that have it keep it")
    return EXIT_OK


def lists_restore(args: argparse.Namespace) -> int:
    from casetui.services.lists import restore_item

    db, actor = signin.acting(args)
    item = restore_item(db, actor, args.kind, args.value)
    say(f"{item.value} is offered in {args.kind} again")
    return EXIT_OK


def lists_rename(args: argparse.Namespace) -> int:
    from casetui.services.lists import rename_item

    db, actor = signin.acting(args)
    item = rename_item(db, actor, args.kind, args.value, args.new_value)
    say(f"{args.value} is now {item.value} in {args.kind}; records written before keep "
        f"{args.value}")  # fmt: skip
    return EXIT_OK


def lists_move(args: argparse.Namespace) -> int:
    from casetui.services.lists import move_item

    db, actor = signin.acting(args)
    steps = -1 if args.direction == "up" else 1
    items = move_item(db, actor, args.kind, args.value, steps)
    table(("POSITION", "VALUE", "STATE"),
          [(i.position, i.value, "retired" if i.retired else "") for i in items])  # fmt: skip
    return EXIT_OK
