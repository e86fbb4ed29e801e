"""Note-quality audits: scoring notes against the organisation's criteria, overriding a
criterion, and reading the scores and each worker's monthly trend.

Who may: supervisors audit the notes of their team's cases and administrators every note;
nobody audits their own. Administrators and auditors read every audit, supervisors their
team's, caseworkers the scores of their own notes only. A team or worker outside the actor's
scope is refused, never answered with an empty list.

Auditing a note again (from the timeline) scores its current text afresh; a criterion a
person overrode keeps their judgement and comment. A bulk run skips notes already audited.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, update
from sqlmodel import col

from casetui.domain.actor import Actor
from casetui.domain.dates import date_order, parse_date
from casetui.domain.enums import Role
from casetui.domain.errors import NotFound, PermissionDenied, StaleEdit, ValidationError
from casetui.domain.limits import NAME_MAX, SUMMARY_MAX, USERNAME_MAX
from casetui.domain.models import NoteAudit, OrganisationListItem
from casetui.domain.note_audit import (
    BUILT_IN_CUES,
    AuditOverview,
    AuditRun,
    Criterion,
    CriterionResult,
    CriterionView,
    MonthScore,
    NoteAuditSheet,
    NoteAuditView,
    NoteForAudit,
    UnauditedNote,
    WorkerTrend,
    criteria_from_json,
    criteria_to_json,
    keep_overrides,
    score_note,
    score_of,
)
from casetui.repositories.note_audits import (
    NoteAuditRepository,
    NoteSelection,
    criteria,
    criterion_items,
    cue_lines,
)
from casetui.services import audit, policy, validation
from casetui.services.exports import exported
from casetui.services.records import save_versioned, snapshot
from casetui.services.work import Database, Work, reading, writing

Progress = Callable[[int, int], None]  # (notes audited so far, notes to audit)
# The audits screen lists the newest of each kind; the counts beside them are whole.
SHOWN = 500
TREND_MONTHS = 12
CUE_MAX = 40  # cues a criterion may have
WEIGHT_MAX = 100


def _repository(work: Work) -> NoteAuditRepository:
    return NoteAuditRepository(work.session, work.actor)


# --- who may ---------------------------------------------------------------------------------


def ensure_may_audit(actor: Actor) -> None:
    """Auditing notes is for supervisors (of a team) and administrators."""
    if actor.role is Role.ADMINISTRATOR:
        return
    if actor.role is Role.SUPERVISOR:
        if actor.team_id is None:
            raise PermissionDenied("auditing notes is for supervisors of a team")
        return
    raise PermissionDenied("auditing notes is for supervisors and administrators")


def may_audit(actor: Actor) -> bool:
    return policy.can(ensure_may_audit, actor)


def may_read_audits(actor: Actor) -> bool:
    """Everyone reads some scores: caseworkers their own notes', auditors everyone's."""
    return policy.can(policy.ensure_score_reader, actor)


def may_read_score(actor: Actor, author_id: int | None) -> bool:
    """Whether the actor may read the score of a note by this author, on a case they see."""
    return policy.may_read_note_score(actor, author_id)


def _team(work: Work, name: str) -> int:
    actor = work.actor
    team = work.staff.team_by_name(
        validation.text(name, "team", max_length=NAME_MAX, required=True)
    )
    if actor.role is Role.CASEWORKER:
        raise PermissionDenied("caseworkers see the scores of their own notes only")
    if actor.role is Role.SUPERVISOR and team.id != actor.team_id:
        raise PermissionDenied(f"{team.name} is not your team")
    assert team.id is not None
    return team.id


def _worker(work: Work, username: str) -> int:
    actor = work.actor
    staff = work.staff.by_username(
        validation.text(username, "worker", max_length=USERNAME_MAX, required=True)
    )
    assert staff.id is not None
    if actor.sees_everything or staff.id == actor.id:
        return staff.id
    if actor.role is Role.SUPERVISOR and staff.team_id == actor.team_id:
        return staff.id
    if actor.role is Role.CASEWORKER:
        raise PermissionDenied("caseworkers see the scores of their own notes only")
    raise PermissionDenied(f"{staff.username} is not in your team")


def _selection(
    work: Work,
    *,
    team: str | None = None,
    worker: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
) -> NoteSelection:
    today, zone = work.today(), work.zone
    order = date_order(work.settings.date_order)
    first = parse_date(date_from, today, field="from", order=order) if date_from else None
    last = parse_date(date_to, today, field="to", order=order) if date_to else None
    if first is not None and last is not None and last < first:
        raise ValidationError("to", f"{last.isoformat()} is before {first.isoformat()}")
    return NoteSelection(
        team_id=_team(work, team) if team else None,
        author_id=_worker(work, worker) if worker else None,
        since=_midnight(first, zone) if first else None,
        until=_midnight(last + timedelta(days=1), zone) if last else None,
    )


def _midnight(day: Any, zone: ZoneInfo) -> datetime:
    # A day starts and ends at midnight where the organisation is, not in UTC.
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(ZoneInfo("UTC"))


# --- scoring ---------------------------------------------------------------------------------


def for_audit(row: Any, zone: ZoneInfo) -> NoteForAudit:
    (_, _, _, contact_at, activity, contact_type, summary, details, restricted, name,
     preferred) = row  # fmt: skip
    return NoteForAudit(
        contact_at=contact_at.astimezone(zone), activity_type=activity,
        contact_type=contact_type, summary=summary or "", details=details or "",
        person_names=tuple(n for n in (name, preferred) if n), restricted=bool(restricted),
    )  # fmt: skip


def _criteria(work: Work) -> list[Criterion]:
    found = criteria(work.session)
    if not found:
        raise ValidationError("audit criteria", "the organisation has no audit criteria in use")
    return found


def audit_note(db: Database, actor: Actor, note_id: int) -> NoteAuditView:
    """Score one note (again, if audited: overrides are kept) and return its audit."""
    ensure_may_audit(actor)
    with writing(db, actor, alone=True) as work:
        audits = _repository(work)
        row = audits.note_to_score(note_id)
        if row is None:
            note = work.notes.get(note_id)  # NotFound when out of sight
            if note.author_id == actor.id:
                raise PermissionDenied(f"note {note_id} is your own; someone else audits it")
            raise PermissionDenied(f"note {note_id} is not on a case of your team")
        scored = score_note(for_audit(row, work.zone), _criteria(work))
        existing = audits.audit_of(note_id)
        now = work.now()
        if existing is None:
            record = NoteAudit(
                note_id=note_id, author_id=row[2], score=scored.score,
                criteria=criteria_to_json(scored.criteria), audited_by_id=actor.id,
                audited_at=now,
            )  # fmt: skip
            work.session.add(record)
            work.session.flush()
            action = "note_audit.add"
        else:
            kept = keep_overrides(scored.criteria, criteria_from_json(existing.criteria))
            _save(work, existing, existing.version, kept, audited_by_id=actor.id, audited_at=now)
            action = "note_audit.rescore"
        scored_now = _view_of(work, note_id)
        audit.record(
            work, actor, action, "note_audit", note_id, case_id=row[1],
            after={"note_id": note_id, "score": scored_now.score},
        )  # fmt: skip
        work.commit()
        return _view_of(work, note_id)


def _save(
    work: Work,
    record: NoteAudit,
    version: int,
    results: Sequence[CriterionResult],
    **values: object,
) -> None:
    """The audit's criteria and score, from the version the auditor saw."""
    changed = work.session.execute(
        update(NoteAudit)
        .where(col(NoteAudit.id) == record.id, col(NoteAudit.version) == version)
        .values(
            score=score_of(results),
            criteria=criteria_to_json(results),
            version=version + 1,
            **values,
        )  # fmt: skip
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleEdit(
            f"the audit of note {record.note_id} was changed since you opened it; reload it",
            current_version=None,
        )
    work.session.refresh(record)


def run_audits(
    db: Database,
    actor: Actor,
    *,
    team: str | None = None,
    worker: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    progress: Progress | None = None,
) -> AuditRun:
    """Audit every unaudited note in scope (the actor's team; every team for an
    administrator) in one transaction: all of them are written, or none."""
    ensure_may_audit(actor)
    with writing(db, actor, alone=True) as work:
        chosen = _selection(work, team=team, worker=worker, date_from=date_from, date_to=date_to)
        audits = _repository(work)
        marks = _criteria(work)
        total = audits.count_unaudited_to_score(chosen)
        if progress is not None:
            progress(0, total)
        zone, now = work.zone, work.now()
        done = score_sum = 0
        connection = work.session.connection()
        for batch in audits.unaudited_to_score(chosen):
            rows, entries = [], []
            for row in batch:
                scored = score_note(for_audit(row, zone), marks)
                rows.append(
                    {
                        "note_id": row[0],
                        "author_id": row[2],
                        "score": scored.score,
                        "criteria": criteria_to_json(scored.criteria),
                        "audited_by_id": actor.id,
                        "audited_at": now,
                        "version": 1,
                    }  # fmt: skip
                )
                entries.append(
                    audit.Entry(row[0], row[1], {"note_id": row[0], "score": scored.score})
                )
                score_sum += scored.score
            connection.execute(insert(NoteAudit), rows)
            audit.record_many(work, actor, "note_audit.add", "note_audit", entries)
            done += len(rows)
            if progress is not None:
                progress(done, total)
        work.commit()
        return AuditRun(audited=done, average=round(score_sum / done) if done else 0)


def override_criterion(
    db: Database,
    actor: Actor,
    note_id: int,
    criterion: str,
    met: bool,
    comment: str,
    *,
    expected_version: int | None = None,
) -> NoteAuditView:
    """A person's judgement over the scorer's on one criterion: a comment says why."""
    ensure_may_audit(actor)
    reason = validation.text(comment, "comment", max_length=SUMMARY_MAX, required=True)
    with writing(db, actor, alone=True) as work:
        audits = _repository(work)
        if audits.note_to_score(note_id) is None:
            work.notes.get(note_id)  # NotFound when out of sight
            raise PermissionDenied(f"note {note_id} is not one you may audit")
        record = audits.audit_of(note_id)
        if record is None:
            raise ValidationError("note", f"note {note_id} has not been audited yet")
        results = criteria_from_json(record.criteria)
        named = next(
            (r for r in results if r.name.casefold() == criterion.strip().casefold()), None
        )
        if named is None:
            shown = ", ".join(r.name for r in results)
            raise ValidationError("criterion", f"{criterion.strip()[:60]!r} is not one of: {shown}")
        changed = tuple(
            replace(r, met=met, overridden_by=actor.username, comment=reason) if r is named else r
            for r in results
        )
        before = {"score": record.score, "criterion": named.name, "met": named.met}
        version = record.version if expected_version is None else expected_version
        _save(work, record, version, changed)
        audit.record(
            work, actor, "note_audit.override", "note_audit", note_id,
            before=before,
            after={"score": record.score, "criterion": named.name, "met": met, "comment": reason},
        )  # fmt: skip
        work.commit()
        return _view_of(work, note_id)


# --- reading ---------------------------------------------------------------------------------


def _view(work: Work, row: Any) -> NoteAuditView:
    record, contact_at, summary, number, case_id, author, author_name, auditor = row
    zone = work.zone
    return NoteAuditView(
        note_id=record.note_id, case_id=case_id, case_number=number, author=author,
        author_name=author_name, contact_at=contact_at.astimezone(zone), summary=summary,
        score=record.score, criteria=criteria_from_json(record.criteria), audited_by=auditor,
        audited_at=record.audited_at.astimezone(zone), version=record.version,
    )  # fmt: skip


def _view_of(work: Work, note_id: int) -> NoteAuditView:
    found = _repository(work).audited(NoteSelection(), 1, note_id=note_id)
    if not found:
        raise NotFound(f"no audit of note {note_id} that you can see")
    return _view(work, found[0])


def note_audit(db: Database, actor: Actor, note_id: int) -> NoteAuditView | None:
    """A note's audit, for whoever may read its score (None: not audited, or not theirs)."""
    with reading(db, actor) as work:
        found = _repository(work).audited(NoteSelection(), 1, note_id=note_id)
        return _view(work, found[0]) if found else None


def audit_sheet(db: Database, actor: Actor, note_id: int) -> NoteAuditSheet:
    """A note's audit dialog: its audit (None: not audited yet) and whether the actor may
    audit it (again) and override its criteria."""
    with reading(db, actor) as work:
        note = work.notes.get(note_id)  # NotFound when out of sight
        if not may_read_score(actor, note.author_id):
            raise PermissionDenied("caseworkers see the scores of their own notes only")
        audits = _repository(work)
        found = audits.audited(NoteSelection(), 1, note_id=note_id)
        auditable = may_audit(actor) and audits.note_to_score(note_id) is not None
        return NoteAuditSheet(
            note_id=note_id, audit=_view(work, found[0]) if found else None,
            may_audit=auditable,
        )  # fmt: skip


def list_audited(
    db: Database,
    actor: Actor,
    *,
    worker: str | None = None,
    limit: int | None = None,
    export: bool = False,
) -> list[NoteAuditView]:
    with reading(db, actor) as work:
        chosen = _selection(work, worker=worker)
        views = [_view(work, r) for r in _repository(work).audited(chosen, limit)]
    if export:
        exported(db, actor, "audits", len(views), {"worker": worker, "unaudited": False})
    return views


def _unaudited(work: Work, row: Any) -> UnauditedNote:
    note_id, contact_at, summary, number, case_id, author, author_name = row
    return UnauditedNote(
        note_id=note_id, case_id=case_id, case_number=number, author=author,
        author_name=author_name, contact_at=contact_at.astimezone(work.zone), summary=summary,
    )  # fmt: skip


def list_unaudited(
    db: Database,
    actor: Actor,
    *,
    worker: str | None = None,
    limit: int | None = None,
    export: bool = False,
) -> list[UnauditedNote]:
    with reading(db, actor) as work:
        chosen = _selection(work, worker=worker)
        notes = [_unaudited(work, r) for r in _repository(work).unaudited(chosen, limit)]
    if export:
        exported(db, actor, "audits", len(notes), {"worker": worker, "unaudited": True})
    return notes


def _trends(work: Work, chosen: NoteSelection) -> list[WorkerTrend]:
    zone = work.zone
    today = work.today()
    first_month = (today.replace(day=1) - timedelta(days=31 * (TREND_MONTHS - 1))).replace(day=1)
    since = _midnight(first_month, zone)
    if chosen.since is None or chosen.since < since:
        chosen = replace(chosen, since=since)
    sums: dict[tuple[int, str, str], dict[str, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0])
    )
    for staff_id, username, name, contact_at, score in _repository(work).scores(chosen):
        month = sums[(staff_id, username, name)][f"{contact_at.astimezone(zone):%Y-%m}"]
        month[0] += score
        month[1] += 1
    trends = [
        WorkerTrend(
            username=username,
            display_name=name,
            months=tuple(
                MonthScore(month, round(total / count), count)
                for month, (total, count) in sorted(months.items())
            ),
        )  # fmt: skip
        for (_, username, name), months in sums.items()
    ]
    return sorted(trends, key=lambda t: t.display_name.casefold())


def trends(
    db: Database, actor: Actor, *, worker: str | None = None, export: bool = False
) -> list[WorkerTrend]:
    """Each worker's average score and count of audited notes, month by month (by the
    month of the contact), over the last twelve months."""
    with reading(db, actor) as work:
        found = _trends(work, _selection(work, worker=worker))
    if export:
        exported(db, actor, "audit trends", len(found), {"worker": worker})
    return found


def overview(db: Database, actor: Actor, *, worker: str | None = None) -> AuditOverview:
    """The audits screen: the newest audited and unaudited notes, their counts, the trends."""
    with reading(db, actor) as work:
        chosen = _selection(work, worker=worker)
        audits = _repository(work)
        done, waiting = audits.counts(chosen)
        return AuditOverview(
            audited=tuple(_view(work, r) for r in audits.audited(chosen, SHOWN)),
            unaudited=tuple(_unaudited(work, r) for r in audits.unaudited(chosen, SHOWN)),
            audited_count=done, unaudited_count=waiting, trends=tuple(_trends(work, chosen)),
        )  # fmt: skip


def count_to_audit(
    db: Database,
    actor: Actor,
    *,
    team: str | None = None,
    worker: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
) -> int:
    """How many notes a bulk run with these filters would audit (the screen asks first)."""
    ensure_may_audit(actor)
    with reading(db, actor) as work:
        chosen = _selection(work, team=team, worker=worker, date_from=date_from, date_to=date_to)
        return _repository(work).count_unaudited_to_score(chosen)


# --- the criteria (administrators) -----------------------------------------------------------

MANAGING = "managing the audit criteria"


def _criterion_view(item: OrganisationListItem) -> CriterionView:
    assert item.id is not None
    return CriterionView(
        id=item.id, name=item.value, weight=item.weight or 0, cues=cue_lines(item.cues),
        built_in=BUILT_IN_CUES.get(item.value, ()), retired=not item.active,
        version=item.version,
    )  # fmt: skip


def criteria_views(db: Database, actor: Actor) -> list[CriterionView]:
    policy.ensure_administrator(actor, MANAGING)
    with reading(db, actor) as work:
        return [_criterion_view(i) for i in criterion_items(work.session)]


def set_criterion(
    db: Database,
    actor: Actor,
    name: str,
    *,
    weight: int | str,
    cues: str | Sequence[str] = "",
    expected_version: int | None = None,
) -> CriterionView:
    """A criterion's weight (a whole number 0 to 100) and its own cues (one a line; none:
    the scorer's built-in cues)."""
    policy.ensure_administrator(actor, MANAGING)
    share = _weight(weight)
    lines = cues.splitlines() if isinstance(cues, str) else list(cues)
    kept: list[str] = []
    for line in lines:
        cue = validation.text(line, "cues", max_length=NAME_MAX, single_line=True)
        if cue and cue.casefold() not in (k.casefold() for k in kept):
            kept.append(cue)
    if len(kept) > CUE_MAX:
        raise ValidationError("cues", f"{len(kept)} cues; at most {CUE_MAX}")
    with writing(db, actor, alone=True) as work:
        item = next(
            (
                i
                for i in criterion_items(work.session)
                if i.value.casefold() == name.strip().casefold()
            ),
            None,
        )
        if item is None:
            raise ValidationError("criterion", f"{name.strip()[:60]!r} is not an audit criterion")
        before = {**snapshot(item), "weight": item.weight, "cues": item.cues}
        save_versioned(
            work, item, expected_version, {"weight": share, "cues": "\n".join(kept) or None}
        )
        audit.record(
            work, actor, "list.criterion", "list_item", item.id, before=before,
            after={**snapshot(item), "weight": item.weight, "cues": item.cues},
        )  # fmt: skip
        work.commit()
        return _criterion_view(item)


def _weight(raw: int | str) -> int:
    text = str(raw).strip()
    if not text.lstrip("-").isdigit():
        raise ValidationError("weight", f"{text[:20]!r} is not a whole number")
    share = int(text)
    if not 0 <= share <= WEIGHT_MAX:
        raise ValidationError("weight", f"{share} is outside 0 to {WEIGHT_MAX}")
    return share


__all__ = [
    "audit_note", "audit_sheet", "count_to_audit", "criteria_views", "ensure_may_audit",
    "list_audited", "list_unaudited", "may_audit", "may_read_audits", "may_read_score", "note_audit",
    "override_criterion", "overview", "run_audits", "set_criterion", "trends",
]  # fmt: skip
