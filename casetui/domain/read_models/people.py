"""Staff as the screens and the command line see them: accounts, teams, workload."""

from __future__ import annotations

from dataclasses import dataclass, field

from casetui.domain.enums import Grant, Role


@dataclass(frozen=True)
class StaffView:
    id: int
    username: str
    display_name: str
    role: Role
    team: str | None
    team_id: int | None
    capacity_hours: float
    active: bool
    grants: frozenset[Grant] = frozenset()
    has_password: bool = True
    # A temporary password, set by an administrator, waiting to be changed at first sign-in.
    must_change_password: bool = False
    version: int = 1


@dataclass(frozen=True)
class TeamView:
    """A team as the administration screen and ``teams list`` show it."""

    id: int
    name: str
    supervisors: tuple[str, ...]  # usernames of the team's active supervisors
    members: int  # active staff in the team, supervisors included
    version: int


@dataclass(frozen=True)
class WorkloadRow:
    staff_id: int
    username: str
    display_name: str
    team: str | None
    capacity_hours: float
    allocated_hours: float
    cases_by_concern: dict[str, int] = field(default_factory=dict)

    @property
    def utilisation(self) -> float:
        if self.capacity_hours <= 0:
            return 0.0 if self.allocated_hours == 0 else float("inf")
        return self.allocated_hours / self.capacity_hours
