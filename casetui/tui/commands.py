"""Every key of a screen, for the help screen and the command palette (ctrl+p).

Both read the bindings themselves, so a new binding shows up in help and in the palette
without being listed twice, under the key the user's keymap gives it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.actions import parse
from textual.binding import Binding, BindingsMap
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

if TYPE_CHECKING:
    from textual.screen import Screen

EVERYWHERE = "Everywhere"


@dataclass(frozen=True)
class KeyAction:
    group: str
    key: str
    description: str
    action: str
    node: DOMNode
    enabled: bool
    in_footer: bool


def _title(node: DOMNode) -> str:
    if node is node.app:
        return EVERYWHERE
    title = getattr(node, "HELP_TITLE", None) or getattr(node, "title", None)
    return str(title or type(node).__name__)


def own_bindings(node: DOMNode) -> list[Binding]:
    """The bindings casetui's own classes declare (not the editing keys Textual widgets bring)."""
    found: list[Binding] = []
    for cls in reversed(type(node).__mro__):
        if cls.__module__.startswith("casetui.") and "BINDINGS" in cls.__dict__:
            found.extend(Binding.make_bindings(cls.__dict__["BINDINGS"]))
    return found


def _nodes(screen: Screen[object]) -> list[DOMNode]:
    """Our own widgets that bring keys, then the screen, then the app."""
    widgets = [widget for widget in screen.query("*") if own_bindings(widget)]
    return [*widgets, screen, screen.app]


def _state(node: DOMNode, action: str) -> bool | None:
    namespace, name, parameters = parse(action)
    target: DOMNode = node
    if namespace == "app":
        target = node.app
    elif namespace == "screen":
        target = node.screen if node is not node.app else node.app.screen
    return target.check_action(name, parameters)


def key_actions(screen: Screen[object]) -> list[KeyAction]:
    """Every described binding the actor may use on ``screen`` (hidden ones left out)."""
    app = screen.app
    # The same keymap the app applies to its bindings (App.set_keymap).
    keymap = getattr(app, "_keymap", {})
    found: list[KeyAction] = []
    seen: set[tuple[str, str]] = set()
    for node in _nodes(screen):
        bindings = BindingsMap(own_bindings(node))
        if keymap:
            bindings.apply_keymap(keymap)
        keys_by_action: dict[tuple[str, str], list[Binding]] = {}
        for _key, binding in bindings:
            if binding.description and not binding.system:
                keys_by_action.setdefault((binding.action, binding.description), []).append(binding)
        for (action, description), same in keys_by_action.items():
            if (action, description) in seen:
                continue
            state = _state(node, action)
            if state is False:
                continue
            seen.add((action, description))
            key = " ".join(dict.fromkeys(app.get_key_display(b) for b in same))
            in_footer = any(b.show for b in same)
            found.append(
                KeyAction(_title(node), key, description, action, node, state is True, in_footer)
            )
    return found


class ScreenCommands(Provider):
    """The command palette's list: every action of the current screen and of the app."""

    def _commands(self) -> list[KeyAction]:
        """The screen's and the app's actions, and the focused widget's main ones (not its arrows)."""
        focus_chain = set(self.focused.ancestors_with_self) if self.focused else set()
        return [
            a for a in key_actions(self.screen)
            if a.enabled and (a.node in (self.screen, self.app) or (a.node in focus_chain and a.in_footer))
        ]  # fmt: skip

    def _run(self, action: KeyAction) -> None:
        self.app.call_later(partial(self.app.run_action, action.action, action.node))

    async def discover(self) -> Hits:
        for action in self._commands():
            yield DiscoveryHit(
                f"{action.description} ({action.key})",
                partial(self._run, action),
                help=action.group,
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action in self._commands():
            text = f"{action.description} ({action.key})"
            score = matcher.match(action.description)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(text),
                    partial(self._run, action),
                    text=text,
                    help=action.group,
                )
