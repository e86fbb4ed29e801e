"""The demo organisation's teams and staff accounts."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from casetui.demo.bulk import BulkWriter
from casetui.demo.vocabulary import FIRST_NAMES, LAST_NAMES, TEAM_NAMES, slug
from casetui.domain.enums import DEFAULT_GRANTS, Role
from casetui.services.passwords import hash_password

DEMO_PASSWORD = "demo"
STAFF_PER_TEAM = 8
# An administrator, an auditor, and two teams of a supervisor and a caseworker.
MIN_STAFF = 6

STAFF_COLUMNS = (
    "id", "username", "display_name", "role", "grants", "team_id", "capacity_hours", "active",
    "password_hash", "failed_sign_ins", "created_at",
)  # fmt: skip


@dataclass(frozen=True)
class Member:
    id: int
    username: str
    display_name: str
    first_name: str
    role: Role
    team_id: int | None
    capacity_hours: float
    # How much of the team's intake lands on this person: part-timers and new starters get less.
    share: float


@dataclass
class Team:
    id: int
    name: str
    supervisor: Member
    caseworkers: list[Member] = field(default_factory=list)

    @property
    def members(self) -> list[Member]:
        return [self.supervisor, *self.caseworkers]


@dataclass
class Workforce:
    teams: list[Team]
    everyone: list[Member]

    @property
    def caseworkers(self) -> list[Member]:
        return [m for m in self.everyone if m.role is Role.CASEWORKER]

    def usernames_by_role(self) -> dict[str, list[str]]:
        return {
            role.value: [m.username for m in self.everyone if m.role is role]
            for role in (Role.ADMINISTRATOR, Role.SUPERVISOR, Role.CASEWORKER, Role.AUDITOR)
        }


def team_names(count: int) -> list[str]:
    return [TEAM_NAMES[i] if i < len(TEAM_NAMES) else f"Area {i + 1} Team" for i in range(count)]


def hire_staff(rng: random.Random, bulk: BulkWriter, total: int, today: date) -> Workforce:
    """Write the teams and ``total`` staff accounts; everyone's password is ``demo``."""
    team_count = max(2, total // STAFF_PER_TEAM)
    # One scrypt hash shared by every account: hashing per account costs ~50 ms each, half a
    # minute for a 500-staff benchmark database. The salt comes from the seed, so the same
    # seed writes the same rows.
    password_hash = hash_password(DEMO_PASSWORD, salt=rng.randbytes(16))
    hired_on = datetime.combine(today - timedelta(days=3 * 365 + 60), time(9, 0))
    taken = {"admin", "auditor"}
    shown: set[str] = set()
    next_team_id = bulk.first_free_id("team")
    next_staff_id = bulk.first_free_id("staff")

    def person(role: Role, team_id: int | None, username: str | None = None) -> Member:
        nonlocal next_staff_id
        while True:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            if f"{first} {last}" not in shown:
                break
        shown.add(f"{first} {last}")
        hours = rng.choices((37.5, 30.0, 22.5), weights=(7, 2, 1))[0]
        member = Member(
            id=next_staff_id,
            username=username or _free_username(first, last, taken),
            display_name=f"{first} {last}",
            first_name=first,
            role=role,
            team_id=team_id,
            capacity_hours=hours,
            share=rng.uniform(0.6, 1.4) * hours / 37.5,
        )
        next_staff_id += 1
        return member

    admin = person(Role.ADMINISTRATOR, None, "admin")
    teams = [
        Team(next_team_id + i, name, person(Role.SUPERVISOR, next_team_id + i))
        for i, name in enumerate(team_names(team_count))
    ]
    for i in range(total - 2 - team_count):
        team = teams[i % team_count]
        team.caseworkers.append(person(Role.CASEWORKER, team.id))
    auditor = person(Role.AUDITOR, None, "auditor")
    everyone = [admin, *(m for t in teams for m in t.members), auditor]

    bulk.insert("team", ("id", "name"), [(t.id, t.name) for t in teams])
    rows = []
    for m in everyone:
        grants = " ".join(sorted(g.value for g in DEFAULT_GRANTS[m.role]))
        joined = hired_on + timedelta(days=rng.randrange(60), minutes=rng.randrange(480))
        rows.append((m.id, m.username, m.display_name, m.role.value, grants, m.team_id, m.capacity_hours,
                     True, password_hash, 0, bulk.moment(joined)))  # fmt: skip
    bulk.insert("staff", STAFF_COLUMNS, rows)
    return Workforce(teams, everyone)


def _free_username(first: str, last: str, taken: set[str]) -> str:
    """``ana``, then ``ana.s``, then ``ana.silva``, then ``ana.silva2``: short while it is free."""
    given, family = slug(first) or "staff", slug(last) or "x"
    for candidate in (given, f"{given}.{family[0]}", f"{given}.{family}"):
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    number = 2
    while f"{given}.{family}{number}" in taken:
        number += 1
    taken.add(f"{given}.{family}{number}")
    return f"{given}.{family}{number}"
