"""The doorway's unit of work: one transaction for one person, with the repositories made for them.

Every public service function takes the database handle and the acting staff member, opens
its own ``Work`` (``writing`` or ``reading``), commits or lets it roll back, and returns read
models. Inside, ``work.cases``, ``work.notes`` and the rest are the actor's scoped
repositories, built once per unit of work instead of threading the actor through each one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar, overload
from zoneinfo import ZoneInfo

from casetui.db.uow import Database, UnitOfWork, retry_collisions
from casetui.domain.actor import Actor
from casetui.domain.errors import PermissionDenied
from casetui.domain.read_models.settings import SettingsView
from casetui.repositories.caseload import CaseloadRepository
from casetui.repositories.settings import load_settings
from casetui.repositories.staff import StaffRepository, is_deactivated

if TYPE_CHECKING:
    from casetui.repositories.audit import AuditTrailRepository
    from casetui.repositories.changes import ChangeRepository
    from casetui.repositories.clients import ClientRepository
    from casetui.repositories.communications import CommunicationRepository
    from casetui.repositories.notes import NoteRepository
    from casetui.repositories.outcomes import OutcomeRepository
    from casetui.repositories.signoff import SignoffRepository
    from casetui.repositories.supportive_services import SupportiveServiceRepository
    from casetui.repositories.tasks import TaskRepository
    from casetui.repositories.timeline import TimelineRepository
    from casetui.repositories.workload import WorkloadRepository

__all__ = ["Database", "Work", "reading", "retry_collisions", "writing"]

T = TypeVar("T")


class cached_property(Generic[T]):  # noqa: N801 - named after the one it stands in for
    """``functools.cached_property`` without its lock (as Python 3.12 made it).

    On 3.11 that lock is one per property for every instance of the class, held while the
    value is computed: a unit of work reading its settings after a commit (which waits for
    the writer lock) held up every other unit of work in the program reading theirs, the
    lock's holder among them, for ever. A ``Work`` is used by one thread: it needs no lock.
    """

    def __init__(self, compute: Callable[[Any], T]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, _owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> Self: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> T | Self:
        if instance is None:
            return self
        value = self.compute(instance)
        instance.__dict__[self.name] = value  # read from there from now on
        return value


class Work(UnitOfWork):
    """``with writing(db, actor) as work: ...; work.commit()``: uncommitted work rolls back."""

    def __init__(
        self, db: Database, actor: Actor | None, *, write: bool, alone: bool = False
    ) -> None:
        super().__init__(db.new_session(), db.clock, write=write, alone=alone)
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
    # Imported on first use: signing in and the caseload's first page need only a few of them.

    @cached_property
    def cases(self) -> CaseloadRepository:
        return CaseloadRepository(self.session, self.actor)

    @cached_property
    def clients(self) -> ClientRepository:
        from casetui.repositories.clients import ClientRepository

        return ClientRepository(self.session, self.actor)

    @cached_property
    def notes(self) -> NoteRepository:
        from casetui.repositories.notes import NoteRepository

        return NoteRepository(self.session, self.actor)

    @cached_property
    def tasks(self) -> TaskRepository:
        from casetui.repositories.tasks import TaskRepository

        return TaskRepository(self.session, self.actor)

    @cached_property
    def communications(self) -> CommunicationRepository:
        from casetui.repositories.communications import CommunicationRepository

        return CommunicationRepository(self.session, self.actor)

    @cached_property
    def supportive_services(self) -> SupportiveServiceRepository:
        from casetui.repositories.supportive_services import SupportiveServiceRepository

        return SupportiveServiceRepository(self.session, self.actor)

    @cached_property
    def outcomes(self) -> OutcomeRepository:
        from casetui.repositories.outcomes import OutcomeRepository

        return OutcomeRepository(self.session, self.actor)

    @cached_property
    def signoffs(self) -> SignoffRepository:
        from casetui.repositories.signoff import SignoffRepository

        return SignoffRepository(self.session, self.actor)

    @cached_property
    def timeline(self) -> TimelineRepository:
        from casetui.repositories.timeline import TimelineRepository

        return TimelineRepository(self.session, self.actor)

    @cached_property
    def staff(self) -> StaffRepository:
        return StaffRepository(self.session, self.actor)

    @cached_property
    def workload(self) -> WorkloadRepository:
        from casetui.repositories.workload import WorkloadRepository

        return WorkloadRepository(self.session, self.actor)

    @cached_property
    def audit_trail(self) -> AuditTrailRepository:
        from casetui.repositories.audit import AuditTrailRepository

        return AuditTrailRepository(self.session, self.actor)

    @cached_property
    def changes(self) -> ChangeRepository:
        from casetui.repositories.changes import ChangeRepository

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


def writing(db: Database, actor: Actor | None, *, alone: bool = False) -> Work:
    """A unit of work that may write. Writes on a case lock it (``access.writable_case``) and
    run beside writes on other cases; ``alone``, for a write whose rules reach across the
    organisation (staff, teams, settings, lists, imports), it runs with no other write under
    way, as every write does on SQLite. Hold it only as long as the write."""
    return Work(db, actor, write=True, alone=alone)


def reading(db: Database, actor: Actor | None) -> Work:
    return Work(db, actor, write=False)
