"""Note audits through the service, on SQLite and PostgreSQL: who may audit and read, the bulk
run in one transaction, overrides, re-scoring, and the monthly trend."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from casetui.domain.errors import NotFound, PermissionDenied, ValidationError
from casetui.domain.models import AuditEvent, NoteAudit
from casetui.services import note_audits

from .conftest import World

GOOD = (
    "Visited Amal at home with her sister. We discussed the letter from the landlord about "
    "rent arrears; Amal is worried she could lose the flat. No risk to her safety was seen "
    "today. Agreed that I will call the housing office on Friday and refer her to advice."
)


def _audits(w: World) -> int:
    return w.read(lambda uow: uow.session.execute(select(func.count(NoteAudit.id))).scalar_one())


def _events(w: World, action: str) -> int:
    return w.read(
        lambda uow: uow.session.execute(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == action)
        ).scalar_one()
    )


def test_a_supervisor_audits_a_note_of_their_team_and_sees_why(world: World) -> None:
    note = world.note(
        world.ana, world.ana_case, "Home visit", details=GOOD, contact_date="2026-11-20",
        contact_time="14:30",
    )  # fmt: skip
    audited = world.run(note_audits.audit_note, world.sam, note.id)
    assert audited.score == 100
    assert audited.case_number == world.ana_case and audited.author == "ana"
    assert all(c.met for c in audited.criteria)
    assert audited.audited_by == "sam"
    assert _events(world, "note_audit.add") == 1


def test_a_vague_note_scores_low(world: World) -> None:
    note = world.note(world.ana, world.ana_case, "Spoke to client, all fine", contact_time="09:15")
    audited = world.run(note_audits.audit_note, world.admin, note.id)
    assert audited.score == 10
    assert [c.name for c in audited.criteria if c.met] == ["Date and time present"]


def test_nobody_audits_their_own_note_nor_another_teams(world: World) -> None:
    own = world.note(world.sam, world.ana_case, "Supervision")
    with pytest.raises(PermissionDenied, match="your own"):
        world.run(note_audits.audit_note, world.sam, own.id)
    south = world.note(world.cara, world.cara_case, "Phoned")
    with pytest.raises(NotFound):
        world.run(note_audits.audit_note, world.sam, south.id)
    for who in (world.ana, world.audrey):
        with pytest.raises(PermissionDenied):
            world.run(note_audits.audit_note, who, south.id)
    assert _audits(world) == 0


def test_the_bulk_run_audits_every_unaudited_note_of_the_team_once(world: World) -> None:
    first = world.note(world.ana, world.ana_case, "One", details=GOOD)
    world.note(world.ben, world.ben_case, "Two")
    world.note(world.cara, world.cara_case, "South's")  # another team's
    world.note(world.sam, world.ana_case, "Sam's own")  # the supervisor's own
    world.run(note_audits.audit_note, world.sam, first.id)
    seen: list[tuple[int, int]] = []
    run = world.run(note_audits.run_audits, world.sam, progress=lambda d, t: seen.append((d, t)))
    assert run.audited == 1
    assert seen == [(0, 1), (1, 1)]
    assert _audits(world) == 2
    again = world.run(note_audits.run_audits, world.sam)
    assert again.audited == 0
    everything = world.run(note_audits.run_audits, world.admin)
    assert everything.audited == 2  # cara's and sam's, by an administrator


def test_the_bulk_run_keeps_to_the_dates_and_worker_asked_for(world: World, clock) -> None:
    world.note(world.ana, world.ana_case, "Old", contact_date="2026-11-09")
    world.note(world.ana, world.ana_case, "New", contact_date="2026-11-20")
    world.note(world.ben, world.ben_case, "Ben's", contact_date="2026-11-20")
    run = world.run(
        note_audits.run_audits,
        world.sam,
        worker="ana",
        date_from="2026-11-10",
        date_to="2026-11-22",
    )
    assert run.audited == 1
    listed = world.run(note_audits.list_audited, world.sam)
    assert [(a.summary, a.author) for a in listed] == [("New", "ana")]


def test_the_bulk_run_is_all_or_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(3):
        world.note(world.ana, world.ana_case, f"Note {n}")
    monkeypatch.setattr("casetui.repositories.note_audits.BATCH", 1)

    def stop(done: int, total: int) -> None:
        if done == 2:
            raise RuntimeError("the terminal closed")

    with pytest.raises(RuntimeError):
        world.run(note_audits.run_audits, world.sam, progress=stop)
    assert _audits(world) == 0
    assert world.run(note_audits.run_audits, world.sam).audited == 3


@pytest.mark.parametrize(
    ("who", "team", "worker", "refusal"),
    [
        ("sam", "South", None, PermissionDenied),
        ("sam", None, "cara", PermissionDenied),
        ("ana", None, None, PermissionDenied),
        ("audrey", None, None, PermissionDenied),
        ("sam", "Nowhere", None, NotFound),
    ],
)
def test_a_run_outside_scope_is_refused(
    world: World, who: str, team: str | None, worker: str | None, refusal: type
) -> None:
    world.note(world.cara, world.cara_case, "South's")
    with pytest.raises(refusal):
        world.run(note_audits.run_audits, getattr(world, who), team=team, worker=worker)
    assert _audits(world) == 0


def test_an_override_needs_a_comment_is_audited_and_moves_the_score(world: World) -> None:
    note = world.note(world.ana, world.ana_case, "Spoke to client, all fine", contact_time="09:15")
    first = world.run(note_audits.audit_note, world.sam, note.id)
    with pytest.raises(ValidationError, match="comment"):
        world.run(note_audits.override_criterion, world.sam, note.id, "Concerns raised", True, " ")
    changed = world.run(
        note_audits.override_criterion, world.sam, note.id, "concerns raised", True,
        "She said on the phone there were none", expected_version=first.version,
    )  # fmt: skip
    assert changed.score == 25 and changed.version == first.version + 1
    concern = next(c for c in changed.criteria if c.name == "Concerns raised")
    assert (concern.met, concern.overridden_by) == (True, "sam")
    assert _events(world, "note_audit.override") == 1
    # Re-auditing from the timeline re-scores the text but keeps the person's judgement.
    again = world.run(note_audits.audit_note, world.sam, note.id)
    assert again.score == 25 and again.version == changed.version + 1
    from casetui.domain.errors import StaleEdit

    with pytest.raises(StaleEdit):
        world.run(
            note_audits.override_criterion, world.sam, note.id, "Enough detail", True, "ok",
            expected_version=first.version,
        )  # fmt: skip


def test_caseworkers_read_their_own_scores_only_and_auditors_read_all(world: World) -> None:
    ana_note = world.note(world.ana, world.ana_case, "Ana's")
    ben_note = world.note(world.ben, world.ben_case, "Ben's")  # ana navigates ben's case
    world.run(note_audits.run_audits, world.sam)
    ana_sees = world.run(note_audits.list_audited, world.ana)
    assert [a.note_id for a in ana_sees] == [ana_note.id]
    assert world.run(note_audits.note_audit, world.ana, ben_note.id) is None
    assert world.run(note_audits.note_audit, world.ana, ana_note.id) is not None
    with pytest.raises(PermissionDenied):
        world.run(note_audits.list_audited, world.ana, worker="ben")
    assert len(world.run(note_audits.list_audited, world.audrey)) == 2
    with pytest.raises(PermissionDenied):
        world.run(note_audits.list_audited, world.sam, worker="cara")
    assert world.run(note_audits.list_unaudited, world.ana) == []


def test_deleted_notes_are_never_audited_nor_listed(world: World) -> None:
    from casetui.services import notes as note_service

    note = world.note(world.ana, world.ana_case, "Deleted")
    world.run(note_service.delete_note, world.ana, note.id, reason="Wrong case")
    assert world.run(note_audits.list_unaudited, world.sam) == []
    assert world.run(note_audits.run_audits, world.sam).audited == 0


def test_the_trend_is_each_workers_monthly_average(world: World) -> None:
    world.note(
        world.ana,
        world.ana_case,
        "Spoke to client, all fine",
        contact_date="2026-11-09",
        contact_time="10:00",
    )
    world.note(
        world.ana,
        world.ana_case,
        "Home visit",
        details=GOOD,
        contact_date="2026-11-20",
        contact_time="10:00",
    )
    world.note(
        world.ben,
        world.ben_case,
        "Spoke to client, all fine",
        contact_date="2026-11-20",
        contact_time="10:00",
    )
    world.run(note_audits.run_audits, world.sam)
    trends = {t.username: t for t in world.run(note_audits.trends, world.sam)}
    assert [(m.month, m.average, m.notes) for m in trends["ana"].months] == [("2026-11", 55, 2)]
    assert trends["ben"].average == 10
    assert [t.username for t in world.run(note_audits.trends, world.ana)] == ["ana"]
    with pytest.raises(PermissionDenied):
        world.run(note_audits.trends, world.ben, worker="ana")


def test_an_administrator_sets_a_criterions_weight_and_cues(world: World) -> None:
    found = {c.name: c for c in world.run(note_audits.criteria_views, world.admin)}
    steps = found["Actions and next steps"]
    assert steps.weight == 20 and steps.cues == () and "will" in steps.built_in
    changed = world.run(
        note_audits.set_criterion, world.admin, "Actions and next steps", weight="30",
        cues="next visit\n\nplan\nPlan", expected_version=steps.version,
    )  # fmt: skip
    assert (changed.weight, changed.cues) == (30, ("next visit", "plan"))
    for bad in ("101", "-1", "2.5", "lots"):
        with pytest.raises(ValidationError, match="weight"):
            world.run(note_audits.set_criterion, world.admin, "Enough detail", weight=bad)
    with pytest.raises(PermissionDenied):
        world.run(note_audits.set_criterion, world.sam, "Enough detail", weight=5)
    note = world.note(world.ana, world.ana_case, "Phoned", details="We will talk again soon.")
    audited = world.run(note_audits.audit_note, world.sam, note.id)
    assert not next(c for c in audited.criteria if c.name == "Actions and next steps").met


def test_the_audit_sheet_shows_the_score_to_whoever_may_read_it(world: World) -> None:
    """The audit dialog's one read: the audit, and whether this reader may audit the note."""
    ana_note = world.note(world.ana, world.ana_case, "Ana's", contact_time="09:15")
    ben_note = world.note(world.ben, world.ben_case, "Ben's")  # ana navigates ben's case
    sam_note = world.note(world.sam, world.ana_case, "Sam's own")
    before = world.run(note_audits.audit_sheet, world.sam, ana_note.id)
    assert (before.audit, before.may_audit) == (None, True)
    world.run(note_audits.audit_note, world.sam, ana_note.id)
    sheet = world.run(note_audits.audit_sheet, world.sam, ana_note.id)
    assert sheet.audit is not None and sheet.audit.score == 10 and sheet.may_audit
    own = world.run(note_audits.audit_sheet, world.ana, ana_note.id)
    assert own.audit is not None and own.audit.score == 10 and not own.may_audit
    audrey = world.run(note_audits.audit_sheet, world.audrey, ana_note.id)
    assert audrey.audit is not None and not audrey.may_audit
    assert not world.run(note_audits.audit_sheet, world.sam, sam_note.id).may_audit
    assert world.run(note_audits.audit_sheet, world.admin, sam_note.id).may_audit
    with pytest.raises(PermissionDenied, match="own notes"):
        world.run(note_audits.audit_sheet, world.ana, ben_note.id)
    south = world.note(world.cara, world.cara_case, "South's")
    with pytest.raises(NotFound):
        world.run(note_audits.audit_sheet, world.sam, south.id)


def test_who_may_read_a_notes_score(world: World) -> None:
    """What the timeline asks before offering the audit key on a note."""
    assert note_audits.may_read_score(world.ana, world.ana.id)
    assert not note_audits.may_read_score(world.ana, world.ben.id)
    for reader in (world.sam, world.admin, world.audrey):
        assert note_audits.may_read_score(reader, world.ana.id)
        assert note_audits.may_read_audits(reader)
