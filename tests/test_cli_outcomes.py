"""``casetui outcomes set`` and ``outcomes show``: assessments kept as history, the JSON keys
README documents, refusals (one line naming the rule, exit 1) and usage errors (exit 2).

Run in this process (``casetui.cli.main``) on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cli_org
import pytest
from cli_org import Done, build_org, plain_environment, runner
from sqlalchemy import select

from casetui.domain.models import AuditEvent, OutcomeAssessment

STAGES = [
    "Engagement", "Safety and stability", "Housing", "Health and wellbeing", "Skills and work",
    "Independence",
]  # fmt: skip
STAGE_KEYS = {
    "stage", "low", "medium", "high", "limited_confidence", "not_assessed", "high_share",
    "limited_share",
}  # fmt: skip


@dataclass
class Org(cli_org.Org):
    ana_case: str = ""
    cara_case: str = ""

    def assessments(self) -> list[tuple[str, str, str]]:
        with self.db.uow(write=False) as uow:
            rows = uow.session.execute(select(OutcomeAssessment).order_by(OutcomeAssessment.id))
            return [(r.stage, r.level, r.confidence) for r in rows.scalars()]

    def audit_actions(self) -> list[tuple[str, str]]:
        with self.db.uow(write=False) as uow:
            rows = uow.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()
            return [(e.action, e.entity) for e in rows]


@pytest.fixture
def org(database_url: str) -> Iterator[Org]:
    """Ana (North) and cara (South) with a case each, sam supervising North, audrey auditing."""
    db = build_org(database_url)
    try:
        made = Org(database_url, db)
        made.ana_case = made.new_case("ana", name="Amal Haddad")
        made.cara_case = made.new_case("cara", name="Chidi Okafor")
        yield made
    finally:
        db.dispose()


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plain_environment(monkeypatch, tmp_path)


@pytest.fixture
def cli(org: Org, capsys: pytest.CaptureFixture[str]) -> Any:
    return runner(org.url, capsys, user="ana")


def assess(cli: Any, case: str, stage: str, level: str, confidence: str, *extra: str) -> Done:
    return cli(
        "outcomes", "set", "--case", case, "--stage", stage, "--level", level,
        "--confidence", confidence, *extra,
    )  # fmt: skip


def test_set_keeps_each_assessment_and_show_prints_the_current_one(org: Org, cli: Any) -> None:
    first = assess(cli, org.ana_case, "housing", "low", "limited", "--evidence", "Sofa surfing")
    assert first.status == 0, first.stderr
    assert first.stdout == f"{org.ana_case} assessed at Housing: low (limited confidence)\n"
    assert assess(cli, org.ana_case, "Housing", "medium", "some").status == 0
    assert assess(cli, org.ana_case, "Engagement", "high", "strong").status == 0
    assert org.assessments() == [
        ("Housing", "low", "limited"), ("Housing", "medium", "some"),
        ("Engagement", "high", "strong"),
    ]  # fmt: skip
    shown = cli("outcomes", "show", "--json").json
    assert set(shown) == {
        "stages", "worker", "cases", "overall", "comparison", "narrative", "complete",
    }  # fmt: skip
    assert shown["stages"] == STAGES and shown["worker"] is None and shown["complete"] is True
    [case] = shown["cases"]
    assert (case["case_number"], case["client"], case["worker"]) == (
        org.ana_case, "Amal Haddad", "ana",
    )  # fmt: skip
    assert list(case["assessments"]) == STAGES
    assert case["assessments"]["Housing"] == {"level": "medium", "confidence": "some"}
    assert case["assessments"]["Engagement"] == {"level": "high", "confidence": "strong"}
    assert case["assessments"]["Independence"] is None
    assert shown["overall"]["worker"] is None and shown["overall"]["cases"] == 1
    [ana] = shown["comparison"]
    assert (ana["worker"], ana["name"], ana["cases"]) == ("ana", "Ana", 1)
    assert all(set(s) == STAGE_KEYS for s in ana["stages"])
    housing = ana["stages"][2]
    assert (housing["medium"], housing["not_assessed"], housing["high_share"]) == (1, 0, 0.0)
    assert shown["narrative"].startswith("Of 1 open or paused case, 0% are assessed")
    assert ("outcome.assess", "outcome_assessment") in org.audit_actions()
    assert ("export", "outcomes") in org.audit_actions()


def test_show_prints_a_table_the_stages_and_the_paragraph(org: Org, cli: Any) -> None:
    assess(cli, org.ana_case, "Engagement", "high", "limited")
    shown = cli("outcomes", "show")
    assert shown.status == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].split() == ["CASE", "CLIENT", "1", "2", "3", "4", "5", "6"]
    assert lines[1].split() == [org.ana_case, "Amal", "Haddad", "H?", "·", "·", "·", "·", "·"]
    assert "1 Engagement  2 Safety and stability" in shown.stdout
    assert lines[-1].startswith("Of 1 open or paused case")


def test_a_worker_outside_ones_scope_is_refused_not_answered_empty(org: Org, cli: Any) -> None:
    assert "not in your team" in cli("outcomes", "show", "--worker", "cara", user="sam").refusal
    assert "own cases" in cli("outcomes", "show", "--worker", "cara", "--json").refusal
    assert "no staff member" in cli("outcomes", "show", "--worker", "zed", user="sam").refusal
    theirs = cli("outcomes", "show", "--worker", "cara", "--json", user="audrey").json
    assert [c["case_number"] for c in theirs["cases"]] == [org.cara_case]
    assert theirs["worker"] == "cara"
    # Only the one answered is an export: a refusal handed nothing out.
    assert org.audit_actions().count(("export", "outcomes")) == 1


def test_refusals_name_the_rule_and_write_nothing(org: Org, cli: Any) -> None:
    assert "stage" in assess(cli, org.ana_case, "Wellbeing", "low", "some").refusal
    assert "no case" in assess(cli, org.cara_case, "Housing", "low", "some").refusal
    assert assess(cli, org.ana_case, "Housing", "low", "some").status == 0
    auditor = cli(
        "outcomes", "set", "--case", org.ana_case, "--stage", "Housing", "--level", "low",
        "--confidence", "some", user="audrey",
    )  # fmt: skip
    assert "read-only" in auditor.refusal
    assert org.assessments() == [("Housing", "low", "some")]


@pytest.mark.parametrize(
    "args",
    [
        ("--level", "excellent", "--confidence", "some"),
        ("--level", "low", "--confidence", "certain"),
        ("--level", "low"),
    ],
)
def test_levels_and_confidences_outside_the_three_are_usage_errors(
    org: Org, cli: Any, args: tuple[str, ...]
) -> None:
    done = cli("outcomes", "set", "--case", org.ana_case, "--stage", "Housing", *args)
    assert done.status == 2
    assert org.assessments() == []
