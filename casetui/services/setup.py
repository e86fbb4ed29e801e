"""Setting a database up for casetui: the schema, the organisation's defaults, the first
administrator, and the checks every start makes. The command line's ``init`` and ``demo``
and the app's start ask these, never the data layer itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import col

from casetui.db.health import check_database, ensure_reachable
from casetui.db.maintenance import analyze
from casetui.db.migrate import SCHEMA_HEAD, upgrade
from casetui.domain.actor import Actor
from casetui.domain.models import AuditEvent, Staff
from casetui.domain.read_models.people import StaffView
from casetui.repositories.staff import find_by_username
from casetui.services import audit
from casetui.services.defaults import ensure_defaults
from casetui.services.staff import StaffInput, create_staff
from casetui.services.work import Database, reading, writing


@dataclass(frozen=True)
class SchemaReport:
    before: str | None  # the revision found; None for a database without casetui's schema
    after: str
    head: str = SCHEMA_HEAD

    @property
    def what(self) -> str:
        if self.before is None:
            return "created"
        return "upgraded" if self.before != self.after else "already current"


def check(db: Database) -> None:
    """Reachable, and at this code's schema; raises a CasetuiError saying what to do if not."""
    check_database(db)


def upgrade_schema(db: Database) -> SchemaReport:
    """Create or upgrade the schema (the database must be reachable)."""
    ensure_reachable(db)
    before, after = upgrade(db.engine)
    return SchemaReport(before, after)


def initialise(db: Database) -> SchemaReport:
    """``casetui init``: the schema at head, the organisation's default settings and lists
    (audited when added), and fresh planner statistics."""
    report = upgrade_schema(db)
    with writing(db, None, alone=True) as work:
        if ensure_defaults(work):
            audit.record(work, None, "settings.defaults", "organisation_settings", 1)
        work.commit()
    refresh_statistics(db)
    return report


def refresh_statistics(db: Database) -> None:
    """After a large write (init, demo data): the query planners' figures brought up to date."""
    analyze(db.engine)


def holds_demo_data(db: Database) -> bool:
    with reading(db, None) as work:
        found = work.session.execute(
            select(col(AuditEvent.id)).where(col(AuditEvent.action) == "demo.generate").limit(1)
        ).first()
    return found is not None


@dataclass(frozen=True)
class Accounts:
    """Whether a username is taken (with its role), and whether there are any accounts."""

    existing_role: str | None
    anyone: bool


def accounts(db: Database, username: str) -> Accounts:
    with reading(db, None) as work:
        existing = find_by_username(work.session, username)
        anyone = work.session.execute(select(func.count()).select_from(Staff)).scalar_one()
        return Accounts(existing.role if existing else None, bool(anyone))


def add_administrator(
    db: Database, actor: Actor | None, username: str, password: str | None
) -> StaffView:
    """An administrator account: the first of a new database (``actor`` None), or one more,
    added by a signed-in administrator."""
    return create_staff(
        db, actor, StaffInput(username, username, role="administrator", password=password)
    )
