"""The caseload filter finds the same cases whichever way it looks them up.

A query matching few cases gathers them through indexes; one matching many reads the
caseload in order and tests each case (``CaseSearch.matching`` in repositories/case_search.py). Which way is chosen
depends on how many cases match, so both are run here on the same data, for every role,
by moving the point where a query counts as matching many.
"""

from __future__ import annotations

from typing import Any

import pytest

from casetui.domain.filters import ACTIVE_STATUSES, CaseFilter
from casetui.repositories import case_search
from casetui.repositories.caseload import CaseloadRepository
from casetui.repositories.cases import CaseRepository
from tests.services.conftest import World

PEOPLE = ("admin", "sam", "ana", "ben", "cara", "audrey", "olga")


def _queries(world: World) -> list[str]:
    return [
        "haddad", "HADDAD", "amal", "kel", "ok", "o", "C-", world.ana_case, world.ana_case[:-2],
        "housing", "hous", "nobody at all", "100%", "a_b",
    ]  # fmt: skip


def _found(world: World, username: str) -> list[tuple[str, list[str], int]]:
    actor = getattr(world, username)

    def read(uow: Any) -> list[tuple[str, list[str], int]]:
        out = []
        for query in _queries(world):
            for statuses in (ACTIVE_STATUSES, ()):
                flt = CaseFilter(query=query, statuses=statuses)
                page = CaseloadRepository(uow.session, actor).page(flt, limit=100)
                count = CaseRepository(uow.session, actor).count(flt)
                out.append((query, [row.case_number for row in page], count))
        return out

    return world.read(read)


@pytest.fixture
def tagged(world: World) -> World:
    case_id = world.case_id(world.cara_case)
    world.sql("INSERT INTO case_tag (case_id, tag) VALUES (:case_id, 'housing')", case_id=case_id)
    return world


@pytest.mark.parametrize("username", PEOPLE)
def test_gathering_and_testing_row_by_row_find_the_same_cases(
    tagged: World, username: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    gathered = _found(tagged, username)  # this small world never matches many
    monkeypatch.setattr(case_search, "BROAD_MATCHES", 0)  # every match is "many"
    tested = _found(tagged, username)
    assert tested == gathered
    for query, numbers, count in gathered:
        assert count == len(numbers), query


def test_what_the_filter_finds(tagged: World) -> None:
    found = {(q, tuple(n)) for q, n, _count in _found(tagged, "admin")}
    assert ("haddad", (tagged.ana_case,)) in found, "a surname, any letter case"
    assert ("HADDAD", (tagged.ana_case,)) in found
    assert ("housing", (tagged.cara_case,)) in found, "a tag, whole"
    assert (tagged.ana_case, (tagged.ana_case,)) in found, "a case number"
    assert ("nobody at all", ()) in found
    assert ("100%", ()) in found and ("a_b", ()) in found, "LIKE's wildcards are plain text"
    ana_only = {q: n for q, n, _ in _found(tagged, "ana")}
    assert tagged.cara_case not in ana_only["housing"], "a filter never widens the scope"
