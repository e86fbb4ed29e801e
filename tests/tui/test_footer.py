"""The footer: rebuilt only when the keys on offer change, and never holding old keys."""

from __future__ import annotations

import gc

from textual.widgets._footer import FooterKey

from casetui.tui.widgets.case_table import CaseTable
from casetui.tui.widgets.footer import Footer


def footer_keys_alive() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, FooterKey))


async def test_selecting_case_after_case_keeps_no_old_footer_keys(
    db, actor_for, supervisor, make_app
):
    async with make_app(db, actor_for(supervisor), (120, 40)) as pilot:
        table = pilot.app.screen.query_one(CaseTable)
        footer = pilot.app.screen.query_one(Footer)
        for _ in range(40):
            await pilot.press("space")
        await pilot.pause()
        assert table.selected_count == 40
        shown = len(footer.query(FooterKey))
        assert shown > 3
        # Only the footer's own keys live on (Textual's footer kept every key it ever made).
        assert footer_keys_alive() <= 2 * shown


async def test_moving_the_cursor_does_not_rebuild_the_footer(db, actor_for, supervisor, make_app):
    async with make_app(db, actor_for(supervisor), (120, 40)) as pilot:
        footer = pilot.app.screen.query_one(Footer)
        before = {id(key) for key in footer.query(FooterKey)}
        for _ in range(5):
            await pilot.press("down")
        await pilot.pause()
        assert {id(key) for key in footer.query(FooterKey)} == before
        # A change in what is offered still shows: selecting a case offers the bulk note.
        await pilot.press("space")
        await pilot.pause()
        assert {id(key) for key in footer.query(FooterKey)} != before
