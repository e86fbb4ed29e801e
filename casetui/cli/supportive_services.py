"""``casetui services add`` and ``services list``: the supportive services given on a case.

``add_commands`` wires the group into the parser; like the parser, it imports nothing of the
database, so ``casetui --help`` stays quick.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK
from casetui.cli.output import json_object, json_rows, say, table

if TYPE_CHECKING:
    from casetui.domain.read_models.supportive_services import ServiceTotals, ServiceView


def add_commands(command: Any) -> None:
    """``services add`` and ``services list``, under ``casetui services``."""
    group = command("services", "supportive services given on a case, and what they add up to")
    into = group.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
    add = command("add", "record a supportive service given on a case", into)
    add.add_argument("--case", required=True, metavar="NUMBER")
    add.add_argument(
        "--service", required=True, metavar="T", help="one of the organisation's service types"
    )
    add.add_argument(
        "--date", required=True, metavar="D", help="when it was given: 2026-11-03, today, -3d"
    )
    add.add_argument("--provider", required=True, metavar="T", help="who provided it")
    add.add_argument(
        "--amount",
        required=True,
        metavar="A",
        help="in the organisation's currency: 12.50, 1,234.56, £12.50",
    )
    add.add_argument("--grant", metavar="G", help="the grant that paid, one of the organisation's")
    add.add_argument("--justification", required=True, metavar="T", help="why it was given")
    add.add_argument("--json", action="store_true", help="print the service as one JSON object")
    listing = command(
        "list", "a case's supportive services, the latest given first, with their totals", into
    )
    listing.add_argument("--case", required=True, metavar="NUMBER")
    listing.add_argument("--json", action="store_true")


def service_json(service: ServiceView) -> dict[str, Any]:
    """The keys the command line promises: the amount as a decimal string such as "12.50"."""
    from casetui.domain.money import plain_amount

    return {
        "id": service.id,
        "case_number": service.case_number,
        "service": service.service_type,
        "date": service.provided_on.isoformat(),
        "provider": service.provider,
        "amount": plain_amount(service.amount),
        "grant": service.grant,
        "justification": service.justification,
    }


def services_add(args: argparse.Namespace) -> int:
    from casetui.domain.money import format_money
    from casetui.services.settings import get_settings
    from casetui.services.supportive_services import ServiceInput, add_service

    db, actor = signin.acting(args)
    service = ServiceInput(
        service_type=args.service,
        provided_on=args.date,
        provider=args.provider,
        amount=args.amount,
        justification=args.justification,
        grant=args.grant,
    )
    view = add_service(db, actor, args.case, service)
    if args.json:
        json_object(service_json(view))
    else:
        money = format_money(view.amount, get_settings(db, actor).currency)
        say(f"supportive service {view.id} added to {view.case_number}: {money}")
    return EXIT_OK


def services_list(args: argparse.Namespace) -> int:
    from casetui.services.settings import get_settings
    from casetui.services.supportive_services import list_services, service_totals

    db, actor = signin.acting(args)
    # With --json the list is an export, and recorded as one.
    services = list_services(db, actor, args.case, export=args.json)
    if args.json:
        json_rows(service_json(s) for s in services)
        return EXIT_OK
    currency = get_settings(db, actor).currency
    _print_table(services, currency)
    _print_totals(service_totals(db, actor, args.case), currency)
    return EXIT_OK


def _print_table(services: list[ServiceView], currency: str) -> None:
    from casetui.domain.money import format_money

    table(
        ("ID", "DATE", "SERVICE", "PROVIDER", "AMOUNT", "GRANT", "BY"),
        [(s.id, s.provided_on.isoformat(), s.service_type, s.provider,
          format_money(s.amount, currency), s.grant or "", s.author) for s in services],
    )  # fmt: skip


def _print_totals(totals: ServiceTotals, currency: str) -> None:
    from casetui.domain.money import format_money

    count = f"{totals.services} service{'' if totals.services == 1 else 's'}"
    say(f"total {format_money(totals.amount, currency)} ({count})")
    for grant in totals.by_grant:
        say(f"  {grant.grant or 'no grant'}: {format_money(grant.amount, currency)}")
