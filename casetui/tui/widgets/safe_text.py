"""Showing what people typed exactly as typed: never as markup, never as terminal commands.

Every string that came from a user (names, tags, case numbers, notes) reaches the screen
through these helpers, so ``[bold]`` stays six characters and ``\\x1b[2J`` cannot clear
anyone's terminal.
"""

from __future__ import annotations

import re

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text
from textual.content import Content

# Bidirectional overrides and isolates can make a line read differently from what is stored.
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures": ␛ for ESC, ␊ for LF
    if code == 0x7F:
        return "\u2421"  # ␡
    if code <= 0x9F:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def visible(text: str | None) -> str:
    """The text with every control, C1 and bidi-override character made visible."""
    if not text:
        return ""
    return _UNSAFE.sub(_escape, text)


# One sign per character, for text being edited, where the cursor counts characters.
_SIGNS = {
    **{code: 0x2400 + code for code in range(0x20)},  # control pictures: ␛ for ESC
    0x7F: 0x2421,
    **{code: 0xFFFD for code in range(0x80, 0xA0)},  # C1 controls: �
    **{ord(ch): 0xFFFD for ch in _BIDI + "\u2028\u2029"},
}
_SIGNS_KEEPING_TABS = {k: v for k, v in _SIGNS.items() if k != 0x09}


def signs(text: str, *, keep_tabs: bool = False) -> str:
    """``text`` with each unsafe character swapped for one visible sign: same length, so a
    cursor's place in the value is its place on screen."""
    return text.translate(_SIGNS_KEEPING_TABS if keep_tabs else _SIGNS)


def literal(text: str | None, style: str | Style = "") -> Text:
    """A Rich Text showing ``text`` literally (Text never parses markup)."""
    return Text(visible(text), style=style, no_wrap=True)


def literal_content(text: str | None) -> Content:
    """The same for Textual widgets that take Content (option lists, labels)."""
    return Content(visible(text))


def fit(text: str, width: int) -> str:
    """Pad or cut ``text`` (already made visible) to exactly ``width`` cells, marking a cut with …."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"
