"""Subject-access requests (S2): everything held about one client, reviewed, then exported.

- ``start_request`` gathers the client's record, cases, notes, addenda, tasks, communications,
  supportive services and attachments (what the actor may see; deleted records are not held
  any more and are left out) and holds back for review every restricted note, every note with
  a 3rd Party contact, what hangs on those notes (addenda, files, the tasks made from them)
  and every file restricted on its own. Everything else is released by rule.
- ``decide`` releases or withholds one item: supervisors and administrators, with a reason
  to withhold (it goes to the client with the list of what was withheld).
- ``export_request`` writes a new folder (PDF, JSON, the files, the withheld list and
  SHA256SUMS), refused while any held item is undecided.

Each needs the ``reports`` grant and sees only clients the actor may see; the request, each
decision and the export are audit events. Before a decision or an export the request is
gathered again: a note written, restricted or turned into a 3rd Party contact since, or a
released note edited since it was released, is held (again) rather than going out unseen.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from casetui.domain.actor import Actor
from casetui.domain.enums import Grant, Role
from casetui.domain.errors import CasetuiError, NotFound, PermissionDenied, ValidationError
from casetui.domain.limits import REASON_MAX
from casetui.domain.models import SubjectAccessItem, SubjectAccessRequest
from casetui.domain.read_models.attachments import AttachmentView
from casetui.domain.read_models.cases import CaseDetail
from casetui.domain.read_models.communications import CommunicationView
from casetui.domain.read_models.notes import NoteView, TaskView
from casetui.domain.storable import printable
from casetui.domain.subject_access import (
    CHANGED,
    Decision,
    GatheredItem,
    ItemKind,
    ItemState,
    SarBundle,
    SarExport,
    SarItem,
    SarItemDetail,
    SarRequestView,
    Undecided,
    item_key,
    parse_item,
)
from casetui.repositories.attachments import AttachmentRepository
from casetui.repositories.subject_access import SubjectAccessRepository
from casetui.services import audit, policy, validation
from casetui.services import subject_access_bundle as bundle_files
from casetui.services.exports import exported
from casetui.services.work import Database, Work, reading, writing

__all__ = [
    "current_request", "decide", "export_request", "may_decide", "may_request", "review_item",
    "show_request", "start_request",
]  # fmt: skip

ENTITY = "subject_access_request"
REVIEWERS = (Role.SUPERVISOR, Role.ADMINISTRATOR)


# --- who may ---------------------------------------------------------------------------------


def ensure_may_request(actor: Actor) -> None:
    """Start, read and export a request: the reports grant (supervisors, auditors and
    administrators hold it by default)."""
    policy.ensure_grant(actor, Grant.REPORTS, "a subject-access request")


def may_request(actor: Actor) -> bool:
    return policy.can(ensure_may_request, actor)


def ensure_may_decide(actor: Actor) -> None:
    """Release or withhold a held item: supervisors and administrators with the reports grant."""
    if actor.role not in REVIEWERS:
        raise PermissionDenied(
            "releasing or withholding what a subject-access request holds is for supervisors "
            "and administrators"
        )
    policy.ensure_grant(actor, Grant.REPORTS, "deciding on a subject-access request")


def may_decide(actor: Actor) -> bool:
    return policy.can(ensure_may_decide, actor)


# --- keeping a request up to date ------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    """An item as the request holds it, kept or about to be."""

    item: str
    kind: str
    record_id: int
    case_id: int | None
    held_because: str | None
    record_version: int | None
    decision: str | None = None
    reason: str | None = None
    decided_by_id: int | None = None
    decided_at: datetime | None = None
    version_now: int | None = None  # the record's version as gathered now

    @property
    def state(self) -> ItemState:
        if self.decision == Decision.WITHHOLD.value:
            return ItemState.WITHHELD
        if self.decision == Decision.RELEASE.value or self.held_because is None:
            return ItemState.RELEASED
        return ItemState.HELD


def _kept(row: SubjectAccessItem) -> _Item:
    return _Item(
        row.item, row.kind, row.record_id, None, row.held_because, row.record_version,
        row.decision, row.reason, row.decided_by_id, row.decided_at,
    )  # fmt: skip


def reconcile(
    kept: Sequence[_Item], gathered: Sequence[GatheredItem]
) -> tuple[list[_Item], list[str]]:
    """The request's items as they must now be, in the order gathered, and what changed:
    an item new since is added (held if the rule holds it); one the rule now holds and nobody
    decided is held; one released by a reviewer is held again when the rule holds it and the
    record changed since (or the rule did not hold it then); a withheld item stays withheld;
    an item no longer there (deleted) is dropped."""
    by_item = {k.item: k for k in kept}
    items: list[_Item] = []
    changes: list[str] = []
    for found in gathered:
        held = found.held_because
        was = by_item.pop(found.item, None)
        if was is None:
            items.append(
                _Item(found.item, found.kind.value, found.record_id, found.case_id, held,
                      found.version, version_now=found.version)
            )  # fmt: skip
            changes.append(f"{found.item} added" + (f", held: {held}" if held else ""))
            continue
        item = replace(was, case_id=found.case_id, held_because=held, version_now=found.version)
        if was.decision == Decision.RELEASE.value and held is not None:
            if was.held_because is None or found.version != was.record_version:
                why = f"{held}; {CHANGED}" if was.held_because is not None else held
                item = replace(
                    item, held_because=why, decision=None, reason=None, decided_by_id=None,
                    decided_at=None, record_version=found.version,
                )  # fmt: skip
                changes.append(f"{found.item} held again: {why}")
        elif was.decision is None:
            item = replace(item, record_version=found.version)
            if (was.held_because is None) != (held is None):
                changes.append(
                    f"{found.item} now held: {held}" if held else f"{found.item} now released"
                )
        items.append(item)
    changes.extend(f"{gone} no longer held about the client (deleted)" for gone in by_item)
    return items, changes


def _keep(work: Work, request: SubjectAccessRequest, rows: list[SubjectAccessItem],
          items: list[_Item], changes: list[str]) -> list[SubjectAccessItem]:  # fmt: skip
    """Write the reconciled items over the kept ones; an audit event names what changed."""
    repo = _repo(work)
    by_item = {row.item: row for row in rows}
    kept: list[SubjectAccessItem] = []
    for item in items:
        row = by_item.pop(item.item, None)
        if row is None:
            assert request.id is not None
            row = SubjectAccessItem(request_id=request.id, item=item.item, kind=item.kind,
                                    record_id=item.record_id)  # fmt: skip
            repo.add_item(row)
        for name in ("held_because", "record_version", "decision", "reason", "decided_by_id",
                     "decided_at"):  # fmt: skip
            if getattr(row, name) != getattr(item, name):
                setattr(row, name, getattr(item, name))
        kept.append(row)
    for gone in by_item.values():
        repo.remove_item(gone)
    if changes:
        audit.record(
            work, work.actor, "sar.refresh", ENTITY, request.id,
            after={"client_id": request.client_id, "changes": changes},
        )  # fmt: skip
    work.session.flush()
    return kept


def _repo(work: Work) -> SubjectAccessRepository:
    return SubjectAccessRepository(work.session, work.actor)


@dataclass
class _Opened:
    request: SubjectAccessRequest
    rows: list[SubjectAccessItem]
    items: list[_Item]  # reconciled with what is there now
    changes: list[str]


def _open(work: Work, request_id: int) -> _Opened:
    """The request, in sight through its client and every case it gathered, reconciled (in
    memory) with what is held about the client now."""
    repo = _repo(work)
    request = repo.get(request_id)
    rows = repo.items(request_id)
    seen = set(repo.case_ids(request.client_id))
    gathered_cases = {r.record_id for r in rows if r.kind == ItemKind.CASE.value}
    if gathered_cases - seen and repo.live_cases(gathered_cases - seen):
        raise PermissionDenied(
            f"subject-access request {request_id} holds cases you cannot see; whoever started "
            "it, or an administrator, may read it"
        )
    items, changes = reconcile([_kept(r) for r in rows], repo.gather(request.client_id))
    return _Opened(request, rows, items, changes)


def _view(work: Work, opened: _Opened) -> SarRequestView:
    repo, request = _repo(work), opened.request
    assert request.id is not None
    names = repo.usernames([request.requested_by_id, *(i.decided_by_id for i in opened.items)])
    client = work.clients.get(request.client_id)
    return SarRequestView(
        id=request.id,
        client_id=request.client_id,
        client_name=client.name,
        requested_by=names.get(request.requested_by_id, "?"),
        created_at=request.created_at,
        items=tuple(_sar_item(i, names) for i in opened.items),
        cases_out_of_sight=work.clients.cases_out_of_sight(request.client_id),
        exported_at=request.exported_at,
        manifest_sha256=request.manifest_sha256,
        changes=tuple(opened.changes),
    )


def _sar_item(item: _Item, names: dict[int, str]) -> SarItem:
    state = item.state
    reason = item.reason if item.decision is not None else item.held_because
    return SarItem(
        item=item.item, kind=item.kind, state=state, reason=reason,
        held_because=item.held_because,
        decided_by=names.get(item.decided_by_id) if item.decided_by_id is not None else None,
        decided_at=item.decided_at,
    )  # fmt: skip


# --- starting and reading --------------------------------------------------------------------


def start_request(db: Database, actor: Actor, client_id: int) -> SarRequestView:
    """Gather everything held about the client that the actor may see, and hold back what
    needs a reviewer's decision."""
    ensure_may_request(actor)
    with writing(db, actor, alone=True) as work:
        work.clients.get(client_id)  # out of sight: NotFound
        repo = _repo(work)
        gathered = repo.gather(client_id)
        request = repo.add(client_id, actor.id, work.now())
        assert request.id is not None
        for found in gathered:
            repo.add_item(
                SubjectAccessItem(
                    request_id=request.id, item=found.item, kind=found.kind.value,
                    record_id=found.record_id, held_because=found.held_because,
                    record_version=found.version,
                )
            )  # fmt: skip
        work.session.flush()
        held = sum(1 for found in gathered if found.held_because is not None)
        hidden = work.clients.cases_out_of_sight(client_id)
        audit.record(
            work, actor, "sar.start", ENTITY, request.id,
            after={
                "client_id": client_id, "items": len(gathered), "held": held,
                "cases": sum(1 for f in gathered if f.kind is ItemKind.CASE),
                "cases_out_of_sight": hidden,
            },
        )  # fmt: skip
        work.commit()
        opened = _open(work, request.id)
        return _view(work, opened)


def show_request(
    db: Database, actor: Actor, request_id: int, *, export: bool = False
) -> SarRequestView:
    """The request's items as they stand now (what changed since is shown, and kept at the
    next decision or export); ``export`` records the listing as an export."""
    ensure_may_request(actor)
    with reading(db, actor) as work:
        view = _view(work, _open(work, request_id))
    if export:
        exported(db, actor, "subject_access_items", len(view.items), {"request": request_id})
    return view


def current_request(db: Database, actor: Actor, client_id: int) -> int | None:
    """The client's request not yet exported, newest first, if there is one the actor may read."""
    ensure_may_request(actor)
    with reading(db, actor) as work:
        found = _repo(work).latest_for_client(client_id, exported=False)
        return found.id if found is not None else None


# --- one item in full, for the reviewer ------------------------------------------------------


def review_item(db: Database, actor: Actor, request_id: int, item: str) -> SarItemDetail:
    """One item in full, as the reviewer decides on it. Reading a restricted note (or what
    hangs on one) this way is recorded, as opening the note is."""
    ensure_may_request(actor)
    key = item_key(*parse_item(item))
    with reading(db, actor) as work:
        opened = _open(work, request_id)
        found = next((i for i in opened.items if i.item == key), None)
        if found is None:
            raise NotFound(f"{key} is not in subject-access request {request_id}")
        names = _repo(work).usernames([found.decided_by_id])
        detail = _detail(work, _sar_item(found, names), found)
        note_id = _note_of(work, found) if detail.restricted else None
    if detail.restricted:
        # In a short write of its own, and before the text is handed out.
        with writing(db, actor) as work:
            audit.record(
                work, actor, "note.view_restricted", "case_note", note_id,
                case_id=found.case_id,
            )  # fmt: skip
            work.commit()
    return detail


def _note_of(work: Work, item: _Item) -> int | None:
    """The note whose text a note or an addendum item shows."""
    if item.kind == ItemKind.NOTE.value:
        return item.record_id
    for note in _notes(work, item.case_id):
        if any(a.id == item.record_id for a in note.addenda):
            return note.id
    return None


def _notes(work: Work, case_id: int | None) -> list[NoteView]:
    if case_id is None:
        return []
    return work.notes.views(case_id=case_id, lock_days=work.settings.lock_days, now=work.now())


def _when(moment: datetime | None, work: Work) -> str:
    return f"{moment.astimezone(work.zone):%Y-%m-%d %H:%M}" if moment is not None else "—"


def _or_dash(value: object) -> str:
    return str(value) if value not in (None, "") else "—"


Fields = tuple[tuple[str, str], ...]


def _detail(work: Work, sar_item: SarItem, item: _Item) -> SarItemDetail:
    """What the reviewer reads of one item: its fields and its text, every word of it."""
    kind, record_id = ItemKind(item.kind), item.record_id
    if kind in (ItemKind.NOTE, ItemKind.ADDENDUM):
        return _note_detail(work, sar_item, item)
    heading, fields, text = _record_detail(work, kind, record_id, item.case_id)
    return SarItemDetail(sar_item, heading, fields, text)


def _note_detail(work: Work, sar_item: SarItem, item: _Item) -> SarItemDetail:
    for note in _notes(work, item.case_id):
        if item.kind == ItemKind.NOTE.value and note.id == item.record_id:
            fields: Fields = (
                ("Contact", _when(note.contact_at, work)),
                ("Activity", note.activity_type),
                ("Contact type", note.contact_type),
                ("Third party", _or_dash(note.third_party_org)),
                ("Written by", f"{note.author_name} ({note.author})"),
                ("Restricted", "yes" if note.restricted else "no"),
                ("Addenda", str(len(note.addenda)) if note.addenda else "none"),
                ("Summary", note.summary),
            )
            heading = f"Note {note.id} on {note.case_number}"
            return SarItemDetail(sar_item, heading, fields, note.details, note.restricted)
        for addendum in note.addenda:
            if item.kind == ItemKind.ADDENDUM.value and addendum.id == item.record_id:
                contact = note.contact_type
                if note.third_party_org:
                    contact += f" · {note.third_party_org}"
                fields = (
                    ("Note", f"{note.summary} ({_when(note.contact_at, work)})"),
                    ("Note's contact", contact),
                    ("Added by", addendum.author),
                    ("Added", _when(addendum.created_at, work)),
                    ("Reason", addendum.reason),
                )
                heading = f"Addendum {addendum.id} to note {note.id} on {note.case_number}"
                return SarItemDetail(sar_item, heading, fields, addendum.text, note.restricted)
    raise NotFound(f"no {item.kind} {item.record_id} that you can see")


def _record_detail(
    work: Work, kind: ItemKind, record_id: int, case_id: int | None
) -> tuple[str, Fields, str]:
    """Heading, fields and text of anything but a note or an addendum."""
    if kind is ItemKind.CLIENT:
        c = work.clients.view(record_id)
        return (
            f"Client record {c.id}",
            (
                ("Name", c.name),
                ("Preferred name", _or_dash(c.preferred_name)),
                ("Born", _or_dash(c.date_of_birth)),
                ("Email", _or_dash(c.email)),
                ("Phone", _or_dash(c.phone)),
                ("Type", _or_dash(c.client_type)),
                ("Record", c.status),
                ("Warnings", ", ".join(c.warnings) or "none"),
                ("Groups", ", ".join(c.groups) or "none"),
            ),
            "",
        )
    if kind is ItemKind.CASE:
        d = work.cases.detail(record_id)
        return (
            f"Case {d.case_number}",
            (
                ("Status", d.status),
                ("Concern", d.concern),
                ("Worker", _or_dash(d.worker_name)),
                ("Pathway", _or_dash(d.pathway)),
                ("Opened", d.opened_on.isoformat()),
                ("Closed", _or_dash(d.closed_on)),
            ),
            "",
        )
    if kind is ItemKind.TASK:
        tasks = work.tasks.views(task_ids=[record_id])
        if not tasks:
            raise NotFound(f"no task {record_id} that you can see")
        t = tasks[0]
        return (
            f"Task {t.id} on {t.case_number}",
            (
                ("Name", t.name),
                ("Due", t.due_on.isoformat()),
                ("Status", t.status),
                ("Repeats", t.rrule or t.repeats),
                ("Responsible", ", ".join(t.responsible) or "—"),
                ("The client's task", "yes" if t.assigned_to_client else "no"),
                ("From note", _or_dash(t.note_id)),
            ),
            t.details,
        )
    if kind is ItemKind.COMMUNICATION:
        lock_days, now = work.settings.lock_days, work.now()
        found = work.communications.views(ids=[record_id], lock_days=lock_days, now=now)
        if not found:
            raise NotFound(f"no communication {record_id} that you can see")
        m = found[0]
        return (
            f"Communication {m.id} on {m.case_number}",
            (
                ("Type", m.kind),
                ("Direction", m.direction),
                ("Date", _when(m.occurred_at, work)),
                ("Subject", m.subject),
                ("Written by", f"{m.author_name} ({m.author})"),
            ),
            m.body,
        )
    if kind is ItemKind.SERVICE:
        services = [s for s in _repo(work).services([case_id or 0]) if s.id == record_id]
        if not services:
            raise NotFound(f"no supportive service {record_id} that you can see")
        s = services[0]
        return (
            f"Supportive service {s.id} on {s.case_number}",
            (
                ("Service", s.service_type),
                ("Date", s.provided_on.isoformat()),
                ("Provider", s.provider),
                ("Amount", f"{s.amount:.2f} {work.settings.currency}"),
                ("Grant", _or_dash(s.grant)),
            ),
            s.justification,
        )
    files = AttachmentRepository(work.session, work.actor).views(attachment_ids=[record_id])
    if not files:
        raise NotFound(f"no attachment {record_id} that you can see")
    a = files[0]
    return (
        f"Attachment {a.id} on {a.case_number}",
        (
            ("Name", a.name),
            ("Size", f"{a.size:,} bytes"),
            ("Type", a.media_type),
            ("sha256", a.sha256),
            ("On note", f"{a.note_id}: {a.note_summary}" if a.note_id else "—"),
            ("Added by", f"{a.uploaded_by_name} ({a.uploaded_by})"),
            ("Added", _when(a.created_at, work)),
            ("Restricted", "yes" if a.restricted else "no"),
        ),
        "To read the file itself before deciding, save it from the case's timeline (w).",
    )


# --- deciding --------------------------------------------------------------------------------


def decide(
    db: Database,
    actor: Actor,
    request_id: int,
    item: str,
    decision: str,
    reason: str | None = None,
) -> SarItem:
    """Release or withhold one item of the request, with a reason (required to withhold: it
    goes to the client with the list of what was withheld)."""
    ensure_may_decide(actor)
    key = item_key(*parse_item(item))
    try:
        chosen = Decision((decision or "").strip().lower())
    except ValueError:
        raise ValidationError("decision", "is release or withhold") from None
    why = validation.text(reason, "reason", max_length=REASON_MAX, single_line=True) or None
    if chosen is Decision.WITHHOLD and why is None:
        raise ValidationError(
            "reason", "is required to withhold an item; it goes to the client with the list "
            "of what was withheld"
        )  # fmt: skip
    with writing(db, actor, alone=True) as work:
        opened = _open(work, request_id)
        rows = _keep(work, opened.request, opened.rows, opened.items, opened.changes)
        row = next((r for r in rows if r.item == key), None)
        found = next((i for i in opened.items if i.item == key), None)
        if row is None or found is None:
            raise NotFound(f"{key} is not in subject-access request {request_id}")
        before = {"item": key, "state": found.state.value, "reason": found.reason}
        row.decision, row.reason = chosen.value, why
        row.decided_by_id, row.decided_at = actor.id, work.now()
        # The version the reviewer decided on: released and edited since, it is held again.
        row.record_version = found.version_now
        decided = replace(found, decision=chosen.value, reason=why, decided_by_id=actor.id,
                          decided_at=work.now())  # fmt: skip
        audit.record(
            work, actor, "sar.decide", ENTITY, request_id, case_id=found.case_id, before=before,
            after={"item": key, "kind": found.kind, "state": decided.state.value, "reason": why},
        )  # fmt: skip
        work.commit()
        return _sar_item(decided, {actor.id: actor.username})


# --- exporting -------------------------------------------------------------------------------


def _undecided(items: Sequence[_Item], request_id: int) -> Undecided:
    waiting = [i.item for i in items if i.state is ItemState.HELD]
    listed = ", ".join(waiting[:10]) + (
        f" and {len(waiting) - 10} more" if len(waiting) > 10 else ""
    )
    return Undecided(
        f"{len(waiting)} item(s) of subject-access request {request_id} are held and undecided "
        f"({listed}); a supervisor or administrator releases or withholds each before it is "
        "exported"
    )


def _fingerprint(items: Sequence[_Item]) -> list[tuple[object, ...]]:
    return [(i.item, i.held_because, i.record_version, i.decision, i.reason) for i in items]


def export_request(
    db: Database, actor: Actor, request_id: int, out: str | os.PathLike[str]
) -> SarExport:
    """Write a new folder holding everything released, the list of what was withheld and
    SHA256SUMS; refused while anything is held and undecided. Everything written is read from
    one snapshot of the database; the export is in the audit trail (with the manifest's
    sha256) before the folder takes its name."""
    ensure_may_request(actor)
    target = bundle_files.new_folder(out)
    # Keep the request up to date first: whatever changed since is held, and named.
    with writing(db, actor, alone=True) as work:
        opened = _open(work, request_id)
        if opened.changes:
            _keep(work, opened.request, opened.rows, opened.items, opened.changes)
            work.commit()
    if any(i.state is ItemState.HELD for i in opened.items):
        raise _undecided(opened.items, request_id)
    folder = bundle_files.staging(target)
    try:
        with reading(db, actor) as work:
            _repo(work).one_snapshot()
            now = _open(work, request_id)
            if now.changes or _fingerprint(now.items) != _fingerprint(opened.items):
                raise CasetuiError(
                    "the client's records changed while the request was being exported; "
                    "nothing was written, try again"
                )
            bundle = _bundle(work, now)
            files = {
                view.id: bundle_files.write_attachment(
                    folder, view, AttachmentRepository(work.session, actor).chunks(view.id)
                )
                for view in bundle.attachments
            }
        bundle_files.write_json(
            folder, bundle_files.JSON_NAME, bundle_files.bundle_json(bundle, files)
        )
        bundle_files.write_json(
            folder, bundle_files.WITHHELD_NAME, bundle_files.withheld_json(bundle)
        )
        _write_pdf(folder, bundle, files)
        names, manifest = bundle_files.write_manifest(folder)
        with writing(db, actor, alone=True) as work:
            latest = _open(work, request_id)
            if latest.changes or _fingerprint(latest.items) != _fingerprint(opened.items):
                raise CasetuiError(
                    "the request changed while it was being exported; nothing was written, "
                    "try again"
                )
            latest.request.exported_at = work.now()
            latest.request.exported_by_id = actor.id
            latest.request.manifest_sha256 = manifest
            audit.record(
                work, actor, "sar.export", ENTITY, request_id,
                after={
                    "client_id": bundle.client_id, "folder": printable(str(target.absolute())),
                    "files": len(names), "released": bundle.released,
                    "withheld": len(bundle.withheld), "by_kind": bundle.released_by_kind(),
                    "sha256": manifest,
                },
            )  # fmt: skip
            work.commit()
    except BaseException:
        bundle_files.discard(folder)
        raise
    bundle_files.put_in_place(folder, target)
    return SarExport(
        request_id=request_id, folder=str(target), files=names, released=bundle.released,
        withheld=len(bundle.withheld), manifest_sha256=manifest,
        released_by_kind=bundle.released_by_kind(),
    )  # fmt: skip


def _bundle(work: Work, opened: _Opened) -> SarBundle:
    """The released records in full, read through the actor's repositories."""
    released = {i.item for i in opened.items if i.state is ItemState.RELEASED}
    withheld = tuple(_sar_item(i, {}) for i in opened.items if i.state is ItemState.WITHHELD)

    def wanted(kind: ItemKind, record_id: int) -> bool:
        return item_key(kind, record_id) in released

    request_id, client_id = opened.request.id, opened.request.client_id
    assert request_id is not None
    case_ids = _repo(work).case_ids(client_id)
    lock_days, now = work.settings.lock_days, work.now()
    notes: list[NoteView] = []
    attachments: list[AttachmentView] = []
    files = AttachmentRepository(work.session, work.actor)
    cases: list[CaseDetail] = []
    tasks: list[TaskView] = []
    communications: list[CommunicationView] = []
    for case_id in case_ids:
        if wanted(ItemKind.CASE, case_id):
            cases.append(work.cases.detail(case_id))
        notes.extend(work.notes.views(case_id=case_id, lock_days=lock_days, now=now))
        tasks.extend(t for t in work.tasks.views(case_id=case_id) if wanted(ItemKind.TASK, t.id))
        communications.extend(
            m for m in work.communications.views(case_id=case_id, lock_days=lock_days, now=now)
            if wanted(ItemKind.COMMUNICATION, m.id)
        )  # fmt: skip
        attachments.extend(
            a for a in files.views(case_id=case_id) if wanted(ItemKind.ATTACHMENT, a.id)
        )
    notes.sort(key=lambda n: (n.contact_at, n.id))
    communications.sort(key=lambda m: (m.occurred_at, m.id))
    addenda = [a for n in notes for a in n.addenda if wanted(ItemKind.ADDENDUM, a.id)]
    released_notes = [replace(n, addenda=()) for n in notes if wanted(ItemKind.NOTE, n.id)]
    usernames = [a.author for a in addenda] + [r for t in tasks for r in t.responsible]
    usernames += [n for c in cases for n in c.navigators]
    return SarBundle(
        request_id=request_id,
        client_id=client_id,
        client_name=work.clients.get(client_id).name,
        organisation=work.settings.name,
        notice=work.settings.confidentiality_notice,
        exported_at=work.now(),
        zone=work.zone,
        client=work.clients.view(client_id) if wanted(ItemKind.CLIENT, client_id) else None,
        cases=tuple(cases),
        notes=tuple(released_notes),
        addenda=tuple(addenda),
        tasks=tuple(tasks),
        communications=tuple(communications),
        services=tuple(s for s in _repo(work).services(case_ids) if wanted(ItemKind.SERVICE, s.id)),
        attachments=tuple(attachments),
        withheld=withheld,
        names=_repo(work).display_names(usernames),
        addendum_cases={a.id: n.case_id for n in notes for a in n.addenda},
        currency=work.settings.currency,
    )


def _write_pdf(folder: Path, bundle: SarBundle, files: dict[int, str]) -> None:
    """The PDF of everything released, laid out as a printed case file is."""
    # Imported here: fpdf2 is loaded by the first export, not by every start of the app.
    from casetui.services.printing.subject_access import write_subject_access

    content, _pages = write_subject_access(bundle, files)
    bundle_files.write_file(folder, bundle_files.PDF_NAME, content)
