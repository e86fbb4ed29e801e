"""A field for a path on this computer, completing folders and files as the shell does.

What the folder holds is suggested after the cursor, dimmed; tab (or the right arrow) takes the
suggestion. ``~`` is the home folder. Names that would draw as terminal controls, or that are not
UTF-8, are never suggested (they can still be typed), and the folder is read in a thread, so a slow disk never
stops the screen.
"""

from __future__ import annotations

import asyncio
import os
from itertools import islice
from typing import Any

from textual.binding import Binding
from textual.suggester import Suggester

from casetui.domain.storable import storable
from casetui.tui.widgets.literal_fields import LiteralInput
from casetui.tui.widgets.safe_text import visible

# A folder of more names than this is not read to the end for one keystroke.
MOST_NAMES = 5000


def complete_path(typed: str) -> str | None:
    """``typed`` completed as far as what is on the disk allows, or None.

    One match: its whole name (a folder's with ``/``). Several: as far as they agree, else the
    first of them in order. Hidden names only when a ``.`` has been typed.
    """
    if not typed:
        return None
    if typed == "~":
        return "~/"
    head, slash, partial = typed.rpartition("/")
    folder = head + slash
    where = os.path.expanduser(folder) if folder else "."
    try:
        with os.scandir(where) as entries:
            found = [
                entry.name + ("/" if _is_folder(entry) else "")
                for entry in islice(entries, MOST_NAMES)
                if entry.name.startswith(partial)
                and (partial.startswith(".") or not entry.name.startswith("."))
                and visible(entry.name) == entry.name
                and storable(entry.name)  # not UTF-8 on the disk: type it, it is not offered
            ]
    except OSError:
        return None
    if not found:
        return None
    found.sort(key=lambda name: (name.casefold(), name))
    shared = os.path.commonprefix(found)
    completion = shared if len(shared) > len(partial) else found[0]
    return folder + completion if completion != partial else None


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


class PathSuggester(Suggester):
    """Suggests the rest of a path from what the folder holds now (never from a cache)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return await asyncio.to_thread(complete_path, value)


class PathInput(LiteralInput):
    """A path field: tab takes the suggested completion; with none showing, tab moves on."""

    BINDINGS = [Binding("tab", "complete", "Complete", show=False, id="path.complete")]

    def __init__(self, value: str = "", **options: Any) -> None:
        super().__init__(value, suggester=PathSuggester(), **options)

    @property
    def suggestion(self) -> str:
        """The completion showing after the cursor, or ""."""
        return self._suggestion if len(self._suggestion) > len(self.value) else ""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        # Tab is the app's "next field" key; here it completes while a completion shows.
        if key == "tab" and self.suggestion and self.cursor_at_end:
            return True
        return super().check_consume_key(key, character)

    def action_complete(self) -> None:
        if self.suggestion and self.cursor_at_end:
            self.value = self.suggestion
            self.cursor_position = len(self.value)
