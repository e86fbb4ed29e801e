"""`casetui demo`: realistic, repeatable demo data that keeps the product's own rules."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, text
from sqlalchemy import select as select_columns
from sqlmodel import Session, select

from casetui.db.engine import make_engine
from casetui.db.migrate import upgrade
from casetui.db.uow import Database
from casetui.demo import DemoSummary, generate_demo
from casetui.domain.enums import CaseStatus, ContactType, ListKind, Role
from casetui.domain.errors import Conflict, ValidationError
from casetui.domain.filters import CaseFilter
from casetui.domain.models import (
    AuditEvent,
    Case,
    CaseEvent,
    CaseNavigator,
    CaseNote,
    CaseTag,
    Client,
    ClientGroup,
    ClientWarning,
    Communication,
    FollowUpTask,
    FormerCaseNumber,
    NameTerm,
    NoteAddendum,
    NoteSignoff,
    Notification,
    OrganisationListItem,
    Staff,
    TaskResponsible,
    Team,
)
from casetui.domain.name_words import search_name
from casetui.domain.reminders import recipient_problem
from casetui.repositories.name_terms import words
from casetui.services.audit import verify
from casetui.services.auth import sign_in
from casetui.services.caseload import list_cases
from casetui.services.clients import phone_digits
from casetui.services.passwords import verify_password

TODAY = date(2026, 11, 22)
CASES = 300
# Enough cases that the rare records (a deleted client in 300) surely occur.
HISTORY_CASES = 4000


def new_database(path: Path) -> Database:
    db = Database(make_engine(f"sqlite:///{path}"))
    upgrade(db.engine)
    return db


def digest(db: Database) -> str:
    """A fingerprint of what a user would see, read through the column types."""
    hashed = hashlib.sha256()
    with db.engine.connect() as connection:
        for model in (Team, Staff, Client, Case, CaseNote, FollowUpTask, NoteAddendum, CaseEvent,
                      FormerCaseNumber, NameTerm, Communication, Notification):  # fmt: skip
            table = model.__table__  # type: ignore[attr-defined]
            for row in connection.execute(select_columns(table).order_by(table.c.id)):
                hashed.update(repr(tuple(row)).encode())
        for model in (ClientWarning, ClientGroup, CaseTag, CaseNavigator, TaskResponsible):
            table = model.__table__  # type: ignore[attr-defined]
            for row in connection.execute(
                select_columns(table).order_by(*table.primary_key.columns)
            ):
                hashed.update(repr(tuple(row)).encode())
    return hashed.hexdigest()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, DemoSummary]]:
    db = new_database(tmp_path_factory.mktemp("demo") / "t.db")
    messages: list[str] = []
    summary = generate_demo(
        db, cases=CASES, staff=24, seed=1, today=TODAY, progress=messages.append
    )
    assert any(f"{CASES:,} of {CASES:,} cases" in m for m in messages)
    yield db, summary
    db.dispose()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = new_database(tmp_path_factory.mktemp("history") / "t.db")
    generate_demo(db, cases=HISTORY_CASES, staff=40, seed=3, today=TODAY)
    yield db
    db.dispose()


def rows(db: Database, statement):  # type: ignore[no-untyped-def]
    # A plain session: closing it keeps the loaded rows readable, a rollback would expire them.
    with Session(db.engine) as session:
        return session.exec(statement).all()


def test_same_seed_gives_the_same_rows_and_another_seed_does_not(
    demo: tuple[Database, DemoSummary], tmp_path: Path
) -> None:
    db, _ = demo
    again = new_database(tmp_path / "again.db")
    generate_demo(again, cases=CASES, staff=24, seed=1, today=TODAY)
    other = new_database(tmp_path / "other.db")
    generate_demo(other, cases=CASES, staff=24, seed=2, today=TODAY)
    assert digest(again) == digest(db)
    assert digest(other) != digest(db)
    again.dispose()
    other.dispose()


def test_summary_counts_match_the_database(demo: tuple[Database, DemoSummary]) -> None:
    db, summary = demo
    counted = {
        name: rows(db, select(func.count()).select_from(model))[0]
        for name, model in [("teams", Team), ("staff", Staff), ("clients", Client),
                            ("cases", Case), ("notes", CaseNote), ("tasks", FollowUpTask),
                            ("communications", Communication)]
    }  # fmt: skip
    assert counted == {
        "teams": summary.teams, "staff": summary.staff, "clients": summary.clients,
        "cases": summary.cases, "notes": summary.notes, "tasks": summary.tasks,
        "communications": summary.communications,
    }  # fmt: skip
    assert summary.cases == CASES and summary.staff == 24 and summary.teams == 3
    assert 6 * CASES < summary.notes < 14 * CASES  # about ten a case
    assert summary.notes / 6 < summary.tasks < summary.notes / 3  # about one a four notes
    assert CASES / 4 < summary.communications < CASES  # a few, on some of the cases
    assert summary.password == "demo"


def test_staff_roles_usernames_and_password(demo: tuple[Database, DemoSummary]) -> None:
    db, summary = demo
    staff = {s.username: s for s in rows(db, select(Staff))}
    by_role = summary.usernames_by_role
    assert by_role[Role.ADMINISTRATOR.value] == ["admin"]
    assert by_role[Role.AUDITOR.value] == ["auditor"]
    assert len(by_role[Role.SUPERVISOR.value]) == summary.teams
    assert len(by_role[Role.CASEWORKER.value]) == summary.staff - 2 - summary.teams
    for role, usernames in by_role.items():
        for username in usernames:
            assert staff[username].role == role
            assert re.fullmatch(r"[a-z0-9._-]+", username)
    assert len(staff) == summary.staff
    assert verify_password("demo", staff["admin"].password_hash)
    assert verify_password("demo", staff[by_role["caseworker"][0]].password_hash)
    assert not verify_password("wrong", staff["admin"].password_hash)
    assert "override_lock" in staff["admin"].grants.split()
    assert staff["auditor"].grants == "reports"
    supervisor_teams = {staff[u].team_id for u in by_role["supervisor"]}
    assert len(supervisor_teams) == summary.teams  # one supervisor a team


def test_cases_follow_the_rules(demo: tuple[Database, DemoSummary]) -> None:
    db, _ = demo
    staff = {s.id: s for s in rows(db, select(Staff))}
    cases = rows(db, select(Case))
    for case in cases:
        worker = staff[case.primary_worker_id]
        assert case.team_id == worker.team_id
        assert worker.role in ("caseworker", "supervisor")
        assert re.fullmatch(rf"C-{case.opened_on.year}-\d{{6}}", case.case_number)
        assert TODAY.replace(year=TODAY.year - 3) <= case.opened_on < TODAY
        assert (case.closed_on is not None) == (case.status == "Closed")
        if case.closed_on:
            assert case.opened_on <= case.closed_on < TODAY
    assert len({c.case_number for c in cases}) == len(cases)
    statuses = Counter(c.status for c in cases)
    assert statuses["Open"] > statuses["Paused"] > 0 and statuses["Closed"] > 0
    assert {c.concern for c in cases} == {"Low", "Medium", "High"}
    for navigator in rows(db, select(CaseNavigator)):
        case = next(c for c in cases if c.id == navigator.case_id)
        assert staff[navigator.staff_id].team_id == case.team_id
        assert navigator.staff_id != case.primary_worker_id


def test_notes_are_dated_within_the_case_and_never_in_the_future(
    demo: tuple[Database, DemoSummary],
) -> None:
    db, _ = demo
    opened = {c.id: c.opened_on for c in rows(db, select(Case))}
    notes = rows(db, select(CaseNote))
    for note in notes:
        assert opened[note.case_id] <= note.contact_at.date() <= TODAY
        assert note.contact_at.tzinfo is not None
        assert note.contact_at < note.created_at == note.updated_at
        assert note.version == 1 and note.summary and len(note.summary) <= 200
    assert {n.contact_type for n in notes} == {c.value for c in ContactType}
    assert 0 < sum(n.restricted for n in notes) < len(notes) * 0.15


def test_every_third_party_note_names_the_organisation(demo: tuple[Database, DemoSummary]) -> None:
    db, _ = demo
    for note in rows(db, select(CaseNote)):
        if note.contact_type == ContactType.THIRD_PARTY.value:
            assert note.third_party_org
        else:
            assert note.third_party_org is None


def test_last_interaction_is_the_latest_note_or_communication(
    demo: tuple[Database, DemoSummary],
) -> None:
    """As the services keep it: a call or a letter is contact with the client, a reminder is
    not."""
    db, _ = demo

    def latest(contacts: list[tuple[int, Any]]) -> dict[int, Any]:
        found: dict[int, Any] = {}
        for case_id, at in contacts:
            found[case_id] = max(found.get(case_id, at), at)
        return found

    notes = [(n.case_id, n.contact_at) for n in rows(db, select(CaseNote))]
    calls = [
        (c.case_id, c.occurred_at)
        for c in rows(db, select(Communication).where(Communication.kind != "reminder"))
    ]
    expected, by_notes = latest(notes + calls), latest(notes)
    cases = rows(db, select(Case))
    assert any(c.last_interaction_at is None for c in cases)  # some cases have no contact yet
    assert any(expected.get(c.id) != by_notes.get(c.id) for c in cases)  # a call came last
    for case in cases:
        assert case.last_interaction_at == expected.get(case.id)


def test_communications_are_dated_within_the_case_and_never_in_the_future(
    demo: tuple[Database, DemoSummary],
) -> None:
    db, _ = demo
    cases = {c.id: c for c in rows(db, select(Case))}
    recorded = rows(db, select(Communication).where(Communication.kind != "reminder"))
    assert {c.kind for c in recorded} == {"phone", "email", "SMS", "letter", "in person"}
    assert {c.direction for c in recorded} == {"in", "out"}
    for call in recorded:
        assert cases[call.case_id].opened_on <= call.occurred_at.date() < TODAY
        assert call.occurred_at <= call.created_at == call.updated_at
        assert call.created_at.date() < TODAY and call.version == 1
        assert call.reminder_state is None and call.send_on is None and call.repeats == "none"
        assert call.subject and len(call.subject) <= 200 and "{" not in call.subject + call.body


def test_reminders_go_only_where_the_rule_lets_them_in_every_state_but_sending(
    demo: tuple[Database, DemoSummary],
) -> None:
    db, _ = demo
    cases = {c.id: c for c in rows(db, select(Case))}
    clients = {c.id: c for c in rows(db, select(Client))}
    reminders = rows(db, select(Communication).where(Communication.kind == "reminder"))
    states = Counter(r.reminder_state for r in reminders)
    assert set(states) == {"scheduled", "sent", "failed", "cancelled"}
    assert states["sent"] > states["failed"] > 0 and states["scheduled"] > 0
    for reminder in reminders:
        case = cases[reminder.case_id]
        client = clients[case.client_id]
        # Written under the one rule of who may get a reminder, on a case still open.
        assert recipient_problem(client.email, client.record_status) is None
        assert case.status != "Closed" and client.deleted_at is None
        assert reminder.author_id == case.primary_worker_id and reminder.direction == "out"
        assert reminder.created_at.date() < TODAY and reminder.updated_at.date() < TODAY
        assert reminder.send_on is not None and "{" not in reminder.subject + reminder.body
        if reminder.reminder_state == "scheduled":
            assert reminder.send_on > TODAY and reminder.sent_at is None
        else:
            assert reminder.send_on < TODAY and reminder.repeats == "none"
        if reminder.reminder_state == "sent":
            assert reminder.sent_at is not None and reminder.sent_at.date() == reminder.send_on
            assert reminder.message_id and reminder.server_answer.startswith("250")  # type: ignore[union-attr]
        if reminder.reminder_state == "failed":
            assert reminder.sent_at is None and reminder.server_answer[:1] in ("4", "5")  # type: ignore[index]


def test_a_failed_reminder_told_the_cases_worker_and_navigators_only(
    demo: tuple[Database, DemoSummary],
) -> None:
    db, _ = demo
    cases = {c.id: c for c in rows(db, select(Case))}
    navigators: dict[int, set[int]] = defaultdict(set)
    for navigator in rows(db, select(CaseNavigator)):
        navigators[navigator.case_id].add(navigator.staff_id)
    failed = rows(db, select(Communication).where(Communication.reminder_state == "failed"))
    told: dict[str, set[int]] = defaultdict(set)
    for notification in rows(db, select(Notification)):
        assert notification.created_at.date() < TODAY
        if notification.kind in SIGNOFF_KINDS:
            continue  # each one accounted for by a sign-off: test_sign_offs_...
        assert notification.kind == "reminder_failed"
        told[notification.event_key].add(notification.staff_id)
    assert set(told) == {f"reminder-failed:{r.id}" for r in failed}
    for reminder in failed:
        case = cases[reminder.case_id]
        expected = {case.primary_worker_id} | navigators[case.id]
        assert told[f"reminder-failed:{reminder.id}"] == expected


SIGNOFF_KINDS = ("signoff_waiting", "signoff_returned")


def test_sign_offs_wait_for_the_teams_supervisor_and_told_whom_they_should(
    demo: tuple[Database, DemoSummary],
) -> None:
    db, summary = demo
    staff = {s.id: s for s in rows(db, select(Staff))}
    notes = {n.id: n for n in rows(db, select(CaseNote))}
    cases = {c.id: c for c in rows(db, select(Case))}
    signoffs = rows(db, select(NoteSignoff).order_by(NoteSignoff.id))
    teams = [t for t in rows(db, select(Team))]
    # Every team's supervisor has notes waiting, one returned and one signed off.
    for team in teams:
        mine = [s for s in signoffs if cases[notes[s.note_id].case_id].team_id == team.id]
        assert sorted(Counter(s.state for s in mine).items()) == [
            ("approved", 1), ("requested", 4), ("returned", 1)
        ]  # fmt: skip
        for signoff in mine:
            note = notes[signoff.note_id]
            assert staff[note.author_id].role == "caseworker"
            assert signoff.requested_by_id == note.author_id
            assert signoff.requested_at > note.created_at
            decider = signoff.decided_by_id
            assert (decider is None) is (signoff.state == "requested")
            if decider is not None:
                assert staff[decider].role == "supervisor" and staff[decider].team_id == team.id
                assert signoff.decided_at is not None and signoff.decided_at.date() < TODAY
            assert note.created_at.date() >= TODAY - timedelta(days=12)  # still editable
    expected = {
        (f"signoff-waiting:{s.note_id}:1", "signoff_waiting") for s in signoffs
    } | {(f"signoff-returned:{s.note_id}:2", "signoff_returned") for s in signoffs
         if s.state == "returned"}  # fmt: skip
    told = {
        (n.event_key, n.kind) for n in rows(db, select(Notification)) if n.kind in SIGNOFF_KINDS
    }
    assert told == expected
    assessment = rows(
        db,
        select(OrganisationListItem).where(
            OrganisationListItem.kind == ListKind.ACTIVITY_TYPE.value,
            OrganisationListItem.value == "Assessment",
        ),
    )
    assert [item.requires_signoff for item in assessment] == [True]
    assert summary.staff == len(staff)


def test_workshop_notes_share_a_batch_across_cases(demo: tuple[Database, DemoSummary]) -> None:
    db, _ = demo
    cases_by_batch: dict[str, set[int]] = defaultdict(set)
    for note in rows(db, select(CaseNote).where(CaseNote.batch_id.is_not(None))):  # type: ignore[union-attr]
        cases_by_batch[note.batch_id].add(note.case_id)  # type: ignore[index]
        uuid.UUID(note.batch_id)  # type: ignore[arg-type]
    assert any(len(case_ids) > 1 for case_ids in cases_by_batch.values())


def test_tasks_addenda_and_events(demo: tuple[Database, DemoSummary]) -> None:
    db, _ = demo
    tasks = rows(db, select(FollowUpTask))
    assert {t.status for t in tasks} >= {"open", "done"}
    assert any(t.status == "open" and t.due_on < TODAY for t in tasks)  # overdue
    assert any(t.repeats != "none" for t in tasks)
    assert any(t.note_id is not None for t in tasks) and any(t.note_id is None for t in tasks)
    for task in tasks:
        assert (task.rrule is not None) == (task.repeats == "custom")
        if task.status == "done":
            assert task.created_at < task.completed_at  # type: ignore[operator]
    responsible = Counter(r.task_id for r in rows(db, select(TaskResponsible)))
    assert {t.id for t in tasks} == set(responsible) and set(responsible.values()) <= {1, 2}
    notes = {n.id: n for n in rows(db, select(CaseNote))}
    for addendum in rows(db, select(NoteAddendum)):
        assert addendum.created_at > notes[addendum.note_id].created_at
        assert addendum.created_at.date() < TODAY
    kinds = {e.kind for e in rows(db, select(CaseEvent))}
    assert kinds == {"status", "concern", "worker", "case_number"}


def test_second_run_refuses_and_writes_nothing(demo: tuple[Database, DemoSummary]) -> None:
    db, _ = demo
    before = digest(db)
    with pytest.raises(Conflict, match="empty database"):
        generate_demo(db, cases=10, staff=8, seed=3, today=TODAY)
    assert digest(db) == before


def test_too_few_staff_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="staff"):
        generate_demo(new_database(tmp_path / "t.db"), cases=10, staff=5, today=TODAY)


def test_audit_chain_holds_one_demo_event(demo: tuple[Database, DemoSummary]) -> None:
    db, summary = demo
    with db.uow(write=False) as uow:
        assert verify(uow).ok
    events = rows(db, select(AuditEvent).where(AuditEvent.action == "demo.generate"))
    assert len(events) == 1
    assert f'"cases":{summary.cases}' in (events[0].after or "")


@pytest.mark.postgres
def test_postgres_gets_the_same_rows_as_sqlite(
    demo: tuple[Database, DemoSummary], postgres_url: str
) -> None:
    db = Database(make_engine(postgres_url))
    try:
        upgrade(db.engine)
        generate_demo(db, cases=CASES, staff=24, seed=1, today=TODAY)
        assert digest(db) == digest(demo[0])
        with db.uow() as uow:  # the ids the demo chose must not clash with the next insert
            uow.session.add(Team(name="Late Team"))
            uow.session.add(NameTerm(term="latecomer"))
            uow.session.add(
                Notification(
                    staff_id=1, kind="note", event_key="late", text="late", created_at=uow.now()
                )
            )
            uow.session.add(
                Communication(
                    case_id=1, author_id=1, kind="phone", direction="in", occurred_at=uow.now(),
                    subject="late", created_at=uow.now(), updated_at=uow.now(),
                )
            )  # fmt: skip
            uow.session.flush()
        with db.uow(write=False) as uow:
            assert verify(uow).ok
    finally:
        db.dispose()


# --- what part two's records and search need -----------------------------------------------


def test_every_name_word_is_kept_once_and_indexed(history: Database) -> None:
    clients = rows(history, select(Client))
    expected = {w for c in clients for name in (c.name, c.preferred_name) for w in words(name)}
    terms = [t.term for t in rows(history, select(NameTerm))]
    assert len(terms) == len(set(terms))
    assert set(terms) == expected
    with history.engine.connect() as connection:
        # The trigram index was kept by the table's triggers: fails if a row is missing.
        connection.execute(
            text(
                "INSERT INTO name_term_search(name_term_search, rank) VALUES ('integrity-check', 1)"
            )
        )
        surname = words(clients[0].name)[-1]
        found = connection.execute(
            text("SELECT term FROM name_term_search WHERE term MATCH :q"), {"q": surname[1:4]}
        ).scalars()
        assert surname in set(found)


def test_every_client_has_the_plain_name_search_finds_them_by(history: Database) -> None:
    """Names with accents among them (Zoë, García, Łukasz): found by their plain words."""
    clients = rows(history, select(Client))
    for client in clients:
        assert client.search_name == search_name(client.name, client.preferred_name)
    accented = next(c for c in clients if not c.name.isascii())
    plain = next(w for w in words(accented.name) if w not in accented.name.casefold())
    assert plain.isascii()
    with history.engine.connect() as connection:
        connection.execute(
            text(
                "INSERT INTO client_name_search(client_name_search, rank)"
                " VALUES ('integrity-check', 1)"
            )
        )
        found = connection.execute(
            text("SELECT rowid FROM client_name_search WHERE client_name_search MATCH :q"),
            {"q": f'"{plain}"'},
        ).scalars()
        assert accented.id in set(found)


def test_every_phone_has_its_digits(history: Database) -> None:
    clients = rows(history, select(Client))
    with_phone = [c for c in clients if c.phone]
    assert len(with_phone) > len(clients) / 2
    for client in clients:
        assert client.phone_digits == phone_digits(client.phone)
    assert all(c.phone_digits and c.phone_digits.isdigit() for c in with_phone)
    assert any(" " in c.phone for c in with_phone)  # typed with spaces, kept as digits


def test_notes_are_in_the_full_text_index(history: Database) -> None:
    with history.engine.connect() as connection:
        connection.execute(
            text("INSERT INTO note_search(note_search, rank) VALUES ('integrity-check', 1)")
        )
        by_index = connection.execute(
            text("SELECT count(*) FROM note_search WHERE note_search MATCH 'tenancy'")
        ).scalar_one()
        by_scan = connection.execute(
            text(
                "SELECT count(*) FROM case_note WHERE summary LIKE '%tenancy%' "
                "OR details LIKE '%tenancy%'"
            )
        ).scalar_one()
    assert by_index == by_scan > 0


def test_some_cases_were_renumbered_and_keep_their_old_number(history: Database) -> None:
    cases = {c.id: c for c in rows(history, select(Case))}
    former = rows(history, select(FormerCaseNumber))
    assert 0.005 * len(cases) < len(former) < 0.02 * len(cases)
    current = {c.case_number for c in cases.values()}
    assert len({f.case_number for f in former}) == len(former)
    assert not current & {f.case_number for f in former}  # never another case's number
    admin = next(s for s in rows(history, select(Staff)) if s.username == "admin")
    events = {
        (e.case_id, e.before): e
        for e in rows(history, select(CaseEvent).where(CaseEvent.kind == "case_number"))
    }
    assert len(events) == len(former)
    for old in former:
        case = cases[old.case_id]
        event = events[(case.id, old.case_number)]
        assert event.after == case.case_number and event.at == old.changed_at
        assert event.actor_id == admin.id  # who holds the case_numbers grant
        assert case.created_at < old.changed_at and old.changed_at.date() < TODAY


def test_some_clients_are_in_the_organisations_groups(history: Database) -> None:
    listed = {
        i.value
        for i in rows(history, select(OrganisationListItem))
        if i.kind == ListKind.GROUP.value
    }
    clients = rows(history, select(Client))
    groups_of: dict[int, set[str]] = defaultdict(set)
    for member in rows(history, select(ClientGroup)):
        groups_of[member.client_id].add(member.group_name)
    assert 0.03 * len(clients) < len(groups_of) < 0.08 * len(clients)
    assert set().union(*groups_of.values()) == listed  # every group has members, none other
    assert {len(g) for g in groups_of.values()} == {1, 2}


def test_a_few_clients_are_deleted_with_their_cases(history: Database) -> None:
    clients = {c.id: c for c in rows(history, select(Client))}
    deleted = {i: c.deleted_at for i, c in clients.items() if c.deleted_at is not None}
    assert 0.001 * len(clients) < len(deleted) < 0.006 * len(clients)
    cases = rows(history, select(Case))
    for case in cases:
        # Stamped the same moment as the client, as deleting a client does; no other case.
        assert case.deleted_at == deleted.get(case.client_id)
    gone = {c.id: deleted[c.client_id] for c in cases if c.client_id in deleted}
    assert gone
    latest: dict[int, object] = {}
    for note in rows(history, select(CaseNote).where(CaseNote.case_id.in_(gone))):  # type: ignore[attr-defined]
        latest[note.case_id] = max(latest.get(note.case_id, note.created_at), note.created_at)  # type: ignore[type-var]
    for event in rows(history, select(CaseEvent).where(CaseEvent.case_id.in_(gone))):  # type: ignore[attr-defined]
        latest[event.case_id] = max(latest.get(event.case_id, event.at), event.at)  # type: ignore[type-var]
    for case_id, moment in gone.items():
        assert moment.date() < TODAY
        assert case_id not in latest or latest[case_id] < moment  # type: ignore[operator]
    admin = sign_in(history, "admin", "demo")
    every_status = CaseFilter(statuses=tuple(s.value for s in CaseStatus))
    shown = list_cases(history, admin, every_status, limit=None).rows
    assert len(shown) == len(cases) - len(gone)
    assert not {row.id for row in shown} & set(gone)


def test_the_auditor_can_sign_in_and_reads_only(history: Database) -> None:
    auditor = sign_in(history, "auditor", "demo")
    assert auditor.role is Role.AUDITOR
    staff = rows(history, select(Staff))
    assert [s.username for s in staff if s.role == Role.AUDITOR.value] == ["auditor"]


def test_every_default_pathway_brings_two_or_three_tasks(
    demo: tuple[Database, DemoSummary],
) -> None:
    from casetui.domain.models import OrganisationListItem, PathwayTask

    db, _ = demo
    pathways = {
        p.id: p.value for p in rows(db, select(OrganisationListItem).where(
            OrganisationListItem.kind == ListKind.PATHWAY.value))
    }  # fmt: skip
    brought = Counter(pathways[t.pathway_id] for t in rows(db, select(PathwayTask)))
    assert set(brought) == set(pathways.values())
    assert all(2 <= n <= 3 for n in brought.values())


def test_a_leaver_with_a_caseload_two_colleagues_can_share(
    demo: tuple[Database, DemoSummary],
) -> None:
    from casetui.repositories.staff import actor_from, find_by_username
    from casetui.services.transfer import plan_transfer

    db, summary = demo
    leaver = summary.leaver
    assert leaver is not None and leaver.cases >= 10
    with Session(db.engine) as session:
        people = {
            name: find_by_username(session, name)
            for name in (leaver.username, leaver.supervisor, *leaver.colleagues)
        }
        supervisor = actor_from(people[leaver.supervisor])  # type: ignore[arg-type]
    assert len({p.team_id for p in people.values() if p is not None}) == 1
    assert all(p is not None and p.active for p in people.values())
    plan = plan_transfer(db, supervisor, leaver.username, list(leaver.colleagues))
    assert len(plan.moves) == leaver.cases
    assert {m.to_username for m in plan.moves} == set(leaver.colleagues)
    assert plan.people[0].after_hours == 0
