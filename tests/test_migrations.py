"""The schema: Alembic migrations, the start-up check, SQLite habits and the audit triggers."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from casetui.db import migrate
from casetui.db.engine import make_engine
from casetui.db.migrate import (
    MIGRATIONS,
    REVISIONS,
    SCHEMA_HEAD,
    check_schema,
    current_revision,
    upgrade,
)
from casetui.db.uow import Database
from casetui.domain.errors import SchemaBehind


@pytest.fixture
def empty_engine(database_url: str) -> Iterator[Engine]:
    """An engine on a database that has no schema at all, on each backend."""
    engine = make_engine(database_url)
    try:
        yield engine
    finally:
        engine.dispose()


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def set_version(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


# -- revisions -----------------------------------------------------------------------------


def test_schema_head_is_alembics_head() -> None:
    scripts = ScriptDirectory(str(MIGRATIONS))
    assert scripts.get_heads() == [SCHEMA_HEAD]


def test_revisions_list_every_migration_oldest_first() -> None:
    scripts = ScriptDirectory(str(MIGRATIONS))
    newest_first = [script.revision for script in scripts.walk_revisions()]
    assert tuple(reversed(newest_first)) == REVISIONS


# -- upgrade and the start-up check --------------------------------------------------------


def test_upgrade_creates_the_schema_on_an_empty_database(empty_engine: Engine) -> None:
    assert current_revision(empty_engine) is None

    assert upgrade(empty_engine) == (None, SCHEMA_HEAD)

    assert current_revision(empty_engine) == SCHEMA_HEAD
    check_schema(empty_engine)
    tables = set(inspect(empty_engine).get_table_names())
    assert {"audit_event", "cases", "case_note", "follow_up_task", "staff"} <= tables


def test_upgrade_at_head_changes_nothing(db: Database) -> None:
    assert upgrade(db.engine) == (SCHEMA_HEAD, SCHEMA_HEAD)
    check_schema(db.engine)


def test_check_schema_on_an_empty_database_says_run_init(empty_engine: Engine) -> None:
    with pytest.raises(SchemaBehind, match="no casetui schema yet") as caught:
        check_schema(empty_engine)
    assert "casetui init" in str(caught.value)


def test_check_schema_refuses_a_database_of_other_tables(empty_engine: Engine) -> None:
    with empty_engine.begin() as connection:
        connection.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"))
    with pytest.raises(SchemaBehind, match="not a casetui schema"):
        check_schema(empty_engine)


def test_check_schema_on_an_older_revision_says_run_init(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stands in for a newer casetui (one more migration) meeting this database.
    monkeypatch.setattr(migrate, "REVISIONS", (*REVISIONS, "9000_next"))
    monkeypatch.setattr(migrate, "SCHEMA_HEAD", "9000_next")
    with pytest.raises(SchemaBehind) as caught:
        check_schema(db.engine)
    message = str(caught.value)
    assert f"behind this casetui ({SCHEMA_HEAD}, needs 9000_next)" in message
    assert "casetui init" in message


def test_check_schema_on_an_unknown_revision_says_upgrade_casetui(db: Database) -> None:
    set_version(db.engine, "9999_from_a_newer_casetui")
    with pytest.raises(SchemaBehind) as caught:
        check_schema(db.engine)
    message = str(caught.value)
    assert "(9999_from_a_newer_casetui) is newer than this casetui knows" in message
    assert "upgrade casetui" in message
    assert "casetui init" not in message


# -- SQLite habits ---------------------------------------------------------------------------


def test_sqlite_file_is_created_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "new folder" / "casetui.db"
    previous = os.umask(0)  # the most permissive umask must still give 0600
    try:
        engine = make_engine(f"sqlite:///{path}")
    finally:
        os.umask(previous)
    try:
        assert mode_of(path) == 0o600
        upgrade(engine)
        assert mode_of(path) == 0o600
        wal = path.with_name(path.name + "-wal")
        assert wal.exists()
        assert mode_of(wal) == 0o600
    finally:
        engine.dispose()


def test_an_existing_sqlite_file_readable_by_others_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "casetui.db"
    path.touch()
    path.chmod(0o644)
    make_engine(f"sqlite:///{path}").dispose()
    assert mode_of(path) == 0o600


def test_sqlite_runs_in_wal_mode_with_foreign_keys_on(sqlite_db: Database) -> None:
    with sqlite_db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    with pytest.raises(IntegrityError), sqlite_db.engine.begin() as connection:
        connection.execute(
            text("INSERT INTO client_group (client_id, group_name) VALUES (424242, 'nobody')")
        )


def test_every_full_text_trigger_survives_the_migrations(sqlite_db: Database) -> None:
    """A migration that rebuilds a table on SQLite (Alembic's batch mode) silently drops its
    triggers, and with them the search indexes' upkeep: new notes would never be found."""
    with sqlite_db.engine.connect() as connection:
        triggers = set(
            connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars()
        )
    for index, table in (("client_search", "client"), ("note_search", "case_note"),
                         ("name_term_search", "name_term"),
                         ("client_name_search", "client")):  # fmt: skip
        kept = {t for t in triggers if t.startswith(index + "_")}
        wanted = {f"{index}_insert", f"{index}_delete"}
        if table != "name_term":  # words are only ever added
            wanted.add(f"{index}_update")
        assert kept == wanted, table


def upgrade_to(engine: Engine, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_names_written_before_0007_are_found_without_their_accents(empty_engine: Engine) -> None:
    """Clients and name words already there get their plain forms: "nunez" finds them."""
    upgrade_to(empty_engine, "0006_administration")
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO client (name, preferred_name, record_status, created_at, version)"
                " VALUES ('Zoë Ñúñez', 'Łucja', 'Active', :at, 1), ('Ann Lee', NULL, 'Active', :at, 1)"
            ),
            {"at": datetime(2026, 11, 22, 10, 0)},
        )
        connection.execute(
            text("INSERT INTO name_term (term) VALUES ('zoë'), ('ñúñez'), ('łucja'), ('zoe'),"
                 " ('gone')")
        )  # fmt: skip
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        names = dict(connection.execute(text("SELECT name, search_name FROM client")).all())
        terms = set(connection.execute(text("SELECT term FROM name_term")).scalars())
        if empty_engine.dialect.name == "sqlite":
            connection.execute(
                text("INSERT INTO client_name_search(client_name_search, rank)"
                     " VALUES ('integrity-check', 1)")
            )  # fmt: skip
            found = connection.execute(
                text("SELECT c.name FROM client c JOIN client_name_search s ON s.rowid = c.id"
                     " WHERE client_name_search MATCH 'nunez'")
            ).scalars()  # fmt: skip
        else:
            found = connection.execute(
                text("SELECT name FROM client WHERE search_name LIKE '%nunez%'")
            ).scalars()
        assert list(found) == ["Zoë Ñúñez"]
    assert names == {"Zoë Ñúñez": "zoe nunez lucja", "Ann Lee": "ann lee"}
    # Folded, each once; a word nobody uses stays, as name_terms keeps them.
    assert terms == {"zoe", "nunez", "lucja", "ann", "lee", "gone"}


# -- the audit trail is append-only in the database itself ---------------------------------


def insert_audit_row(engine: Engine) -> int:
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_event (at, actor_username, action, entity, prev_hash, hash) "
                "VALUES (:at, 'admin', 'case.open', 'case', :prev, :hash)"
            ),
            {"at": datetime(2026, 11, 22, 10, 0), "prev": "0" * 64, "hash": "a" * 64},
        )
        return int(connection.execute(text("SELECT id FROM audit_event")).scalar_one())


def audit_rows(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text("SELECT * FROM audit_event"))]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET action = 'case.close' WHERE id = :id",
        "UPDATE audit_event SET hash = :forged WHERE id = :id",
        "DELETE FROM audit_event WHERE id = :id",
        "DELETE FROM audit_event",
    ],
    ids=["update-action", "update-hash", "delete-row", "delete-all"],
)
def test_audit_events_cannot_be_changed_with_raw_sql(db: Database, statement: str) -> None:
    event_id = insert_audit_row(db.engine)
    before = audit_rows(db.engine)

    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
        connection.execute(text(statement), {"id": event_id, "forged": "b" * 64})

    assert audit_rows(db.engine) == before


@pytest.mark.postgres
def test_audit_events_cannot_be_truncated_on_postgres(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    try:
        upgrade(engine)
        insert_audit_row(engine)
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text("TRUNCATE audit_event"))
        assert len(audit_rows(engine)) == 1
    finally:
        engine.dispose()
