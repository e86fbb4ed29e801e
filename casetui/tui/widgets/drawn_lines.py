"""Lines a Line-API widget has drawn, kept by everything they show.

Moving a cursor or typing a filter redraws a screenful of mostly the same lines, and
building a line from its cells is most of a frame's work. The key must hold all a line
depends on; what it cannot hold (the clock, the width, the theme) empties the store.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from textual.cache import LRUCache
from textual.strip import Strip

KEPT = 2_000  # lines kept; a screen shows forty or so


class DrawnLines:
    def __init__(self) -> None:
        # Textual's own LRU, as its widgets keep their lines: when full, the line drawn longest
        # ago makes room.
        self._lines: LRUCache[Hashable, Strip] = LRUCache(KEPT)

    def get(self, key: Hashable, draw: Callable[[], Strip]) -> Strip:
        """The line drawn for ``key``, drawing it if it is not kept."""
        strip = self._lines.get(key)
        if strip is None:
            strip = draw()
            self._lines.set(key, strip)
        return strip

    def clear(self) -> None:
        self._lines.clear()
