"""Field checks with messages that name the field. Text is kept exactly as typed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar, cast

from casetui.domain.errors import ValidationError, ValidationErrors
from casetui.domain.storable import unstorable

T = TypeVar("T")


class Fields:
    """Check every field before refusing, so the person sees all that is wrong at once."""

    def __init__(self) -> None:
        self.errors: list[ValidationError] = []

    def check(self, check: Callable[..., T], *args: object, **kwargs: object) -> T:
        try:
            return check(*args, **kwargs)
        except ValidationErrors as several:
            self.errors.extend(several.errors)
        except ValidationError as error:
            self.errors.append(error)
        return cast(T, None)  # never used: done() raises

    def done(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise ValidationErrors(self.errors)


def text(
    value: str | None,
    field: str,
    *,
    max_length: int,
    required: bool = False,
    single_line: bool = False,
) -> str:
    """Return the text as typed (outer whitespace trimmed), or refuse it naming ``field``."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(field, "must be text")
    cleaned = value.strip()
    if required and not cleaned:
        raise ValidationError(field, "is required")
    problem = unstorable(cleaned)
    if problem:
        # Refused here, by field, before a database refuses it with a traceback.
        raise ValidationError(field, problem)
    if single_line and ("\n" in cleaned or "\r" in cleaned):
        raise ValidationError(field, "must be one line")
    if len(cleaned) > max_length:
        raise ValidationError(field, f"is {len(cleaned)} characters; the limit is {max_length}")
    return cleaned


def optional_text(value: str | None, field: str, *, max_length: int) -> str | None:
    cleaned = text(value, field, max_length=max_length, single_line=True)
    return cleaned or None


def one_of(value: str | None, field: str, allowed: Iterable[str]) -> str:
    """Match case-insensitively against an organisation list; return the list's spelling."""
    options = list(allowed)
    cleaned = (value or "").strip()
    if not cleaned:
        raise ValidationError(field, "is required")
    for option in options:
        if option.casefold() == cleaned.casefold():
            return option
    shown = ", ".join(options[:8]) + (", ..." if len(options) > 8 else "")
    raise ValidationError(field, f"{cleaned[:60]!r} is not one of: {shown}")
