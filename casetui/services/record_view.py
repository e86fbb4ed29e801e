"""What the client record screen shows and offers, read in one go."""

from __future__ import annotations

from dataclasses import dataclass

from casetui.domain.actor import Actor
from casetui.domain.read_models.clients import ClientRecord
from casetui.services import clients
from casetui.services.access import CaseAccess, case_access
from casetui.services.work import Database, reading


@dataclass(frozen=True)
class RecordView:
    record: ClientRecord
    access: clients.ClientAccess
    case_access: dict[int, CaseAccess]  # by case id: what the actor may do on each case


def record_view(db: Database, actor: Actor, client_id: int) -> RecordView:
    record = clients.client_record(db, actor, client_id)
    access = clients.client_access(db, actor, client_id)
    with reading(db, actor) as work:
        per_case = {case.id: case_access(work, case.id) for case in record.cases}
    return RecordView(record, access, per_case)
