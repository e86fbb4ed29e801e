"""Money as people type it and read it: exact decimals, in the organisation's currency.

An amount is a ``Decimal`` with two places from the moment it is typed to the moment it is
shown: never a float. ``parse_amount`` takes what was typed ("12.5", "1,234.56", "£12.50",
"12.50 GBP") and refuses what is not a plain amount of money (negative, more than two decimal
places, more than the column holds, not a number at all); ``format_money`` shows one with its
currency sign, ``plain_amount`` as the decimal string scripts read ("12.50").
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from casetui.domain.errors import ValidationError

CENT = Decimal("0.01")
# What NUMERIC(12, 2) holds: ten digits before the point, two after.
AMOUNT_DIGITS, AMOUNT_PLACES = 12, 2
AMOUNT_MAX = Decimal("9999999999.99")
AMOUNT_TYPED_MAX = 40  # characters: an amount longer than this is not one
SIGNS = {"GBP": "£", "EUR": "€", "USD": "$"}

# Digits, with commas between thousands or none, and an optional fraction: 1,234.56, 12.5, .5
_PLAIN = re.compile(r"(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]*)?|\.[0-9]+")
_MINUS = ("-", "\u2212", "\u2012", "\u2013", "\u2014", "\ufe63", "\uff0d")


def currency_sign(currency: str) -> str:
    """£ for GBP, € for EUR, $ for USD; any other currency by its code."""
    code = (currency or "").strip().upper()
    return SIGNS.get(code, code)


def format_money(amount: Decimal, currency: str) -> str:
    """£1,234.56, €12.50, $0.10, CHF 12.50: the amount with its currency, as people read it."""
    figures = f"{amount.quantize(CENT):,}"
    sign = currency_sign(currency)
    return f"{sign}{figures}" if len(sign) == 1 else f"{sign} {figures}".strip()


def plain_amount(amount: Decimal) -> str:
    """The amount as a decimal string with two places, for scripts: "12.50"."""
    return f"{amount.quantize(CENT)}"


def parse_amount(value: object, currency: str, field: str = "amount") -> Decimal:
    """What was typed as an exact amount with two places, or a refusal naming ``field``.

    The organisation's currency may be written before or after the figures, as its sign or
    its code; another currency's sign is refused rather than taken as this one.
    """
    if isinstance(value, bool | float):
        # A float has already lost the exact amount (0.1 is not 0.10): only text or Decimal.
        raise ValidationError(field, "must be written as a decimal number, such as 12.50")
    if isinstance(value, int):
        value = Decimal(value)
    if isinstance(value, Decimal):
        return _checked(value, field)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(field, "must be written as a decimal number, such as 12.50")
    typed = value.strip()
    if not typed:
        raise ValidationError(field, "is required")
    if len(typed) > AMOUNT_TYPED_MAX:
        raise ValidationError(field, f"is {len(typed)} characters; that is not an amount")
    figures = _without_currency(typed, currency, field)
    if figures.startswith(_MINUS) or (figures.startswith("(") and figures.endswith(")")):
        raise ValidationError(field, "must not be negative")
    figures = figures.removeprefix("+").strip()
    if not _PLAIN.fullmatch(figures):
        raise ValidationError(
            field, f"{_shown(typed)} is not an amount; write it like 12.50 or 1,234.56"
        )
    _whole, point, fraction = figures.partition(".")
    if point and len(fraction) > AMOUNT_PLACES:
        # Refused as typed, even 12.500: a figure with a third place is not an amount of money.
        raise ValidationError(field, f"has more than {AMOUNT_PLACES} decimal places")
    try:
        amount = Decimal(figures.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain figures
        raise ValidationError(field, f"{_shown(typed)} is not an amount") from None
    return _checked(amount, field)


def _checked(amount: Decimal, field: str) -> Decimal:
    """A Decimal within what the column holds, to the cent, or refused."""
    if not amount.is_finite():
        raise ValidationError(field, "must be an amount of money, not NaN or infinity")
    if amount.is_signed():
        raise ValidationError(field, "must not be negative")
    if amount > AMOUNT_MAX:
        raise ValidationError(field, f"is more than the largest amount kept, {AMOUNT_MAX:,}")
    whole_cents = amount.quantize(CENT)
    if whole_cents != amount:
        raise ValidationError(field, f"has more than {AMOUNT_PLACES} decimal places")
    return whole_cents


def _without_currency(typed: str, currency: str, field: str) -> str:
    """The figures, with the organisation's sign or code taken from either end."""
    code = (currency or "").strip().upper()
    marks = sorted({currency_sign(code), code} - {""}, key=len, reverse=True)
    figures = typed
    for mark in marks:
        if figures.upper().startswith(mark):
            figures = figures[len(mark) :].strip()
            break
        if figures.upper().endswith(mark):
            figures = figures[: -len(mark)].strip()
            break
    # A minus before the sign (-£5) is still a minus.
    for minus in _MINUS:
        for mark in marks:
            if figures.upper().startswith(minus + mark):
                return minus + figures[len(minus) + len(mark) :].strip()
    others = [s for c, s in SIGNS.items() if c != code and s in figures]
    if others:
        raise ValidationError(
            field,
            f"{_shown(typed)} is in another currency; amounts are in {code} "
            f"({currency_sign(code)})",
        )
    return figures


def _shown(typed: str) -> str:
    """What was typed, quoted for a message, with nothing in it a terminal would obey."""
    cut = typed[:AMOUNT_TYPED_MAX]
    return repr("".join(ch if ch.isprintable() else "?" for ch in cut))
