"""The footer every screen shows: Textual's, redrawn only when the keys it offers change.

Textual's footer rebuilds all its key widgets whenever a screen refreshes its bindings
(moving the cursor, selecting a row), and data-binds each new key to the footer's
``compact`` setting. That binding is a watcher on the footer which Textual only prunes
when ``compact`` changes, which it never does here, so every rebuild used to keep the old
key widgets alive: selecting 500 cases one by one held on to about 100 MB, and each
rebuild grew slower as the list of watchers grew.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


def offered_keys(screen: Screen[Any]) -> tuple[tuple[object, ...], ...]:
    """What the footer would show for ``screen``: each key, its words and whether it works."""
    return tuple(
        (binding.key, binding.action, binding.description, enabled, tooltip)
        for _node, binding, enabled, tooltip in screen.active_bindings.values()
        if binding.show
    )


class Footer(TextualFooter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[tuple[object, ...], ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            offered = offered_keys(screen)
            if offered == self._shown:
                return
            self._shown = offered
        super().bindings_changed(screen)

    async def recompose(self) -> None:
        await super().recompose()
        for watchers in getattr(self, "__watchers", {}).values():
            watchers[:] = [(node, callback) for node, callback in watchers if node.is_attached]
