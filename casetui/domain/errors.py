"""Every refusal the product can give, each naming the rule that refused.

The CLI prints ``str(error)`` on one line and exits 1; the TUI shows the same text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class CasetuiError(Exception):
    """Base of all product errors."""


class RuleError(CasetuiError):
    """A write or read refused by a rule (permission, lock, validation, version)."""

    rule = "rule"

    def __str__(self) -> str:
        return f"refused: {self.args[0]}" if self.args else "refused"


class PermissionDenied(RuleError):
    rule = "permission"


class NotFound(RuleError):
    """Also raised for records the actor may not see: existence is not leaked."""

    rule = "not_found"


class NoteLocked(RuleError):
    rule = "note_lock"


class StaleEdit(RuleError):
    """Someone saved the record first; says who and when, where the audit trail knows."""

    rule = "stale_edit"

    def __init__(
        self,
        message: str,
        *,
        changed_by: str | None = None,
        changed_at: datetime | None = None,
        current_version: int | None = None,
    ) -> None:
        super().__init__(message)
        self.changed_by = changed_by  # "Display Name (username)"
        self.changed_at = changed_at
        self.current_version = current_version


class ValidationError(RuleError):
    rule = "validation"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ValidationErrors(ValidationError):
    """Several fields refused at once, so a form can mark them all; reads as the first."""

    def __init__(self, errors: list[ValidationError]) -> None:
        first = errors[0]
        super().__init__(first.field, first.message)
        self.errors = errors
        self.args = ("; ".join(f"{e.field}: {e.message}" for e in errors),)


class Conflict(RuleError):
    """A uniqueness rule: a case number already taken, a username in use."""

    rule = "conflict"


class CasesStillHeld(RuleError):
    """A staff member who is primary worker on open or paused cases cannot leave them."""

    rule = "cases_held"


@dataclass(frozen=True)
class Refusal:
    case_number: str
    reason: str


class BulkRefused(RuleError):
    """A bulk write (a note, joining a group) where at least one case refused; nothing was
    written."""

    rule = "bulk"

    def __init__(self, refusals: list[Refusal], outcome: str = "bulk note not written") -> None:
        self.refusals = refusals
        listed = "; ".join(f"{r.case_number}: {r.reason}" for r in refusals)
        super().__init__(f"{outcome}, {len(refusals)} case(s) refused: {listed}")


class ImportRefused(RuleError):
    """A spreadsheet that cannot be imported as a whole (unreadable, no header, a column
    missing), or an import not written because rows were refused."""

    rule = "import"


class SignInFailed(CasetuiError):
    def __str__(self) -> str:
        return self.args[0] if self.args else "sign-in failed: unknown user or wrong password"


class SchemaBehind(CasetuiError):
    def __str__(self) -> str:
        return self.args[0]


class DatabaseUnavailable(CasetuiError):
    """The database could not be used: unreachable, restarting, or locked by another program.

    ``transient``: worth trying again in a moment (a connection lost or refused, a busy file).
    ``in_doubt``: it went away while committing, so the write may or may not have happened.
    """

    def __init__(self, message: str, *, transient: bool = False, in_doubt: bool = False) -> None:
        super().__init__(message)
        self.transient = transient
        self.in_doubt = in_doubt

    @property
    def worth_retrying(self) -> bool:
        return self.transient and not self.in_doubt

    def __str__(self) -> str:
        return self.args[0]


class ConfigError(CasetuiError):
    def __str__(self) -> str:
        return self.args[0]
