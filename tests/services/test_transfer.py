"""Caseload transfer and the workload's what-if: balanced by hours, all moves or none."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casetui.domain.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    StaleEdit,
    ValidationError,
)
from casetui.domain.models import Case, Notification, Staff
from casetui.domain.transfer import SketchMove, TransferPlan
from casetui.services import cases as case_service
from casetui.services import clients as client_service
from casetui.services import staff as staff_service
from casetui.services import transfer

from .conftest import World


def _open(world: World, worker: str, concern: str, status: str = "Open") -> str:
    client_id = world.run(
        client_service.register_client,
        world.sam,
        client_service.ClientInput(name=f"{concern} {status} {worker}"),
    )
    case = case_service.CaseInput(
        client_id=client_id, concern=concern, status=status, worker=worker
    )
    return world.run(case_service.open_case, world.sam, case).case_number


@pytest.fixture
def leaver(world: World) -> dict[str, str]:
    """Lee (North, 37.5 h) holds six cases, 12.5 h; tia (10 h) and uma (20 h) hold none."""
    for username, capacity in (("lee", 37.5), ("tia", 10.0), ("uma", 20.0)):
        world.run(
            staff_service.create_staff,
            world.admin,
            staff_service.StaffInput(username, username.title(), team="North",
                                     capacity_hours=capacity),
        )  # fmt: skip
    names = ["H1", "H2", "M", "MP", "L1", "L2"]
    kinds = [("High", "Open"), ("High", "Open"), ("Medium", "Open"), ("Medium", "Paused"),
             ("Low", "Open"), ("Low", "Open")]  # fmt: skip
    return {name: _open(world, "lee", c, s) for name, (c, s) in zip(names, kinds, strict=True)}


def _workers(world: World) -> dict[str, str]:
    def read(uow: object) -> dict[str, str]:
        session = uow.session  # type: ignore[attr-defined]
        rows = session.execute(
            select(Case.case_number, Staff.username).join(Staff, Staff.id == Case.primary_worker_id)
        )
        return {number: username for number, username in rows}

    return world.read(read)


def _plan(world: World, targets: list[str] | None = None) -> TransferPlan:
    return world.run(transfer.plan_transfer, world.sam, "lee", targets or ["tia", "uma"])


# --- balance ---------------------------------------------------------------------------------------


def test_heaviest_case_first_to_whoever_is_least_loaded_after(
    world: World, leaver: dict[str, str]
) -> None:
    plan = _plan(world)
    went = {m.case_number: m.to_username for m in plan.moves}
    # H1 to uma (20% beats tia's 40%); H2 ties at 40%, tia is emptier now; then uma each time:
    # M 30% < 60%, L1 35% < 50%, L2 40% < 50%, MP (0.5 h) 42.5% < 45%.
    expected = {"H1": "uma", "H2": "tia", "M": "uma", "L1": "uma", "L2": "uma", "MP": "uma"}
    assert went == {leaver[name]: to for name, to in expected.items()}
    assert [m.case_number for m in plan.moves] == [leaver[n] for n in
                                                   ("H1", "H2", "M", "L1", "L2", "MP")]  # fmt: skip
    assert [(p.username, p.before_hours, p.after_hours) for p in plan.people] == [
        ("lee", 12.5, 0.0),
        ("tia", 0.0, 4.0),
        ("uma", 0.0, 8.5),
    ]
    assert [round(p.after, 3) for p in plan.people] == [0.0, 0.4, 0.425]
    assert plan.hours == 12.5


def test_the_preview_writes_nothing(world: World, leaver: dict[str, str]) -> None:
    before = world.dump()
    _plan(world)
    assert world.dump() == before


def test_commit_moves_every_case_audits_and_tells_each_new_worker(
    world: World, leaver: dict[str, str]
) -> None:
    plan = _plan(world)
    done = world.run(transfer.commit_transfer, world.sam, plan)
    assert len(done.moves) == 6
    workers = _workers(world)
    assert {n: workers[n] for n in leaver.values()} == {
        m.case_number: m.to_username for m in plan.moves
    }
    events = world.audit_events()
    reassigned = [e for e in events if e.action == "case.reassign"]
    assert sorted(e.case_id for e in reassigned) == sorted(m.case_id for m in plan.moves)
    summary = [e for e in events if e.action == "caseload.transfer"]
    assert len(summary) == 1 and summary[0].actor_username == "sam"
    told = world.read(
        lambda uow: uow.session.execute(
            select(Staff.username, Notification.case_id)
            .join(Staff, Staff.id == Notification.staff_id)
            .where(Notification.kind == "case_assigned", Staff.username.in_(["tia", "uma"]))
        ).all()
    )
    assert sorted(told) == sorted((m.to_username, m.case_id) for m in plan.moves)


def test_a_deactivated_leaver_is_the_usual_source(world: World, leaver: dict[str, str]) -> None:
    world.sql("UPDATE staff SET active = :no WHERE username = 'lee'", no=False)
    plan = _plan(world)
    assert len(plan.moves) == 6 and plan.people[0].before_hours == 12.5
    world.run(transfer.commit_transfer, world.admin, plan)
    assert set(_workers(world)[n] for n in leaver.values()) == {"tia", "uma"}


def test_a_case_reassigned_between_preview_and_commit_refuses_the_whole_transfer(
    world: World, leaver: dict[str, str]
) -> None:
    plan = _plan(world)
    world.run(case_service.reassign, world.admin, leaver["L1"], "ben")
    before = world.dump()
    with pytest.raises(StaleEdit, match=leaver["L1"]) as refused:
        world.run(transfer.commit_transfer, world.sam, plan)
    assert "nothing was moved" in str(refused.value)
    assert world.dump() == before
    assert _workers(world)[leaver["H1"]] == "lee"


def test_a_case_given_to_the_leaver_after_the_preview_refuses_it(
    world: World, leaver: dict[str, str]
) -> None:
    plan = _plan(world)
    late = _open(world, "lee", "Low")
    before = world.dump()
    with pytest.raises(Conflict, match=late):
        world.run(transfer.commit_transfer, world.sam, plan)
    assert world.dump() == before


@pytest.mark.parametrize(
    ("source", "targets", "refusal"),
    [
        ("lee", [], ValidationError),
        ("lee", ["lee"], ValidationError),
        ("lee", ["audrey"], ValidationError),  # auditors hold no cases
        ("lee", ["cara"], PermissionDenied),  # another team than sam's
        ("cara", ["ben"], PermissionDenied),
        ("nobody", ["ben"], NotFound),
    ],
)
def test_who_the_cases_may_go_to(
    world: World, leaver: dict[str, str], source: str, targets: list[str], refusal: type
) -> None:
    with pytest.raises(refusal):
        world.run(transfer.plan_transfer, world.sam, source, targets)


def test_recipients_are_whom_the_actor_may_assign_least_loaded_first(
    world: World, leaver: dict[str, str]
) -> None:
    names = [r.username for r in world.run(transfer.recipients, world.sam, "lee")]
    assert names[:3] == ["sam", "tia", "uma"]  # no cases yet, then by name
    assert set(names) == {"tia", "uma", "ana", "ben", "olga", "sam"}
    with pytest.raises(PermissionDenied):
        world.run(transfer.recipients, world.ana, "lee")


# --- what-if -------------------------------------------------------------------------------------


def _sketch(world: World, number: str, to: str) -> SketchMove:
    case = world.run(case_service.show_case, world.admin, number)
    assert case.worker_username is not None
    return SketchMove(number, case.worker_username, to, case.version)


def test_what_if_moves_the_hours_without_writing(world: World, leaver: dict[str, str]) -> None:
    sketch = [_sketch(world, leaver["H1"], "tia"), _sketch(world, leaver["MP"], "uma")]
    before = world.dump()
    seen = world.run(transfer.what_if, world.sam, sketch)
    assert world.dump() == before
    rows = {r.username: r for r in seen.rows}
    assert (rows["lee"].allocated_hours, rows["tia"].allocated_hours) == (8.0, 4.0)
    assert rows["uma"].allocated_hours == 0.5
    assert rows["lee"].cases_by_concern == {"Low": 2, "Medium": 1, "High": 1}
    assert [m.hours for m in seen.moves] == [4.0, 0.5]


def test_what_if_commit_makes_every_move(world: World, leaver: dict[str, str]) -> None:
    sketch = [_sketch(world, leaver["H1"], "tia"), _sketch(world, world.ana_case, "olga")]
    world.run(transfer.commit_sketch, world.sam, sketch)
    workers = _workers(world)
    assert (workers[leaver["H1"]], workers[world.ana_case]) == ("tia", "olga")
    reassigned = [e for e in world.audit_events() if e.action == "case.reassign"]
    assert len(reassigned) == 2


def test_what_if_commit_with_a_stale_case_moves_nothing_and_names_it(
    world: World, leaver: dict[str, str]
) -> None:
    sketch = [_sketch(world, leaver["H1"], "tia"), _sketch(world, world.ana_case, "olga")]
    world.run(case_service.change_concern, world.ana, world.ana_case, "High")
    before = world.dump()
    with pytest.raises(StaleEdit, match=world.ana_case):
        world.run(transfer.commit_sketch, world.sam, sketch)
    assert world.dump() == before


def test_what_if_commit_refuses_a_move_the_actor_may_not_make(
    world: World, leaver: dict[str, str]
) -> None:
    sketch = [_sketch(world, leaver["H1"], "tia"), _sketch(world, leaver["H2"], "cara")]
    before = world.dump()
    with pytest.raises(PermissionDenied):
        world.run(transfer.commit_sketch, world.sam, sketch)
    assert world.dump() == before
