"""The footer every screen shows: Textual's, redrawn only when the keys it offers change.

Textual's footer rebuilds all its key widgets whenever a screen refreshes its bindings
(moving the cursor, selecting a row), and data-binds each new key to the footer's
``compact`` setting. That binding is a watcher on the footer which Textual only prunes
when ``compact`` changes, which it never does here, so every rebuild used to keep the old
key widgets alive: selecting 500 cases one by one held on to about 100 MB, and each
rebuild grew slower as the list of watchers grew.

When only whether keys work changes (a screen's data arrived, the cursor moved onto an entry
that can be edited), the keys are dimmed or lit where they stand: rebuilding them costs a
screen tens of milliseconds of mounting and layout.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.compose import compose
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey


def _without_enabled(offered: tuple[tuple[object, ...], ...]) -> list[tuple[object, ...]]:
    return [(key, action, description, tooltip) for key, action, description, _, tooltip in offered]


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
            shown, self._shown = self._shown, offered
            if shown is not None and _without_enabled(shown) == _without_enabled(offered):
                self._light(offered)
                return
            if not self._bindings_ready:
                # The first keys, once the screen has focused its widget (whose keys are among
                # them): built before the screen's first paint. Textual builds them after that
                # paint, which costs a screen another layout pass and paint as it opens. Mounted
                # here and now, not by recomposing: a recompose holds the screen's updates
                # until its keys have mounted, delaying its first paint (20 ms of the
                # caseload's at the start).
                self.set_reactive(TextualFooter._bindings_ready, True)
                self.mount_all(compose(self))  # compose notes what it shows (``_shown``)
                return
        super().bindings_changed(screen)

    def _light(self, offered: tuple[tuple[object, ...], ...]) -> None:
        """Dim or light the keys in place; the footer shows an action's first binding."""
        enabled: dict[object, bool] = {}
        for _key, action, _description, works, _tooltip in offered:
            enabled.setdefault(action, bool(works))
        for footer_key in self.query(FooterKey):
            if footer_key.action in enabled:
                off = not enabled[footer_key.action]
                # What FooterKey itself sets when built: the dim class, and the flag its mouse
                # handler reads (a click on a dimmed key rings the bell instead of pressing it).
                footer_key.set_class(off, "-disabled")
                footer_key._disabled = off

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            # What the keys are built from: announced again the same, nothing is rebuilt; when
            # only whether they work differs, they are lit or dimmed where they stand.
            self._shown = offered_keys(self.screen)
        # Each key data-binds "compact" and, once mounted, sets its class to match, which
        # restyles the key: a dozen restyles every time a screen opens. Built with the class
        # already there, that watcher finds nothing to do.
        for widget in super().compose():
            if self.compact and isinstance(widget, FooterKey):
                widget.add_class("-compact", update=False)
            yield widget

    async def recompose(self) -> None:
        await super().recompose()
        # Keys lit or dimmed while the new ones were being mounted were missed: match them
        # to what the screen offers now.
        if self.is_attached:
            self._light(offered_keys(self.screen))
        for watchers in getattr(self, "__watchers", {}).values():
            watchers[:] = [(node, callback) for node, callback in watchers if node.is_attached]
