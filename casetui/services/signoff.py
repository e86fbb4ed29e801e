"""Supervisor sign-off of case notes: send a note, approve it, or return it with a comment.

- Sending: anyone who may write the case (the note's author, as a rule), for a note not
  deleted and not already waiting or signed off; a returned note may be sent again. New notes
  of an activity type that requires sign-off are sent as they are saved, in the same
  transaction (one note or a bulk note alike). The team's supervisors are told.
- Deciding: the supervisors of the case's team, and administrators; never the note's author
  ("nobody signs off their own note"). Approving locks the note (``note_rules.lock_check``
  asks ``approved_at``): edits and deletions are refused as for a locked note, an addendum is
  still the way to add to it, and the override_lock grant with a reason still overrides it.
  Returning needs a comment and tells the author, who may edit the note and send it again.
- A note waiting for sign-off stays editable by whoever may edit it; a decision names the
  note's version the supervisor read, so a note changed meanwhile is not approved unread.

Every step is audited (entity ``note_signoff``) and moves the sign-off's version on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlmodel import col

from casetui.domain.actor import Actor
from casetui.domain.enums import NotificationKind, SignoffState
from casetui.domain.errors import NotFound, RuleError, ValidationError
from casetui.domain.limits import REASON_MAX
from casetui.domain.models import Case, CaseNote, NoteSignoff
from casetui.domain.signoff import SignoffChoices, SignoffView
from casetui.repositories.row_locks import lock_cases
from casetui.repositories.signoff import deciders
from casetui.services import audit, policy, validation
from casetui.services.access import writable_case
from casetui.services.notifications import tell
from casetui.services.records import save_versioned, saved_id, snapshot, snapshot_of, stale
from casetui.services.work import Database, Work, reading, retry_collisions, writing

ENTITY = "note_signoff"


# --- the rules, asked by the writes and by ``choices`` alike -----------------------------------


def _request_refusal(work: Work, note: CaseNote, row: NoteSignoff | None) -> RuleError | None:
    """Why the actor may not send this note for sign-off now; None when they may."""
    try:
        writable_case(work, note.case_id)
    except RuleError as refused:
        return refused
    if row is not None and row.state == SignoffState.REQUESTED.value:
        return ValidationError("sign-off", f"note {note.id} is already waiting for sign-off")
    if row is not None and row.state == SignoffState.APPROVED.value:
        return ValidationError("sign-off", f"note {note.id} is signed off already")
    return None


def _decide_refusal(
    work: Work, note: CaseNote, case: Case, row: NoteSignoff | None
) -> RuleError | None:
    """Why the actor may not approve or return this note now; None when they may."""
    actor = work.actor
    try:
        policy.ensure_signoff_decider(actor, case)
        policy.ensure_not_own_note(actor, note)
    except RuleError as refused:
        return refused
    if row is None or row.state != SignoffState.REQUESTED.value:
        return ValidationError("sign-off", f"note {note.id} is not waiting for sign-off")
    return None


def _note_in_queue(work: Work, note_id: int) -> CaseNote:
    """The note, read again once its case's row is locked: a sign-off queues with the case's
    other writers (an edit of the note, another decision) and sees what they committed."""
    note = work.notes.get(note_id)
    lock_cases(work.session, [note.case_id])
    work.session.refresh(note)
    if note.deleted_at is not None:
        raise NotFound(f"no note {note_id} that you can see")
    return note


def _view(work: Work, note_id: int) -> SignoffView:
    return work.signoffs.views([note_id])[note_id]


# --- sending ------------------------------------------------------------------------------------


@retry_collisions
def request_signoff(
    db: Database, actor: Actor, note_id: int, *, expected_version: int | None = None
) -> SignoffView:
    """Send a note for sign-off (again, after a return: ``expected_version`` is the sign-off's
    version the sender saw)."""
    with writing(db, actor) as work:
        note = _note_in_queue(work, note_id)
        row = work.signoffs.row(note_id)
        refused = _request_refusal(work, note, row)
        if refused is not None:
            raise refused
        case = work.cases.get(note.case_id)
        _send(work, actor, note, case, row, expected_version)
        work.commit()
        return _view(work, note_id)


def send_new_note(work: Work, actor: Actor, note: CaseNote, case: Case) -> None:
    """A note just written, of an activity type that requires sign-off: sent in the writer's
    transaction (the writer may write the case: the note was just written there)."""
    _send(work, actor, note, case, None, None)


def _send(
    work: Work,
    actor: Actor,
    note: CaseNote,
    case: Case,
    row: NoteSignoff | None,
    expected_version: int | None,
) -> None:
    now = work.now()
    before = None
    if row is None:
        row = NoteSignoff(
            note_id=saved_id(note),
            state=SignoffState.REQUESTED.value,
            requested_by_id=actor.id,
            requested_at=now,
        )
        work.session.add(row)
        work.session.flush()
    else:
        # Sent again after a return: the return's comment stays in the audit trail.
        before = snapshot(row)
        save_versioned(
            work, row, expected_version,
            {"state": SignoffState.REQUESTED.value, "requested_by_id": actor.id,
             "requested_at": now, "decided_by_id": None, "decided_at": None, "comment": None},
        )  # fmt: skip
    audit.record(
        work, actor, "signoff.request", ENTITY, row.id, case_id=case.id,
        before=before, after=snapshot(row),
    )  # fmt: skip
    told = deciders(work.session, case.team_id, besides=note.author_id) - {actor.id}
    tell(
        work, told, case.id, NotificationKind.SIGNOFF_WAITING,
        f"Note to sign off on {case.case_number} from {actor.display_name}: {note.summary}",
        f"signoff-waiting:{note.id}:{row.version}",
    )  # fmt: skip


def send_new_notes(
    work: Work,
    actor: Actor,
    note_ids: Sequence[int],
    cases: Sequence[Case],
    summary: str,
    batch_id: str,
) -> None:
    """A bulk note of an activity type that requires sign-off: every note sent in the bulk
    note's transaction, a statement per table; each team's supervisors told once of the batch
    rather than once a note."""
    connection = work.session.connection()
    now = work.now()
    rows = [
        {
            "note_id": note_id, "state": SignoffState.REQUESTED.value,
            "requested_by_id": actor.id, "requested_at": now, "decided_by_id": None,
            "decided_at": None, "comment": None, "version": 1,
        }
        for note_id in note_ids
    ]  # fmt: skip
    if not rows:
        return
    connection.execute(insert(NoteSignoff), rows)
    ids: dict[int, int] = {}
    for start in range(0, len(note_ids), 500):
        chunk = list(note_ids[start : start + 500])
        found = connection.execute(
            select(col(NoteSignoff.note_id), col(NoteSignoff.id)).where(
                col(NoteSignoff.note_id).in_(chunk)
            )
        )
        ids.update((note_id, signoff_id) for note_id, signoff_id in found if signoff_id)
    after = snapshot_of(NoteSignoff, rows[0])
    audit.record_many(
        work, actor, "signoff.request", ENTITY,
        [audit.Entry(ids[n], c.id, {**after, "note_id": n})
         for n, c in zip(note_ids, cases, strict=True)],
    )  # fmt: skip
    by_team: dict[int | None, list[Case]] = defaultdict(list)
    for case in cases:
        by_team[case.team_id].append(case)
    for team_id, team_cases in by_team.items():
        count = len(team_cases)
        where = team_cases[0].case_number if count == 1 else f"{count} cases"
        tell(
            work, deciders(work.session, team_id, besides=actor.id),
            team_cases[0].id if count == 1 else None, NotificationKind.SIGNOFF_WAITING,
            f"{count} note{'s' if count > 1 else ''} to sign off ({where}) from "
            f"{actor.display_name}: {summary}",
            f"signoff-waiting-batch:{batch_id}:{team_id}",
        )  # fmt: skip


# --- deciding -----------------------------------------------------------------------------------


def approve(
    db: Database,
    actor: Actor,
    note_id: int,
    *,
    comment: str | None = None,
    expected_version: int | None = None,
    note_version: int | None = None,
) -> SignoffView:
    """Sign a note off: from now on it is locked. ``note_version``: the note's version the
    supervisor read (the screens give it; a note edited since is refused as stale)."""
    return _decide(
        db, actor, note_id, SignoffState.APPROVED, comment,
        expected_version=expected_version, note_version=note_version,
    )  # fmt: skip


def return_note(
    db: Database,
    actor: Actor,
    note_id: int,
    comment: str,
    *,
    expected_version: int | None = None,
    note_version: int | None = None,
) -> SignoffView:
    """Send a note back to its author with a comment saying what it needs; they are told."""
    return _decide(
        db, actor, note_id, SignoffState.RETURNED, comment,
        expected_version=expected_version, note_version=note_version,
    )  # fmt: skip


@retry_collisions
def _decide(
    db: Database,
    actor: Actor,
    note_id: int,
    state: SignoffState,
    comment: str | None,
    *,
    expected_version: int | None,
    note_version: int | None,
) -> SignoffView:
    # The role first, so a caseworker or an auditor hears the rule, not that a note is hidden.
    policy.ensure_signoff_decider(actor)
    with writing(db, actor) as work:
        note = _note_in_queue(work, note_id)
        case = work.cases.get(note.case_id)
        row = work.signoffs.row(note_id)
        if row is not None and expected_version is not None and row.version != expected_version:
            # Decided or sent again since the supervisor read it: say so, not just "not waiting".
            policy.ensure_signoff_decider(actor, case)
            raise stale(work, row, yours=expected_version, now=row.version)
        refused = _decide_refusal(work, note, case, row)
        if refused is not None:
            raise refused
        assert row is not None
        returning = state is SignoffState.RETURNED
        said = validation.text(comment, "comment", max_length=REASON_MAX, required=returning)
        if note_version is not None and note_version != note.version:
            raise stale(work, note, yours=note_version, now=note.version)
        before = snapshot(row)
        save_versioned(
            work, row, expected_version,
            {"state": state.value, "decided_by_id": actor.id, "decided_at": work.now(),
             "comment": said or None},
        )  # fmt: skip
        action = "signoff.return" if returning else "signoff.approve"
        audit.record(
            work, actor, action, ENTITY, row.id, case_id=case.id, before=before, after=snapshot(row)
        )
        if returning:
            tell(
                work, {note.author_id} - {actor.id}, case.id, NotificationKind.SIGNOFF_RETURNED,
                f"Note returned by {actor.display_name} on {case.case_number}: {said} "
                f"(note: {note.summary})",
                f"signoff-returned:{note.id}:{row.version}",
            )  # fmt: skip
        work.commit()
        return _view(work, note_id)


# --- reading ------------------------------------------------------------------------------------


def choices(db: Database, actor: Actor, note_id: int) -> SignoffChoices:
    """What the actor may do with the note's sign-off now, as the writes would answer: the
    timeline's sign-off dialog offers exactly these."""
    with reading(db, actor) as work:
        note = work.notes.get(note_id)
        case = work.cases.get(note.case_id)
        row = work.signoffs.row(note_id)
        view = work.signoffs.views([note_id]).get(note_id)
        may_request = _request_refusal(work, note, row)
        may_decide = _decide_refusal(work, note, case, row)
        why = None
        if may_request is not None and may_decide is not None:
            # The decision's refusal says more once a note is waiting; else the sending's.
            waiting = row is not None and row.state == SignoffState.REQUESTED.value
            why = str((may_decide if waiting else may_request).args[0])
        return SignoffChoices(
            note_id=note_id,
            signoff=view,
            request=may_request is None,
            decide=may_decide is None,
            why_not=why,
        )


def waiting_for_me(db: Database, actor: Actor) -> list[SignoffView]:
    """Notes waiting for the actor's sign-off, oldest first (supervisors: their team's;
    administrators: everyone's), never their own."""
    with reading(db, actor) as work:
        return work.signoffs.waiting_for_me()
