"""Which cases a caseload filter matches, and in which order.

A typed query matches a case whose client's name (or preferred name) holds it, whose number
starts with it, or which is tagged with it. Two ways to find them, the same cases either way:

* few matches: a UNION of three indexed look-ups (the name through FTS5 on SQLite or pg_trgm
  on PostgreSQL, the number as a range on its unique index, the tag by equality), so a rare
  name is found without reading every case;
* many matches (a query under three letters, "C-20", a common trigram): the cases are read in
  caseload order and each is tested, which stops as soon as a page is full, where gathering a
  million matches to show a hundred would take seconds.

A count of what each look-up finds, capped at ``BROAD_MATCHES``, decides between them
(``CaseSearch._matches_many``), once per query: a repository remembers its own decisions, and
``_BROAD_SEEN`` keeps them across reads of the same database, as typing and erasing a name asks
again for each prefix. Only the speed of a read depends on the decision, never which cases it
finds; ``count`` asks ``CaseSearch.tests_names_row_by_row`` whether it needs the client's name.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    SQLColumnExpression,
    and_,
    bindparam,
    case,
    false,
    func,
    literal_column,
    or_,
    select,
    text,
    union,
)
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.enums import CaseStatus
from casetui.domain.filters import CaseFilter
from casetui.domain.models import Case, CaseTag, Client, Staff
from casetui.domain.storable import storable
from casetui.repositories.scope import assigned_to, sees_only_assigned, visible_cases

KNOWN_STATUSES = frozenset(status.value for status in CaseStatus)
# A filter matching more cases than this, in any status, tests the caseload's rows one by one
# in caseload order (stopping at a full page) instead of gathering every match first.
BROAD_MATCHES = 10_000
# Which queries matched many, remembered across reads: typing and erasing a name asks again
# for each prefix. Only the speed of a read depends on it, never which cases it finds.
_BROAD_SEEN: dict[tuple[str, int, str], bool] = {}
BROAD_SEEN_KEPT = 1_000


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _status_in(statuses: tuple[str, ...]) -> ColumnElement[bool]:
    """``status IN (...)``; the product's own statuses written as literals, so the planners
    can match the open-and-paused index (migration 0004), whose condition they must see."""
    if set(statuses) <= KNOWN_STATUSES:
        listed: Any = bindparam("statuses", list(statuses), expanding=True, literal_execute=True)
        return col(Case.status).in_(listed)
    return col(Case.status).in_(statuses)


def _worker_name() -> ColumnElement[Any]:
    # A correlated lookup rather than an outer-joined alias, so it also works in WHERE.
    return (
        select(func.lower(Staff.display_name))
        .where(col(Staff.id) == Case.primary_worker_id)
        .correlate(Case)
        .scalar_subquery()
    )


def sort_column(sort: str) -> SQLColumnExpression[Any]:
    """The value a caseload sort key orders by; unknown keys sort by last interaction."""
    columns: dict[str, SQLColumnExpression[Any]] = {
        "client": func.lower(Client.name),
        "case_number": col(Case.case_number),
        "worker": _worker_name(),
        "status": case({"Open": 1, "Paused": 2, "Closed": 3}, value=Case.status, else_=0),
        "concern": case({"Low": 1, "Medium": 2, "High": 3}, value=Case.concern, else_=0),
        "pathway": col(Case.pathway),
        "last_interaction": col(Case.last_interaction_at),
        "next_task": col(Case.next_task_due),
    }
    return columns.get(sort, columns["last_interaction"])


def caseload_order(flt: CaseFilter) -> list[ColumnElement[Any]]:
    """ORDER BY for the filter's sort: its column, then the case id to break ties."""
    column = sort_column(flt.sort)
    ordered = column.desc() if flt.descending else column.asc()
    tiebreak = col(Case.id).desc() if flt.descending else col(Case.id).asc()
    # Missing values last either way, the way people read a list; NULLS LAST (rather than
    # "IS NULL" first) also lets SQLite walk an index for the default sort.
    return [ordered.nulls_last(), tiebreak]


class CaseSearch:
    """The WHERE clauses of one repository's caseload reads, and which of its queries matched
    many cases."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self._broad: dict[str, bool] = {}  # query -> matches many cases (see matching)

    def where(self, flt: CaseFilter) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = [visible_cases(self.actor)]
        if flt.statuses:
            clauses.append(_status_in(flt.statuses))
        if flt.concerns:
            clauses.append(col(Case.concern).in_(flt.concerns))
        # "Mine" again, for someone who sees only their own, would read their cases twice.
        if flt.mine and not sees_only_assigned(self.actor):
            clauses.append(assigned_to(self.actor))
        if flt.worker_ids:
            clauses.append(col(Case.primary_worker_id).in_(flt.worker_ids))
        if flt.pathways:
            clauses.append(col(Case.pathway).in_(flt.pathways))
        typed = (flt.query, *flt.tags, *flt.pathways, *flt.statuses, *flt.concerns)
        if not all(storable(t) for t in typed):
            return [false()]  # nothing stored holds such text
        for tag in flt.tags:
            clauses.append(
                select(col(CaseTag.case_id))
                .where(col(CaseTag.case_id) == Case.id, col(CaseTag.tag) == tag)
                .exists()
            )
        query = flt.query.strip()
        if query:
            clauses.append(self.matching(query))
        return clauses

    def matching(self, query: str) -> ColumnElement[bool]:
        """Cases whose client's name holds ``query``, whose number starts with it, or tagged it:
        gathered through indexes, or tested row by row when it matches many (see the module's
        docstring for the two ways and why)."""
        lowered = query.lower()
        number = query.upper()
        in_range = and_(
            col(Case.case_number) >= number, col(Case.case_number) < number + "\U0010ffff"
        )
        tagged = select(col(CaseTag.case_id)).where(col(CaseTag.tag) == lowered)
        pattern = f"%{_like_escape(lowered)}%"
        named = or_(
            func.lower(Client.name).like(pattern, escape="\\"),
            func.lower(Client.preferred_name).like(pattern, escape="\\"),
        )
        row_by_row = or_(named, in_range, col(Case.id).in_(tagged))
        if len(lowered) < 3:
            return row_by_row
        clients: Select[Any] | CompoundSelect[Any]  # client ids
        if self.session.get_bind().dialect.name == "sqlite":
            phrase = '"' + query.replace('"', '""') + '"'
            clients = (
                select(literal_column("rowid"))
                .select_from(text("client_search"))
                .where(text("client_search MATCH :phrase").bindparams(phrase=phrase))
            )
        else:
            # One look-up per trigram index: with "name OR preferred name" PostgreSQL reads
            # every client instead (it prices the two index scans above one table scan).
            clients = union(
                select(col(Client.id)).where(func.lower(Client.name).like(pattern, escape="\\")),
                select(col(Client.id)).where(
                    func.lower(Client.preferred_name).like(pattern, escape="\\")
                ),
            )
        numbered = select(col(Case.id)).where(in_range)
        if self._matches_many(lowered, (clients, numbered, tagged)):
            return row_by_row
        matching: CompoundSelect[Any] = union(  # case ids
            select(col(Case.id)).where(col(Case.client_id).in_(clients)),
            numbered,
            tagged,
        )
        return col(Case.id).in_(matching)

    def _matches_many(self, query: str, look_ups: tuple[Any, Any, Any]) -> bool:
        """Whether the look-ups (names, numbers, tag) find more than BROAD_MATCHES rows between
        them, in any status or scope: what gathering them would read. Each stops counting at
        the cap."""
        database = self.session.get_bind().engine.url.render_as_string()
        seen_key = (database, BROAD_MATCHES, query)
        if query not in self._broad and seen_key in _BROAD_SEEN:
            self._broad[query] = _BROAD_SEEN[seen_key]
        if query not in self._broad:
            # Typing on: a longer query holds every name and number a shorter one ruled out,
            # so once a start of it matched few, only its tag (a whole word) needs counting.
            narrowed = any(
                _BROAD_SEEN.get((database, BROAD_MATCHES, query[:end])) is False
                for end in range(3, len(query))
            )
            capped = [
                select(func.count()).select_from(look_up.limit(BROAD_MATCHES + 1).subquery())
                .scalar_subquery()
                for look_up in (look_ups[2:] if narrowed else look_ups)
            ]  # fmt: skip
            counted = select(sum(capped[1:], capped[0]))
            total = self.session.connection().execute(counted).scalar_one()
            self._broad[query] = int(total) > BROAD_MATCHES
            if len(_BROAD_SEEN) >= BROAD_SEEN_KEPT:
                _BROAD_SEEN.clear()
            _BROAD_SEEN[seen_key] = self._broad[query]
        return self._broad[query]

    def tests_names_row_by_row(self, query: str) -> bool:
        """Whether a filter on ``query`` reads each case's client name (see ``matching``)."""
        return bool(query) and (len(query) < 3 or self._broad.get(query.lower(), False))
