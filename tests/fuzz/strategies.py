"""Hypothesis strategies for the text and numbers a hostile or careless user can give.

Every text field of the product must either keep such text exactly (outer whitespace
trimmed) or refuse it with a message naming the field; these strategies are the input.
"""

from __future__ import annotations

from hypothesis import strategies as st

TERMINAL_ESCAPES = (
    "\x1b[2J",  # clear the screen
    "\x1b[H",
    "\x1b]0;title\x07",  # set the window title
    "\x1b]8;;https://example.org\x1b\\link\x1b]8;;\x1b\\",  # a hyperlink
    "\x1b[31m",
    "\x1b[0m",
    "\x1bP+q\x1b\\",  # a device control string
    "\x9b31m",  # the C1 form of CSI
    "\x07",
    "\x08\x08\x08",
)
BIDI_AND_INVISIBLE = (
    "\u202e",
    "\u202c",
    "\u200f",
    "\u200e",
    "\u2066",
    "\u2069",
    "\u200b",
    "\ufeff",
)
LINE_BREAKS = ("\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029")
EMOJI = (
    "🏠",
    "👩🏽‍⚕️",  # person, skin tone, ZWJ, staff of aesculapius
    "👨‍👩‍👧",
    "🏳️‍🌈",
    "🇬🇧",
    "✅",
)
COMBINING = ("e\u0301", "Z\u0337\u0322\u0359a\u0336l\u0338g\u0335o\u0334", "\u0301", "ﷺ", "﷽")
RICH_MARKUP = (
    "[bold red]x[/]",
    "[bold red]not bold[/bold red]",
    "[link=file:///etc/passwd]x[/link]",
    "[@click=app.quit]x[/]",
    "[/]",
    "[",
    "]",
    "\\[bold]",
    ":warning:",
)
SQL_AND_FORMATS = (
    "'; DROP TABLE cases; --",
    "' OR '1'='1",
    '"',
    "%",
    "_",
    "\\",
    "\\%",
    "*",
    "{0}",
    "{}",
    "%s",
    "%(name)s",
    "$(reboot)",
)
# Case mapping changes the length of these: a limit checked before lowering can be passed after.
CASE_CHANGERS = ("İ", "ß", "ﬃ", "ǅ", "ΐ")
CONTROLS = ("\x00", "\x01", "\x7f", "\x80", "\x9f", "\t", " ", "\u00a0", "\u3000")
SURROGATES = ("\ud800", "\udbff", "\udc80", "\udfff")

PIECES = (
    TERMINAL_ESCAPES
    + BIDI_AND_INVISIBLE
    + LINE_BREAKS
    + EMOJI
    + COMBINING
    + RICH_MARKUP
    + SQL_AND_FORMATS
    + CASE_CHANGERS
    + CONTROLS
    + ("", "x", "Amal Haddad", "Phoned the client", "12", "-3d")
)
# Lengths at the product's limits (40, 64, 200, 500, 20,000) and a megabyte.
LONG_LENGTHS = (40, 41, 64, 65, 200, 201, 500, 501, 20_000, 20_001, 1_000_000)


def _characters(*, nul: bool, surrogates: bool) -> st.SearchStrategy[str]:
    excluded = [] if surrogates else ["Cs"]
    return st.characters(
        exclude_categories=excluded,  # type: ignore[arg-type]
        exclude_characters="" if nul else "\x00",
    )


def _allowed(piece: str, *, nul: bool, surrogates: bool) -> bool:
    if not nul and "\x00" in piece:
        return False
    return surrogates or not any("\ud800" <= ch <= "\udfff" for ch in piece)


def _long(pieces: list[str], longest: int) -> st.SearchStrategy[str]:
    """A rare long text: a piece repeated to one of the limit lengths."""

    def build(filler: str, length: int) -> str:
        filler = filler or "x"
        return (filler * (length // len(filler) + 1))[:length]

    return st.builds(
        build,
        st.sampled_from(pieces + ["x", "é", "👩🏽‍⚕️"]),
        st.sampled_from([n for n in LONG_LENGTHS if n <= longest]),
    )


def nasty_text(
    *, nul: bool = True, surrogates: bool = True, max_size: int = 60, longest: int = 1_000_000
) -> st.SearchStrategy[str]:
    """Text of every awkward kind; long texts (up to ``longest``, 1 MB) come one time in twenty.

    ``nul=False`` for argv, which no shell can hand a NUL; ``surrogates`` are what Python
    makes of undecodable bytes (a file name, an argument), and no database accepts them.
    """
    pieces = [p for p in PIECES + SURROGATES if _allowed(p, nul=nul, surrogates=surrogates)]
    chars = _characters(nul=nul, surrogates=surrogates)
    mixed = st.lists(
        st.one_of(st.sampled_from(pieces), st.text(chars, max_size=8)), max_size=max_size // 4
    ).map("".join)
    short = st.one_of(st.sampled_from(pieces), mixed, st.text(chars, max_size=max_size))
    return st.integers(0, 19).flatmap(lambda n: _long(pieces, longest) if n == 0 else short)


def maybe_valid(
    valid: list[str] | tuple[str, ...], *, nul: bool = True, surrogates: bool = True
) -> st.SearchStrategy[str]:
    """Half the time a value the product knows (in any letter case), else nasty text."""
    known = st.sampled_from(list(valid))
    cased = known.flatmap(lambda v: st.sampled_from([v, v.upper(), v.lower(), f"  {v} "]))
    return st.one_of(cased, nasty_text(nul=nul, surrogates=surrogates))


DATE_WORDS = (
    "today",
    "yesterday",
    "-3d",
    "+1w",
    "monday",
    "next friday",
    "2026-11-20",
    "22 Nov 2026",
)
TIME_WORDS = ("09:30", "1430", "9", "2pm", "12:00")


def nasty_dates(*, nul: bool = True, surrogates: bool = True) -> st.SearchStrategy[str]:
    odd = (
        "03/04/2026", "2026-02-30", "+9999y", "-9999y", "+0d", "0000-01-01", "9999-12-31",
        "２０２６-１１-２０", "+٣d", "last", "next next monday", "2026-11-20T25:00",
    )  # fmt: skip
    return st.one_of(st.sampled_from(DATE_WORDS + odd), nasty_text(nul=nul, surrogates=surrogates))


def nasty_times(*, nul: bool = True, surrogates: bool = True) -> st.SearchStrategy[str]:
    odd = ("25:99", "24:00", "13pm", "0am", "٩:٣٠", "9:5", "-1", "99999999999")
    return st.one_of(st.sampled_from(TIME_WORDS + odd), nasty_text(nul=nul, surrogates=surrogates))


def nasty_numbers() -> st.SearchStrategy[str]:
    """What may be typed where a whole number is wanted."""
    return st.one_of(
        st.integers(-(2**70), 2**70).map(str),
        st.sampled_from(
            ["0", "-1", "1e3", "0x10", "1_000", " 7 ", "٣", "NaN", "inf", "9" * 5000, "", "--1"]
        ),
        nasty_text(nul=False, surrogates=False, max_size=12),
    )


ids = st.one_of(st.integers(-(2**63), 2**63 - 1), st.integers(-3, 50))
floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e-300, 100.0, 100.0000001, 168.0, 168.5, -1.0]),
)
