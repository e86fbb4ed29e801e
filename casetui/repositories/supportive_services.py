"""Supportive services on the cases the actor may see, and what they add up to.

Totals are summed by the database, never in Python over floats: PostgreSQL adds the
NUMERIC(12, 2) amounts exactly; SQLite, which keeps a NUMERIC column as a double, adds whole
cents (each amount times 100, rounded to an integer: exact for every amount the column holds,
which has at most twelve digits where a double keeps fifteen), and the cents become a Decimal.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, cast, func, select
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.errors import NotFound
from casetui.domain.models import Case, Staff, SupportiveService
from casetui.domain.money import CENT
from casetui.domain.read_models.supportive_services import GrantTotal, ServiceTotals, ServiceView
from casetui.domain.storable import storable_id
from casetui.repositories.scope import visible_cases

NOT_DELETED = col(SupportiveService.deleted_at).is_(None)


class SupportiveServiceRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self._sqlite = session.get_bind().dialect.name == "sqlite"

    def get(self, service_id: int, *, include_deleted: bool = False) -> SupportiveService:
        """The service, if it is on a case the actor may see (else NotFound, which says nothing
        of whether it exists)."""
        if not storable_id(service_id):
            raise NotFound(f"no supportive service {service_id} that you can see")
        query = (
            select(SupportiveService)
            .join(Case, col(Case.id) == SupportiveService.case_id)
            .where(col(SupportiveService.id) == service_id, visible_cases(self.actor))
        )
        if not include_deleted:
            query = query.where(NOT_DELETED)
        found = self.session.execute(query).scalar_one_or_none()
        if found is None:
            raise NotFound(f"no supportive service {service_id} that you can see")
        return found

    def views(
        self,
        *,
        case_id: int | None = None,
        service_ids: list[int] | None = None,
        include_deleted: bool = False,
    ) -> list[ServiceView]:
        """Services as read models, the latest given first."""
        query = (
            select(
                SupportiveService,
                col(Case.case_number),
                col(Staff.username),
                col(Staff.display_name),
            )
            .join(Case, col(Case.id) == SupportiveService.case_id)
            .join(Staff, col(Staff.id) == SupportiveService.author_id)
            .where(visible_cases(self.actor))
        )
        if case_id is not None:
            if not storable_id(case_id):
                return []
            query = query.where(col(SupportiveService.case_id) == case_id)
        if service_ids is not None:
            wanted = [i for i in service_ids if storable_id(i)]
            query = query.where(col(SupportiveService.id).in_(wanted))
        if not include_deleted:
            query = query.where(NOT_DELETED)
        query = query.order_by(
            col(SupportiveService.provided_on).desc(), col(SupportiveService.id).desc()
        )
        return [
            ServiceView(
                id=row.id,
                case_id=row.case_id,
                case_number=number,
                author_id=row.author_id,
                author=username,
                author_name=display_name,
                service_type=row.service_type,
                provided_on=row.provided_on,
                provider=row.provider,
                amount=Decimal(row.amount).quantize(CENT),
                grant=row.grant,
                justification=row.justification,
                created_at=row.created_at,
                updated_at=row.updated_at,
                version=row.version,
                deleted=row.deleted_at is not None,
            )
            for row, number, username, display_name in self.session.execute(query)
        ]

    def totals(self, case_id: int) -> ServiceTotals:
        """The case's services (not deleted) added up in the database, overall and per grant;
        services from no grant come last."""
        if not storable_id(case_id):
            return ServiceTotals(Decimal("0.00"), 0)
        grant = col(SupportiveService.grant)
        of_case = (
            col(SupportiveService.case_id) == case_id,
            NOT_DELETED,
            visible_cases(self.actor),
        )
        joined = col(Case.id) == SupportiveService.case_id
        rows = self.session.execute(
            select(grant, self._sum(), func.count())
            .join(Case, joined)
            .where(*of_case)
            .group_by(grant)
            .order_by(grant.is_(None), grant)
        ).all()
        total, count = self.session.execute(
            select(self._sum(), func.count()).select_from(SupportiveService).join(Case, joined)
            .where(*of_case)
        ).one()  # fmt: skip
        return ServiceTotals(
            self._decimal(total),
            int(count),
            tuple(GrantTotal(name, self._decimal(sub), int(n)) for name, sub, n in rows),
        )

    def _sum(self) -> Any:
        amount = col(SupportiveService.amount)
        if self._sqlite:
            return func.sum(cast(func.round(amount * 100), Integer))
        return func.sum(amount)

    def _decimal(self, total: Any) -> Decimal:
        """A database total as an exact Decimal with two places (no rows: nothing, 0.00)."""
        if total is None:
            return Decimal("0.00")
        if self._sqlite:
            return (Decimal(int(total)) * CENT).quantize(CENT)
        return Decimal(total).quantize(CENT)
