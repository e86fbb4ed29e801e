"""Outcome assessments and the insights read: history kept, stages from the organisation's
list, the actor's scope, the figures and the paragraph. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from casetui.domain.errors import NotFound, PermissionDenied, ValidationError
from casetui.domain.models import OutcomeAssessment
from casetui.services import lists as list_service
from casetui.services import outcomes

from .conftest import World

STAGES = (
    "Engagement", "Safety and stability", "Housing", "Health and wellbeing", "Skills and work",
    "Independence",
)  # fmt: skip


def assessments(world: World) -> list[tuple[int, str, str, str]]:
    return [
        tuple(r)  # type: ignore[misc]
        for r in world.read(
            lambda uow: uow.session.execute(
                select(
                    OutcomeAssessment.case_id,
                    OutcomeAssessment.stage,
                    OutcomeAssessment.level,
                    OutcomeAssessment.confidence,
                ).order_by(OutcomeAssessment.id)  # fmt: skip
            ).all()
        )
    ]


def test_a_new_assessment_keeps_the_earlier_one_as_history(world: World) -> None:
    first = world.run(
        outcomes.assess, world.ana, world.ana_case, "housing", "LOW", "limited",
        "Sofa surfing at her sister's",
    )  # fmt: skip
    world.clock.advance(timedelta(days=30))
    second = world.run(
        outcomes.assess, world.ana, world.ana_case, "Housing", "medium", "some",
        "Tenancy offered, signing on Friday",
    )  # fmt: skip
    assert (first.stage, first.level, first.confidence) == ("Housing", "low", "limited")
    assert second.assessed_by == "Ana" and second.assessed_at == world.clock()

    case = world.run(outcomes.case_outcomes, world.ana, world.case_id(world.ana_case))
    assert case.stages == STAGES
    assert case.current["Housing"].evidence == "Tenancy offered, signing on Friday"
    assert [a.level for a in case.history["Housing"]] == ["medium", "low"]
    assert case.may_assess is True
    assert len(assessments(world)) == 2

    grid = world.run(outcomes.outcome_grid, world.ana)
    row = next(r for r in grid.rows if r.case_number == world.ana_case)
    assert row.cells[STAGES.index("Housing")] == ("medium", "some")
    assert [c for i, c in enumerate(row.cells) if i != STAGES.index("Housing")] == [None] * 5


def test_each_assessment_is_audited(world: World) -> None:
    view = world.run(
        outcomes.assess, world.sam, world.ana_case, "Engagement", "high", "strong", "Comes weekly"
    )
    event_ = [e for e in world.audit_events() if e.action == "outcome.assess"]
    assert len(event_) == 1
    assert event_[0].entity == "outcome_assessment" and event_[0].entity_id == str(view.id)
    assert event_[0].case_id == world.case_id(world.ana_case)
    after = json.loads(event_[0].after or "{}")
    assert (after["stage"], after["level"], after["confidence"], after["evidence"]) == (
        "Engagement", "high", "strong", "Comes weekly",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("stage", "level", "confidence", "field"),
    [
        ("Wellbeing", "high", "some", "stage"),
        ("Housing", "very high", "some", "level"),
        ("Housing", "high", "certain", "confidence"),
        ("", "high", "some", "stage"),
    ],
)
def test_a_stage_must_be_on_the_list_and_the_level_and_confidence_named(
    world: World, stage: str, level: str, confidence: str, field: str
) -> None:
    before = world.dump()
    with pytest.raises(ValidationError) as refused:
        world.run(outcomes.assess, world.ana, world.ana_case, stage, level, confidence)
    assert refused.value.field == field
    assert world.dump() == before


def test_a_retired_stage_takes_no_new_assessment_but_its_history_stays(world: World) -> None:
    world.run(outcomes.assess, world.ana, world.ana_case, "Independence", "low", "some")
    world.run(list_service.retire_item, world.admin, "outcome_stages", "Independence")
    with pytest.raises(ValidationError, match="stage"):
        world.run(outcomes.assess, world.ana, world.ana_case, "Independence", "high", "some")
    case = world.run(outcomes.case_outcomes, world.ana, world.case_id(world.ana_case))
    assert case.stages[-1] == "Independence" and case.current["Independence"].level == "low"
    grid = world.run(outcomes.outcome_grid, world.ana)
    assert "Independence" not in grid.stages and len(grid.stages) == 5


def test_the_grid_holds_only_cases_in_sight(world: World) -> None:
    for number in (world.ana_case, world.ben_case, world.cara_case):
        world.run(outcomes.assess, world.admin, number, "Engagement", "high", "strong")
    seen = {r.case_number for r in world.run(outcomes.outcome_grid, world.ana).rows}
    assert seen == {world.ana_case, world.ben_case}  # her own, and ben's as navigator
    north = {r.case_number for r in world.run(outcomes.outcome_grid, world.sam).rows}
    assert north == {world.ana_case, world.ben_case, world.olga_case}
    everyone = {r.case_number for r in world.run(outcomes.outcome_grid, world.audrey).rows}
    assert world.cara_case in everyone and len(everyone) == 4


def test_a_closed_case_leaves_the_grid(world: World) -> None:
    from casetui.services import cases

    world.run(cases.change_status, world.ana, world.ana_case, "Closed")
    assert world.ana_case not in {
        r.case_number for r in world.run(outcomes.outcome_grid, world.ana).rows
    }


@pytest.mark.parametrize(
    ("who", "worker", "refused"),
    [
        ("ana", "ben", PermissionDenied),  # a caseworker: her own only
        ("sam", "cara", PermissionDenied),  # a supervisor: his team only
        ("sam", "nobody", NotFound),
        ("audrey", "cara", None),
        ("sam", "ben", None),
        ("ana", "ana", None),
    ],
)
def test_one_workers_grid_is_refused_outside_the_actors_scope(
    world: World, who: str, worker: str, refused: type[Exception] | None
) -> None:
    actor = getattr(world, who)
    if refused is not None:
        with pytest.raises(refused):
            world.run(outcomes.outcome_grid, actor, worker=worker)
        return
    grid = world.run(outcomes.outcome_grid, actor, worker=worker)
    holder = world.staff_row(worker).id
    assert grid.rows and {r.worker_id for r in grid.rows} == {holder}
    assert grid.worker == worker.title()


def test_the_workers_offered_are_those_in_scope(world: World) -> None:
    assert [s.username for s in world.run(outcomes.worker_choices, world.ana)] == ["ana"]
    assert {s.username for s in world.run(outcomes.worker_choices, world.sam)} == {
        "sam", "ana", "ben", "olga",
    }  # fmt: skip
    assert "cara" in {s.username for s in world.run(outcomes.worker_choices, world.audrey)}


def test_the_comparison_counts_each_workers_cases_by_stage(world: World) -> None:
    run = world.run
    run(outcomes.assess, world.sam, world.ana_case, "Engagement", "high", "strong")
    run(outcomes.assess, world.sam, world.ana_case, "Housing", "low", "limited")
    run(outcomes.assess, world.sam, world.ben_case, "Engagement", "low", "some")
    run(outcomes.assess, world.sam, world.olga_case, "Engagement", "high", "limited")
    grid = run(outcomes.outcome_grid, world.sam)
    engagement = grid.overall.stages[0]
    assert (engagement.cases, engagement.low, engagement.medium, engagement.high) == (3, 1, 0, 2)
    assert engagement.limited == 1 and engagement.not_assessed == 0
    assert engagement.share_high == pytest.approx(2 / 3)
    housing = grid.overall.stages[2]
    assert (housing.low, housing.not_assessed, housing.share_limited) == (1, 2, 1.0)
    by_name = {w.worker: w for w in grid.by_worker}
    assert sorted(by_name) == ["Ana", "Ben", "Olga"]
    assert by_name["Ana"].stages[0].high == 1 and by_name["Ana"].stages[2].low == 1
    assert by_name["Ben"].stages[0].low == 1 and by_name["Ben"].stages[2].not_assessed == 1
    assert grid.narrative.startswith("Of 3 open or paused cases, 0% are assessed at every stage")
    assert "Engagement is strongest (67% high); Housing is weakest (100% low)." in grid.narrative


def test_the_grid_is_one_query_however_many_cases(world: World) -> None:
    """No look-up per case: the same number of statements for one case as for four."""

    def statements(actor: Any) -> int:
        seen: list[str] = []

        def count(*args: Any) -> None:
            seen.append(str(args[2]))

        event.listen(world.db.engine, "before_cursor_execute", count)
        try:
            world.run(outcomes.outcome_grid, actor)
        finally:
            event.remove(world.db.engine, "before_cursor_execute", count)
        return len([s for s in seen if "outcome_assessment" in s])

    for number in (world.ana_case, world.ben_case, world.cara_case, world.olga_case):
        world.run(outcomes.assess, world.admin, number, "Engagement", "medium", "some")
    assert statements(world.cara) == statements(world.admin) == 1


def test_json_read_is_recorded_as_an_export(world: World) -> None:
    world.run(outcomes.outcome_grid, world.sam, export=True)
    exported = [e for e in world.audit_events() if e.action == "export"]
    assert [(e.entity, json.loads(e.after or "{}")["rows"]) for e in exported] == [("outcomes", 3)]


def test_a_case_out_of_sight_has_no_outcomes_to_read(world: World) -> None:
    with pytest.raises(NotFound):
        world.run(outcomes.case_outcomes, world.ana, world.case_id(world.cara_case))
    with pytest.raises(NotFound):
        world.run(outcomes.assess, world.ana, world.cara_case, "Housing", "low", "some")
    case = world.run(outcomes.case_outcomes, world.audrey, world.case_id(world.cara_case))
    assert case.may_assess is False and case.current == {}
    assert not [e for e in world.audit_events() if e.action == "outcome.assess"]
