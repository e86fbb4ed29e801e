"""The cases chosen in the caseload table, as the screens act on them."""

from __future__ import annotations

from dataclasses import dataclass

from casetui.domain.filters import CaseFilter


@dataclass(frozen=True)
class Selection:
    """What space and ctrl+a chose: cases by id, or every case of a filter but some."""

    picked: dict[int, str]  # case id -> case number
    whole_filter: CaseFilter | None = None
    left_out: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.picked) or self.whole_filter is not None
