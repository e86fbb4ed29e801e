"""Recording what a list command prints with ``--json`` as an export, in the audit trail."""

from __future__ import annotations

from typing import Any


def exported(db: Any, actor: Any, what: str, rows: int, **details: object) -> None:
    """``--json`` output is an export, and every export is an audit event (written first)."""
    from casetui.services.exports import record_export

    with db.uow() as uow:
        record_export(uow, actor, what, rows, details)
