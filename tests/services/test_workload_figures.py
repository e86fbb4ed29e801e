"""Workload: allocated hours are concern weights of the cases a person is primary worker on."""

from __future__ import annotations

import pytest

from casetui.domain.read_models.people import WorkloadRow
from casetui.services import cases as case_service
from casetui.services import clients as client_service
from casetui.services import staff as staff_service
from casetui.services import workload as workload_service
from casetui.services.settings import SettingsChanges, update_settings

from .conftest import World


def _open(world: World, worker: str, concern: str, status: str = "Open") -> str:
    client_id = world.run(
        client_service.register_client,
        world.sam,
        client_service.ClientInput(name=f"{concern} {status} client"),
    )
    case = case_service.CaseInput(
        client_id=client_id, concern=concern, status=status, worker=worker
    )
    return world.run(case_service.open_case, world.sam, case).case_number


@pytest.fixture
def bens_mix(world: World) -> World:
    """Ben: his Low Open case, plus High Open, Medium Paused, High Closed and Medium Open."""
    _open(world, "ben", "High")
    _open(world, "ben", "Medium", "Paused")
    _open(world, "ben", "High", "Closed")
    _open(world, "ben", "Medium")
    return world


def _rows(world: World, username: str = "admin") -> dict[str, WorkloadRow]:
    return {r.username: r for r in world.run(workload_service.workload, getattr(world, username))}


def test_allocated_hours_are_the_sum_of_weights(bens_mix: World) -> None:
    ben = _rows(bens_mix)["ben"]
    # Low 1 + High 4 + Medium 2 x 0.25 (paused) + Closed nothing + Medium 2
    assert ben.allocated_hours == pytest.approx(7.5)
    assert ben.capacity_hours == 37.5
    assert ben.utilisation == pytest.approx(7.5 / 37.5)


def test_counts_by_concern_leave_out_closed_cases(bens_mix: World) -> None:
    assert _rows(bens_mix)["ben"].cases_by_concern == {"Low": 1, "Medium": 2, "High": 1}


def test_figures_follow_the_organisation_weights(bens_mix: World) -> None:
    bens_mix.run(
        update_settings, bens_mix.admin,
        SettingsChanges(weight_low=2, weight_medium=3, weight_high=5, paused_factor=0.5),
    )  # fmt: skip
    ben = _rows(bens_mix)["ben"]
    assert ben.allocated_hours == pytest.approx(2 + 5 + 3 * 0.5 + 3)
    assert _rows(bens_mix)["ana"].allocated_hours == pytest.approx(2)


def test_figures_follow_status_and_worker_changes(bens_mix: World) -> None:
    w = bens_mix
    w.run(case_service.change_status, w.sam, w.ben_case, "Paused")  # Low: 1 -> 0.25
    assert _rows(w)["ben"].allocated_hours == pytest.approx(6.75)
    w.run(case_service.change_status, w.sam, w.ben_case, "Closed")
    assert _rows(w)["ben"].cases_by_concern == {"Low": 0, "Medium": 2, "High": 1}
    w.run(case_service.reassign, w.sam, w.ana_case, "ben")  # ana's Low Open case moves to ben
    rows = _rows(w)
    assert (rows["ben"].allocated_hours, rows["ana"].allocated_hours) == (pytest.approx(7.5), 0)


def test_rows_are_sorted_by_utilisation_highest_first(bens_mix: World) -> None:
    w = bens_mix
    # Dee has fewer hours than Ben but a smaller capacity: she comes first.
    w.run(
        staff_service.create_staff,
        w.admin,
        staff_service.StaffInput("dee", "Dee", team="North", capacity_hours=4),
    )
    _open(w, "dee", "Low")
    rows = w.run(workload_service.workload, w.admin)
    assert [r.username for r in rows[:2]] == ["dee", "ben"]
    utilisation = [r.utilisation for r in rows]
    assert utilisation == sorted(utilisation, reverse=True)
    assert rows[-1].allocated_hours == 0


def test_supervisor_sees_the_same_figures_for_the_team(bens_mix: World) -> None:
    team = _rows(bens_mix, "sam")
    everyone = _rows(bens_mix)
    assert set(team) == {"sam", "ana", "ben", "olga"}
    assert all(team[name] == everyone[name] for name in team)
