"""The ``casetui`` command line: every command, option and help text, read by argparse.

Nothing here imports the database or the app, so ``casetui --help`` starts fast.
"""

from __future__ import annotations

import argparse
from typing import Any


def _common() -> argparse.ArgumentParser:
    """--db, --profile and --user, accepted before or after a command's name."""
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("connection")
    group.add_argument(
        "--db",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="database URL or SQLite file (default: CASETUI_DATABASE_URL, then the local file)",
    )
    group.add_argument(
        "--profile",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="a named profile from profiles.toml",
    )
    group.add_argument(
        "--user",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="staff username (default: the OS user); password from CASETUI_PASSWORD",
    )
    return common  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="casetui",
        parents=[common],
        description="Case management for frontline staff, in the terminal. "
        "With no command, opens the app on the caseload.",
        epilog="Exit status: 0 done, 1 refused by a rule (named on stderr), 2 usage error.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str, into=commands) -> argparse.ArgumentParser:  # type: ignore[no-untyped-def]
        return into.add_parser(name, parents=[common], help=help_text, description=help_text)

    init = command("init", "create or upgrade the database schema")
    init.add_argument(
        "--admin",
        metavar="NAME",
        help="create this administrator if missing (password from CASETUI_PASSWORD or a prompt)",
    )

    demo = command("demo", "fill an empty database with realistic demo data")
    demo.add_argument("--cases", type=_positive, default=2000, metavar="N")
    demo.add_argument("--staff", type=_positive, default=24, metavar="N")
    demo.add_argument("--seed", type=int, default=1, metavar="S")

    _administration(command)

    cases = command("cases", "cases")
    case_commands = cases.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
    cases_list = command(
        "list", "list the cases you can see (Open and Paused unless --status)", case_commands
    )
    cases_list.add_argument("--mine", action="store_true", help="only cases assigned to you")
    cases_list.add_argument(
        "--status",
        action="append",
        choices=["Open", "Paused", "Closed"],
        metavar="S",
        help="Open, Paused or Closed; may be given several times",
    )
    cases_list.add_argument(
        "--query", metavar="Q", default="", help="client name, case number prefix or tag"
    )
    cases_list.add_argument(
        "--limit",
        type=_limit,
        default=50,
        metavar="N",
        help="list at most N cases (default: %(default)s; 0 lists them all); a cut list says so on stderr",
    )
    cases_list.add_argument("--json", action="store_true")
    cases_open = command("open", "open a case for a client", case_commands)
    cases_open.add_argument("--client", required=True, type=_record_id, metavar="CLIENT_ID")
    cases_open.add_argument(
        "--worker",
        metavar="U",
        help="primary worker's username (default: you; supervisors choose their team, "
        "administrators anyone)",
    )
    cases_open.add_argument("--concern", default="Low", metavar="C", help="Low, Medium or High")
    cases_open.add_argument("--status", default="Open", metavar="S", help="Open, Paused or Closed")
    cases_open.add_argument("--pathway", metavar="P", help="one of the organisation's pathways")
    cases_open.add_argument(
        "--tag", action="append", metavar="T", help="may be given several times"
    )
    cases_open.add_argument(
        "--number",
        metavar="N",
        help="a case number of your own (case_numbers grant; default: the next in the series)",
    )
    cases_open.add_argument("--json", action="store_true")
    cases_show = command(
        "show", "show one case, by its number or a number it had before", case_commands
    )
    cases_show.add_argument("number", metavar="NUMBER")
    cases_show.add_argument("--json", action="store_true")
    cases_edit = command(
        "edit", "change a case: every change or none (one transaction)", case_commands
    )
    cases_edit.add_argument("number", metavar="NUMBER")
    cases_edit.add_argument("--status", metavar="S", help="Open, Paused or Closed")
    cases_edit.add_argument("--concern", metavar="C", help="Low, Medium or High")
    cases_edit.add_argument("--pathway", metavar="P", help="a pathway; '' takes it off")
    cases_edit.add_argument(
        "--worker", metavar="U", help="a new primary worker (supervisors, administrators)"
    )
    cases_edit.add_argument("--add-tag", action="append", metavar="T")
    cases_edit.add_argument("--remove-tag", action="append", metavar="T")
    cases_edit.add_argument(
        "--add-navigator",
        action="append",
        metavar="U",
        help="a further navigator (supervisors, administrators)",
    )
    cases_edit.add_argument("--remove-navigator", action="append", metavar="U")
    cases_edit.add_argument(
        "--number",
        dest="new_number",
        metavar="NEW",
        help="a new case number (case_numbers grant); the old one still finds the case",
    )
    cases_edit.add_argument("--json", action="store_true")
    cases_transfer = command(
        "transfer",
        "move all of a person's open and paused cases to others, balanced by allocated hours "
        "(a preview unless --commit)",
        case_commands,
    )
    cases_transfer.add_argument(
        "--from", dest="source", required=True, metavar="U", help="whose cases (a leaver, say)"
    )
    cases_transfer.add_argument(
        "--to",
        dest="targets",
        action="append",
        required=True,
        metavar="U",
        help="who takes them; may be given several times",
    )
    cases_transfer.add_argument(
        "--commit", action="store_true", help="make the moves, in one transaction"
    )
    cases_transfer.add_argument("--json", action="store_true")

    clients = command("clients", "client records")
    client_commands = clients.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
    clients_add = command(
        "add",
        "register a client; possible duplicates already registered are listed",
        client_commands,
    )
    clients_add.add_argument("--name", required=True, metavar="TEXT")
    _client_fields(clients_add)
    clients_add.add_argument("--type", metavar="T", help="one of the organisation's client types")
    clients_add.add_argument(
        "--warning",
        action="append",
        metavar="W",
        help="a warning indicator; may be given several times",
    )
    clients_add.add_argument(
        "--group", action="append", metavar="G", help="a group; may be given several times"
    )
    clients_add.add_argument("--json", action="store_true")
    clients_show = command("show", "a client's record and cases", client_commands)
    clients_show.add_argument("client_id", type=_record_id, metavar="CLIENT_ID")
    clients_show.add_argument("--json", action="store_true")
    clients_edit = command(
        "edit", "change a client's record; '' clears an optional field", client_commands
    )
    clients_edit.add_argument("client_id", type=_record_id, metavar="CLIENT_ID")
    clients_edit.add_argument("--name", metavar="T")
    _client_fields(clients_edit)
    clients_edit.add_argument("--type", metavar="T", help="one of the organisation's client types")
    clients_edit.add_argument(
        "--status", metavar="S", help="record status: Active, Inactive or Closed"
    )
    clients_edit.add_argument("--add-warning", action="append", metavar="W")
    clients_edit.add_argument("--remove-warning", action="append", metavar="W")
    clients_edit.add_argument("--add-group", action="append", metavar="G")
    clients_edit.add_argument("--remove-group", action="append", metavar="G")
    clients_edit.add_argument("--json", action="store_true")
    clients_list = command("list", "list the clients you can see, by name", client_commands)
    clients_list.add_argument(
        "--query", metavar="Q", help="name, preferred name, email, phone, date of birth or id"
    )
    clients_list.add_argument(
        "--deleted", action="store_true", help="the deleted clients instead (administrators)"
    )
    clients_list.add_argument("--json", action="store_true")
    clients_delete = command(
        "delete",
        "delete a client and their cases (delete_clients grant); kept, and an administrator can restore them",
        client_commands,
    )
    clients_delete.add_argument("client_id", type=_record_id, metavar="CLIENT_ID")
    clients_restore = command(
        "restore", "restore a deleted client and their cases (administrators)", client_commands
    )
    clients_restore.add_argument("client_id", type=_record_id, metavar="CLIENT_ID")

    groups = command("groups", "groups clients belong to")
    group_commands = groups.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
    groups_add = command(
        "add",
        "the clients of these cases join a group (bulk_actions grant): all of them or none",
        group_commands,
    )
    groups_add.add_argument("group", metavar="GROUP")
    groups_add.add_argument(
        "--case", action="append", required=True, metavar="NUMBER", dest="cases"
    )

    notes = command("notes", "case notes")
    note_commands = notes.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
    notes_list = command("list", "list a case's notes, newest first", note_commands)
    notes_list.add_argument("--case", required=True, metavar="NUMBER")
    notes_list.add_argument("--json", action="store_true")
    notes_add = command(
        "add", "add a note; several --case make one all-or-nothing bulk note", note_commands
    )
    notes_add.add_argument("--case", action="append", required=True, metavar="NUMBER", dest="cases")
    notes_add.add_argument("--activity", required=True, metavar="TYPE")
    notes_add.add_argument("--summary", required=True, metavar="TEXT")
    notes_add.add_argument(
        "--date", default="today", metavar="D", help="2026-11-03, today, yesterday, -3d, monday"
    )
    notes_add.add_argument(
        "--time",
        default=None,
        metavar="T",
        help="14:30 (default: now, or 12:00 for an earlier day)",
    )
    notes_add.add_argument("--details", default="", metavar="TEXT")
    notes_add.add_argument(
        "--contact-type",
        default="Client",
        metavar="T",
        help="Client, '3rd Party', 'Internal/Partner Support', 'Case Management/Supervision'",
    )
    notes_add.add_argument("--third-party", default=None, metavar="ORG")
    notes_add.add_argument("--restricted", action="store_true")
    notes_add.add_argument("--json", action="store_true")
    notes_edit = command(
        "edit",
        "edit a note (a locked note needs --reason and the override_lock grant)",
        note_commands,
    )
    notes_edit.add_argument("note_id", type=_note_id, metavar="NOTE_ID")
    notes_edit.add_argument("--summary", metavar="TEXT")
    notes_edit.add_argument("--details", metavar="TEXT")
    notes_edit.add_argument("--reason", metavar="TEXT")
    notes_edit.add_argument("--json", action="store_true")
    notes_addendum = command(
        "addendum",
        "add to a note, locked or not: the way to add to a locked note",
        note_commands,
    )
    notes_addendum.add_argument("note_id", type=_note_id, metavar="NOTE_ID")
    notes_addendum.add_argument("--text", required=True, metavar="TEXT", help="what is added")
    notes_addendum.add_argument("--reason", required=True, metavar="TEXT", help="why it is added")
    notes_addendum.add_argument("--json", action="store_true")

    _comms_commands(command, command("comms", "communications with the client, and reminders"))

    from casetui.cli.supportive_services import add_commands as add_service_commands

    add_service_commands(command)

    from casetui.cli.note_audits import add_commands as add_audit_commands

    add_audit_commands(command)

    from casetui.cli.outcomes import add_commands as add_outcome_commands

    add_outcome_commands(command)

    search = command(
        "search",
        "find clients (name, birth date, email, phone), cases (current or former number) and notes",
    )
    search.add_argument(
        "text", nargs="+", type=_search_text, metavar="TEXT",
        help="what to look for: a name (misspelt too), 1990-03-04 or 04/03/1990, an email, "
        "a phone number, a case number, or words of a note",
    )  # fmt: skip
    search.add_argument("--json", action="store_true")
    _import_commands(command, command("import", "bring in an existing caseload from a spreadsheet"))
    _attachment_commands(command)
    _subject_access_commands(command)
    _signoff_commands(command)

    _reminders(command)
    _print_command(command)
    _report(command)

    workload = command("workload", "hours allocated against capacity, per person")
    workload.add_argument("--team", metavar="NAME")
    workload.add_argument("--json", action="store_true")

    audit = command("audit", "the audit trail")
    audit_commands = audit.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
    verify = command(
        "verify",
        "check the audit trail's hash chain and its anchor; exit 1 naming the first broken or missing event",
        audit_commands,
    )
    verify.description = (
        "Walk the audit trail's hash chain (an edited, inserted or deleted event breaks it) and "
        "compare its end with the count of events written, kept beside the trail in the same "
        "transaction, which the database refuses to lower (events deleted from the end leave "
        "the count ahead). Prints the number of events and the head: the newest event's hash. "
        "Limit: someone able to switch the database's triggers off can cut the trail and the "
        "count back together, so keep each run's head somewhere else and pass it to the next "
        "run with --expect-head or --since-head."
    )
    heads = verify.add_mutually_exclusive_group()
    heads.add_argument(
        "--expect-head",
        type=_head,
        metavar="HASH",
        help="a head printed by an earlier run: it must still be in the trail",
    )
    heads.add_argument(
        "--since-head",
        type=_head,
        metavar="HASH",
        help="as --expect-head, walking only the events written after it (quicker)",
    )
    verify.add_argument("--json", action="store_true", help="print one JSON object")

    profile = command("profile", "named database profiles (passwords go to the system keyring)")
    profile_commands = profile.add_subparsers(
        dest="subcommand", metavar="SUBCOMMAND", required=True
    )
    profile_add = command("add", "add or replace a profile", profile_commands)
    profile_add.add_argument("name", metavar="NAME")
    profile_add.add_argument(
        "--url", required=True, metavar="URL", help="database URL without the password"
    )
    profile_add.add_argument("--default-user", metavar="NAME")
    command("list", "list profiles", profile_commands)
    _notifications(command)
    _today(command)
    return parser


def _today(command: Any) -> None:
    today = command("today", "what falls to you today: tasks due, quiet cases, ...")
    today.description = (
        "Your tasks due today or overdue, your open cases with no contact for longer than the "
        "organisation's stale days, reminders that failed on your cases and notes waiting for "
        "your sign-off; the most overdue first."
    )
    today.add_argument("--json", action="store_true")


def _notifications(command: Any) -> None:
    """``notifications [--unread] [--json]`` and ``notifications read (ID... | --all)``."""
    inbox = command("notifications", "your inbox: cases assigned to you, tasks due, ...")
    inbox.usage = "casetui notifications [--unread] [--json] | notifications read (ID... | --all)"
    inbox.description = (
        "List your notifications, newest first: cases assigned to you, your tasks due today "
        "or overdue, reminders that failed on your cases. Reading them delivers any task "
        "fallen due since."
    )
    inbox.add_argument("--unread", action="store_true", help="only those not yet read")
    inbox.add_argument("--json", action="store_true")
    inbox_commands = inbox.add_subparsers(dest="subcommand", metavar="SUBCOMMAND")
    read = command("read", "mark notifications read: by id, or --all", inbox_commands)
    read.add_argument("ids", nargs="*", type=_record_id, metavar="ID")
    read.add_argument("--all", action="store_true", help="every notification in your inbox")


# The command line's names of the organisation's settings and lists (services/settings.py
# SETTING_KEYS and services/lists.py KINDS hold the same; a test keeps them equal). Repeated
# here so ``casetui --help`` need not import the services.
SETTING_KEYS = (
    "name", "lock_days", "time_zone", "weight_low", "weight_medium", "weight_high",
    "paused_factor", "case_number_prefix", "stale_days", "notify_closed_clients", "date_order",
    "currency", "attachment_limit_mb", "smtp_host", "smtp_port", "smtp_tls", "smtp_username",
    "smtp_sender", "confidentiality_notice",
)  # fmt: skip
LIST_KINDS = (
    "activity_types", "client_types", "warning_indicators", "pathways", "groups",
    "service_types", "grants", "outcome_stages", "audit_criteria",
)  # fmt: skip
ROLES = ("caseworker", "supervisor", "administrator", "auditor")
GRANTS = ("case_numbers", "delete_clients", "bulk_actions", "reports", "override_lock")


def _administration(command: Any) -> None:
    """staff, teams, settings and lists: administrators, but for one's own password."""
    staff = command("staff", "staff accounts")
    staff_commands = staff.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
    staff_list = command("list", "list staff", staff_commands)
    staff_list.add_argument(
        "--all", action="store_true", help="deactivated accounts too (administrators)"
    )
    staff_list.add_argument("--json", action="store_true")
    staff_show = command("show", "one account", staff_commands)
    staff_show.add_argument("username", metavar="USERNAME")
    staff_show.add_argument("--json", action="store_true")
    grants = f"one of {', '.join(GRANTS)}; may be given several times"
    staff_add = command(
        "add",
        "add an account (administrators); its temporary password, from CASETUI_NEW_PASSWORD "
        "or typed twice, must be changed at first sign-in",
        staff_commands,
    )
    staff_add.add_argument("username", metavar="USERNAME")
    staff_add.add_argument("--name", required=True, metavar="T", help="display name")
    staff_add.add_argument("--role", required=True, metavar="R", help=", ".join(ROLES))
    staff_add.add_argument("--team", metavar="T", help="an existing team (see teams list)")
    staff_add.add_argument(
        "--capacity", type=_hours, default=37.5, metavar="H", help="weekly hours (default 37.5)"
    )
    staff_add.add_argument(
        "--grant", action="append", metavar="G", help=f"besides the role's own: {grants}"
    )
    staff_add.add_argument("--json", action="store_true")
    staff_edit = command(
        "edit", "change an account (administrators): every change or none", staff_commands
    )
    staff_edit.add_argument("username", metavar="USERNAME")
    staff_edit.add_argument("--name", metavar="T", help="display name")
    staff_edit.add_argument(
        "--role", metavar="R", help=f"{', '.join(ROLES)}; grants stay as they are"
    )
    staff_edit.add_argument(
        "--team", metavar="T", help="an existing team, '' for none; their cases move with them"
    )
    staff_edit.add_argument("--capacity", type=_hours, metavar="H", help="weekly hours")
    staff_edit.add_argument("--grant", action="append", metavar="G", help=grants)
    staff_edit.add_argument("--revoke", action="append", metavar="G", help=grants)
    staff_edit.add_argument("--json", action="store_true")
    deactivate = command(
        "deactivate",
        "stop an account signing in (administrators); refused while they hold open cases",
        staff_commands,
    )
    deactivate.add_argument("username", metavar="USERNAME")
    reactivate = command("reactivate", "let a deactivated account sign in again", staff_commands)
    reactivate.add_argument("username", metavar="USERNAME")
    password = command(
        "password",
        "change your own password (current from CASETUI_PASSWORD, new from "
        "CASETUI_NEW_PASSWORD, else asked), or (administrators) give USERNAME a new "
        "temporary password",
        staff_commands,
    )
    password.add_argument("username", nargs="?", metavar="USERNAME")

    teams = command("teams", "teams and their supervisors (administrators)")
    team_commands = teams.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
    teams_list = command("list", "list teams with their supervisors", team_commands)
    teams_list.add_argument("--json", action="store_true")
    teams_add = command("add", "add a team", team_commands)
    teams_add.add_argument("name", metavar="NAME")
    teams_add.add_argument(
        "--supervisor",
        action="append",
        metavar="U",
        help="a supervisor (role supervisor), who joins the team; may be given several times",
    )
    teams_add.add_argument("--json", action="store_true")
    teams_edit = command(
        "edit", "rename a team or choose its supervisors: every change or none", team_commands
    )
    teams_edit.add_argument("name", metavar="NAME")
    teams_edit.add_argument("--rename", metavar="NEW", help="a new name")
    teams_edit.add_argument(
        "--supervisor", action="append", metavar="U", help="a supervisor who joins the team"
    )
    teams_edit.add_argument(
        "--remove-supervisor",
        action="append",
        metavar="U",
        help="a supervisor who leaves the team (and is then in none)",
    )
    teams_edit.add_argument("--json", action="store_true")

    settings = command("settings", "the organisation's settings (administrators)")
    setting_commands = settings.add_subparsers(
        dest="subcommand", metavar="SUBCOMMAND", required=True
    )
    settings_show = command("show", "every setting", setting_commands)
    settings_show.add_argument("--json", action="store_true", help="one JSON object")
    settings_set = command(
        "set",
        "change one setting; says what it changes for what is already written",
        setting_commands,
    )
    settings_set.add_argument(
        "key", choices=SETTING_KEYS, metavar="KEY", help=", ".join(SETTING_KEYS)
    )
    settings_set.add_argument(
        "value", metavar="VALUE", help="yes/no for notify_closed_clients; '' clears smtp_* fields"
    )

    lists = command("lists", "the organisation's lists (administrators)")
    list_commands = lists.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
    kinds = ", ".join(LIST_KINDS)
    lists_show = command("show", "one list (or every list), retired items too", list_commands)
    lists_show.add_argument("kind", nargs="?", choices=LIST_KINDS, metavar="KIND", help=kinds)
    lists_show.add_argument("--json", action="store_true")
    for name, help_text in (
        ("add", "add an item at the end; a retired one comes back"),
        ("retire", "stop offering an item; records that have it keep it"),
        ("restore", "offer a retired item again"),
        ("rename", "rename an item; records written with the old word keep it"),
        ("move", "move an item up or down its list"),
    ):
        sub = command(name, help_text, list_commands)
        sub.add_argument("kind", choices=LIST_KINDS, metavar="KIND", help=kinds)
        sub.add_argument("value", metavar="VALUE")
        if name == "rename":
            sub.add_argument("new_value", metavar="NEW")
        if name == "move":
            sub.add_argument("direction", choices=("up", "down"))


def _reminders(command: Any) -> None:
    """``reminders send`` (cron, or --watch), ``password`` and ``settle`` (administrators)."""
    reminders = command("reminders", "email reminders to clients (administrators)")
    into = reminders.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
    send = command(
        "send",
        "deliver every due reminder through the organisation's mail server, once (for cron) "
        "or every --every seconds with --watch",
        into,
    )
    send.description = (
        "Deliver every due reminder (its send date has come in the organisation's time zone, "
        "or its wait after a temporary failure is over) to the client's email through the "
        "mail server in settings (smtp_*), encrypted and with its certificate verified. "
        "Each reminder is claimed before the server is contacted, so two senders never send "
        "one twice; one left 'sending' by an interrupted sender is reported, never sent again "
        "on its own (see reminders settle). The password: CASETUI_SMTP_PASSWORD, else the "
        "system keyring (reminders password)."
    )
    send.add_argument(
        "--watch",
        action="store_true",
        help="keep running, a pass every --every seconds, until Ctrl+C or SIGTERM",
    )
    send.add_argument(
        "--every", type=_positive, default=60, metavar="SECONDS", help="with --watch (default 60)"
    )
    send.add_argument(
        "--ca-file",
        metavar="FILE",
        help="a certificate authority (PEM) trusted besides the system's, for a mail server "
        "with the organisation's own certificate (SSL_CERT_FILE works too)",
    )
    send.add_argument(
        "--timeout",
        type=_positive,
        default=30,
        metavar="SECONDS",
        help="how long to wait for each answer of the mail server (default 30)",
    )
    send.add_argument(
        "--json",
        action="store_true",
        help='an array of {"id", "case_number", "status", "detail"}; with --watch one array a '
        "line, a line a pass",
    )
    command(
        "password",
        "keep the mail server's password (smtp_username's) in the system keyring; read from "
        "CASETUI_SMTP_PASSWORD, else asked twice",
        into,
    )
    settle = command(
        "settle",
        "say how a reminder left 'sending' ended, after looking for its Message-ID in the mail "
        "server's log",
        into,
    )
    settle.add_argument("reminder_id", type=_record_id, metavar="ID")
    outcome = settle.add_mutually_exclusive_group(required=True)
    outcome.add_argument("--sent", action="store_true", help="it went: record it as sent")
    outcome.add_argument(
        "--send-again", action="store_true", help="it did not go: the next pass sends it"
    )
    settle.add_argument("--json", action="store_true")


def _print_command(command: Any) -> None:
    printing = command(
        "print",
        "a case file as a PDF (reports grant): the client header, then each note oldest first "
        "with its addenda and tasks, the confidentiality notice on every page",
    )
    printing.add_argument("--case", required=True, metavar="NUMBER")
    printing.add_argument(
        "--from", dest="since", metavar="D", help="the first contact date printed (default: all)"
    )
    printing.add_argument(
        "--to", dest="until", metavar="D", help="the last contact date printed (default: all)"
    )
    printing.add_argument(
        "--out", required=True, metavar="FILE.pdf", help="the file to write; a folder: into it"
    )
    printing.add_argument("--force", action="store_true", help="replace the file if it exists")
    printing.add_argument("--json", action="store_true", help="print one JSON object")


def _hours(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of hours") from None
    return value


def _import_commands(command, parent: argparse.ArgumentParser) -> None:  # type: ignore[no-untyped-def]
    """``import clients`` and ``import notes``: a dry run unless --commit."""
    into = parent.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
    clients = command(
        "clients",
        "one row a client, optionally with a case (administrators); a dry run unless --commit",
        into,
    )
    clients.description = (
        "Read a CSV or XLSX file, one row a client, optionally with a case, and show what "
        "--commit would write: the counts, possible duplicates (in the file and already "
        "registered) and every refused row by row, column and rule. Columns are matched by "
        "header: name, preferred_name, date_of_birth, email, phone, client_type, "
        "warning_indicators, groups, case_number, worker, status, concern, pathway, tags, "
        "opened_on. --commit writes all or nothing."
    )
    clients.add_argument("file", metavar="FILE", help="a .csv or .xlsx file")
    clients.add_argument(
        "--map",
        action="append",
        type=_mapping,
        metavar="FIELD=COLUMN",
        help="read FIELD from the column headed COLUMN; may be given several times",
    )
    _import_options(clients)
    clients.add_argument(
        "--allow-duplicates",
        action="store_true",
        help="write rows that may be clients already registered (or earlier rows) as well",
    )
    notes = command(
        "notes",
        "past notes for existing cases (administrators), imported locked; a dry run unless --commit",
        into,
    )
    notes.description = (
        "Read a CSV or XLSX file of past case notes (case_number, contact_date, contact_time, "
        "activity, contact_type, third_party, summary, details, author, restricted) and show "
        "what --commit would write. Imported notes may be dated before the backdating bound "
        "and are locked at once. --commit writes all or nothing."
    )
    notes.add_argument("file", metavar="FILE", help="a .csv or .xlsx file")
    _import_options(notes)


def _comms_commands(command, parent: argparse.ArgumentParser) -> None:  # type: ignore[no-untyped-def]
    """``comms add`` and ``comms list``: calls, letters, emails, texts, meetings, reminders."""
    into = parent.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
    add = command(
        "add",
        "record a communication on a case, or schedule a reminder: with --send-on, or --type "
        "reminder, it is emailed to the client on that date",
        into,
    )
    add.add_argument("--case", required=True, metavar="NUMBER")
    add.add_argument(
        "--type",
        required=True,
        metavar="T",
        help="phone, email, SMS, letter, 'in person' or reminder",
    )
    add.add_argument(
        "--direction",
        required=True,
        choices=("in", "out"),
        help="in: from the client; out: to the client (a reminder is always out)",
    )
    add.add_argument("--subject", required=True, metavar="T", help="one line")
    add.add_argument("--body", default="", metavar="T")
    add.add_argument(
        "--date",
        default="today",
        metavar="D",
        help="when it took place: 2026-11-03, today, yesterday, -3d, monday (default: today)",
    )
    add.add_argument(
        "--time",
        default=None,
        metavar="T",
        help="14:30 (default: now, or 12:00 for an earlier day)",
    )
    add.add_argument(
        "--send-on",
        metavar="D",
        help="a reminder's send date: today, tomorrow, +1w, friday, 2026-12-01; with --type "
        "email it makes the email a reminder",
    )
    add.add_argument(
        "--repeats",
        default="none",
        metavar="R",
        help="a reminder's repeat: none, daily, weekly, fortnightly, monthly or custom",
    )
    add.add_argument(
        "--rrule", metavar="RULE", help="a custom repeat as an RRULE: FREQ=WEEKLY;BYDAY=MO"
    )
    add.add_argument("--json", action="store_true", help="print the communication as one object")
    listing = command("list", "list a case's communications and reminders, newest first", into)
    listing.add_argument("--case", required=True, metavar="NUMBER")
    listing.add_argument("--json", action="store_true")


def _attachment_commands(command) -> None:  # type: ignore[no-untyped-def]
    """``attachments add``, ``list`` and ``get``: files on a case or a note."""
    group = command("attachments", "files on a case or a note, kept in the database")
    commands = group.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
    add = command(
        "add",
        "attach a file to a case, or to one of its notes (up to the organisation's size limit)",
        commands,
    )
    add.add_argument("--case", required=True, metavar="NUMBER")
    add.add_argument("--note", type=_note_id, metavar="ID", help="a note of that case")
    add.add_argument("file", metavar="FILE", help="the file; only its name is kept, not its folder")
    add.add_argument(
        "--restricted",
        action="store_true",
        help="restricted, as a restricted note is (a file on a restricted note is anyway)",
    )
    add.add_argument("--json", action="store_true", help="print the attachment as one object")
    listing = command("list", "a case's attachments, oldest first", commands)
    listing.add_argument("--case", required=True, metavar="NUMBER")
    listing.add_argument("--json", action="store_true")
    get = command(
        "get",
        "save an attachment to a file (an audited download); an existing file is never replaced",
        commands,
    )
    get.add_argument("attachment_id", type=_record_id, metavar="ID")
    get.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="where to save it; a folder: under its own name",
    )


def _subject_access_commands(command) -> None:  # type: ignore[no-untyped-def]
    """``sar start``, ``show``, ``decide`` and ``export``: a subject-access request."""
    group = command(
        "sar", "a subject-access request: everything held about a client, reviewed, exported"
    )
    commands = group.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
    start = command(
        "start",
        "gather everything held about a client; restricted notes and 3rd Party contacts are "
        "held for review (reports grant)",
        commands,
    )
    start.add_argument("--client", required=True, type=_record_id, metavar="CLIENT_ID")
    start.add_argument("--json", action="store_true", help="print the request as one object")
    show = command("show", "the request's items: held, released or withheld, and why", commands)
    show.add_argument("request_id", type=_record_id, metavar="ID")
    show.add_argument("--json", action="store_true", help="print the request as one object")
    decide = command(
        "decide",
        "release or withhold one item (supervisors and administrators)",
        commands,
    )
    decide.add_argument("request_id", type=_record_id, metavar="ID")
    decide.add_argument("item", metavar="ITEM", help="an item as show names it: note:123")
    decide.add_argument("decision", choices=("release", "withhold"))
    decide.add_argument(
        "--reason",
        metavar="TEXT",
        help="why; required to withhold (it goes to the client with the withheld list)",
    )
    export = command(
        "export",
        "write a new folder: a PDF and a JSON of everything released, the withheld list and "
        "SHA256SUMS; refused while anything is undecided",
        commands,
    )
    export.add_argument("request_id", type=_record_id, metavar="ID")
    export.add_argument(
        "--out", required=True, metavar="DIR", help="a folder that does not exist yet, or is empty"
    )


REPORT_KINDS = ("notes", "communications", "services")


def _report(command: Any) -> None:
    """``report notes|communications|services``: a standard report to a CSV or XLSX file."""
    report = command(
        "report", "a standard report (case notes, communications, supportive services) to a file"
    )
    report.description = (
        "Write every case note, communication or supportive service you may see that matches "
        "the filters to a CSV (RFC 4180, UTF-8 with BOM) or XLSX file, case by case, each case's "
        "oldest first; needs the "
        "reports grant. Dates are the organisation's days; text a spreadsheet would run as a "
        "formula is kept as text. The report is recorded in the audit trail with its filters, "
        "row count and the file's sha256. An existing file is never replaced."
    )
    report.add_argument("kind", choices=REPORT_KINDS, metavar="notes|communications|services")
    report.add_argument(
        "--from", dest="date_from", metavar="D", help="on or after this day: 2026-01-01, -30d"
    )
    report.add_argument("--to", dest="date_to", metavar="D", help="on or before this day")
    report.add_argument("--team", metavar="T", help="cases of this team")
    report.add_argument("--worker", metavar="U", help="cases with this primary worker")
    report.add_argument("--pathway", metavar="P", help="cases on this pathway")
    report.add_argument(
        "--status", metavar="S", help="cases with this status: Open, Paused, Closed"
    )
    report.add_argument(
        "--include-restricted",
        action="store_true",
        help="restricted notes' details too (each one written is recorded as read)",
    )
    report.add_argument(
        "--include-deleted",
        action="store_true",
        help="deleted clients and their cases too (administrators)",
    )
    report.add_argument(
        "--format",
        choices=("csv", "xlsx"),
        help="csv or xlsx (default: from the file's name, else csv)",
    )
    report.add_argument("--out", required=True, metavar="FILE", help="the file to write")


def _import_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--encoding",
        metavar="E",
        help="a CSV's encoding (default: UTF-8, else Windows-1252), such as latin-1 or cp1250",
    )
    parser.add_argument(
        "--commit", action="store_true", help="write everything, or nothing if a row is refused"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _mapping(text: str) -> str:
    field, sep, column = text.partition("=")
    if not sep or not field.strip() or not column.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not FIELD=COLUMN")
    return text


def _client_fields(parser: argparse.ArgumentParser) -> None:
    """The client's optional details, the same for ``clients add`` and ``clients edit``."""
    parser.add_argument("--preferred-name", metavar="T")
    parser.add_argument("--dob", metavar="D", help="date of birth: 1990-04-03")
    parser.add_argument("--email", metavar="E")
    parser.add_argument("--phone", metavar="P")


def _signoff_commands(command) -> None:  # type: ignore[no-untyped-def]
    """``signoff request``, ``approve`` and ``return``: a supervisor's sign-off of a note."""
    group = command("signoff", "send a note for a supervisor's sign-off; approve or return it")
    commands = group.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
    request = command(
        "request",
        "send a note to the case's team's supervisors for sign-off (again, after a return)",
        commands,
    )
    request.add_argument("note_id", type=_note_id, metavar="NOTE_ID")
    request.add_argument("--json", action="store_true", help="print the sign-off as one object")
    approve = command(
        "approve",
        "sign a note off, which locks it (the case's team's supervisors and administrators; "
        "never the note's author)",
        commands,
    )
    approve.add_argument("note_id", type=_note_id, metavar="NOTE_ID")
    approve.add_argument("--comment", metavar="T", help="a word for the record")
    approve.add_argument("--json", action="store_true", help="print the sign-off as one object")
    give_back = command(
        "return",
        "return a note to its author with a comment saying what it needs; they are told",
        commands,
    )
    give_back.add_argument("note_id", type=_note_id, metavar="NOTE_ID")
    give_back.add_argument("--comment", required=True, metavar="T", help="what the note needs")
    give_back.add_argument("--json", action="store_true", help="print the sign-off as one object")


def _record_id(text: str) -> int:
    """A client's (or other record's) id: a whole number from 1."""
    value = _positive(text)
    if value > 2**63 - 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not an id")
    return value


def _note_id(text: str) -> int:
    value = _positive(text)
    if value > 2**63 - 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a note id")
    return value


def _search_text(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("give something to look for")
    return text


def _head(text: str) -> str:
    value = text.strip().lower()
    if len(value) != 64 or any(ch not in "0123456789abcdef" for ch in value):
        raise argparse.ArgumentTypeError("an audit head is the 64 hex digits verify prints")
    return value


def _limit(text: str) -> int:
    """How many to list: a whole number, 0 meaning all."""
    if text.strip() == "0":
        return 0
    return _positive(text)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
