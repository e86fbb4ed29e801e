"""A printed document: A4 pages in DejaVu Sans, a running head, and a footer on every page with
the organisation's confidentiality notice and "Page N of M".

Text is laid out here rather than by fpdf2's ``multi_cell``: its line breaking measures a line
again for every character added, so a case of 1,000 notes took 20 s; measuring each word once
takes a tenth of that. Every line is then drawn with ``text()``, which reads no markup: what a
person typed prints as typed. A character the font has no glyph for prints as U+FFFD (a
visible replacement sign) rather than vanishing; control and bidirectional-override characters
print the same way, so no stored character can hide or reorder what is printed.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from importlib import resources

from fpdf import FPDF
from fpdf.fonts import TTFFont

FONT = "DejaVu"
REGULAR, BOLD = "", "B"
FONT_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
REPLACEMENT = "\ufffd"  # �: a character the font cannot show
TAB = "    "
MM_PER_POINT = 25.4 / 72

PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0  # A4, in millimetres
SIDE, TOP, BOTTOM = 18.0, 14.0, 10.0  # page margins
HEAD_HEIGHT = 9.0  # the running head on every page after the first
NOTICE_SIZE, FOOT_SIZE = 7.0, 7.5
LEADING = 1.3  # line height, as a multiple of the font size

GREY = (90, 90, 90)
LIGHT = (170, 170, 170)
BLACK = (0, 0, 0)

# Within one paragraph: runs of blanks, and runs of anything else.
_PIECES = re.compile(r"[^\S\n]+|\S+")
# Characters that can make a line read in another order than stored: shown, never obeyed.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def line_height(size: float) -> float:
    return size * LEADING * MM_PER_POINT


class _Shown(dict[int, str | None]):
    """How each character prints in one font (a ``str.translate`` table, filled as met)."""

    def __init__(self, cmap: dict[int, str]) -> None:
        super().__init__()
        self.cmap = cmap
        self.replacement = REPLACEMENT if ord(REPLACEMENT) in cmap else "?"

    def __missing__(self, code: int) -> str | None:
        shown = self._shown(code)
        self[code] = shown
        return shown

    def _shown(self, code: int) -> str | None:
        char = chr(code)
        if char == "\n":
            return char
        if char == "\t":
            return TAB
        if char in "\r\u2028\u2029":
            return "\n"
        if code < 0x20 or 0x7F <= code <= 0x9F or char in _BIDI:
            return self.replacement
        if code in self.cmap:
            return char
        # Variation selectors and other invisible format characters the font lacks add
        # nothing to read; anything else shows that something is there.
        if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
            return None
        if unicodedata.category(char) == "Cf":
            return None
        return self.replacement


class _Widths(dict[str, float]):
    """Each character's advance in one font, in thousandths of the font size."""

    def __init__(self, widths: dict[int, float]) -> None:
        super().__init__()
        self.widths = widths

    def __missing__(self, char: str) -> float:
        width = float(self.widths[ord(char)])
        self[char] = width
        return width


class _Pages(FPDF):
    """fpdf2's document, drawing the running head and the footer the ``Document`` asks for."""

    def __init__(self, document: Document) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.document = document

    def header(self) -> None:
        self.document.draw_head()

    def footer(self) -> None:
        self.document.draw_foot()


class Document:
    """Pages of text, laid out top to bottom; a new page begins wherever the last one is full."""

    def __init__(
        self,
        *,
        title: str,
        notice: str,
        running_head: str,
        foot: str,
        made_at: datetime,
    ) -> None:
        pdf = _Pages(self)
        self.pdf = pdf
        # Only the words a reader of the file's properties needs: no client's name here.
        pdf.set_title(title)
        pdf.set_creator("casetui")
        pdf.set_creation_date(made_at)
        pdf.set_auto_page_break(False)  # pages are turned here, line by line
        pdf.set_margins(SIDE, TOP, SIDE)
        fonts = resources.files("casetui").joinpath("fonts")
        self._shown: dict[str, _Shown] = {}
        self._widths: dict[str, _Widths] = {}
        for style, file_name in FONT_FILES.items():
            with resources.as_file(fonts.joinpath(file_name)) as path:
                pdf.add_font(FONT, style, str(path))
            font = pdf.fonts[f"{FONT.lower()}{style}"]
            assert isinstance(font, TTFFont)
            self._shown[style] = _Shown(dict(font.cmap))
            self._widths[style] = _Widths(font.cw)
        self.left = SIDE
        self.width = PAGE_WIDTH - 2 * SIDE
        self.running_head = self.printable(running_head, REGULAR)
        self.foot = self.printable(foot, REGULAR)
        self.notice = self.wrap(self.printable(notice, REGULAR), self.width, REGULAR, NOTICE_SIZE)
        foot_height = (len(self.notice) + 1) * line_height(NOTICE_SIZE) + 3.0
        self.foot_top = PAGE_HEIGHT - BOTTOM - foot_height
        self.bottom = self.foot_top - 3.0  # where text stops and a new page begins
        pdf.add_page()

    # --- text as it prints -------------------------------------------------------------------

    def printable(self, text: str, style: str = REGULAR) -> str:
        """``text`` as the font prints it: composed, each character the font lacks replaced."""
        composed = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n")
        return composed.translate(self._shown[style])

    def wrap(self, text: str, width: float, style: str, size: float) -> list[str]:
        """Printable text broken into lines no wider than ``width`` millimetres: at blanks,
        inside a word only when the word alone is wider. Its own line breaks are kept."""
        widths = self._widths[style]
        limit = width / (size / 1000 * MM_PER_POINT)  # in thousandths of the font size
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line, used, gap = "", 0.0, ""
            for piece in _PIECES.findall(paragraph):
                if piece[0].isspace():
                    gap += piece
                    continue
                needed = sum(map(widths.__getitem__, piece))
                spacing = sum(map(widths.__getitem__, gap))
                if used + spacing + needed <= limit:
                    line, used = line + gap + piece, used + spacing + needed
                else:
                    if line:
                        lines.append(line)
                    *whole, line = _split(piece, limit, widths)
                    lines.extend(whole)
                    used = sum(map(widths.__getitem__, line))
                gap = ""
            lines.append(line)
        return lines

    def text_width(self, text: str, style: str, size: float) -> float:
        return sum(map(self._widths[style].__getitem__, text)) * size / 1000 * MM_PER_POINT

    # --- laying out --------------------------------------------------------------------------

    @property
    def y(self) -> float:
        return float(self.pdf.y)

    def room_for(self, height: float) -> None:
        """Turn the page unless ``height`` millimetres still fit on this one."""
        if self.pdf.y + height > self.bottom:
            self.pdf.add_page()

    def space(self, height: float) -> None:
        self.pdf.y = min(self.pdf.y + height, self.bottom)

    def paragraph(
        self,
        text: str,
        *,
        size: float = 9.0,
        bold: bool = False,
        indent: float = 0.0,
        colour: tuple[int, int, int] = BLACK,
    ) -> None:
        """Text as typed, wrapped to the page (less ``indent``), its line breaks kept."""
        style = BOLD if bold else REGULAR
        lines = self.wrap(self.printable(text, style), self.width - indent, style, size)
        self._draw(lines, style, size, self.left + indent, colour)

    def pair(self, label: str, value: str, *, label_width: float = 34.0, size: float = 9.0) -> None:
        """A label in bold and its value beside it, the value wrapped under itself."""
        self.room_for(line_height(size))
        top = self.pdf.y
        self._draw([self.printable(label, BOLD)], BOLD, size, self.left, GREY)
        self.pdf.y = top
        self.paragraph(value, size=size, indent=label_width)

    def rule(self, *, colour: tuple[int, int, int] = LIGHT, indent: float = 0.0) -> None:
        self.pdf.set_draw_color(*colour)
        self.pdf.set_line_width(0.2)
        y = self.pdf.y
        self.pdf.line(self.left + indent, y, self.left + self.width, y)

    def _draw(
        self,
        lines: list[str],
        style: str,
        size: float,
        x: float,
        colour: tuple[int, int, int],
        *,
        turn_pages: bool = True,
    ) -> None:
        pdf = self.pdf
        height = line_height(size)
        pdf.set_font(FONT, style, size)
        pdf.set_text_color(*colour)
        for line in lines:
            if turn_pages and pdf.y + height > self.bottom:
                pdf.add_page()
                pdf.set_font(FONT, style, size)
                pdf.set_text_color(*colour)
            if line:
                pdf.text(x, pdf.y + height * 0.76, line)
            pdf.y += height

    # --- every page --------------------------------------------------------------------------

    def draw_head(self) -> None:
        """After the first page, a line saying whose file this is."""
        pdf = self.pdf
        if pdf.page_no() > 1:
            pdf.set_font(FONT, REGULAR, FOOT_SIZE)
            pdf.set_text_color(*GREY)
            pdf.text(self.left, TOP + 3.0, self.running_head)
            pdf.y = TOP + 5.0
            self.rule()
            pdf.y = TOP + HEAD_HEIGHT
        else:
            pdf.y = TOP

    def draw_foot(self) -> None:
        """The confidentiality notice, then the file's name for itself and "Page N of M"."""
        pdf = self.pdf
        pdf.y = self.foot_top
        self.rule()
        pdf.y = self.foot_top + 1.5
        self._draw(["Confidentiality notice"], BOLD, NOTICE_SIZE, self.left, GREY, turn_pages=False)
        self._draw(self.notice, REGULAR, NOTICE_SIZE, self.left, GREY, turn_pages=False)
        pdf.set_font(FONT, REGULAR, FOOT_SIZE)
        pdf.set_text_color(*GREY)
        top = pdf.y + 0.5
        pdf.text(self.left, top + line_height(FOOT_SIZE) * 0.76, self.foot)
        pdf.set_xy(self.left, top)
        # The one line drawn by cell(): fpdf2 writes the page count in when the file is done.
        pdf.cell(self.width, line_height(FOOT_SIZE), f"Page {pdf.page_no()} of {{nb}}", align="R")
        pdf.set_text_color(*BLACK)

    # --- the file ----------------------------------------------------------------------------

    @property
    def pages(self) -> int:
        return int(self.pdf.page_no())

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def _split(piece: str, limit: float, widths: _Widths) -> list[str]:
    """A word wider than the line, in line-wide parts (the last part may be shorter)."""
    parts: list[str] = []
    part, used = "", 0.0
    for char in piece:
        width = widths[char]
        if part and used + width > limit:
            parts.append(part)
            part, used = "", 0.0
        part += char
        used += width
    parts.append(part)
    return parts
