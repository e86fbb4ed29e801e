"""Realistic demo data for trials, screenshots and benchmarks (`casetui demo`).

The same seed and ``today`` give the same rows: every value comes from one seeded
``random.Random``, never from the clock, ``uuid4`` or the global random module.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import select

from casetui.db.uow import Database, UnitOfWork
from casetui.demo.audits import audit_earlier_months
from casetui.demo.bulk import BulkWriter
from casetui.demo.caseload import CaseloadMaker, OrganisationLists
from casetui.demo.outcomes import assess_demo_cases
from casetui.demo.people import DEMO_PASSWORD, MIN_STAFF, Member, Workforce, hire_staff
from casetui.demo.signoff import sign_off_some
from casetui.domain.actor import Actor
from casetui.domain.enums import DEFAULT_GRANTS, ListKind
from casetui.domain.errors import Conflict, ValidationError
from casetui.domain.models import (
    Case,
    Client,
    OrganisationListItem,
    OrganisationSettings,
    PathwayTask,
    Staff,
)
from casetui.repositories.settings import load_settings
from casetui.repositories.workload import WorkloadRepository
from casetui.services import audit
from casetui.services.defaults import ensure_defaults

__all__ = ["DemoSummary", "Leaver", "generate_demo"]


@dataclass(frozen=True)
class DemoSummary:
    teams: int
    staff: int
    clients: int
    cases: int
    notes: int
    tasks: int
    communications: int
    usernames_by_role: dict[str, list[str]]
    password: str = DEMO_PASSWORD
    leaver: Leaver | None = None


@dataclass(frozen=True)
class Leaver:
    """A caseworker about to leave, whose caseload their supervisor shares between two
    colleagues (``casetui cases transfer``, or T on the workload screen)."""

    username: str
    display_name: str
    team: str
    supervisor: str
    colleagues: tuple[str, str]
    cases: int  # open and paused


def generate_demo(
    db: Database,
    *,
    cases: int = 2000,
    staff: int = 24,
    seed: int = 1,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
    signoffs: bool = True,
) -> DemoSummary:
    """Fill an empty database with an organisation, its staff and their caseloads.

    All or nothing: one transaction, so a failure half-way leaves the database empty.
    ``signoffs``: notes waiting for, returned from and given sign-off (``demo/signoff.py``).
    """
    if cases < 0:
        raise ValidationError("cases", "must be 0 or more")
    if staff < MIN_STAFF:
        raise ValidationError(
            "staff", f"must be at least {MIN_STAFF}: an administrator, an auditor and two teams"
        )
    today = today or date.today()
    say = progress or (lambda _message: None)
    rng = random.Random(seed)
    with db.uow(alone=True) as uow:
        ensure_defaults(uow)
        _refuse_unless_empty(uow)
        _pathway_tasks(uow)
        settings = uow.session.get(OrganisationSettings, 1)
        assert settings is not None  # ensure_defaults made it
        with BulkWriter(uow.session.connection()) as bulk:
            workforce = hire_staff(rng, bulk, staff, today)
            say(f"{len(workforce.everyone)} staff in {len(workforce.teams)} teams written")
            maker = CaseloadMaker(
                rng, bulk, workforce, _organisation_lists(uow),
                case_number_prefix=settings.case_number_prefix, lock_days=settings.lock_days,
                today=today, history=random.Random(f"client records {seed}"),
                correspondence=random.Random(f"communications {seed}"),
            )  # fmt: skip
            counts = maker.run(cases, say)
            stages = _outcome_stages(uow)
            assessed = assess_demo_cases(
                uow.session, bulk, stages, today, random.Random(f"outcomes {seed}")
            )
            say(f"{assessed} outcome assessments written")
            bulk.finish()
        audited = audit_earlier_months(uow, today, cases)
        if audited:
            say(f"{audited} notes of earlier months audited")
        if signoffs:
            stream = random.Random(f"sign-off {seed}")
            sign_off_some(uow.session, stream, workforce, today, settings.lock_days)
            uow.session.flush()
        summary = DemoSummary(
            teams=len(workforce.teams),
            staff=len(workforce.everyone),
            clients=counts.clients,
            cases=counts.cases,
            notes=counts.notes,
            tasks=counts.tasks,
            communications=counts.communications,
            usernames_by_role=workforce.usernames_by_role(),
            leaver=_leaver(uow, workforce),
        )
        audit.record(
            uow, None, "demo.generate", "database", username="system",
            after={
                "seed": seed, "today": today, "teams": summary.teams, "staff": summary.staff,
                "clients": summary.clients, "cases": summary.cases, "notes": summary.notes,
                "tasks": summary.tasks, "communications": summary.communications,
            },
        )  # fmt: skip
        uow.commit()
    return summary


# What each default pathway brings to a new case: (task, days after the case opens).
PATHWAY_TASKS: dict[str, tuple[tuple[str, int], ...]] = {
    "Housing Support": (("Check the tenancy agreement", 3), ("Home visit", 7),
                        ("Review rent arrears", 14)),
    "Employment Pathway": (("Update the CV", 5), ("Book a job club place", 10)),
    "Mental Health": (("Ask for the GP's consent to share", 2), ("Wellbeing review", 14)),
    "Substance Use": (("Referral to the recovery service", 2), ("Harm reduction check-in", 7)),
    "Family Support": (("Meet the family at home", 5), ("Agree the family plan", 14)),
    "Benefits and Debt": (("Benefits check", 3), ("Call the creditors", 7),
                          ("Budget review", 21)),
}  # fmt: skip


def _pathway_tasks(uow: UnitOfWork) -> None:
    """The default pathways as templates, so a case opened on one starts with its tasks."""
    pathways = uow.session.exec(
        select(OrganisationListItem).where(OrganisationListItem.kind == ListKind.PATHWAY.value)
    ).all()
    for pathway in pathways:
        for position, (name, days) in enumerate(PATHWAY_TASKS.get(pathway.value, ())):
            uow.session.add(
                PathwayTask(pathway_id=pathway.id, name=name, due_after_days=days,
                            position=position)
            )  # fmt: skip
    uow.session.flush()


def _leaver(uow: UnitOfWork, workforce: Workforce) -> Leaver | None:
    """The first team's last caseworker, and the two of their colleagues with the most room
    (the lowest utilisation), who would take the cases."""
    team = workforce.teams[0]
    if len(team.caseworkers) < 3:
        return None
    leaving, *staying = reversed(team.caseworkers)
    admin = next(m for m in workforce.everyone if m.username == "admin")
    figures = WorkloadRepository(uow.session, _actor(admin)).rows(
        load_settings(uow.session), staff_ids=[m.id for m in (leaving, *staying)]
    )
    room = {r.username: (r.utilisation, r.username) for r in figures}
    colleagues = sorted((m.username for m in staying), key=lambda name: room[name])[:2]
    held = sum(
        counts
        for r in figures
        if r.username == leaving.username
        for counts in r.cases_by_concern.values()
    )
    return Leaver(
        username=leaving.username,
        display_name=leaving.display_name,
        team=team.name,
        supervisor=team.supervisor.username,
        colleagues=(colleagues[0], colleagues[1]),
        cases=held,
    )


def _actor(member: Member) -> Actor:
    return Actor(
        id=member.id, username=member.username, display_name=member.display_name,
        role=member.role, team_id=member.team_id, grants=frozenset(DEFAULT_GRANTS[member.role]),
    )  # fmt: skip


def _refuse_unless_empty(uow: UnitOfWork) -> None:
    """Demo rows mixed into real ones could not be told apart or taken out again."""
    session = uow.session
    staff = session.exec(select(func.count()).select_from(Staff)).one()
    clients = session.exec(select(func.count()).select_from(Client)).one()
    cases = session.exec(select(func.count()).select_from(Case)).one()
    if staff or clients or cases:
        raise Conflict(
            "demo data goes only into an empty database, and this one already has "
            f"{staff} staff, {clients} clients and {cases} cases; "
            "point --db at a new database instead"
        )


def _outcome_stages(uow: UnitOfWork) -> tuple[str, ...]:
    return tuple(
        uow.session.exec(
            select(OrganisationListItem.value)
            .where(OrganisationListItem.kind == ListKind.OUTCOME_STAGE.value)
            .where(OrganisationListItem.active == True)  # noqa: E712
            .order_by(OrganisationListItem.position, OrganisationListItem.id)  # type: ignore[arg-type]
        ).all()
    )


def _organisation_lists(uow: UnitOfWork) -> OrganisationLists:
    items = uow.session.exec(
        select(OrganisationListItem)
        .where(OrganisationListItem.active == True)  # noqa: E712
        .order_by(OrganisationListItem.kind, OrganisationListItem.position, OrganisationListItem.id)  # type: ignore[arg-type]
    ).all()

    def values(kind: ListKind) -> list[str]:
        return [item.value for item in items if item.kind == kind.value]

    return OrganisationLists(
        activity_types=values(ListKind.ACTIVITY_TYPE),
        client_types=values(ListKind.CLIENT_TYPE),
        warning_indicators=values(ListKind.WARNING_INDICATOR),
        pathways=values(ListKind.PATHWAY),
        groups=values(ListKind.GROUP),
    )
