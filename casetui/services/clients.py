"""Clients: register, soft delete (with the delete_clients grant), restore (administrators)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlmodel import col

from casetui.domain.actor import Actor
from casetui.domain.dates import parse_date
from casetui.domain.enums import Grant, RecordStatus, Role
from casetui.domain.errors import NotFound, ValidationError
from casetui.domain.limits import NAME_MAX
from casetui.domain.models import Case, Client, ClientWarning
from casetui.domain.storable import storable_id
from casetui.repositories import name_terms
from casetui.repositories.scope import visible_cases
from casetui.services import audit, policy, validation
from casetui.services.records import snapshot
from casetui.services.work import Database, Work, writing


@dataclass(frozen=True)
class ClientInput:
    name: str
    preferred_name: str | None = None
    date_of_birth: str | date | None = None
    email: str | None = None
    phone: str | None = None
    client_type: str | None = None
    warnings: tuple[str, ...] = ()


def phone_digits(phone: str | None) -> str | None:
    """The digits of a phone number, however it was typed: what duplicates and search match."""
    digits = "".join(c for c in phone or "" if c.isdigit())
    return digits or None


def register_client(db: Database, actor: Actor, client: ClientInput) -> int:
    with writing(db, actor) as uow:
        policy.ensure_writer(actor)
        settings = uow.settings
        today = uow.today()
        dob: date | None = None
        if isinstance(client.date_of_birth, date):
            dob = client.date_of_birth
        elif client.date_of_birth:
            dob = parse_date(client.date_of_birth, today, field="date of birth")
        if dob is not None and dob > today:
            raise ValidationError("date of birth", "is in the future")
        email = validation.optional_text(client.email, "email", max_length=254)
        if email and ("@" not in email or " " in email):
            raise ValidationError("email", f"{email[:60]!r} is not an email address")
        phone = validation.optional_text(client.phone, "phone", max_length=40)
        row = Client(
            name=validation.text(
                client.name, "name", max_length=NAME_MAX, required=True, single_line=True
            ),
            preferred_name=validation.optional_text(
                client.preferred_name, "preferred name", max_length=NAME_MAX
            ),
            date_of_birth=dob,
            email=email,
            phone=phone,
            phone_digits=phone_digits(phone),
            client_type=validation.one_of(client.client_type, "client type", settings.client_types)
            if client.client_type
            else None,
            record_status=RecordStatus.ACTIVE.value,
            created_at=uow.now(),
        )
        uow.session.add(row)
        uow.session.flush()
        name_terms.remember(uow.session, (row.name, row.preferred_name))
        warnings = [
            validation.one_of(w, "warning indicator", settings.warning_indicators)
            for w in client.warnings
        ]
        client_id = row.id
        assert client_id is not None
        uow.session.add_all(
            ClientWarning(client_id=client_id, indicator=w) for w in dict.fromkeys(warnings)
        )
        audit.record(
            uow,
            actor,
            "client.register",
            "client",
            row.id,
            after={**snapshot(row), "warnings": warnings},
        )
        uow.commit()
        assert row.id is not None
        return row.id


def _client(uow: Work, actor: Actor, client_id: int) -> Client:
    """The client, if the actor may see them: administrators all, others through a case."""
    row = uow.session.get(Client, client_id) if storable_id(client_id) else None
    if row is not None and actor.role is not Role.ADMINISTRATOR:
        in_sight = uow.session.execute(
            select(col(Case.id))
            .where(col(Case.client_id) == client_id, visible_cases(actor))
            .limit(1)
        ).first()
        row = row if in_sight else None
    if row is None:
        raise NotFound(f"no client {client_id} that you can see")
    return row


def delete_client(db: Database, actor: Actor, client_id: int) -> None:
    """Soft: the record is hidden, kept, and an administrator can restore it."""
    with writing(db, actor) as uow:
        policy.ensure_writer(actor)
        policy.ensure_grant(actor, Grant.DELETE_CLIENTS, "deleting a client")
        row = _client(uow, actor, client_id)
        if row.deleted_at is not None:
            raise ValidationError("client", f"client {client_id} is already deleted")
        before = snapshot(row)
        row.deleted_at = uow.now()
        row.version += 1
        # Their cases go with them, stamped the same moment so a restore brings back just these.
        uow.session.execute(
            update(Case)
            .where(col(Case.client_id) == client_id, col(Case.deleted_at).is_(None))
            .values(deleted_at=row.deleted_at)
        )
        audit.record(
            uow, actor, "client.delete", "client", client_id, before=before, after=snapshot(row)
        )
        uow.commit()


def restore_client(db: Database, actor: Actor, client_id: int) -> None:
    with writing(db, actor) as uow:
        policy.ensure_administrator(actor, "restoring a deleted client")
        row = _client(uow, actor, client_id)
        if row.deleted_at is None:
            raise ValidationError("client", f"client {client_id} is not deleted")
        before = snapshot(row)
        uow.session.execute(
            update(Case)
            .where(col(Case.client_id) == client_id, col(Case.deleted_at) == row.deleted_at)
            .values(deleted_at=None)
        )
        row.deleted_at = None
        row.version += 1
        audit.record(
            uow, actor, "client.restore", "client", client_id, before=before, after=snapshot(row)
        )
        uow.commit()
