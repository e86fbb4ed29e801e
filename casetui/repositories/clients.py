"""Clients as the acting staff member may see them, by the rule of ``client_scope``
(``visible_clients``): a client with no case is visible to everyone who may register clients
and to auditors; a client with cases, to whoever may see one of those cases. A deleted client
is visible to nobody here but administrators, and to them only through the list of deleted
clients.
"""

from __future__ import annotations

import builtins
import contextlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.enums import Role
from casetui.domain.errors import NotFound
from casetui.domain.models import Case, Client, ClientGroup, ClientWarning
from casetui.domain.name_words import words
from casetui.domain.read_models.clients import ClientView
from casetui.domain.storable import storable, storable_id
from casetui.repositories.client_scope import visible_clients
from casetui.repositories.scope import visible_cases


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _matching(query: str) -> ColumnElement[bool]:
    """A client whose name, preferred name or email holds ``query`` (a name with or without
    its accents), whose phone holds its digits, whose date of birth it is, or whose id it is."""
    lowered = query.lower()
    pattern = f"%{_like_escape(lowered)}%"
    clauses: list[ColumnElement[bool]] = [
        func.lower(Client.name).like(pattern, escape="\\"),
        func.lower(Client.preferred_name).like(pattern, escape="\\"),
        func.lower(Client.email).like(pattern, escape="\\"),
    ]
    plain = " ".join(words(query))
    if plain:
        clauses.append(col(Client.search_name).like(f"%{_like_escape(plain)}%", escape="\\"))
    digits = "".join(ch for ch in query if ch.isdigit())
    if len(digits) >= 3 and len(digits) * 2 >= len(query.replace(" ", "")):
        clauses.append(col(Client.phone_digits).like(f"%{digits}%"))
    if query.isdigit() and storable_id(int(query)):
        clauses.append(col(Client.id) == int(query))
    with contextlib.suppress(ValueError):  # a date of birth, when the query is one
        clauses.append(col(Client.date_of_birth) == date.fromisoformat(query))
    return or_(*clauses)


class ClientRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor

    # --- one client ------------------------------------------------------------------

    def get(self, client_id: int) -> Client:
        """The client, if the actor may see them; NotFound whether missing or out of sight."""
        row = None
        if storable_id(client_id):
            row = self.session.execute(
                select(Client).where(col(Client.id) == client_id, visible_clients(self.actor))
            ).scalar_one_or_none()
        if row is None:
            raise NotFound(f"no client {client_id} that you can see")
        return row

    def get_deleted(self, client_id: int) -> Client:
        """A deleted client: administrators only (they restore them)."""
        row = None
        if storable_id(client_id) and self.actor.role is Role.ADMINISTRATOR:
            row = self.session.execute(
                select(Client).where(
                    col(Client.id) == client_id, col(Client.deleted_at).is_not(None)
                )
            ).scalar_one_or_none()
        if row is None:
            raise NotFound(f"no deleted client {client_id}")
        return row

    def has_cases(self, client_id: int) -> bool:
        """Whether anyone holds a case for the client (whether the actor sees it or not)."""
        found = self.session.execute(
            select(col(Case.id)).where(col(Case.client_id) == client_id).limit(1)
        ).first()
        return found is not None

    def cases(self, client_id: int) -> builtins.list[Case]:
        """The client's cases the actor may see, newest first."""
        return list(
            self.session.execute(
                select(Case)
                .where(col(Case.client_id) == client_id, visible_cases(self.actor))
                .order_by(col(Case.opened_on).desc(), col(Case.id).desc())
            ).scalars()
        )

    def cases_out_of_sight(self, client_id: int) -> int:
        """How many live cases of the client the actor may not see."""
        every = self.session.execute(
            select(func.count())
            .select_from(Case)
            .where(col(Case.client_id) == client_id, col(Case.deleted_at).is_(None))
        ).scalar_one()
        return int(every) - len(self.cases(client_id))

    # --- read models -----------------------------------------------------------------

    def views(self, client_ids: Iterable[int]) -> builtins.list[ClientView]:
        """The clients among these the actor may see, in the order given."""
        ids = [i for i in dict.fromkeys(client_ids) if storable_id(i)]
        if not ids:
            return []
        rows = self.session.execute(
            select(Client).where(col(Client.id).in_(ids), visible_clients(self.actor))
        ).scalars()
        return self._views({row.id: row for row in rows}, ids)

    def view(self, client_id: int) -> ClientView:
        found = self.views([client_id])
        if not found:
            raise NotFound(f"no client {client_id} that you can see")
        return found[0]

    def list(self, query: str | None = None, *, deleted: bool = False) -> builtins.list[ClientView]:
        """Clients matching ``query`` (all without one), by name; ``deleted``: the deleted ones,
        for administrators (nobody else sees any)."""
        if deleted:
            if self.actor.role is not Role.ADMINISTRATOR:
                return []
            where: ColumnElement[bool] = col(Client.deleted_at).is_not(None)
        else:
            where = visible_clients(self.actor)
        typed = (query or "").strip()
        if typed:
            if not storable(typed):
                return []  # nothing stored holds such text
            where = where & _matching(typed)
        rows = list(
            self.session.execute(
                select(Client).where(where).order_by(func.lower(Client.name), col(Client.id))
            ).scalars()
        )
        return self._views({row.id: row for row in rows}, [row.id for row in rows])

    def _views(
        self, rows: dict[int | None, Client], order: Sequence[int | None]
    ) -> builtins.list[ClientView]:
        found = [i for i in order if i is not None and i in rows]
        warnings = self.warnings_for(found)
        groups = self.groups_for(found)
        out: builtins.list[ClientView] = []
        for client_id in found:
            row = rows[client_id]
            out.append(
                ClientView(
                    id=client_id,
                    name=row.name,
                    preferred_name=row.preferred_name,
                    date_of_birth=row.date_of_birth,
                    email=row.email,
                    phone=row.phone,
                    client_type=row.client_type,
                    status=row.record_status,
                    warnings=tuple(warnings.get(client_id, ())),
                    groups=tuple(groups.get(client_id, ())),
                    created_at=row.created_at,
                    version=row.version,
                    deleted_at=row.deleted_at,
                )
            )
        return out

    # --- per-client lists, for clients already known to be in sight -------------------

    def warnings_for(self, client_ids: Iterable[int]) -> dict[int, builtins.list[str]]:
        return self._listed(
            select(col(ClientWarning.client_id), col(ClientWarning.indicator)),
            ClientWarning.client_id,
            ClientWarning.indicator,
            client_ids,
        )

    def groups_for(self, client_ids: Iterable[int]) -> dict[int, builtins.list[str]]:
        return self._listed(
            select(col(ClientGroup.client_id), col(ClientGroup.group_name)),
            ClientGroup.client_id,
            ClientGroup.group_name,
            client_ids,
        )

    def _listed(
        self, query: Any, owner: Any, value: Any, client_ids: Iterable[int]
    ) -> dict[int, builtins.list[str]]:
        ids = builtins.list(client_ids)
        out: dict[int, builtins.list[str]] = defaultdict(builtins.list)
        for start in range(0, len(ids), 500):  # stay under SQLite's parameter limit
            chunk = ids[start : start + 500]
            for client_id, item in self.session.execute(
                query.where(col(owner).in_(chunk)).order_by(col(owner), col(value))
            ):
                out[client_id].append(item)
        return out
