"""Many people at once on one PostgreSQL, straight and through PgBouncer.

The PostgreSQL is the root conftest's (127.0.0.1 unless CASETUI_TEST_PG_URL says otherwise,
and then only on this machine's loopback); the pooled half also needs Debian's pgbouncer.
Without either the tests skip, saying why; in CI (``CI=true``) that is a failure instead.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import URL, make_url

from casetui.db.engine import make_engine
from casetui.db.migrate import upgrade
from casetui.db.uow import Database
from casetui.demo import generate_demo

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the benchmark's own modules: the load and the pooler
    sys.path.insert(0, str(ROOT))

LOOPBACK = ("127.0.0.1", "::1")
PASSWORD = "demo"  # every demo account's


def unavailable(problem: str) -> None:
    """Skip, or in CI fail: a missing server or pooler must not pass as green there."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(problem, pytrace=False)
    pytest.skip(problem)


@pytest.fixture
def loopback_server(postgres_server: URL) -> URL:
    """The test server, if it is on this machine: load goes nowhere else."""
    if postgres_server.host not in LOOPBACK:
        unavailable(f"load tests talk to 127.0.0.1 or ::1 only, not {postgres_server.host}")
    return postgres_server


@pytest.fixture
def pgbouncer_installed() -> None:
    from benchmarks._load_pgbouncer import missing_reason

    problem = missing_reason()
    if problem is not None:
        unavailable(problem)


@dataclass(frozen=True)
class Office:
    """A small demo organisation: a caseworker and one of their open cases."""

    db: Database
    url: str
    caseworker: str
    case_number: str


def _first_open_case(db: Database) -> tuple[str, str]:
    with db.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT s.username, c.case_number FROM cases c JOIN staff s "
            "ON s.id = c.primary_worker_id WHERE c.status = 'Open' AND c.deleted_at IS NULL "
            "AND s.role = 'caseworker' ORDER BY c.id LIMIT 1"
        ).one()
    return str(row[0]), str(row[1])


def open_office(url: str) -> Iterator[Office]:
    db = Database(make_engine(url))
    try:
        upgrade(db.engine)
        generate_demo(db, cases=200, staff=8, seed=1)
        caseworker, number = _first_open_case(db)
        yield Office(db, url, caseworker, number)
    finally:
        db.dispose()


def libpq(url: str, database: str | None = None) -> str:
    plain = make_url(url).set(drivername="postgresql")
    if database is not None:
        plain = plain.set(database=database)
    return plain.render_as_string(hide_password=False)


def end_backend(url: str, pid: int) -> None:
    """``pg_terminate_backend``, from a connection of the server's own, waiting until it is gone."""
    with psycopg.connect(libpq(url, "postgres"), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        for _ in range(500):
            gone = admin.execute("SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = %s", (pid,))
            row = gone.fetchone()
            if row is not None and row[0]:
                return
            admin.execute("SELECT pg_sleep(0.01)")
    raise AssertionError(f"backend {pid} was not ended")
