"""Notifications: news of a case for the staff assigned to it (S4), and each person's inbox.

``notify_case`` is called by the service that made the news, in its own transaction, so a
notification exists exactly when what it tells of was saved.
"""

from __future__ import annotations

from casetui.domain.enums import NotificationKind
from casetui.repositories import notifications as inboxes
from casetui.services.work import Work

TEXT_MAX = 500


def notify_case(
    work: Work,
    case_id: int,
    kind: NotificationKind,
    text: str,
    event_key: str,
    *,
    also: frozenset[int] = frozenset(),
    not_to: int | None = None,
) -> int:
    """Tell the case's primary worker and navigators (and ``also``, staff the event names, such
    as a newly assigned navigator) what happened. ``not_to``: whoever did it, who need not be
    told. Nobody hears of a closed or inactive client's case unless the organisation says so.
    Returns how many people were told for the first time."""
    closed_too = work.settings.notify_closed_clients
    assigned = inboxes.case_recipients(work.session, case_id, closed_clients_too=closed_too)
    if assigned is None:
        return 0
    told = (assigned | also) - {not_to}
    return inboxes.deliver(
        work.session,
        (staff_id for staff_id in told if staff_id is not None),
        kind=kind.value,
        case_id=case_id,
        event_key=event_key[:120],
        text=_one_line(text)[:TEXT_MAX],
        at=work.now(),
    )


def _one_line(text: str) -> str:
    """A notification is one line in an inbox: user text's line breaks become spaces."""
    return " ".join(text.split())
