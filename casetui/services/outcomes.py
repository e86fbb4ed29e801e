"""Theory of Change insights: assessing a case at an outcome stage, and reading where the
caseload stands.

An assessment is a level (low, medium, high), a confidence (limited, some, strong) and the
evidence for it, at one of the organisation's active outcome stages. Whoever may write the
case assesses it. Assessments are never changed: a new one is a new row, so the history of a
case at a stage is kept, and the newest is the current one. Each is audited.

The heatmap, the per-worker comparison and the narrative come from one read of the cases in
the actor's sight (``repositories/outcomes.py``); the figures and the words are computed in
``domain/outcomes.py``.
"""

from __future__ import annotations

from casetui.domain.actor import Actor
from casetui.domain.enums import Confidence, OutcomeLevel, Role
from casetui.domain.errors import PermissionDenied, ValidationError
from casetui.domain.limits import DETAILS_MAX, USERNAME_MAX
from casetui.domain.models import OutcomeAssessment, Staff
from casetui.domain.outcomes import (
    AssessmentView,
    CaseOutcomes,
    OutcomeGrid,
    compare_workers,
    narrative,
)
from casetui.domain.read_models.people import StaffView
from casetui.services import audit, validation
from casetui.services.access import CaseAccess, case_access, holders, writable_case_by_number
from casetui.services.exports import exported
from casetui.services.records import saved_id, snapshot
from casetui.services.work import Database, Work, reading, writing

__all__ = [
    "GRID_MAX_CASES", "assess", "case_outcomes", "may_assess", "outcome_grid",
    "worker_choices",
]  # fmt: skip

# The heatmap holds at most this many cases (the first by case number); a larger sight is
# filtered by worker.
GRID_MAX_CASES = 20_000


def may_assess(access: CaseAccess) -> bool:
    """Assess this case at a stage: whoever may write it. The screens ask this."""
    return access.write


# --- writing ---------------------------------------------------------------------------------


def assess(
    db: Database,
    actor: Actor,
    case_number: str,
    stage: str,
    level: str,
    confidence: str,
    evidence: str | None = "",
) -> AssessmentView:
    """A new assessment of the case at one stage; the earlier ones stay as its history."""
    with writing(db, actor) as work:
        case = writable_case_by_number(work, case_number)
        assert case.id is not None
        fields = validation.Fields()
        stage = fields.check(_stage, work, stage)
        level = fields.check(validation.one_of, level, "level", [v.value for v in OutcomeLevel])
        confidence = fields.check(
            validation.one_of, confidence, "confidence", [c.value for c in Confidence]
        )
        evidence = fields.check(
            validation.text, evidence or "", "evidence", max_length=DETAILS_MAX, required=False
        )
        fields.done()
        row = OutcomeAssessment(
            case_id=case.id, stage=stage, level=level, confidence=confidence,
            evidence=evidence, assessed_by_id=actor.id, assessed_at=work.now(),
        )  # fmt: skip
        work.session.add(row)
        work.session.flush()
        audit.record(
            work, actor, "outcome.assess", "outcome_assessment", row.id, case_id=case.id,
            after=snapshot(row),
        )  # fmt: skip
        work.commit()
        found = [a for a in work.outcomes.history(case.id) if a.id == saved_id(row)]
        return found[0]


def _stage(work: Work, value: str | None) -> str:
    stages = work.settings.outcome_stages
    if not stages:
        raise ValidationError(
            "stage",
            "the organisation has no outcome stages yet; an administrator adds them "
            "(Administration, Lists, or casetui lists add outcome_stages VALUE)",
        )
    return validation.one_of(value, "stage", stages)


# --- reading ---------------------------------------------------------------------------------


def _in_scope(actor: Actor, staff: Staff | StaffView) -> bool:
    """Whose cases the actor may look at as one worker's: their own; a supervisor their
    team's; administrators and auditors anyone's."""
    if actor.sees_everything or staff.id == actor.id:
        return True
    return (
        actor.role is Role.SUPERVISOR
        and actor.team_id is not None
        and staff.team_id == actor.team_id
    )


def _worker(work: Work, username: str) -> Staff:
    actor = work.actor
    staff = work.staff.by_username(
        validation.text(username, "worker", max_length=USERNAME_MAX, required=True)
    )
    if _in_scope(actor, staff):
        return staff
    if actor.role is Role.CASEWORKER:
        raise PermissionDenied("caseworkers see the outcomes of their own cases only")
    raise PermissionDenied(f"{staff.username} is not in your team")


def worker_choices(db: Database, actor: Actor) -> list[StaffView]:
    """The workers whose cases the actor may look at one at a time: the filter's people."""
    with reading(db, actor) as work:
        return [s for s in holders(work) if _in_scope(actor, s)]


def outcome_grid(
    db: Database, actor: Actor, *, worker: str | None = None, export: bool = False
) -> OutcomeGrid:
    """Where the open and paused cases in sight stand at each stage (one worker's when
    ``worker`` is given: outside the actor's scope, refused), with the comparison and the
    narrative; ``export`` records the read as an export."""
    with reading(db, actor) as work:
        stages = work.settings.outcome_stages
        worker_id = None
        shown = None
        if worker:
            staff = _worker(work, worker)
            worker_id, shown = staff.id, staff.display_name
        rows, people, cut = work.outcomes.grid(stages, worker_id=worker_id, limit=GRID_MAX_CASES)
    names = {i: name for i, (_username, name) in people.items()}
    usernames = {i: username for i, (username, _name) in people.items()}
    overall, by_worker = compare_workers(stages, rows, names, usernames)
    grid = OutcomeGrid(
        stages=stages, rows=rows, workers=names, overall=overall, by_worker=by_worker,
        narrative=narrative(stages, rows, overall, by_worker), worker=shown, cut=cut,
    )  # fmt: skip
    if export:
        exported(db, actor, "outcomes", len(rows), {"worker": worker or None})
    return grid


def case_outcomes(db: Database, actor: Actor, case_id: int) -> CaseOutcomes:
    """One case's assessments, current and earlier, and whether the actor may add one."""
    with reading(db, actor) as work:
        detail = work.cases.detail(case_id)  # NotFound outside the actor's sight
        stages = work.settings.outcome_stages
        history: dict[str, list[AssessmentView]] = {}
        for assessment in work.outcomes.history(case_id):
            history.setdefault(assessment.stage, []).append(assessment)
        # A retired stage's assessments stay readable, after the listed stages.
        shown = (*stages, *(s for s in history if s not in stages))
        return CaseOutcomes(
            case_id=case_id,
            case_number=detail.case_number,
            client_name=detail.client_name,
            stages=shown,
            current={stage: found[0] for stage, found in history.items()},
            history=history,
            may_assess=may_assess(case_access(work, case_id)),
        )
