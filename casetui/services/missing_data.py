"""Missing data (the caseload's M), per worker: open cases without a pathway, a note in the
stale period, an open follow-up task or a concern review, and clients without contact details.

A caseworker reads their own cases; a supervisor their team's, or one worker of it; an
administrator or an auditor everyone's, or one worker's. A concern review is the concern set or
changed on the case (its history keeps each change): none within the stale period counts as
missing. The note and review reasons leave out cases younger than the stale period.
"""

from __future__ import annotations

from datetime import timedelta

from casetui.domain.actor import Actor
from casetui.domain.caseworker_day import MISSING_TITLES, MissingData, MissingLine
from casetui.domain.enums import Role
from casetui.domain.errors import PermissionDenied, ValidationError
from casetui.domain.read_models.people import StaffView
from casetui.repositories.missing_data import MissingDataRepository
from casetui.services.access import holders
from casetui.services.work import Database, Work, reading

SHOWN_MAX = 200  # lines per reason; the counts are of all of them

CONCERN_REVIEW = (
    "a concern review is the case's concern set or changed within the stale period; "
    "cases younger than the stale period are not counted for notes or reviews"
)


def _choices(work: Work, actor: Actor) -> list[StaffView]:
    people = holders(work)
    if actor.role in (Role.ADMINISTRATOR, Role.AUDITOR):
        return people
    if actor.role is Role.SUPERVISOR and actor.team_id is not None:
        return [s for s in people if s.team_id == actor.team_id]
    return [s for s in people if s.id == actor.id]


def missing_data_workers(db: Database, actor: Actor) -> list[StaffView]:
    """Whose missing data ``actor`` may read: the worker picker's list."""
    with reading(db, actor) as work:
        return _choices(work, actor)


def missing_data(db: Database, actor: Actor, worker: str | None = None) -> MissingData:
    """``worker``: a username, or None for everyone the actor reads (a caseworker: themselves)."""
    with reading(db, actor) as work:
        choices = _choices(work, actor)
        worker_id: int | None = None
        team_id: int | None = None
        if worker:
            chosen = next((s for s in choices if s.username == worker.strip()), None)
            if chosen is None:
                if not any(s.username == worker.strip() for s in holders(work)):
                    raise ValidationError("worker", f"no active case worker {worker[:64]!r}")
                raise PermissionDenied(f"{worker[:64]} is not one of the workers you supervise")
            worker_id = chosen.id
        elif actor.role is Role.CASEWORKER or (
            actor.role is Role.SUPERVISOR and actor.team_id is None
        ):
            worker_id = actor.id
        elif actor.role is Role.SUPERVISOR:
            team_id = actor.team_id
        elif actor.role not in (Role.ADMINISTRATOR, Role.AUDITOR):
            raise PermissionDenied("missing data is for those who hold or oversee cases")
        stale_days = work.settings.stale_days
        since = work.now() - timedelta(days=stale_days)
        opened_by = work.today() - timedelta(days=stale_days)
        found = MissingDataRepository(work.session, actor)
        counts = {}
        lines: list[MissingLine] = []
        for reason in MISSING_TITLES:
            counts[reason] = found.count(
                reason, since, opened_by, worker_id=worker_id, team_id=team_id
            )
            if counts[reason]:
                lines += [
                    MissingLine(reason, *row)
                    for row in found.lines(
                        reason,
                        since,
                        opened_by,
                        worker_id=worker_id,
                        team_id=team_id,
                        limit=SHOWN_MAX,
                    )  # fmt: skip
                ]
        return MissingData(
            worker=worker.strip() if worker else None,
            counts=counts,
            lines=tuple(lines),
            stale_days=stale_days,
            since=opened_by,
            shown_max=SHOWN_MAX,
        )
