"""The ``casetui`` command. Imports stay lazy so ``casetui --help`` starts fast.

``parser`` reads the arguments; only then are the commands imported, one module per group
(``cases``, ``notes``, ...), each opening the database through ``signin`` and printing
through ``output``. ``exit_codes`` turns what went wrong into one line and an exit status.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from casetui.cli.parser import build_parser

__all__ = ["main"]


# Options whose value may begin with a dash: a relative date such as -3d, which argparse would
# otherwise take for an option of its own.
DASHED_VALUES = ("--date", "--send-on", "--from", "--to")


def dashed_values(argv: Sequence[str]) -> list[str]:
    """``--date -3d`` as ``--date=-3d``, so the README's own form is read as the value."""
    joined: list[str] = []
    for arg in argv:
        if joined and joined[-1] in DASHED_VALUES and arg[:1] == "-" and arg[1:2].isdigit():
            joined[-1] = f"{joined[-1]}={arg}"
        else:
            joined.append(arg)
    return joined


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(dashed_values(sys.argv[1:] if argv is None else argv))
    from casetui.cli import (
        app,
        attachments,
        audit,
        cases,
        clients,
        comms,
        demo,
        groups,
        imports,
        init,
        lists,
        note_audits,
        notes,
        notifications,
        outcomes,
        print_case,
        profiles,
        reminders,
        reports,
        sar,
        search,
        settings,
        signoff,
        staff,
        supportive_services,
        teams,
        today,
        transfer,
        workload,
    )
    from casetui.cli.exit_codes import run

    handlers: dict[tuple[str | None, str | None], Callable[[argparse.Namespace], int]] = {
        (None, None): app.run_app,
        ("init", None): init.init,
        ("demo", None): demo.demo,
        ("staff", "list"): staff.staff_list,
        ("staff", "show"): staff.staff_show,
        ("staff", "add"): staff.staff_add,
        ("staff", "edit"): staff.staff_edit,
        ("staff", "deactivate"): staff.staff_deactivate,
        ("staff", "reactivate"): staff.staff_reactivate,
        ("staff", "password"): staff.staff_password,
        ("teams", "list"): teams.teams_list,
        ("teams", "add"): teams.teams_add,
        ("teams", "edit"): teams.teams_edit,
        ("settings", "show"): settings.settings_show,
        ("settings", "set"): settings.settings_set,
        ("lists", "show"): lists.lists_show,
        ("lists", "add"): lists.lists_add,
        ("lists", "retire"): lists.lists_retire,
        ("lists", "restore"): lists.lists_restore,
        ("lists", "rename"): lists.lists_rename,
        ("lists", "move"): lists.lists_move,
        ("cases", "list"): cases.cases_list,
        ("cases", "open"): cases.cases_open,
        ("cases", "show"): cases.cases_show,
        ("cases", "edit"): cases.cases_edit,
        ("cases", "transfer"): transfer.cases_transfer,
        ("clients", "add"): clients.clients_add,
        ("clients", "show"): clients.clients_show,
        ("clients", "edit"): clients.clients_edit,
        ("clients", "list"): clients.clients_list,
        ("clients", "delete"): clients.clients_delete,
        ("clients", "restore"): clients.clients_restore,
        ("groups", "add"): groups.groups_add,
        ("notes", "list"): notes.notes_list,
        ("notes", "add"): notes.notes_add,
        ("notes", "edit"): notes.notes_edit,
        ("notes", "addendum"): notes.notes_addendum,
        ("comms", "add"): comms.comms_add,
        ("comms", "list"): comms.comms_list,
        ("services", "add"): supportive_services.services_add,
        ("services", "list"): supportive_services.services_list,
        ("outcomes", "set"): outcomes.outcomes_set,
        ("outcomes", "show"): outcomes.outcomes_show,
        ("import", "clients"): imports.import_clients,
        ("import", "notes"): imports.import_notes,
        ("reminders", "send"): reminders.reminders_send,
        ("reminders", "password"): reminders.reminders_password,
        ("reminders", "settle"): reminders.reminders_settle,
        ("attachments", "add"): attachments.attachments_add,
        ("attachments", "list"): attachments.attachments_list,
        ("attachments", "get"): attachments.attachments_get,
        ("sar", "start"): sar.sar_start,
        ("sar", "show"): sar.sar_show,
        ("sar", "decide"): sar.sar_decide,
        ("sar", "export"): sar.sar_export,
        ("signoff", "request"): signoff.signoff_request,
        ("signoff", "approve"): signoff.signoff_approve,
        ("signoff", "return"): signoff.signoff_return,
        ("report", None): reports.report,
        ("workload", None): workload.workload,
        ("search", None): search.search,
        ("print", None): print_case.print_case,
        ("audit", "verify"): audit.audit_verify,
        ("audits", "run"): note_audits.audits_run,
        ("audits", "list"): note_audits.audits_list,
        ("audits", "trend"): note_audits.audits_trend,
        ("profile", "add"): profiles.profile_add,
        ("profile", "list"): profiles.profile_list,
        ("notifications", None): notifications.notifications_list,
        ("notifications", "read"): notifications.notifications_read,
        ("today", None): today.today,
    }
    return run(handlers[(args.command, getattr(args, "subcommand", None))], args)
