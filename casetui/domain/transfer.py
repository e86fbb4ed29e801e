"""Moving cases between people: a caseload transfer's plan and a what-if sketch, worked out
without the database, so a preview and the workload screen's bars need no write."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from casetui.domain.enums import CaseStatus, Concern
from casetui.domain.read_models.people import WorkloadRow
from casetui.domain.read_models.settings import SettingsView


def case_hours(concern: str, status: str, settings: SettingsView) -> float:
    """A case's weekly hours, as the workload counts them: its concern's weight, in full
    while Open, at the paused factor while Paused, nothing once Closed."""
    weight = {
        Concern.LOW.value: settings.weight_low,
        Concern.MEDIUM.value: settings.weight_medium,
        Concern.HIGH.value: settings.weight_high,
    }.get(concern, 0.0)
    factor = {CaseStatus.OPEN.value: 1.0, CaseStatus.PAUSED.value: settings.paused_factor}
    return weight * factor.get(status, 0.0)


@dataclass(frozen=True)
class HeldCase:
    """One open or paused case someone holds, as a move needs it."""

    case_id: int
    case_number: str
    client_name: str
    concern: str
    status: str
    hours: float
    version: int  # the version seen: the move is refused if the case changed since


@dataclass(frozen=True)
class CaseMove:
    """One case from one person to another."""

    case_id: int
    case_number: str
    client_name: str
    concern: str
    status: str
    hours: float
    from_username: str
    to_username: str
    version: int


@dataclass(frozen=True)
class PersonLoad:
    """A person's hours before and after the moves."""

    username: str
    display_name: str
    team: str | None
    capacity_hours: float
    before_hours: float
    after_hours: float

    @property
    def before(self) -> float:
        return _utilisation(self.before_hours, self.capacity_hours)

    @property
    def after(self) -> float:
        return _utilisation(self.after_hours, self.capacity_hours)


@dataclass(frozen=True)
class TransferPlan:
    """All of one person's open and paused cases, shared among others: the preview."""

    source: str  # username
    targets: tuple[str, ...]
    moves: tuple[CaseMove, ...]
    people: tuple[PersonLoad, ...]  # the source first, then the targets as asked

    @property
    def hours(self) -> float:
        return sum(m.hours for m in self.moves)


@dataclass(frozen=True)
class TransferDone:
    """A committed transfer or sketch: the moves made, in one transaction."""

    moves: tuple[CaseMove, ...]


@dataclass(frozen=True)
class SketchMove:
    """A move in a what-if sketch: the case, who holds it, who would, and the version seen."""

    case_number: str
    from_username: str
    to_username: str
    version: int


@dataclass(frozen=True)
class WhatIf:
    """The workload as it would be with a sketch's moves: the people in the order the workload
    listed them (so the highlighted person stays put), and each move with its case's hours."""

    rows: tuple[WorkloadRow, ...]
    moves: tuple[CaseMove, ...]


def _utilisation(hours: float, capacity: float) -> float:
    if capacity <= 0:
        return 0.0 if hours == 0 else math.inf
    return hours / capacity


def balance(
    cases: Sequence[HeldCase], targets: Sequence[WorkloadRow]
) -> list[tuple[HeldCase, str]]:
    """Each case with the username it goes to: heaviest case first, to whoever has the lowest
    utilisation once it is added; ties go to the lower utilisation now, then by username, and
    cases of equal hours go in case-number order, so the same caseload always splits the same
    way."""
    if not targets:
        return []
    hours = {t.username: t.allocated_hours for t in targets}
    capacity = {t.username: t.capacity_hours for t in targets}
    order = sorted(cases, key=lambda c: (-c.hours, c.case_number))
    plan: list[tuple[HeldCase, str]] = []
    for case in order:
        chosen = min(
            hours,
            key=lambda name: (
                _utilisation(hours[name] + case.hours, capacity[name]),
                _utilisation(hours[name], capacity[name]),
                name,
            ),
        )
        hours[chosen] += case.hours
        plan.append((case, chosen))
    return plan


def moved_rows(rows: Iterable[WorkloadRow], moves: Iterable[CaseMove]) -> list[WorkloadRow]:
    """The workload rows with the moves applied: hours and concern counts follow each case.
    People not in ``rows`` are left out; the order is the rows' own."""
    rows = list(rows)
    by_name = {r.username: r for r in rows}
    hours = {r.username: r.allocated_hours for r in rows}
    counts = {r.username: dict(r.cases_by_concern) for r in rows}
    for move in moves:
        for name, sign in ((move.from_username, -1), (move.to_username, 1)):
            if name in by_name:
                hours[name] += sign * move.hours
                counts[name][move.concern] = counts[name].get(move.concern, 0) + sign
    return [
        replace(
            r,
            allocated_hours=round(max(hours[r.username], 0.0), 2),
            cases_by_concern=counts[r.username],
        )
        for r in rows
    ]


def loads(
    before: Sequence[WorkloadRow], moves: Sequence[CaseMove], order: Sequence[str]
) -> tuple[PersonLoad, ...]:
    """Each person in ``order`` (usernames) with their hours before and after the moves."""
    after = {r.username: r for r in moved_rows(before, moves)}
    by_name = {r.username: r for r in before}
    return tuple(
        PersonLoad(
            username=name,
            display_name=by_name[name].display_name,
            team=by_name[name].team,
            capacity_hours=by_name[name].capacity_hours,
            before_hours=by_name[name].allocated_hours,
            after_hours=after[name].allocated_hours,
        )
        for name in order
        if name in by_name
    )


def merged(sketch: Sequence[SketchMove], move: SketchMove) -> list[SketchMove]:
    """The sketch with one more move; a case moved again keeps where it came from, and a case
    moved back to its holder leaves the sketch."""
    earlier = next((m for m in sketch if m.case_number == move.case_number), None)
    rest = [m for m in sketch if m.case_number != move.case_number]
    if earlier is None:
        return [*rest, move]
    if earlier.from_username == move.to_username:
        return rest
    return [*rest, replace(move, from_username=earlier.from_username, version=earlier.version)]


__all__ = [
    "CaseMove",
    "HeldCase",
    "PersonLoad",
    "SketchMove",
    "TransferDone",
    "TransferPlan",
    "WhatIf",
    "balance",
    "case_hours",
    "loads",
    "merged",
    "moved_rows",
]
