"""Writing hundreds of thousands of rows at once, inside the caller's transaction.

ORM objects, or even Core inserts, cost tens of microseconds a row in Python; demo data
for a benchmark has millions. So rows go to the driver as plain tuples: ``executemany``
on SQLite, ``COPY`` on PostgreSQL. Primary keys are given by the caller, so child rows
can name their parents without a round trip.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

Row = tuple[Any, ...]
LOAD_CACHE_KIB = 128 * 1024


def _sqlite_moment(moment: datetime) -> str:
    # The text SQLAlchemy's SQLite DateTime writes, so stored values sort and compare alike.
    return moment.isoformat(" ", "microseconds")


def _sqlite_day(day: date) -> str:
    return day.isoformat()


def _as_is(value: Any) -> Any:
    return value


class BulkWriter:
    """Inserts rows given as tuples, in the column order named, through the raw driver.

    ``with BulkWriter(connection) as bulk:``. Datetimes handed to ``moment`` must be naive
    UTC: that is what the UTC columns store (see ``casetui.domain.types.UTCDateTime``),
    and this path skips SQLAlchemy's types.
    """

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.is_sqlite = connection.dialect.name == "sqlite"
        self._driver: Any = connection.connection.driver_connection
        self.moment: Callable[[datetime], Any] = _sqlite_moment if self.is_sqlite else _as_is
        self.day: Callable[[date], Any] = _sqlite_day if self.is_sqlite else _as_is
        self._tables_given_ids: set[str] = set()
        self._cache_pages: int | None = None

    def __enter__(self) -> BulkWriter:
        if self.is_sqlite:
            self._cache_pages = self._connection.exec_driver_sql("PRAGMA cache_size").scalar()
            # A big page cache while loading: with the default 2 MB, every index page is
            # written to the WAL again and again as the inserts push it out and back in.
            self._connection.exec_driver_sql(f"PRAGMA cache_size = -{LOAD_CACHE_KIB}")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # The pooled connection goes back to its usual cache; after a failure, that failure
        # is the one worth reporting.
        if self._cache_pages is not None:
            with contextlib.suppress(DBAPIError):
                self._connection.exec_driver_sql(f"PRAGMA cache_size = {self._cache_pages}")

    def first_free_id(self, table: str) -> int:
        """The id after the highest one in ``table``; the caller counts up from there."""
        self._tables_given_ids.add(table)
        highest = self._connection.exec_driver_sql(f"SELECT max(id) FROM {table}").scalar()
        return (highest or 0) + 1

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
        if not rows:
            return
        names = ", ".join(columns)
        cursor = self._driver.cursor()
        try:
            if self.is_sqlite:
                marks = ", ".join("?" * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            else:
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        finally:
            cursor.close()

    def refresh_next_task_due(self, first_case: int, last_case: int) -> None:
        """Each case's earliest open task, as the services keep it."""
        self._connection.exec_driver_sql(
            "UPDATE cases SET next_task_due = (SELECT min(t.due_on) FROM follow_up_task t"
            " WHERE t.case_id = cases.id AND t.status = 'open')"
            f" WHERE cases.id BETWEEN {int(first_case)} AND {int(last_case)}"
        )

    def finish(self) -> None:
        """Move PostgreSQL's id sequences past the ids given here, so later inserts do not clash."""
        if self.is_sqlite:
            return
        for table in sorted(self._tables_given_ids):
            self._connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table} "
                "HAVING max(id) IS NOT NULL"
            )
