"""What the small modal dialogs share: a centred look, and text shown literally."""

from __future__ import annotations

from rich.text import Text

from casetui.tui.widgets.timeline_list import visible


def modal_css(name: str) -> str:
    """The shared look of a centred dialog, scoped to one screen class."""
    return f"""
    {name} {{ align: center middle; }}
    {name} > Vertical {{
        width: 70; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }}
    {name} .title {{ text-style: bold; width: 1fr; }}
    {name} .message {{ margin: 1 0 0 0; }}
    {name} .error {{ color: $text-error; text-style: bold; }}
    {name} .buttons {{ height: auto; align-horizontal: right; }}
    {name} Button {{ margin-left: 1; min-width: 10; }}
    {name} .hint {{ color: $text-muted; margin-top: 1; }}
    """


def as_text(value: str | Text) -> Text:
    """Plain strings become literal text: no markup, control characters shown."""
    return value if isinstance(value, Text) else Text(visible(value, keep_newlines=True))
