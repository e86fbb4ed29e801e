"""PostgreSQL going away, for one throwaway test database only; the shared server stays up.

New connections to the database are refused (as while a server restarts) and the open
ones are ended (as a restart ends them), until the ``with`` block is left.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy.engine import make_url


@contextmanager
def postgres_away(url: str) -> Iterator[None]:
    name = make_url(url).database
    server = make_url(url).set(drivername="postgresql", database="postgres")
    with psycopg.connect(server.render_as_string(hide_password=False), autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        end_connections(admin, name)
        try:
            yield
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


def end_connections(admin: psycopg.Connection, name: str | None) -> None:
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()",
        (name,),
    )
