"""The caseload, filter and workload queries use indexes: none reads a whole large table.

Checked with SQLite's EXPLAIN QUERY PLAN on demo data with planner statistics, the way a
real database looks after ``casetui demo`` or ``casetui init``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from casetui.db.engine import make_engine
from casetui.db.maintenance import analyze
from casetui.db.migrate import upgrade
from casetui.db.uow import Database, UnitOfWork
from casetui.demo import generate_demo
from casetui.domain.actor import Actor
from casetui.domain.enums import Role
from casetui.domain.filters import CaseFilter, Position
from casetui.repositories.audit import AuditFilter, AuditTrailRepository
from casetui.repositories.caseload import CaseloadRepository
from casetui.repositories.staff import actor_from, find_by_username
from casetui.services import workload

# Tables that grow with the caseload; a plain scan of any of them is a failure.
LARGE = ("cases", "client", "case_note", "follow_up_task", "case_tag", "case_navigator")
FULL_SCAN = re.compile(rf"\bSCAN ({'|'.join(LARGE)})\b(?! USING)")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("plans") / "casetui.db"
    db = Database(make_engine(f"sqlite:///{path}"))
    upgrade(db.engine)
    generate_demo(db, cases=3000, staff=30, seed=5, today=date(2026, 11, 22))
    analyze(db.engine)
    yield db
    db.dispose()


def plans(db: Database, work: Callable[[UnitOfWork], Any]) -> list[tuple[str, list[str]]]:
    """Run ``work`` in a read-only unit of work; return each SELECT it issued with its plan."""

    def in_a_unit_of_work() -> None:
        with db.uow(write=False) as uow:
            work(uow)

    return plans_of(db, in_a_unit_of_work)


def plans_of(db: Database, run: Callable[[], Any]) -> list[tuple[str, list[str]]]:
    """Call ``run`` (a service opens its own unit of work); return each SELECT it issued with
    its query plan lines."""
    issued: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            issued.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    out = []
    with db.engine.connect() as conn:
        for statement, parameters in issued:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            out.append((statement, [row[-1] for row in rows]))
    return out


def actor(db: Database, role: Role):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from casetui.domain.models import Staff

    with db.uow(write=False) as uow:
        if role is Role.ADMINISTRATOR:
            return actor_from(find_by_username(uow.session, "admin"))  # type: ignore[arg-type]
        staff = uow.session.execute(
            select(Staff).where(Staff.role == role.value).order_by(Staff.id).limit(1)
        ).scalar_one()
        return actor_from(staff)


def assert_no_full_scan(found: list[tuple[str, list[str]]]) -> None:
    assert found, "no query was issued"
    for statement, lines in found:
        scans = [line for line in lines if FULL_SCAN.search(line)]
        assert not scans, f"{scans} in\n{statement}"


FILTERS = {
    "default": CaseFilter(),
    "all statuses": CaseFilter(statuses=()),
    "mine": CaseFilter(mine=True),
    "surname": CaseFilter(query="haddad"),
    "case number prefix": CaseFilter(query="C-2025-0001"),
    "tag": CaseFilter(query="housing"),
    "broad case number prefix": CaseFilter(query="C-20"),
    "one letter": CaseFilter(query="a"),
    "sorted by client": CaseFilter(sort="client", descending=False),
    "sorted by next task": CaseFilter(sort="next_task", descending=False),
}


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.SUPERVISOR, Role.CASEWORKER])
@pytest.mark.parametrize("name", list(FILTERS))
def test_caseload_pages_use_indexes(demo_db: Database, role: Role, name: str) -> None:
    who = actor(demo_db, role)
    flt = FILTERS[name]

    def page_down(uow: UnitOfWork) -> None:
        repository = CaseloadRepository(uow.session, who)
        first = repository.page(flt, limit=100)
        if len(first) == 100:
            repository.page(flt, offset=100, limit=100, after=first[-1].id)

    assert_no_full_scan(plans(demo_db, page_down))


def test_default_caseload_needs_no_sort_of_every_case(demo_db: Database) -> None:
    """Newest interaction first comes straight off an index, then stops at the page's end."""
    admin = actor(demo_db, Role.ADMINISTRATOR)
    found = plans(
        demo_db, lambda uow: CaseloadRepository(uow.session, admin).page(CaseFilter(), limit=100)
    )
    page = next(lines for statement, lines in found if "ORDER BY" in statement)
    assert not any("TEMP B-TREE FOR ORDER BY" in line for line in page), page


def test_default_caseload_reads_only_open_and_paused_cases(demo_db: Database) -> None:
    """The caseload's usual view walks the index of open and paused cases alone, not every
    case's last interaction past the closed ones (most of a large agency's cases)."""
    admin = actor(demo_db, Role.ADMINISTRATOR)
    found = plans(
        demo_db, lambda uow: CaseloadRepository(uow.session, admin).page(CaseFilter(), limit=100)
    )
    page = next(lines for statement, lines in found if "ORDER BY" in statement)
    assert any("ix_cases_active_last" in line for line in page), page


@pytest.mark.parametrize("query", ["C-20", "jo", "haddad"])
def test_a_filter_matching_many_cases_reads_them_in_caseload_order(
    demo_db: Database, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past BROAD_MATCHES matches, the page walks the caseload's index and tests each case,
    stopping at a full page: no gathering of every match, no sort."""
    from casetui.repositories import case_search

    monkeypatch.setattr(case_search, "BROAD_MATCHES", 5)
    admin = actor(demo_db, Role.ADMINISTRATOR)
    flt = CaseFilter(query=query)
    found = plans(demo_db, lambda uow: CaseloadRepository(uow.session, admin).page(flt, limit=100))
    assert_no_full_scan(found)
    page = next(lines for statement, lines in found if "ORDER BY" in statement)
    assert any("ix_cases_active_last" in line for line in page), page
    assert not any("TEMP B-TREE FOR ORDER BY" in line for line in page), page
    assert not any("client_search" in line for line in page), "no gathering by name"


@pytest.mark.parametrize("name", ["default", "surname", "case number prefix", "tag"])
def test_caseload_counts_use_indexes(demo_db: Database, name: str) -> None:
    admin = actor(demo_db, Role.ADMINISTRATOR)
    found = plans(demo_db, lambda uow: CaseloadRepository(uow.session, admin).count(FILTERS[name]))
    assert_no_full_scan(found)


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.SUPERVISOR, Role.CASEWORKER])
def test_workload_uses_indexes(demo_db: Database, role: Role) -> None:
    who = actor(demo_db, role)
    assert_no_full_scan(plans_of(demo_db, lambda: workload.workload(demo_db, who)))


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.CASEWORKER])
def test_the_inbox_and_its_unread_count_use_indexes(demo_db: Database, role: Role) -> None:
    """Asked every minute on every screen, and each first asks which tasks fell due: from the
    person's own cases, never by walking every task, responsibility or notification."""
    from casetui.services import notifications

    who = actor(demo_db, role)
    found = plans_of(demo_db, lambda: notifications.inbox(demo_db, who))
    found += plans_of(demo_db, lambda: notifications.unread_count(demo_db, who))
    assert_no_full_scan(found)
    inbox_scan = re.compile(r"\bSCAN (notification|task_responsible)\b(?! USING)")
    assert not [line for _, lines in found for line in lines if inbox_scan.search(line)]


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.CASEWORKER])
def test_today_reads_only_the_persons_own_rows(demo_db: Database, role: Role) -> None:
    """Today is opened many times a day: its tasks, quiet cases, failed reminders and sign-offs
    come from the person's cases and team through indexes."""
    from casetui.services.today import today_list

    who = actor(demo_db, role)
    found = plans_of(demo_db, lambda: today_list(demo_db, who))
    assert_no_full_scan(found)
    scan = re.compile(r"\bSCAN (communication|note_signoff|task_responsible)\b(?! USING)")
    assert not [line for _, lines in found for line in lines if scan.search(line)]


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.SUPERVISOR, Role.CASEWORKER])
def test_the_insights_heatmap_probes_assessments_by_case_and_stage(
    demo_db: Database, role: Role
) -> None:
    """Each case's newest assessment per stage through the case, stage, id index: the
    assessments are never read whole, nor sorted, whoever asks."""
    from casetui.services.outcomes import outcome_grid

    who = actor(demo_db, role)
    found = plans_of(demo_db, lambda: outcome_grid(demo_db, who))
    assert_no_full_scan(found)
    lines = [line for _, lines in found for line in lines]
    assert not [line for line in lines if re.search(r"\bSCAN outcome_assessment", line)]
    probes = [line for line in lines if "outcome_assessment" in line]
    assert probes and all("ix_outcome_assessment_case_stage" in line for line in probes)


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.SUPERVISOR, Role.CASEWORKER])
def test_missing_data_uses_indexes(demo_db: Database, role: Role) -> None:
    """Counts and lines per reason, one query each, over a whole caseload for administrators:
    notes and concern changes are looked up by case, never read whole."""
    from casetui.services.missing_data import missing_data

    who = actor(demo_db, role)
    found = plans_of(demo_db, lambda: missing_data(demo_db, who))
    assert_no_full_scan(found)
    scan = re.compile(r"\bSCAN (case_event|case_note)\b(?! USING)")
    assert not [line for _, lines in found for line in lines if scan.search(line)]


# --- the audit trail ------------------------------------------------------------------------------

AUDIT_EVENTS = 30_000
SEEN_FROM = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def audit_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A year of audit events by 40 people over 200 cases, with planner statistics."""
    from casetui.domain.models import AuditEvent

    path = tmp_path_factory.mktemp("audit-plans") / "casetui.db"
    db = Database(make_engine(f"sqlite:///{path}"))
    upgrade(db.engine)
    actions = ("note.add", "note.edit", "case.status", "task.add", "task.done", "sign_in")
    rows = [
        {
            "at": SEEN_FROM + timedelta(minutes=17 * n),
            "actor_id": n % 40 + 1,
            "actor_username": f"worker{n % 40}",
            "action": actions[n % len(actions)],
            "entity": "case_note",
            "entity_id": str(n),
            "case_id": n % 200 + 1,
            "prev_hash": f"{n:064x}",
            "hash": f"{n + 1:064x}",
        }  # fmt: skip
        for n in range(AUDIT_EVENTS)
    ]
    with db.engine.begin() as connection:
        connection.execute(AuditEvent.__table__.insert(), rows)  # type: ignore[attr-defined]
    analyze(db.engine)
    yield db
    db.dispose()


AUDIT_FILTERS = {
    "everything": AuditFilter(),
    "person": AuditFilter(person="worker7"),
    "case": AuditFilter(case_id=17),
    "action": AuditFilter(action="case.status"),
    "dates": AuditFilter(
        since=SEEN_FROM + timedelta(days=90), until=SEEN_FROM + timedelta(days=97)
    ),
    "person and dates": AuditFilter(
        person="worker7",
        since=SEEN_FROM + timedelta(days=90),
        until=SEEN_FROM + timedelta(days=120),
    ),
    "case and action": AuditFilter(case_id=17, action="note.add"),
}


@pytest.mark.parametrize("name", list(AUDIT_FILTERS))
def test_audit_trail_pages_read_only_their_rows(audit_db: Database, name: str) -> None:
    """Each filter starts at its page's anchor in an index in the page's order: no scan of the
    trail, no sort of every matching event."""
    admin = Actor(1, "admin", "Admin", Role.ADMINISTRATOR, None)
    flt = AUDIT_FILTERS[name]

    def page_down_and_back(uow: UnitOfWork) -> None:
        repository = AuditTrailRepository(uow.session, admin)
        first = repository.page(flt, limit=21)
        assert len(first) == 21, "the fixture has more than a page of every filter"
        second = repository.page(flt, older_than=Position.of(first[-1]), limit=21)
        repository.page(flt, newer_than=Position.of(second[0]), limit=21)
        repository.case_id("C-2026-0001")

    found = plans(audit_db, page_down_and_back)
    reads = [(s, lines) for s, lines in found if "FROM audit_event" in s]
    assert len(reads) == 3
    for statement, lines in found:
        assert not any(re.search(r"\bSCAN (audit_event|cases)\b(?! USING)", x) for x in lines), (
            lines,
            statement,
        )
        assert not any("TEMP B-TREE" in line for line in lines), (lines, statement)
    if name != "everything":
        for statement, lines in reads:
            assert lines[0].startswith("SEARCH audit_event USING INDEX"), (lines, statement)


@pytest.mark.parametrize("newest_first", [True, False])
def test_timeline_pages_use_indexes(demo_db: Database, newest_first: bool) -> None:
    """Opening a long timeline and reading on reads one case's rows, never a whole table."""
    from casetui.repositories.timeline import TimelineRepository

    admin = actor(demo_db, Role.ADMINISTRATOR)

    def read_on(uow: UnitOfWork) -> None:
        repository = TimelineRepository(uow.session, admin)
        first = repository.entries(1, newest_first=newest_first, limit=20)
        repository.entries(1, newest_first=newest_first, limit=20, after=first[-1])
        repository.count(1)

    assert_no_full_scan(plans(demo_db, read_on))


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.SUPERVISOR, Role.AUDITOR])
def test_printing_a_case_file_reads_only_that_case(
    demo_db: Database, role: Role, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The print reads one case's notes (a page at a time, in a date range), addenda and
    tasks through indexes, never a whole table."""
    from casetui.services.print_case import print_case

    person = actor(demo_db, role)
    number = _a_case_of(demo_db, person)
    out = tmp_path_factory.mktemp("print")

    def print_twice() -> None:
        print_case(demo_db, person, number, out / "all.pdf")
        print_case(demo_db, person, number, out / "range.pdf", since="-3m", until="-1m")

    assert_no_full_scan(plans_of(demo_db, print_twice))


def _a_case_of(db: Database, person: Actor) -> str:
    with db.uow(write=False) as uow:
        rows = CaseloadRepository(uow.session, person).rows(CaseFilter(statuses=()), limit=1)
        return rows[0].case_number


# --- the global search and the duplicate check ------------------------------------------------------


@pytest.fixture(scope="module")
def search_db(demo_db: Database) -> Database:
    """The demo data with what registering clients keeps for search: every name's words and each
    phone's digits (the demo writes clients in bulk, past the service that keeps them)."""
    from sqlalchemy import text

    from casetui.repositories import name_terms

    with demo_db.uow() as uow:
        rows = uow.session.execute(text("SELECT id, name, preferred_name, phone FROM client")).all()
        name_terms.remember(
            uow.session, [n for _, name, preferred, _ in rows for n in (name, preferred)]
        )
        digits = [
            {"id": i, "digits": "".join(ch for ch in phone if ch.isdigit())}
            for i, _, _, phone in rows
            if phone
        ]
        uow.session.execute(text("UPDATE client SET phone_digits = :digits WHERE id = :id"), digits)
        # A few cases were renumbered once.
        uow.session.execute(
            text(
                "INSERT INTO former_case_number (case_id, case_number, changed_at)"
                " SELECT id, 'OLD-' || id, created_at FROM cases WHERE id % 50 = 0"
            )
        )
        uow.commit()
    analyze(demo_db.engine)
    return demo_db


def _a_client(db: Database) -> dict[str, Any]:
    from sqlalchemy import text

    with db.engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT c.name, c.date_of_birth, c.email, c.phone, k.case_number FROM client c"
                " JOIN cases k ON k.client_id = c.id"
                " WHERE c.email IS NOT NULL AND c.phone IS NOT NULL AND c.date_of_birth IS NOT NULL"
                " ORDER BY c.id LIMIT 1"
            )
        ).one()
    return dict(row._mapping)


def _accented_word(db: Database) -> str:
    """A word of a client's name that has accents (García, Łukasz), typed without them."""
    from sqlalchemy import text

    from casetui.domain.name_words import words

    with db.engine.connect() as conn:
        names = conn.execute(text("SELECT name FROM client ORDER BY id LIMIT 500")).scalars()
        return next(w for name in names for w in words(name) if w not in name.casefold())


def _searches(db: Database) -> dict[str, str]:
    client = _a_client(db)
    surname = client["name"].split()[-1]
    return {
        "surname": surname,
        "a name without its accents": _accented_word(db),
        "misspelt surname": surname[:2] + surname[3] + surname[2] + surname[4:],
        "first letters": surname[:2],
        "name and surname": client["name"],
        "case number": client["case_number"],
        "case number prefix": client["case_number"][:6],
        "date of birth": str(client["date_of_birth"]),
        "email": client["email"],
        "phone": client["phone"],
        "two words of notes": "housing benefit",
        "a common word of notes": "visit",
        "words being typed": "tenancy agre",
    }


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.SUPERVISOR, Role.CASEWORKER])
@pytest.mark.parametrize(
    "name",
    [
        "surname", "a name without its accents", "misspelt surname", "first letters",
        "name and surname", "case number",
        "case number prefix", "date of birth", "email", "phone", "two words of notes",
        "a common word of notes", "words being typed",
    ],
)  # fmt: skip
def test_global_search_uses_indexes(search_db: Database, role: Role, name: str) -> None:
    from casetui.services.search import search

    who = actor(search_db, role)
    text = _searches(search_db)[name]
    found = plans_of(search_db, lambda: search(search_db, who, text))
    assert_no_full_scan([(s, lines) for s, lines in found if not _newest_notes_walk(s, lines)])
    for statement, lines in found:
        assert not any(
            re.search(r"\bSCAN (name_term|former_case_number)\b(?! USING)", x) for x in lines
        ), (
            lines,
            statement,
        )


def _newest_notes_walk(statement: str, lines: list[str]) -> bool:
    """A word still being typed reads the newest notes a batch at a time (``_typing`` in
    repositories/search.py): the notes table in id order, newest first, stopping at the batch's
    LIMIT: no sort, no reading on past it."""
    walks = "ORDER BY case_note.id DESC" in statement and statement.rstrip().endswith(
        "LIMIT ? OFFSET ?"
    )
    return (
        walks
        and not any("TEMP B-TREE" in line for line in lines)
        and [line for line in lines if FULL_SCAN.search(line)] == ["SCAN case_note"]
    )


def test_global_search_finds_what_it_is_asked_on_the_plans_data(search_db: Database) -> None:
    """The searches above find something, so their plans are the plans of real reads."""
    from casetui.services.search import search

    admin = actor(search_db, Role.ADMINISTRATOR)
    for name, text in _searches(search_db).items():
        kinds = {hit.kind for hit in search(search_db, admin, text)}
        wanted = (
            "note" if "notes" in name or "typed" in name else "case" if "case" in name else "client"
        )
        assert wanted in kinds, name


@pytest.mark.parametrize("text", ["visit to", "housing ben"])
def test_note_search_walks_the_newest_matches_without_sorting_them(
    search_db: Database, text: str
) -> None:
    """Everyone's notes: the full-text index hands them over newest first, and the read stops
    at the limit; no sort of every matching note. "ben" is still being typed: the notes
    holding "housing" are read the same way and tested for it."""
    from casetui.services.search import search

    admin = actor(search_db, Role.ADMINISTRATOR)
    found = plans_of(search_db, lambda: search(search_db, admin, text))
    notes = [lines for statement, lines in found if "note_search" in statement]
    assert notes and all(not any("TEMP B-TREE" in x for x in lines) for lines in notes), notes


def test_duplicate_check_uses_indexes(search_db: Database) -> None:
    from casetui.services.clients import ClientInput
    from casetui.services.search import possible_duplicates

    client = _a_client(search_db)
    who = actor(search_db, Role.CASEWORKER)
    draft = ClientInput(
        name=client["name"], date_of_birth=str(client["date_of_birth"]), email=client["email"],
        phone=client["phone"],
    )  # fmt: skip
    found = plans_of(search_db, lambda: possible_duplicates(search_db, who, draft))
    assert_no_full_scan(found)
    assert len(possible_duplicates(search_db, who, draft)) >= 1
