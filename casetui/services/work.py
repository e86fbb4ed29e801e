"""The doorway's unit of work: one transaction for one person, with the repositories made for them.

Every public service function takes the database handle and the acting staff member, opens
its own ``Work`` (``writing`` or ``reading``), commits or lets it roll back, and returns read
models. Inside, ``work.cases``, ``work.notes`` and the rest are the actor's scoped
repositories, built once per unit of work instead of threading the actor through each one.
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import cached_property
from typing import Self
from zoneinfo import ZoneInfo

from casetui.db.uow import Database, UnitOfWork
from casetui.domain.actor import Actor
from casetui.domain.errors import PermissionDenied
from casetui.domain.read_models import SettingsView
from casetui.repositories.audit import AuditTrailRepository
from casetui.repositories.caseload import CaseloadRepository
from casetui.repositories.changes import ChangeRepository
from casetui.repositories.clients import ClientRepository
from casetui.repositories.communications import CommunicationRepository
from casetui.repositories.notes import NoteRepository
from casetui.repositories.settings import load_settings
from casetui.repositories.staff import StaffRepository, is_deactivated
from casetui.repositories.tasks import TaskRepository
from casetui.repositories.timeline import TimelineRepository
from casetui.repositories.workload import WorkloadRepository

__all__ = ["Database", "Work", "reading", "writing"]


class Work(UnitOfWork):
    """``with writing(db, actor) as work: ...; work.commit()``: uncommitted work rolls back."""

    def __init__(self, db: Database, actor: Actor | None, *, write: bool) -> None:
        super().__init__(db.new_session(), db.clock, write=write)
        self._actor = actor

    def __enter__(self) -> Self:
        super().__enter__()
        if self.write and self._actor is not None:
            try:
                # A session signed in before its account was deactivated writes no more.
                if is_deactivated(self.session, self._actor.id):
                    raise PermissionDenied(
                        f"the account {self._actor.username} has been deactivated; nothing was "
                        "saved"
                    )
            except BaseException:
                self.session.close()
                raise
        return self

    @property
    def actor(self) -> Actor:
        if self._actor is None:
            raise RuntimeError("this unit of work acts for nobody: it has no scoped repositories")
        return self._actor

    # --- the actor's repositories: each reads only what the actor may see -------------------

    @cached_property
    def cases(self) -> CaseloadRepository:
        return CaseloadRepository(self.session, self.actor)

    @cached_property
    def clients(self) -> ClientRepository:
        return ClientRepository(self.session, self.actor)

    @cached_property
    def notes(self) -> NoteRepository:
        return NoteRepository(self.session, self.actor)

    @cached_property
    def tasks(self) -> TaskRepository:
        return TaskRepository(self.session, self.actor)

    @cached_property
    def communications(self) -> CommunicationRepository:
        return CommunicationRepository(self.session, self.actor)

    @cached_property
    def timeline(self) -> TimelineRepository:
        return TimelineRepository(self.session, self.actor)

    @cached_property
    def staff(self) -> StaffRepository:
        return StaffRepository(self.session, self.actor)

    @cached_property
    def workload(self) -> WorkloadRepository:
        return WorkloadRepository(self.session, self.actor)

    @cached_property
    def audit_trail(self) -> AuditTrailRepository:
        return AuditTrailRepository(self.session, self.actor)

    @cached_property
    def changes(self) -> ChangeRepository:
        return ChangeRepository(self.session, self.actor)

    # --- the organisation's settings and clock, read once per unit of work ------------------

    @cached_property
    def settings(self) -> SettingsView:
        return load_settings(self.session)

    def settings_changed(self) -> None:
        """Forget the settings read so far: this unit of work has just changed them."""
        self.__dict__.pop("settings", None)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.time_zone)

    def local_now(self) -> datetime:
        return self.now().astimezone(self.zone)

    def today(self) -> date:
        return self.local_now().date()

    def to_utc(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=self.zone).astimezone(ZoneInfo("UTC"))


def writing(db: Database, actor: Actor | None) -> Work:
    """A unit of work that may write: writers queue, so hold it only as long as the write."""
    return Work(db, actor, write=True)


def reading(db: Database, actor: Actor | None) -> Work:
    return Work(db, actor, write=False)
