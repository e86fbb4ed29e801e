"""Who may do what: the role table and grants of the specification, as checks.

Each check raises PermissionDenied with a sentence naming the rule. Services call these;
the TUI asks the same functions (through ``can``) to decide which keys to offer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from casetui.domain.actor import Actor
from casetui.domain.enums import Grant, Role
from casetui.domain.errors import PermissionDenied
from casetui.domain.models import Case

WRITERS = (Role.CASEWORKER, Role.SUPERVISOR, Role.ADMINISTRATOR)


class AuthoredNote(Protocol):
    """What the note rules need of a note: a table row or a read model will do."""

    id: int | None
    author_id: int


def ensure_writer(actor: Actor) -> None:
    if actor.role not in WRITERS:
        raise PermissionDenied(f"{actor.role.value}s have read-only access")


def ensure_case_writer(actor: Actor, case: Case, *, assigned: bool) -> None:
    """Write on a case: its assigned workers, its team's supervisor, administrators.

    ``case`` must come from the actor's scoped repository, so visibility is settled;
    this adds the role rule on top.
    """
    ensure_writer(actor)
    if actor.role is Role.ADMINISTRATOR:
        return
    if actor.role is Role.SUPERVISOR and (assigned or case.team_id == actor.team_id):
        return
    if actor.role is Role.CASEWORKER and assigned:
        return
    raise PermissionDenied(f"you are not assigned to case {case.case_number}")


def ensure_may_change_note(actor: Actor, note: AuthoredNote) -> None:
    """Editing or deleting someone else's note is for supervisors and administrators."""
    ensure_may_change_written(actor, note, f"note {note.id}")


def ensure_may_change_written(actor: Actor, record: AuthoredNote, what: str) -> None:
    """A note or a communication (``what`` names it): its author, supervisors, administrators."""
    if actor.role in (Role.SUPERVISOR, Role.ADMINISTRATOR) or record.author_id == actor.id:
        return
    raise PermissionDenied(
        f"{what} was written by someone else; only its author, a supervisor or an administrator may change it"
    )


def ensure_signoff_decider(actor: Actor, case: Case | None = None) -> None:
    """Approving or returning a note sent for sign-off: the supervisors of the case's team, and
    administrators (an organisation may have no supervisor for a team). ``case`` must come from
    the actor's scoped repository; without it only the role is asked."""
    if actor.role is Role.ADMINISTRATOR:
        return
    if actor.role is not Role.SUPERVISOR:
        raise PermissionDenied(
            "signing off notes is for the supervisors of the case's team and administrators"
        )
    if case is not None and (case.team_id is None or case.team_id != actor.team_id):
        raise PermissionDenied(
            f"case {case.case_number} is not in your team; its own team's supervisors sign off "
            "its notes"
        )


def ensure_not_own_note(actor: Actor, note: AuthoredNote) -> None:
    """Nobody signs off their own note, whatever their role."""
    if note.author_id == actor.id:
        raise PermissionDenied(f"nobody signs off their own note: note {note.id} is yours")


def ensure_grant(actor: Actor, grant: Grant, doing: str) -> None:
    if not actor.has(grant):
        raise PermissionDenied(f"{doing} needs the {grant.value} grant")


def ensure_reassigner(actor: Actor) -> None:
    if actor.role not in (Role.SUPERVISOR, Role.ADMINISTRATOR):
        raise PermissionDenied("reassigning cases is for supervisors and administrators")


def ensure_administrator(actor: Actor, doing: str) -> None:
    if actor.role is not Role.ADMINISTRATOR:
        raise PermissionDenied(f"{doing} is for administrators")


def ensure_audit_reader(actor: Actor) -> None:
    if actor.role not in (Role.ADMINISTRATOR, Role.AUDITOR):
        raise PermissionDenied("the audit trail is for administrators and auditors")


def ensure_score_reader(actor: Actor) -> None:
    """Note-quality scores: caseworkers read their own notes', the others those they may see.
    Here rather than in note_audits, so the caseload offers its key without importing that."""
    if actor.role not in (Role.CASEWORKER, Role.SUPERVISOR, Role.ADMINISTRATOR, Role.AUDITOR):
        raise PermissionDenied("note-quality scores are for staff who write or audit notes")


def may_read_note_score(actor: Actor, author_id: int | None) -> bool:
    """Whether the actor may read the score of a note by this author, on a case they see."""
    if not can(ensure_score_reader, actor):
        return False
    return actor.role is not Role.CASEWORKER or author_id == actor.id


def ensure_bulk_writer(actor: Actor, doing: str) -> None:
    """Writing to many cases at once (a bulk note, a bulk communication, joining a group):
    writers holding the bulk_actions grant."""
    ensure_writer(actor)
    ensure_grant(actor, Grant.BULK_ACTIONS, doing)


def can(check: Callable[..., None], *args: Any, **kwargs: Any) -> bool:
    """``can(ensure_reassigner, actor)``: a check as a yes/no, for showing keys."""
    try:
        check(*args, **kwargs)
    except PermissionDenied:
        return False
    return True
