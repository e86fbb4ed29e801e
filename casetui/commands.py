"""What each ``casetui`` command does: open the database, sign in, call a service, print.

Refusals print one line on stderr naming the rule and exit 1; nothing is half-written,
because every service call is one transaction.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, run
from casetui.cli.output import err, json_rows, out, say, table
from casetui.config import ENV_PASSWORD, Connection

if TYPE_CHECKING:
    # Not at run time: the app starts before SQLAlchemy is imported, so it paints sooner.
    from casetui.db.uow import Database


def dispatch(args: argparse.Namespace) -> int:
    handlers: dict[tuple[str | None, str | None], Callable[[argparse.Namespace], int]] = {
        (None, None): run_app,
        ("init", None): init,
        ("demo", None): demo,
        ("staff", "list"): staff_list,
        ("cases", "list"): cases_list,
        ("notes", "list"): notes_list,
        ("notes", "add"): notes_add,
        ("notes", "edit"): notes_edit,
        ("workload", None): workload,
        ("audit", "verify"): audit_verify,
        ("profile", "add"): profile_add,
        ("profile", "list"): profile_list,
    }
    return run(handlers[(args.command, getattr(args, "subcommand", None))], args)


# --- the app ----------------------------------------------------------------------------


def run_app(args: argparse.Namespace) -> int:
    from casetui.tui.launch import launch

    conn = signin.connection(args)
    return launch(conn, signin.username_for(args, conn))


# --- setting up --------------------------------------------------------------------------


def init(args: argparse.Namespace) -> int:
    from casetui.db.health import ensure_reachable
    from casetui.db.migrate import SCHEMA_HEAD, upgrade
    from casetui.services import defaults

    conn = signin.connection(args)
    db = signin.open_database(conn, check=False)
    ensure_reachable(db)
    before, after = upgrade(db.engine)
    with db.uow() as uow:
        if defaults.ensure_defaults(uow):
            from casetui.services import audit

            audit.record(uow, None, "settings.defaults", "organisation_settings", 1)
        uow.commit()
    from casetui.db.maintenance import analyze

    analyze(db.engine)
    what = "created" if before is None else ("upgraded" if before != after else "already current")
    say(f"schema {SCHEMA_HEAD} {what} in {db.url}")
    if args.admin:
        return _first_administrator(db, args)
    return EXIT_OK


def _first_administrator(db: Database, args: argparse.Namespace) -> int:
    """The first account of a new database; after that, only an administrator adds staff."""
    from sqlalchemy import func, select

    from casetui.domain.models import Staff
    from casetui.repositories.staff import find_by_username
    from casetui.services.staff import StaffInput, create_staff

    with db.uow(write=False) as uow:
        existing = find_by_username(uow.session, args.admin)
        anyone = uow.session.execute(select(func.count()).select_from(Staff)).scalar_one()
    if existing is not None:
        say(f"{args.admin} already exists, as {existing.role}")
        return EXIT_OK
    password = os.environ.get(ENV_PASSWORD)
    if anyone:
        # Someone already runs this database: adding an administrator is their decision.
        actor = signin.sign_in(db, signin.username_for(args, signin.connection(args)))
        with db.uow() as uow:
            create_staff(
                uow,
                actor,
                StaffInput(args.admin, args.admin, role="administrator", password=password),
            )
    else:
        if password is None and sys.stdin.isatty():
            import getpass

            password = (
                getpass.getpass(f"Password for {args.admin} (empty: sign in as the OS user only): ")
                or None
            )
        with db.uow() as uow:
            create_staff(
                uow,
                None,
                StaffInput(args.admin, args.admin, role="administrator", password=password),
            )
    say(f"administrator {args.admin} created" + ("" if password else " without a password"))
    return EXIT_OK


def _holds_demo_data(db: Database) -> bool:
    from sqlalchemy import select

    from casetui.domain.models import AuditEvent

    with db.uow(write=False) as uow:
        found = uow.session.execute(
            select(AuditEvent.id).where(AuditEvent.action == "demo.generate").limit(1)
        ).first()
    return found is not None


def demo(args: argparse.Namespace) -> int:
    import time

    from casetui.db.health import ensure_reachable
    from casetui.db.migrate import upgrade
    from casetui.demo import generate_demo

    conn = signin.connection(args)
    db = signin.open_database(conn, check=False)
    ensure_reachable(db)
    upgrade(db.engine)
    if _holds_demo_data(db):
        # Running the quick start twice should open the app, not stop at a refusal.
        say(f"{db.url} already holds demo data; left as it is (password for every account: demo)")
        return EXIT_OK
    started = time.perf_counter()
    summary = generate_demo(db, cases=args.cases, staff=args.staff, seed=args.seed,
                            progress=lambda m: print(m, file=sys.stderr))  # fmt: skip
    from casetui.db.maintenance import analyze

    analyze(db.engine)
    took = time.perf_counter() - started
    say(f"demo data in {db.url} ({took:.1f} s):")
    out(f"  {summary.teams} teams, {summary.staff} staff, {summary.clients} clients, {summary.cases} cases, "
        f"{summary.notes} notes, {summary.tasks} tasks")  # fmt: skip
    for role, names in summary.usernames_by_role.items():
        shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        out(f"  {role}: {shown}")
    out(f"  password for every account: {summary.password}")
    out(f"  try: casetui --user {summary.usernames_by_role.get('caseworker', ['admin'])[0]}")
    return EXIT_OK


# --- lists -------------------------------------------------------------------------------


def _exported(db: Any, actor: Any, what: str, rows: int, **details: object) -> None:
    """``--json`` output is an export, and every export is an audit event (written first)."""
    from casetui.services.exports import record_export

    with db.uow() as uow:
        record_export(uow, actor, what, rows, details)


def staff_list(args: argparse.Namespace) -> int:
    from casetui.services.staff import list_staff

    db, actor = signin.acting(args)
    with db.uow(write=False) as uow:
        people = list_staff(uow, actor)
    if args.json:
        _exported(db, actor, "staff", len(people))
        json_rows(
            {
                "username": p.username,
                "display_name": p.display_name,
                "role": p.role.value,
                "team": p.team,
            }
            for p in people
        )
    else:
        table(
            ("USERNAME", "NAME", "ROLE", "TEAM"),
            [(p.username, p.display_name, p.role.value, p.team) for p in people],
        )
    return EXIT_OK


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def cases_list(args: argparse.Namespace) -> int:
    from casetui.domain.dates import relative_age
    from casetui.repositories.cases import ACTIVE_STATUSES, CaseFilter, CaseRepository

    db, actor = signin.acting(args)
    flt = CaseFilter(
        query=args.query,
        statuses=tuple(dict.fromkeys(args.status or ACTIVE_STATUSES)),
        mine=args.mine,
    )
    with db.uow(write=False) as uow:
        repo = CaseRepository(uow.session, actor)
        rows = repo.rows(flt, limit=args.limit)
        now = uow.now()
    if args.json:
        _exported(
            db,
            actor,
            "cases",
            len(rows),
            query=args.query,
            statuses=list(flt.statuses),
            mine=args.mine,
        )
        json_rows(
            {
                "case_number": r.case_number,
                "client_name": r.client_name,
                "status": r.status,
                "concern": r.concern,
                "worker": r.worker_username,
                "pathway": r.pathway,
                "tags": list(r.tags),
                "last_interaction": _iso(r.last_interaction_at),
            }
            for r in rows
        )
    else:
        table(
            ("CASE", "CLIENT", "WORKER", "STATUS", "CONCERN", "PATHWAY", "TAGS", "LAST"),
            [(r.case_number, r.client_name, r.worker_username, r.status, r.concern, r.pathway,
              ",".join(r.tags), relative_age(r.last_interaction_at, now)) for r in rows],
        )  # fmt: skip
    return EXIT_OK


def _note_json(note: Any, zone: Any) -> dict[str, Any]:
    local = note.contact_at.astimezone(zone)
    return {
        "id": note.id,
        "case_number": note.case_number,
        "author": note.author,
        "contact_date": local.date().isoformat(),
        "contact_time": local.strftime("%H:%M"),
        "created_at": note.created_at.isoformat(),
        "activity": note.activity_type,
        "contact_type": note.contact_type,
        "third_party_org": note.third_party_org,
        "summary": note.summary,
        "details": note.details,
        "locked": note.locked,
        "restricted": note.restricted,
        "batch_id": note.batch_id,
        "version": note.version,
    }


def notes_list(args: argparse.Namespace) -> int:
    from casetui.services import context
    from casetui.services.notes import list_notes

    db, actor = signin.acting(args)
    with db.uow() as uow:  # a write: viewing a restricted note is an audit event
        notes = list_notes(uow, actor, args.case)
        zone = context.zone(uow)
        if args.json:
            from casetui.services.exports import record_export

            case_id = notes[0].case_id if notes else None
            record_export(uow, actor, "notes", len(notes), {"case": args.case}, case_id=case_id)
    if args.json:
        json_rows(_note_json(n, zone) for n in notes)
    else:
        table(
            ("ID", "DATE", "AUTHOR", "ACTIVITY", "CONTACT", "SUMMARY", "LOCK", "R"),
            [(n.id, n.contact_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), n.author, n.activity_type,
              n.contact_type, n.summary, "locked" if n.locked else "", "R" if n.restricted else "") for n in notes],
        )  # fmt: skip
    return EXIT_OK


def notes_add(args: argparse.Namespace) -> int:
    from casetui.services import context
    from casetui.services.notes import NoteInput, add_note, bulk_add_notes

    db, actor = signin.acting(args)
    note = NoteInput(
        summary=args.summary,
        activity_type=args.activity,
        contact_date=args.date,
        contact_time=args.time,
        contact_type=args.contact_type,
        third_party_org=args.third_party,
        details=args.details,
        restricted=args.restricted,
    )
    numbers = list(dict.fromkeys(args.cases))
    with db.uow() as uow:
        zone = context.zone(uow)
        if len(numbers) == 1:
            view = add_note(uow, actor, numbers[0], note)
            if args.json:
                json_rows([_note_json(view, zone)])
            else:
                say(f"note {view.id} added to {view.case_number}")
            return EXIT_OK
        result = bulk_add_notes(uow, actor, numbers, note)
    if args.json:
        json_rows(
            {"id": i, "case_number": c, "batch_id": result.batch_id}
            for i, c in zip(result.note_ids, result.case_numbers, strict=True)
        )
    else:
        say(
            f"bulk note {result.batch_id}: {len(result.note_ids)} notes added ({', '.join(result.case_numbers)})"
        )
    return EXIT_OK


def notes_edit(args: argparse.Namespace) -> int:
    from casetui.services import context
    from casetui.services.notes import NoteChanges, edit_note

    if args.summary is None and args.details is None:
        err("usage: notes edit needs --summary or --details")
        return EXIT_USAGE
    from casetui.domain.errors import NoteLocked

    db, actor = signin.acting(args)
    with db.uow() as uow:
        try:
            view = edit_note(
                uow,
                actor,
                args.note_id,
                NoteChanges(summary=args.summary, details=args.details),
                reason=args.reason,
            )
        except NoteLocked as locked:
            raise NoteLocked(f"{locked.args[0]} (the reason goes in --reason)") from None
        zone = context.zone(uow)
    if args.json:
        json_rows([_note_json(view, zone)])
    else:
        out(f"note {view.id} saved (version {view.version})")
    return EXIT_OK


def workload(args: argparse.Namespace) -> int:
    from casetui.services.workload import workload as service_workload

    db, actor = signin.acting(args)
    with db.uow(write=False) as uow:
        rows = service_workload(uow, actor, team=args.team)
    if args.json:
        _exported(db, actor, "workload", len(rows), team=args.team)
        json_rows(
            {
                "username": r.username,
                "display_name": r.display_name,
                "team": r.team,
                "capacity_hours": r.capacity_hours,
                "allocated_hours": r.allocated_hours,
                # No capacity means no ratio: null, where Infinity would not be JSON.
                "utilisation": round(r.utilisation, 4) if math.isfinite(r.utilisation) else None,
                "cases_by_concern": r.cases_by_concern,
            }
            for r in rows
        )
    else:
        table(
            ("USERNAME", "TEAM", "CAPACITY", "ALLOCATED", "UTIL", "LOW", "MED", "HIGH"),
            [(r.username, r.team, f"{r.capacity_hours:g}", f"{r.allocated_hours:g}", f"{r.utilisation:.0%}",
              r.cases_by_concern["Low"], r.cases_by_concern["Medium"], r.cases_by_concern["High"]) for r in rows],
        )  # fmt: skip
    return EXIT_OK


def audit_verify(args: argparse.Namespace) -> int:
    from casetui.services import audit, policy

    db, actor = signin.acting(args)
    policy.ensure_audit_reader(actor)
    with db.uow(write=False) as uow:
        check = audit.verify(uow, expect_head=args.expect_head, since_head=args.since_head)
    if args.json:
        out(json.dumps({
            "ok": check.ok, "events": check.events, "head_id": check.head_id,
            "head_hash": check.head_hash, "written": check.written, "missing": check.missing,
            "broken_at": check.broken_at, "problem": check.problem,
        }, ensure_ascii=False, indent=2))  # fmt: skip
    if check.ok:
        if not args.json:
            out(check.describe())
        return EXIT_OK
    err(f"refused: {check.describe()}")
    return EXIT_REFUSED


def profile_add(args: argparse.Namespace) -> int:
    import getpass

    from casetui.config import Profile, keyring_available, save_profile, store_database_password
    from casetui.db.engine import is_sqlite

    path = save_profile(Profile(args.name, args.url, args.default_user))
    say(f"profile {args.name} saved in {path}")
    if is_sqlite(args.url) or not sys.stdin.isatty():
        return EXIT_OK
    if not keyring_available():
        out("no system keyring here: set CASETUI_DB_PASSWORD, or casetui will ask for the password")
        return EXIT_OK
    password = getpass.getpass("Database password (kept in the system keyring; empty for none): ")
    if password:
        store_database_password(Connection(url=args.url, profile=args.name), password)
        out("password stored in the system keyring")
    return EXIT_OK


def profile_list(args: argparse.Namespace) -> int:
    from casetui.config import load_profiles

    profiles = load_profiles()
    table(("NAME", "URL", "USER"), [(p.name, p.url, p.user) for p in profiles.values()])
    return EXIT_OK
