"""Field checks with messages that name the field. Text is kept exactly as typed."""

from __future__ import annotations

from collections.abc import Iterable

from casetui.domain.errors import ValidationError


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
    if "\x00" in cleaned:
        # PostgreSQL cannot store NUL in text; refusing it everywhere keeps both databases alike.
        raise ValidationError(field, "contains a NUL character")
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
