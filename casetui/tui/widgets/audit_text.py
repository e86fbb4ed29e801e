"""How an audit event reads: its time, a one-line summary of its change, the whole event.

All of it came from users or from the database, and is shown literally.
"""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text

from casetui.domain.read_models.audit import AuditEventView
from casetui.tui.widgets.safe_text import visible

# Shown first in a summary of a record: the fields that say what the record is.
TELLING_FIELDS = ("summary", "name", "case_number", "username", "status", "concern", "reason")
# Left out of a one-line summary when anything else is there to say.
BOOKKEEPING = frozenset({"version"})
# Free text, perhaps a restricted note's: named in a summary, read only in the opened event
# (whose opening is audited).
FREE_TEXT = frozenset({"details", "text"})


def _value(value: Any, key: str = "") -> str:
    if key in FREE_TEXT and value:
        return "…"
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value) or "none"
    if isinstance(value, dict):
        return "{…}"
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _record(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text


def _telling_first(keys: list[str]) -> list[str]:
    telling = [k for k in keys if k not in BOOKKEEPING] or keys
    return sorted(
        telling, key=lambda k: (TELLING_FIELDS.index(k) if k in TELLING_FIELDS else 99, k)
    )


def change_summary(before: str | None, after: str | None) -> str:
    """One line: what changed (``status Open→Paused``), or what was written or removed."""
    old, new = _record(before), _record(after)
    if isinstance(old, dict) and isinstance(new, dict):
        changed = [k for k in set(old) | set(new) if old.get(k) != new.get(k)]
        parts = [
            f"{k} {_value(old.get(k), k)}→{_value(new.get(k), k)}" for k in _telling_first(changed)
        ]
        return "; ".join(parts) or "no change"
    if isinstance(old, dict) or isinstance(new, dict):
        shown = new if isinstance(new, dict) else old
        kept = [k for k in shown if shown[k] not in (None, "", [], False)]
        mark = "+ " if shown is new else "− "
        return mark + ", ".join(f"{k}={_value(shown[k], k)}" for k in _telling_first(kept))
    return _value(new if new is not None else old) if (new or old) else ""


def local_time(event: AuditEventView, zone: ZoneInfo) -> str:
    return f"{event.at.astimezone(zone):%Y-%m-%d %H:%M}"


def event_text(event: AuditEventView, zone: ZoneInfo) -> Text:
    """The whole event: every field, and the before and after records as indented JSON."""
    text = Text()
    heading = f"#{event.id} · {event.action} · {local_time(event, zone)} · {event.actor_username}"
    text.append(visible(heading) + "\n", style="bold")
    text.append(visible(f"Record: {event.entity} {event.entity_id or ''}".rstrip()) + "\n")
    if event.case_number:
        text.append(visible(f"Case: {event.case_number}") + "\n")
    for label, raw in (("Before", event.before), ("After", event.after)):
        text.append(f"\n{label}\n", style="bold underline")
        if raw is None:
            text.append("(nothing)\n", style="dim")
            continue
        record = _record(raw)
        shown = json.dumps(record, indent=2, ensure_ascii=False, sort_keys=True)
        for line in shown.splitlines():
            text.append(visible(line) + "\n")
    return text
