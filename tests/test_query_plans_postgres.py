"""On PostgreSQL too, the caseload, its filters, the global search and the workload read through
indexes: no query reads the whole of a large table (cases, clients, notes...).

``tests/test_query_plans.py`` checks SQLite's plans. PostgreSQL's planner weighs its choices by
the table sizes it has counted: on a few thousand cases a sequential scan is rightly the
cheapest, so its plans only say something on an agency's numbers. The database here is a demo
organisation copied 50 times over (3,000 staff in 350 teams, each with a demo caseload;
100,000 clients and cases with their tags, navigators and warnings; about 100,000 notes and
25,000 tasks), with planner statistics (ANALYZE), built in about 10 s; each query the services
send is then asked for its plan (EXPLAIN, with the values it was sent with).
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import psycopg
import pytest
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import URL, make_url
from sqlmodel import SQLModel
from test_query_plans import FILTERS, actor

from casetui.db.engine import make_engine
from casetui.db.migrate import upgrade
from casetui.db.uow import Database, UnitOfWork
from casetui.demo import generate_demo
from casetui.domain.enums import Role
from casetui.domain.filters import CaseFilter
from casetui.repositories.caseload import CaseloadRepository
from casetui.services import workload

pytestmark = pytest.mark.postgres

# Tables that grow with the caseload; a sequential scan of any of them is a failure.
LARGE = ("cases", "client", "case_note", "follow_up_task", "case_tag", "case_navigator")
DEMO_CASES = 2000
# Each team, person, client and case again, with their tags, navigators, warnings and groups:
# an agency 50 times the demo's size, each person with a demo caseload (not 50 of them).
COPIES = 50
NOTE_COPIES = 5  # of each note and task: notes are the slowest rows to index
# Which copied table a column points at, so a copy's rows point at the copies.
FOLLOWS = {
    "client_id": "client", "case_id": "cases", "note_id": "case_note", "task_id": "follow_up_task",
    "previous_task_id": "follow_up_task", "team_id": "team", "staff_id": "staff",
    "primary_worker_id": "staff", "author_id": "staff", "created_by_id": "staff",
}  # fmt: skip
COPIED = {
    "team": COPIES, "staff": COPIES, "client": COPIES, "client_warning": COPIES,
    "client_group": COPIES, "cases": COPIES, "case_tag": COPIES, "case_navigator": COPIES,
    "former_case_number": COPIES, "case_note": NOTE_COPIES, "follow_up_task": NOTE_COPIES,
    "task_responsible": NOTE_COPIES,
}  # fmt: skip
UNIQUE_TEXT = {
    ("cases", "case_number"), ("former_case_number", "case_number"), ("team", "name"),
    ("staff", "username"),
}  # fmt: skip
NUMBERED = ("team", "staff", "client", "cases", "case_note", "follow_up_task")


def _copy_over(connection: Connection) -> None:
    """Each copied table's rows again, COPIED times in all, as new rows pointing at each other:
    a note copied for the third time belongs to the third copy of its case, by the third copy of
    its author.

    Test-data preparation in SQL: the indexes are dropped first and built again after (much
    quicker than keeping them up row by row), and the copies skip the foreign key triggers
    (copies of rows already checked).
    """
    connection.execute(text("SET LOCAL session_replication_role = replica"))
    connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    indexes = connection.execute(
        text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(:tables) AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        ),
        {"tables": list(COPIED)},
    ).all()
    for name, _definition in indexes:
        connection.execute(text(f'DROP INDEX "{name}"'))
    highest = {
        table: connection.execute(text(f'SELECT coalesce(max(id), 0) FROM "{table}"')).scalar_one()
        for table in NUMBERED
    }
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in COPIED:
            continue
        columns, values = [], []
        for column in table.columns:
            follows = table.name if column.name == "id" else FOLLOWS.get(column.name)
            if column.name == "id" and table.name not in highest:
                continue  # new ids from the table's own sequence
            columns.append(f'"{column.name}"')
            if follows in highest:
                values.append(f'"{column.name}" + copy * {highest[follows]}')
            elif (table.name, column.name) in UNIQUE_TEXT:
                values.append(f""""{column.name}" || '-' || copy""")
            else:
                values.append(f'"{column.name}"')
        connection.execute(
            text(
                f'INSERT INTO "{table.name}" ({", ".join(columns)}) SELECT {", ".join(values)} '
                f'FROM "{table.name}", generate_series(1, {COPIED[table.name] - 1}) AS copy'
            )
        )
    for _name, definition in indexes:
        connection.execute(text(definition))
    for table in highest:
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM \"{table}\""
            )
        )


def _server() -> URL:
    """The server (as the root conftest finds it); a skip without one, a failure in CI."""
    server = make_url(
        os.environ.get(
            "CASETUI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        )
    )
    try:
        with psycopg.connect(_dsn(server), connect_timeout=5):
            return server
    except psycopg.Error as exc:
        problem = f"PostgreSQL not reachable at {server.host}:{server.port or 5432}: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem)


def _dsn(server: URL) -> str:
    return server.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def agency() -> Iterator[Database]:
    server = _server()
    name = f"casetui_plans_{secrets.token_hex(6)}"
    with psycopg.connect(_dsn(server), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).update_query_dict({"options": "-c synchronous_commit=off"})
    db = Database(make_engine(url.render_as_string(hide_password=False)))
    try:
        started = time.monotonic()
        upgrade(db.engine)
        generate_demo(db, cases=DEMO_CASES, staff=60, seed=5, today=date(2026, 11, 22))
        with db.engine.begin() as connection:
            _copy_over(connection)
        with db.engine.begin() as connection:
            # Statistics from every row, not a random sample: the same plans on every run.
            connection.execute(text("SET LOCAL default_statistics_target = 1000"))
            connection.execute(text("ANALYZE"))
        print(f"PostgreSQL plans: the agency built in {time.monotonic() - started:.1f} s")
        yield db
    finally:
        db.dispose()
        with psycopg.connect(_dsn(server), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- plans ----------------------------------------------------------------------------------------


def _nodes(plan: dict[str, Any], parent: str = "") -> Iterator[dict[str, Any]]:
    yield {**plan, "Parent": parent}
    for child in plan.get("Plans", ()):
        yield from _nodes(child, plan["Node Type"])


class Plan:
    """One statement the services sent, and PostgreSQL's plan for it."""

    def __init__(self, statement: str, plan: dict[str, Any]) -> None:
        self.statement = statement
        self.nodes = list(_nodes(plan))

    def full_reads(self) -> list[str]:
        """The large tables read from end to end. A sequential scan right under a LIMIT is
        not one: the planner chose it because nearly every row matches (a filter's count of
        "more than this many", a broad case number prefix), and it stops at the limit."""
        return [
            n["Relation Name"]
            for n in self.nodes
            if n["Node Type"] == "Seq Scan" and n["Relation Name"] in LARGE
            and n["Parent"] != "Limit"
        ]  # fmt: skip

    @property
    def indexes(self) -> set[str]:
        return {n["Index Name"] for n in self.nodes if "Index Name" in n}

    @property
    def sorts(self) -> bool:
        """A sort of every row read (an incremental sort of rows already in order is not)."""
        return any(n["Node Type"] == "Sort" for n in self.nodes)

    def __repr__(self) -> str:
        shown = [
            f"{n['Node Type']} {n.get('Relation Name', '')} {n.get('Index Name', '')}".strip()
            for n in self.nodes
        ]
        return f"{' '.join(self.statement.split())[:400]}\n  plan: {shown}"


def plans_of(db: Database, run: Callable[[], Any]) -> list[Plan]:
    """Call ``run``; return each SELECT it sent with its plan for the values it was sent with."""
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    found = []
    with db.engine.connect() as conn:
        for statement, parameters in sent:
            plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
            plan = json.loads(plan) if isinstance(plan, str) else plan
            found.append(Plan(statement, plan[0]["Plan"]))
    return found


def in_a_unit_of_work(db: Database, work: Callable[[UnitOfWork], Any]) -> list[Plan]:
    def run() -> None:
        with db.uow(write=False) as uow:
            work(uow)

    return plans_of(db, run)


def assert_no_sequential_scan(found: list[Plan]) -> None:
    assert found, "no query was sent"
    for plan in found:
        scanned = plan.full_reads()
        assert not scanned, f"sequential scan of {scanned}: {plan}"


def the_page(found: list[Plan]) -> Plan:
    """The caseload page itself (its tags and warnings follow in queries of their own)."""
    return next(p for p in found if p.statement.startswith("SELECT cases.id, cases.case_number"))


# --- the caseload and its filters -----------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.SUPERVISOR, Role.CASEWORKER])
@pytest.mark.parametrize("name", list(FILTERS))
def test_caseload_pages_use_indexes(agency: Database, role: Role, name: str) -> None:
    who = actor(agency, role)
    flt = FILTERS[name]

    def page_down(uow: UnitOfWork) -> None:
        repository = CaseloadRepository(uow.session, who)
        first = repository.page(flt, limit=100)
        if len(first) == 100:
            repository.page(flt, offset=100, limit=100, after=first[-1].id)

    assert_no_sequential_scan(in_a_unit_of_work(agency, page_down))


# The index each caseload page walks in its own order, stopping at the page's end: no sort.
PAGE_INDEXES = {
    "default": "ix_cases_active_last",
    "all statuses": "ix_cases_live_last",
    "sorted by client": "ix_client_lower_name",
}


@pytest.mark.parametrize("name", list(PAGE_INDEXES))
def test_caseload_pages_come_in_order_off_an_index(agency: Database, name: str) -> None:
    admin = actor(agency, Role.ADMINISTRATOR)
    found = in_a_unit_of_work(
        agency, lambda uow: CaseloadRepository(uow.session, admin).page(FILTERS[name], limit=100)
    )
    page = the_page(found)
    assert PAGE_INDEXES[name] in page.indexes, page
    assert not page.sorts, f"every case sorted for one page: {page}"


# What a filter's words are looked up in.
FILTER_INDEXES = {
    "surname": {"ix_client_name_trgm"},
    "case number prefix": {"uq_cases_case_number"},
    "tag": {"ix_case_tag_tag"},
}


@pytest.mark.parametrize("name", list(FILTER_INDEXES))
def test_filters_look_their_words_up_in_an_index(agency: Database, name: str) -> None:
    admin = actor(agency, Role.ADMINISTRATOR)
    found = in_a_unit_of_work(
        agency, lambda uow: CaseloadRepository(uow.session, admin).page(FILTERS[name], limit=100)
    )
    used = set().union(*(p.indexes for p in found))
    assert FILTER_INDEXES[name] <= used, found


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.SUPERVISOR, Role.CASEWORKER])
@pytest.mark.parametrize("name", ["default", "surname", "case number prefix", "tag", "mine"])
def test_caseload_counts_use_indexes(agency: Database, role: Role, name: str) -> None:
    who = actor(agency, role)
    found = in_a_unit_of_work(
        agency, lambda uow: CaseloadRepository(uow.session, who).count(FILTERS[name])
    )
    assert_no_sequential_scan(found)


def test_a_person_s_cases_come_in_name_order_off_an_index(agency: Database) -> None:
    """The workload's list of one person's cases: their open and paused cases by client."""
    admin = actor(agency, Role.ADMINISTRATOR)
    worker = actor(agency, Role.CASEWORKER)
    flt = CaseFilter(worker_ids=(worker.id,), sort="client", descending=False)

    def page_down(uow: UnitOfWork) -> None:
        repository = CaseloadRepository(uow.session, admin)
        first = repository.page(flt, limit=100)
        repository.page(flt, offset=100, limit=100, after=first[-1].id)
        repository.count(flt)

    found = in_a_unit_of_work(agency, page_down)
    assert_no_sequential_scan(found)
    assert "ix_cases_workload" in set().union(*(p.indexes for p in found)), found


# --- the workload ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.SUPERVISOR, Role.CASEWORKER])
def test_workload_uses_indexes(agency: Database, role: Role) -> None:
    who = actor(agency, role)
    found = plans_of(agency, lambda: workload.workload(agency, who))
    assert_no_sequential_scan(found)
    figures = next(p for p in found if "FROM staff" in p.statement and "cases" in p.statement)
    assert figures.indexes & {"ix_cases_workload", "ix_cases_live_status"}, figures


# --- the global search ----------------------------------------------------------------------------


def _searches(db: Database) -> dict[str, str]:
    with db.engine.connect() as conn:
        client = conn.execute(
            text(
                "SELECT c.name, c.date_of_birth, c.email, c.phone, k.case_number FROM client c"
                " JOIN cases k ON k.client_id = c.id WHERE c.email IS NOT NULL"
                " AND c.phone IS NOT NULL AND c.date_of_birth IS NOT NULL ORDER BY c.id LIMIT 1"
            )
        ).one()
    surname = client.name.split()[-1]
    return {
        "surname": surname,
        "misspelt surname": surname[:2] + surname[3] + surname[2] + surname[4:],
        "first letters": surname[:2],
        "name and surname": client.name,
        "case number": client.case_number,
        "case number prefix": client.case_number[:6],
        "date of birth": str(client.date_of_birth),
        "email": client.email,
        "phone": client.phone,
        "two words of notes": "housing benefit",
        "a common word of notes": "visit",
        "words being typed": "tenancy agre",
    }


SEARCHES = [
    "surname", "misspelt surname", "first letters", "name and surname", "case number",
    "case number prefix", "date of birth", "email", "phone", "two words of notes",
    "a common word of notes", "words being typed",
]  # fmt: skip


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.SUPERVISOR, Role.CASEWORKER])
@pytest.mark.parametrize("name", SEARCHES)
def test_global_search_uses_indexes(agency: Database, role: Role, name: str) -> None:
    from casetui.services.search import search

    who = actor(agency, role)
    words = _searches(agency)[name]
    found = plans_of(agency, lambda: search(agency, who, words))
    assert_no_sequential_scan(found)


def test_note_search_looks_words_up_in_the_full_text_index(agency: Database) -> None:
    from casetui.services.search import search

    admin = actor(agency, Role.ADMINISTRATOR)
    found = plans_of(agency, lambda: search(agency, admin, "housing benefit"))
    notes = [p for p in found if "case_note" in p.statement]
    assert notes and any("ix_case_note_words" in p.indexes for p in notes), notes


def test_the_searches_find_what_they_are_asked(agency: Database) -> None:
    """The searches above find something, so their plans are the plans of real reads."""
    from casetui.services.search import search

    admin = actor(agency, Role.ADMINISTRATOR)
    for name, words in _searches(agency).items():
        kinds = {hit.kind for hit in search(agency, admin, words)}
        wanted = (
            "note" if "notes" in name or "typed" in name else "case" if "case" in name else "client"
        )
        assert wanted in kinds, name
