"""Clients: register (alone or with a first case), read the record, edit it, join groups, soft
delete (with the delete_clients grant) and restore (administrators).

Who sees a client is defined once, in ``repositories/client_scope.py``; who may edit one, in
``access.ensure_client_writer``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, update
from sqlmodel import col

from casetui.domain.actor import Actor
from casetui.domain.dates import date_order, parse_date
from casetui.domain.enums import Grant, RecordStatus, Role
from casetui.domain.errors import (
    NotFound,
    ValidationError,
)
from casetui.domain.limits import NAME_MAX
from casetui.domain.models import Case, Client, ClientGroup, ClientWarning
from casetui.domain.name_words import search_name
from casetui.domain.read_models.cases import CaseDetail
from casetui.domain.read_models.clients import ClientRecord, ClientView
from casetui.repositories import name_terms
from casetui.services import audit, policy, validation
from casetui.services.access import ensure_client_writer, writable_cases, writable_client
from casetui.services.cases import CaseInput, insert_case
from casetui.services.exports import exported
from casetui.services.records import save_versioned, saved_id, snapshot, stale
from casetui.services.work import Database, Work, reading, retry_collisions, writing

EMAIL_MAX = 254
PHONE_MAX = 40
EARLIEST_BIRTH_YEAR = 1900  # an earlier year is a typing slip, not a client
# The most cases one "join a group" may name; the caseload's "select all" stops here too.
GROUP_MAX_CASES = 5000
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class ClientInput:
    name: str
    preferred_name: str | None = None
    date_of_birth: str | date | None = None
    email: str | None = None
    phone: str | None = None
    client_type: str | None = None
    warnings: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ValidClient:
    """A new client's fields, checked: what registering writes (and an import, many at once)."""

    name: str
    preferred_name: str | None
    date_of_birth: date | None
    email: str | None
    phone: str | None
    client_type: str | None
    warnings: tuple[str, ...]
    groups: tuple[str, ...]

    @property
    def phone_digits(self) -> str | None:
        return phone_digits(self.phone)

    @property
    def search_name(self) -> str:
        return search_name(self.name, self.preferred_name)


@dataclass(frozen=True)
class ClientChanges:
    """An edit of a client's record. None leaves a field as it is; "" clears an optional one."""

    name: str | None = None
    preferred_name: str | None = None
    date_of_birth: str | date | None = None
    email: str | None = None
    phone: str | None = None
    client_type: str | None = None
    status: str | None = None  # record status: Active, Inactive, Closed
    add_warnings: tuple[str, ...] = ()
    remove_warnings: tuple[str, ...] = ()
    add_groups: tuple[str, ...] = ()
    remove_groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClientAccess:
    """What the actor may do with one client's record, as the services would answer."""

    edit: bool
    delete: bool
    restore: bool
    open_case: bool


def phone_digits(phone: str | None) -> str | None:
    """The digits of a phone number, however it was typed: what duplicates and search match."""
    digits = "".join(c for c in phone or "" if c.isdigit())
    return digits or None


# --- the fields, checked ---------------------------------------------------------------------


def _date_of_birth(work: Work, raw: str | date | None) -> date | None:
    if raw is None or raw == "":
        return None
    today = work.today()
    order = work.settings.date_order
    born = (
        raw
        if isinstance(raw, date)
        else parse_date(raw, today, field="date of birth", order=date_order(order))
    )
    if born > today:
        raise ValidationError("date of birth", "is in the future")
    if born.year < EARLIEST_BIRTH_YEAR:
        raise ValidationError("date of birth", f"is before {EARLIEST_BIRTH_YEAR}")
    return born


def _email(raw: str | None) -> str | None:
    email = validation.optional_text(raw, "email", max_length=EMAIL_MAX)
    if email and not _EMAIL.fullmatch(email):
        raise ValidationError("email", f"{email[:60]!r} is not an email address")
    return email


def _phone(raw: str | None) -> str | None:
    phone = validation.optional_text(raw, "phone", max_length=PHONE_MAX)
    if phone and phone_digits(phone) is None:
        raise ValidationError("phone", f"{phone[:60]!r} has no digits")
    return phone


def _name(raw: str | None) -> str:
    return validation.text(raw, "name", max_length=NAME_MAX, required=True, single_line=True)


def _preferred_name(raw: str | None) -> str | None:
    return validation.optional_text(raw, "preferred name", max_length=NAME_MAX)


def _client_type(work: Work, raw: str | None) -> str | None:
    if not raw or not raw.strip():
        return None
    return validation.one_of(raw, "client type", work.settings.client_types)


def _listed(raw: Sequence[str], field: str, allowed: Sequence[str]) -> list[str]:
    """Values from an organisation list, in the list's spelling, each once."""
    return list(dict.fromkeys(validation.one_of(v, field, allowed) for v in raw))


def _held(raw: Sequence[str], field: str, held: Sequence[str]) -> list[str]:
    """Values to take off a client, each one the client has (matched as the lists match)."""
    out: list[str] = []
    for value in raw:
        cleaned = (value or "").strip()
        match = next((h for h in held if h.casefold() == cleaned.casefold()), None)
        if match is None:
            raise ValidationError(field, f"{cleaned[:60]!r} is not on this client's record")
        out.append(match)
    return list(dict.fromkeys(out))


# --- registering -----------------------------------------------------------------------------


def check_client(work: Work, client: ClientInput) -> ValidClient:
    """Every field of a new client checked, all refusals named at once (``ValidationErrors``)."""
    fields = validation.Fields()
    name = fields.check(_name, client.name)
    preferred = fields.check(_preferred_name, client.preferred_name)
    born = fields.check(_date_of_birth, work, client.date_of_birth)
    email = fields.check(_email, client.email)
    phone = fields.check(_phone, client.phone)
    client_type = fields.check(_client_type, work, client.client_type)
    warnings = fields.check(
        _listed, client.warnings, "warning indicator", work.settings.warning_indicators
    )
    groups = fields.check(_listed, client.groups, "group", work.settings.groups)
    fields.done()
    return ValidClient(
        name, preferred, born, email, phone, client_type, tuple(warnings), tuple(groups)
    )


def _insert_client(work: Work, actor: Actor, client: ClientInput) -> Client:
    """A new client, every field checked, in the caller's unit of work; their name's words are
    remembered for search and the duplicate check."""
    policy.ensure_writer(actor)
    valid = check_client(work, client)
    row = Client(
        name=valid.name, preferred_name=valid.preferred_name, date_of_birth=valid.date_of_birth,
        email=valid.email, phone=valid.phone, phone_digits=valid.phone_digits,
        search_name=valid.search_name, client_type=valid.client_type,
        record_status=RecordStatus.ACTIVE.value, created_at=work.now(),
    )  # fmt: skip
    work.session.add(row)
    work.session.flush()
    client_id = saved_id(row)
    name_terms.remember(work.session, (row.name, row.preferred_name))
    warnings, groups = list(valid.warnings), list(valid.groups)
    work.session.add_all(ClientWarning(client_id=client_id, indicator=w) for w in warnings)
    work.session.add_all(ClientGroup(client_id=client_id, group_name=g) for g in groups)
    audit.record(
        work, actor, "client.register", "client", client_id,
        after=snapshot(row, warnings=warnings, groups=groups),
    )  # fmt: skip
    return row


def register_client(db: Database, actor: Actor, client: ClientInput) -> int:
    """A new client (caseworkers, supervisors, administrators); returns their id."""
    policy.ensure_writer(actor)
    with writing(db, actor) as work:
        row = _insert_client(work, actor, client)
        work.commit()
        return saved_id(row)


def register_with_case(
    db: Database, actor: Actor, client: ClientInput, case: CaseInput
) -> CaseDetail:
    """A new client and their first case in one transaction: if the case is refused, the
    client is not registered either. ``case.client_id`` is ignored."""
    policy.ensure_writer(actor)
    with writing(db, actor) as work:
        row = _insert_client(work, actor, client)
        opened = insert_case(work, actor, case, row)
        work.commit()
        return work.cases.detail(saved_id(opened))


# --- reading ---------------------------------------------------------------------------------


def client_record(db: Database, actor: Actor, client_id: int) -> ClientRecord:
    """The record box and every case of the client the reader may see, newest first."""
    with reading(db, actor) as work:
        view = work.clients.view(client_id)
        cases = tuple(work.cases.detail(saved_id(c)) for c in work.clients.cases(client_id))
        return ClientRecord(view, cases, work.clients.cases_out_of_sight(client_id))


def client_access(db: Database, actor: Actor, client_id: int) -> ClientAccess:
    with reading(db, actor) as work:
        try:
            row = work.clients.get(client_id)
        except NotFound:
            work.clients.get_deleted(client_id)  # administrators only; NotFound for others
            return ClientAccess(edit=False, delete=False, restore=True, open_case=False)
        edit = policy.can(ensure_client_writer, work, row)
        return ClientAccess(
            edit=edit,
            delete=edit and actor.has(Grant.DELETE_CLIENTS),
            restore=False,
            open_case=policy.can(policy.ensure_writer, actor),
        )


def list_clients(
    db: Database,
    actor: Actor,
    query: str | None = None,
    *,
    deleted: bool = False,
    export: bool = False,
) -> list[ClientView]:
    """The clients the actor may see matching ``query`` (name, preferred name, email, phone,
    date of birth or id), by name; ``deleted``: the deleted ones (administrators).
    ``export`` records the list as an export before handing it out."""
    if deleted:
        policy.ensure_administrator(actor, "the list of deleted clients")
    with reading(db, actor) as work:
        rows = work.clients.list(query, deleted=deleted)
    if export:
        exported(db, actor, "clients", len(rows), {"query": query or "", "deleted": deleted})
    return rows


def deleted_clients(db: Database, actor: Actor) -> list[ClientView]:
    return list_clients(db, actor, deleted=True)


# --- editing ---------------------------------------------------------------------------------


def _pictured(work: Work, row: Client) -> dict[str, object]:
    client_id = saved_id(row)
    return snapshot(
        row,
        warnings=work.clients.warnings_for([client_id]).get(client_id, []),
        groups=work.clients.groups_for([client_id]).get(client_id, []),
    )


def edit_client(
    db: Database,
    actor: Actor,
    client_id: int,
    changes: ClientChanges,
    *,
    expected_version: int | None = None,
) -> ClientView:
    """Details, record status, client type, warnings and groups, saved from the version the
    person saw (else refused as stale, naming who saved first) and audited before and after."""
    with writing(db, actor) as work:
        row = writable_client(work, client_id)
        held_warnings = work.clients.warnings_for([client_id]).get(client_id, [])
        held_groups = work.clients.groups_for([client_id]).get(client_id, [])
        settings = work.settings
        fields = validation.Fields()
        values: dict[str, object] = {}
        if changes.name is not None:
            values["name"] = fields.check(_name, changes.name)
        if changes.preferred_name is not None:
            values["preferred_name"] = fields.check(_preferred_name, changes.preferred_name)
        if changes.date_of_birth is not None:
            values["date_of_birth"] = fields.check(_date_of_birth, work, changes.date_of_birth)
        if changes.email is not None:
            values["email"] = fields.check(_email, changes.email)
        if changes.phone is not None:
            phone = fields.check(_phone, changes.phone)
            values.update(phone=phone, phone_digits=phone_digits(phone))
        if changes.client_type is not None:
            values["client_type"] = fields.check(_client_type, work, changes.client_type)
        if changes.status is not None:
            values["record_status"] = fields.check(
                validation.one_of, changes.status, "record status", [s.value for s in RecordStatus]
            )
        add_warnings = fields.check(
            _listed, changes.add_warnings, "warning indicator", settings.warning_indicators
        )
        remove_warnings = fields.check(
            _held, changes.remove_warnings, "warning indicator", held_warnings
        )
        add_groups = fields.check(_listed, changes.add_groups, "group", settings.groups)
        remove_groups = fields.check(_held, changes.remove_groups, "group", held_groups)
        fields.done()
        values = {k: v for k, v in values.items() if getattr(row, k) != v}
        add_warnings = [w for w in add_warnings if w not in held_warnings]
        add_groups = [g for g in add_groups if g not in held_groups]
        if not (values or add_warnings or remove_warnings or add_groups or remove_groups):
            if expected_version is not None and expected_version != row.version:
                raise stale(work, row, yours=expected_version, now=row.version)
            return work.clients.view(client_id)  # nothing to save
        if "name" in values or "preferred_name" in values:
            preferred = values.get("preferred_name", row.preferred_name)
            values["search_name"] = search_name(
                str(values.get("name", row.name)), preferred if isinstance(preferred, str) else None
            )
        before = _pictured(work, row)
        save_versioned(work, row, expected_version, values)
        _change_warnings(work, client_id, add_warnings, remove_warnings)
        _change_groups(work, client_id, add_groups, remove_groups)
        work.session.flush()
        if "name" in values or "preferred_name" in values:
            name_terms.remember(work.session, (row.name, row.preferred_name))
        audit.record(
            work, actor, "client.edit", "client", client_id, before=before,
            after=_pictured(work, row),
        )  # fmt: skip
        work.commit()
        return work.clients.view(client_id)


def _change_warnings(work: Work, client_id: int, add: list[str], remove: list[str]) -> None:
    if remove:
        work.session.execute(
            delete(ClientWarning).where(
                col(ClientWarning.client_id) == client_id, col(ClientWarning.indicator).in_(remove)
            )
        )
    work.session.add_all(ClientWarning(client_id=client_id, indicator=w) for w in add)


def _change_groups(work: Work, client_id: int, add: list[str], remove: list[str]) -> None:
    if remove:
        work.session.execute(
            delete(ClientGroup).where(
                col(ClientGroup.client_id) == client_id, col(ClientGroup.group_name).in_(remove)
            )
        )
    work.session.add_all(ClientGroup(client_id=client_id, group_name=g) for g in add)


@retry_collisions
def join_group(db: Database, actor: Actor, group: str, case_numbers: Sequence[str]) -> int:
    """The clients of these cases join ``group``: all of them, or none and every refused case
    named. Returns how many clients joined (those already in the group are left as they are)."""
    policy.ensure_writer(actor)
    policy.ensure_grant(actor, Grant.BULK_ACTIONS, "joining clients to a group")
    numbers = list(dict.fromkeys(n.strip() for n in case_numbers if n and n.strip()))
    if not numbers:
        raise ValidationError("cases", "choose at least one case")
    if len(numbers) > GROUP_MAX_CASES:
        raise ValidationError(
            "cases", f"{len(numbers)} cases; a group may be joined from at most {GROUP_MAX_CASES}"
        )
    with writing(db, actor) as work:
        name = validation.one_of(group, "group", work.settings.groups)
        cases = writable_cases(work, numbers, f"nobody joined {name}")
        first_case: dict[int, int] = {}
        for case in cases:
            first_case.setdefault(case.client_id, saved_id(case))
        held = work.clients.groups_for(first_case)
        joining = [c for c in first_case if name not in held.get(c, [])]
        for client_id in joining:
            row = work.session.get(Client, client_id)
            assert row is not None
            before = snapshot(row, groups=held.get(client_id, []))
            save_versioned(work, row, None, {})
            work.session.add(ClientGroup(client_id=client_id, group_name=name))
            audit.record(
                work, actor, "client.join_group", "client", client_id,
                case_id=first_case[client_id], before=before,
                after=snapshot(row, groups=sorted([*held.get(client_id, []), name])),
            )  # fmt: skip
        work.commit()
        return len(joining)


# --- deleting and restoring ------------------------------------------------------------------


def delete_client(db: Database, actor: Actor, client_id: int) -> None:
    """Soft: the record and its cases are hidden, kept, and an administrator can restore them."""
    with writing(db, actor) as work:
        policy.ensure_writer(actor)
        policy.ensure_grant(actor, Grant.DELETE_CLIENTS, "deleting a client")
        try:
            row = writable_client(work, client_id)
        except NotFound:
            if actor.role is Role.ADMINISTRATOR and _is_deleted(work, client_id):
                raise ValidationError("client", f"client {client_id} is already deleted") from None
            raise
        before = snapshot(row)
        deleted_at = work.now()
        save_versioned(work, row, None, {"deleted_at": deleted_at})
        # Their cases go with them, stamped the same moment so a restore brings back just these.
        work.session.execute(
            update(Case)
            .where(col(Case.client_id) == client_id, col(Case.deleted_at).is_(None))
            .values(deleted_at=deleted_at)
        )
        audit.record(
            work, actor, "client.delete", "client", client_id, before=before, after=snapshot(row)
        )
        work.commit()


def _is_deleted(work: Work, client_id: int) -> bool:
    try:
        work.clients.get_deleted(client_id)
    except NotFound:
        return False
    return True


def restore_client(db: Database, actor: Actor, client_id: int) -> None:
    with writing(db, actor) as work:
        policy.ensure_administrator(actor, "restoring a deleted client")
        try:
            row = work.clients.get_deleted(client_id)
        except NotFound:
            work.clients.get(client_id)  # NotFound when there is no such client at all
            raise ValidationError("client", f"client {client_id} is not deleted") from None
        before = snapshot(row)
        work.session.execute(
            update(Case)
            .where(col(Case.client_id) == client_id, col(Case.deleted_at) == row.deleted_at)
            .values(deleted_at=None)
        )
        save_versioned(work, row, None, {"deleted_at": None})
        audit.record(
            work, actor, "client.restore", "client", client_id, before=before, after=snapshot(row)
        )
        work.commit()
