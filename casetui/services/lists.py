"""The organisation's lists (administrators): activity types, client types, warning
indicators, pathways, groups, service types, grants, outcome stages, audit criteria.

Records keep the word they were written with: an item is retired, never deleted, and a
rename changes the list, not the records that used the old word. Retired items are not
offered for new records (``SettingsView`` holds only the active ones) but still show on the
records that have them.
"""

from __future__ import annotations

from collections.abc import Sequence

from casetui.domain.actor import Actor
from casetui.domain.enums import ListKind
from casetui.domain.errors import Conflict, ValidationError
from casetui.domain.limits import NAME_MAX
from casetui.domain.models import OrganisationListItem
from casetui.domain.read_models.settings import ListItemView
from casetui.domain.storable import printable
from casetui.repositories.settings import find_item, item_view, list_items
from casetui.services import audit, policy, validation
from casetui.services.exports import exported
from casetui.services.records import save_versioned, saved_id, snapshot, stale
from casetui.services.work import Database, Work, reading, writing

# The names the command line uses for each list, in the order they are shown.
KINDS: dict[str, ListKind] = {
    "activity_types": ListKind.ACTIVITY_TYPE,
    "client_types": ListKind.CLIENT_TYPE,
    "warning_indicators": ListKind.WARNING_INDICATOR,
    "pathways": ListKind.PATHWAY,
    "groups": ListKind.GROUP,
    "service_types": ListKind.SERVICE_TYPE,
    "grants": ListKind.FUNDING_GRANT,
    "outcome_stages": ListKind.OUTCOME_STAGE,
    "audit_criteria": ListKind.AUDIT_CRITERION,
}
# How each list is called on screen and in messages.
TITLES: dict[ListKind, str] = {
    ListKind.ACTIVITY_TYPE: "Activity types",
    ListKind.CLIENT_TYPE: "Client types",
    ListKind.WARNING_INDICATOR: "Warning indicators",
    ListKind.PATHWAY: "Pathways",
    ListKind.GROUP: "Groups",
    ListKind.SERVICE_TYPE: "Service types",
    ListKind.FUNDING_GRANT: "Grants (funding)",
    ListKind.OUTCOME_STAGE: "Outcome stages",
    ListKind.AUDIT_CRITERION: "Audit criteria",
}
MANAGING = "managing the organisation's lists"


def kind_named(name: str | ListKind) -> ListKind:
    """``pathways`` (the command line's name) or ``pathway`` (the stored kind) as a kind."""
    if isinstance(name, ListKind):
        return name
    cleaned = (name or "").strip().lower()
    if cleaned in KINDS:
        return KINDS[cleaned]
    for kind in ListKind:
        if kind.value == cleaned:
            return kind
    shown = printable(str(name)[:40])
    raise ValidationError("list", f"{shown!r} is not one of: {', '.join(KINDS)}")


def cli_name(kind: ListKind) -> str:
    return next(name for name, k in KINDS.items() if k is kind)


def _value(raw: str | None, field: str = "value") -> str:
    return validation.text(raw, field, max_length=NAME_MAX, required=True, single_line=True)


def _item(work: Work, kind: ListKind, value: str) -> OrganisationListItem:
    item = find_item(work.session, kind, _value(value))
    if item is None:
        shown = printable(value.strip()[:60])
        raise ValidationError("value", f"{shown!r} is not in {cli_name(kind)}")
    return item


def _audit(
    work: Work,
    actor: Actor,
    action: str,
    item: OrganisationListItem,
    before: dict[str, object] | None = None,
) -> None:
    audit.record(work, actor, action, "list_item", item.id, before=before, after=snapshot(item))


# --- reading ---------------------------------------------------------------------------------


def list_items_of(
    db: Database, actor: Actor, kind: str | ListKind | None = None, *, export: bool = False
) -> list[ListItemView]:
    """Every item of one list (or of all), retired ones too, in the list's order."""
    policy.ensure_administrator(actor, MANAGING)
    chosen = None if kind is None else kind_named(kind)
    with reading(db, actor) as work:
        items = [item_view(i) for i in list_items(work.session, chosen)]
    if export:
        exported(db, actor, "lists", len(items), {"kind": cli_name(chosen) if chosen else "all"})
    return items


# --- changing --------------------------------------------------------------------------------


def add_item(db: Database, actor: Actor, kind: str | ListKind, value: str) -> ListItemView:
    """A new item at the end of its list; a retired one of the same word comes back instead.
    Refused when the word is listed already."""
    policy.ensure_administrator(actor, MANAGING)
    chosen = kind_named(kind)
    with writing(db, actor, alone=True) as work:
        word = _value(value)
        existing = find_item(work.session, chosen, word)
        if existing is not None and existing.active:
            raise Conflict(f"{existing.value!r} is already in {cli_name(chosen)}")
        if existing is not None:
            before = snapshot(existing)
            save_versioned(work, existing, None, {"active": True})
            _audit(work, actor, "list.restore", existing, before)
            work.commit()
            return item_view(existing)
        items = list_items(work.session, chosen)
        item = OrganisationListItem(
            kind=chosen.value,
            value=word,
            position=max((i.position for i in items), default=-1) + 1,
        )
        work.session.add(item)
        work.session.flush()
        _audit(work, actor, "list.add", item)
        work.commit()
        return item_view(item)


def retire_item(
    db: Database,
    actor: Actor,
    kind: str | ListKind,
    value: str,
    *,
    expected_version: int | None = None,
) -> ListItemView:
    """No longer offered for new records; records that have it keep it and show it."""
    policy.ensure_administrator(actor, MANAGING)
    chosen = kind_named(kind)
    with writing(db, actor, alone=True) as work:
        item = _item(work, chosen, value)
        if not item.active:
            raise ValidationError("value", f"{item.value!r} is retired already")
        before = snapshot(item)
        save_versioned(work, item, expected_version, {"active": False})
        _audit(work, actor, "list.retire", item, before)
        work.commit()
        return item_view(item)


def restore_item(
    db: Database,
    actor: Actor,
    kind: str | ListKind,
    value: str,
    *,
    expected_version: int | None = None,
) -> ListItemView:
    policy.ensure_administrator(actor, MANAGING)
    chosen = kind_named(kind)
    with writing(db, actor, alone=True) as work:
        item = _item(work, chosen, value)
        if item.active:
            raise ValidationError("value", f"{item.value!r} is not retired")
        before = snapshot(item)
        save_versioned(work, item, expected_version, {"active": True})
        _audit(work, actor, "list.restore", item, before)
        work.commit()
        return item_view(item)


def rename_item(
    db: Database,
    actor: Actor,
    kind: str | ListKind,
    value: str,
    new_value: str,
    *,
    expected_version: int | None = None,
) -> ListItemView:
    """The list's word changes; records written with the old word keep it."""
    policy.ensure_administrator(actor, MANAGING)
    chosen = kind_named(kind)
    with writing(db, actor, alone=True) as work:
        item = _item(work, chosen, value)
        word = _value(new_value, "new value")
        clash = find_item(work.session, chosen, word)
        if clash is not None and clash.id != item.id:
            state = " (retired)" if not clash.active else ""
            raise Conflict(f"{clash.value!r}{state} is already in {cli_name(chosen)}")
        if word == item.value:
            raise ValidationError("new value", "is the same as the old one")
        before = snapshot(item)
        save_versioned(work, item, expected_version, {"value": word})
        _audit(work, actor, "list.rename", item, before)
        work.commit()
        return item_view(item)


def move_item(
    db: Database,
    actor: Actor,
    kind: str | ListKind,
    value: str,
    steps: int,
    *,
    expected_version: int | None = None,
) -> list[ListItemView]:
    """Move an item up (negative ``steps``) or down its list; returns the list in its new order.
    Positions are written 0, 1, 2… for the whole list, so they stay tidy whatever came before."""
    policy.ensure_administrator(actor, MANAGING)
    chosen = kind_named(kind)
    with writing(db, actor, alone=True) as work:
        item = _item(work, chosen, value)
        if expected_version is not None and expected_version != item.version:
            raise stale(work, item, yours=expected_version, now=item.version)
        items = list_items(work.session, chosen)
        old = next(n for n, i in enumerate(items) if i.id == item.id)
        new = min(max(old + steps, 0), len(items) - 1)
        if new == old:
            where = "first" if steps < 0 else "last"
            raise ValidationError("position", f"{item.value!r} is {where} already")
        items.insert(new, items.pop(old))
        _renumber(work, actor, items, moved=saved_id(item))
        work.commit()
        return [item_view(i) for i in list_items(work.session, chosen)]


def set_requires_signoff(
    db: Database,
    actor: Actor,
    value: str,
    required: bool,
    *,
    expected_version: int | None = None,
) -> ListItemView:
    """Whether new notes of this activity type go to a supervisor for sign-off as they are
    saved. Notes already written keep whatever sign-off they have."""
    policy.ensure_administrator(actor, MANAGING)
    with writing(db, actor, alone=True) as work:
        item = _item(work, ListKind.ACTIVITY_TYPE, value)
        if bool(item.requires_signoff) == required:
            said = "already requires" if required else "does not require"
            raise ValidationError("sign-off", f"{item.value!r} {said} sign-off")
        before = snapshot(item)
        save_versioned(work, item, expected_version, {"requires_signoff": required})
        _audit(work, actor, "list.signoff", item, before)
        work.commit()
        return item_view(item)


def _renumber(
    work: Work, actor: Actor, items: Sequence[OrganisationListItem], *, moved: int
) -> None:
    for position, row in enumerate(items):
        if row.position == position:
            continue
        before = snapshot(row)
        save_versioned(work, row, None, {"position": position})
        if row.id == moved:
            _audit(work, actor, "list.move", row, before)
