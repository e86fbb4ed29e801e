"""The report queries stream in the order the indexes give: no database sorts a whole report
before its first row is written (SQLite's EXPLAIN QUERY PLAN on demo data with planner
statistics), and each case's notes, communications and services are read through their
(case, date) index, never by scanning the table."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text

from casetui.db.engine import make_engine
from casetui.db.maintenance import analyze
from casetui.db.migrate import upgrade
from casetui.db.uow import Database
from casetui.demo import generate_demo
from casetui.domain.actor import Actor
from casetui.domain.enums import Role
from casetui.domain.models import Staff
from casetui.repositories.reports import CaseCriteria, ReportRepository
from casetui.repositories.staff import actor_from

TABLES = ("case_note", "communication", "supportive_service")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("report_plans") / "casetui.db"
    db = Database(make_engine(f"sqlite:///{path}"))
    upgrade(db.engine)
    generate_demo(db, cases=600, staff=12, seed=3, today=date(2026, 11, 22))
    # Communications and services as a working agency has them: a few on every case.
    with db.engine.begin() as conn:
        for _ in range(3):
            conn.execute(text(
                "INSERT INTO communication (case_id, author_id, kind, direction, occurred_at, "
                "subject, body, repeats, attempts, created_at, updated_at, version) "
                "SELECT id, primary_worker_id, 'phone', 'out', created_at, 'Called', '', "
                "'none', 0, created_at, created_at, 1 FROM cases "
                "WHERE primary_worker_id IS NOT NULL"
            ))  # fmt: skip
        conn.execute(text(
            "INSERT INTO supportive_service (case_id, author_id, service_type, provided_on, "
            "provider, amount, justification, created_at, updated_at, version) "
            "SELECT id, primary_worker_id, 'Bus pass', opened_on, 'City', 12.5, 'Travel', "
            "created_at, created_at, 1 FROM cases WHERE primary_worker_id IS NOT NULL"
        ))  # fmt: skip
    analyze(db.engine)
    yield db
    db.dispose()


def person(db: Database, role: Role) -> Actor:
    with db.uow(write=False) as uow:
        staff = uow.session.execute(
            select(Staff).where(Staff.role == role.value).order_by(Staff.id).limit(1)
        ).scalar_one()
        return actor_from(staff)


CRITERIA = {
    "everything": CaseCriteria(),
    "a year": CaseCriteria(
        since=datetime(2026, 1, 1, tzinfo=UTC),
        until=datetime(2027, 1, 1, tzinfo=UTC),
        first_day=date(2026, 1, 1),
        last_day=date(2026, 12, 31),
    ),  # fmt: skip
    "open cases": CaseCriteria(status="Open"),
}


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.AUDITOR, Role.SUPERVISOR])
@pytest.mark.parametrize("name", list(CRITERIA))
def test_report_queries_read_in_index_order(demo_db: Database, role: Role, name: str) -> None:
    who = person(demo_db, role)
    with demo_db.uow(write=False) as uow:
        reports = ReportRepository(uow.session, who)
        criteria = CRITERIA[name]
        queries = {
            "case_note": reports._notes(criteria, details=False),
            "communication": reports._communications(criteria),
            "supportive_service": reports._services(criteria),
        }
        for table, query in queries.items():
            sql = str(query.compile(uow.session.get_bind(), compile_kwargs={"literal_binds": True}))
            plan = [row[-1] for row in uow.session.connection().exec_driver_sql(
                "EXPLAIN QUERY PLAN " + sql)]  # fmt: skip
            assert not [line for line in plan if "TEMP B-TREE FOR ORDER BY" in line], (table, plan)
            assert not [line for line in plan if line.startswith(f"SCAN {table}")], (table, plan)
            assert any(line.startswith(f"SEARCH {table} USING INDEX") for line in plan), (
                table, plan,
            )  # fmt: skip
