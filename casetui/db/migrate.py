"""Creating and upgrading the schema (Alembic), and the check every command makes at start.

The start-up check reads ``alembic_version`` with plain SQL against ``SCHEMA_HEAD`` so that
ordinary commands never import Alembic; a test keeps ``SCHEMA_HEAD`` equal to Alembic's head.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import OperationalError

from casetui.db.uow import describe_operational_error
from casetui.domain.errors import DatabaseUnavailable, SchemaBehind

MIGRATIONS = Path(__file__).parent / "migrations"
# Oldest first; the last one is what this version of casetui expects.
REVISIONS = (
    "0001_initial",
    "0002_caseload_search",
    "0003_audit_trail",
    "0004_active_caseload",
    "0005_client_records",
    "0006_administration",
    "0007_plain_names",
    "0008_around_the_note",
    "0009_confidentiality_notice",
    "0010_caseload_every_status",
    "0011_subject_access",
    "0012_supervisor_insight",
    "0013_audit_at_commit",
)
SCHEMA_HEAD = REVISIONS[-1]


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to head. Returns (revision before, revision after)."""
    from alembic import command
    from alembic.config import Config

    before = current_revision(engine)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return before, current_revision(engine) or SCHEMA_HEAD


def current_revision(engine: Engine) -> str | None:
    """The schema revision, None for a database without one; a locked or unreachable
    database raises DatabaseUnavailable rather than passing for an empty one."""
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
            return row[0] if row else None
    except OperationalError as exc:
        raise DatabaseUnavailable(describe_operational_error(exc)) from exc


def check_schema(engine: Engine) -> None:
    """Refuse, with what to do, a database whose schema is not the one this code expects."""
    revision = current_revision(engine)
    if revision == SCHEMA_HEAD:
        return
    where = engine.url.render_as_string(hide_password=True)
    if revision is None:
        if inspect(engine).get_table_names():
            raise SchemaBehind(
                f"{where} holds tables that are not a casetui schema; "
                "point --db at a casetui database or an empty one"
            )
        raise SchemaBehind(f"{where} has no casetui schema yet; run `casetui init` to create it")
    if revision in REVISIONS:
        raise SchemaBehind(
            f"the database schema is behind this casetui ({revision}, needs {SCHEMA_HEAD}); "
            "run `casetui init` to upgrade it"
        )
    raise SchemaBehind(
        f"the database schema ({revision}) is newer than this casetui knows; upgrade casetui"
    )
