"""The signed-in staff member, as plain data every layer can hold."""

from __future__ import annotations

from dataclasses import dataclass, field

from casetui.domain.enums import Grant, Role


@dataclass(frozen=True)
class Actor:
    id: int
    username: str
    display_name: str
    role: Role
    team_id: int | None
    grants: frozenset[Grant] = field(default_factory=frozenset)

    def has(self, grant: Grant) -> bool:
        return self.role is Role.ADMINISTRATOR or grant in self.grants

    @property
    def sees_everything(self) -> bool:
        return self.role in (Role.ADMINISTRATOR, Role.AUDITOR)

    @property
    def read_only(self) -> bool:
        return self.role is Role.AUDITOR
