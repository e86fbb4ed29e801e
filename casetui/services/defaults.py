"""What a new organisation starts with: settings and its lists, editable afterwards."""

from __future__ import annotations

from sqlmodel import select

from casetui.db.uow import UnitOfWork
from casetui.domain.enums import ListKind
from casetui.domain.models import OrganisationListItem, OrganisationSettings

# What makes a good case note, each with its share of a note's score out of 100 (an
# administrator may change the weights, add criteria, or give a criterion its own cues).
CRITERION_WEIGHTS: dict[str, int] = {
    "Date and time present": 10,
    "What happened": 20,
    "Concerns raised": 15,
    "Actions and next steps": 20,
    "Risk indicators where relevant": 10,
    "Person-centred language": 15,
    "Enough detail": 10,
}

DEFAULT_LISTS: dict[ListKind, tuple[str, ...]] = {
    ListKind.ACTIVITY_TYPE: (
        "Phone call", "Home visit", "Office appointment", "Email", "SMS", "Letter",
        "Workshop", "Job fair", "Education or training", "Job search", "Referral",
        "Assessment", "Support plan review", "Advocacy", "Multi-agency meeting",
    ),
    ListKind.CLIENT_TYPE: ("Potential Client", "Direct Service Client", "Case Management"),
    ListKind.WARNING_INDICATOR: (
        "Risk to staff", "Safeguarding", "Lone-working: visit in pairs", "Interpreter needed",
        "No home visits", "Do not contact by phone",
    ),
    ListKind.PATHWAY: (
        "Housing Support", "Employment Pathway", "Mental Health", "Substance Use",
        "Family Support", "Benefits and Debt",
    ),
    ListKind.GROUP: (
        "Job club", "Parenting course", "Tenancy workshop", "Peer support", "Digital skills",
    ),
    ListKind.SERVICE_TYPE: (
        "Travel", "Food", "Clothing", "Childcare", "Course fees", "Work equipment",
        "Housing costs", "Utility bills",
    ),
    # A Theory of Change in six stages: from first contact to managing without the service.
    ListKind.OUTCOME_STAGE: (
        "Engagement", "Safety and stability", "Housing", "Health and wellbeing",
        "Skills and work", "Independence",
    ),
    ListKind.AUDIT_CRITERION: tuple(CRITERION_WEIGHTS),
}  # fmt: skip


def ensure_defaults(uow: UnitOfWork) -> bool:
    """Create the settings row and default lists if missing. True when anything was added."""
    session = uow.session
    added = False
    if session.get(OrganisationSettings, 1) is None:
        session.add(OrganisationSettings(id=1))
        added = True
    existing = {(item.kind, item.value) for item in session.exec(select(OrganisationListItem))}
    for kind, values in DEFAULT_LISTS.items():
        if any(k == kind.value for k, _ in existing):
            continue  # the organisation has its own list of this kind already
        for position, value in enumerate(values):
            weight = CRITERION_WEIGHTS.get(value) if kind is ListKind.AUDIT_CRITERION else None
            session.add(
                OrganisationListItem(kind=kind.value, value=value, position=position, weight=weight)
            )
            added = True
    session.flush()
    return added
