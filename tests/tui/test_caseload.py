"""The caseload screen, driven with keys as a caseworker or supervisor would."""

from __future__ import annotations

from datetime import timedelta

import pytest

from casetui.domain.filters import SORT_KEYS, CaseFilter
from casetui.repositories.caseload import CaseloadRepository
from casetui.repositories.cases import CaseRepository
from casetui.repositories.staff import StaffRepository
from casetui.services import caseload as caseload_service
from casetui.services.cases import CaseInput, open_case
from casetui.services.clients import ClientInput, register_client
from casetui.tui.screens.caseload import CaseloadScreen
from casetui.tui.widgets import case_table
from casetui.tui.widgets.case_table import CaseTable, layout, pages, source
from casetui.tui.widgets.safe_text import visible


def table_of(pilot) -> CaseTable:  # type: ignore[no-untyped-def]
    return pilot.app.screen.query_one(CaseTable)


def status_of(pilot) -> str:  # type: ignore[no-untyped-def]
    return str(pilot.app.screen.query_one("#caseload-status").render())


def lines(table: CaseTable) -> list[str]:
    """What the table shows, row by row, header first."""
    return [table.render_line(y).text for y in range(table.size.height)]


def loaded_case_numbers(table: CaseTable) -> list[str]:
    return [row.case_number for i in range(table.loaded_rows) if (row := table._row(i))]


def repository_rows(db, actor, flt: CaseFilter, limit: int = 1000):  # type: ignore[no-untyped-def]
    with db.uow(write=False) as uow:
        return CaseRepository(uow.session, actor).rows(flt, limit=limit)


async def test_a_caseworker_starts_on_their_own_cases(db, actor_for, caseworker, make_app):
    actor = actor_for(caseworker)
    mine = repository_rows(db, actor, CaseFilter(mine=True))
    async with make_app(db, actor) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, CaseloadScreen)
        assert screen.case_filter.mine
        assert "Mine" in str(screen.query_one("#filters-in-force").render())
        assert status_of(pilot) == f"1–{len(mine)} of {len(mine)}"
        shown = loaded_case_numbers(table_of(pilot))
        assert shown == [row.case_number for row in mine]
        text = "\n".join(lines(table_of(pilot)))
        assert all(row.case_number in text for row in mine)


async def test_a_supervisor_sees_their_teams_cases(db, actor_for, supervisor, make_app):
    actor = actor_for(supervisor)
    with db.uow(write=False) as uow:
        team = {
            s.username
            for s in StaffRepository(uow.session, actor).list()
            if s.team_id == actor.team_id
        }
        everyone = CaseRepository(uow.session, actor_for("admin")).count(CaseFilter())
    async with make_app(db, actor, (120, 40)) as pilot:
        table = table_of(pilot)
        rows = [table._row(i) for i in range(table.loaded_rows)]
        workers = {row.worker_username for row in rows if row}
        assert not pilot.app.screen.case_filter.mine
        assert len(workers) > 1, "more than the supervisor's own cases"
        assert workers <= team
        assert table.total is not None and table.total < everyone
        assert status_of(pilot).endswith(f"of {table.total}")


async def test_typing_a_surname_filters_the_rows_and_the_count(
    db, actor_for, supervisor, make_app, settle
):
    actor = actor_for(supervisor)
    everyone = repository_rows(db, actor, CaseFilter())
    surname = everyone[3].client_name.split()[-1]
    matching = [r for r in everyone if surname.lower() in r.client_name.lower()]
    async with make_app(db, actor) as pilot:
        before = status_of(pilot)
        await pilot.press("slash", *surname.lower())
        await settle(pilot)
        assert status_of(pilot) == f"1–{len(matching)} of {len(matching)}" != before
        shown = [line for line in lines(table_of(pilot))[1:] if line.strip()]
        assert len(shown) == len(matching)
        assert all(visible(surname) in line for line in shown)
        await pilot.press("escape")
        assert pilot.app.focused is table_of(pilot)


async def test_space_selects_the_row_and_marks_it(db, actor_for, caseworker, make_app):
    async with make_app(db, actor_for(caseworker)) as pilot:
        table = table_of(pilot)
        first = table.current
        await pilot.press("space")
        assert lines(table)[1].startswith("● ")
        assert not lines(table)[2].startswith("●")
        assert table.cursor == 1, "the cursor moves on, ready for the next"
        assert "1 selected" in status_of(pilot)
        assert first is not None and table.selection.picked == {first.id: first.case_number}
        await pilot.press("escape")
        assert not lines(table)[1].startswith("●")
        assert "selected" not in status_of(pilot)


async def test_redrawn_lines_follow_focus_and_the_clock(db, actor_for, caseworker, make_app):
    """Lines are kept once drawn; what they depend on beyond the row still redraws them."""
    async with make_app(db, actor_for(caseworker)) as pilot:
        table = table_of(pilot)
        focused = table.render_line(1)
        pilot.app.screen.query_one("#filter-query").focus()
        await pilot.pause()
        blurred = table.render_line(1)
        assert blurred.text == focused.text
        assert list(blurred) != list(focused), "the cursor's colours follow the focus"
        row = table.current
        assert row is not None and row.last_interaction_at is not None
        later = row.last_interaction_at + timedelta(days=100)
        table.post_message(CaseTable.PageArrived(table._generation, 0, [row], later, later.date()))
        await pilot.pause()
        assert "3mo ago" in table.render_line(1).text, "a new clock redraws the ages"


async def test_page_down_moves_the_cursor_and_fetches_the_next_pages(
    db, actor_for, make_app, settle, monkeypatch
):
    # The page size is read where pages are fetched (the caseload service) and where the table
    # finds a row's page.
    for module in (caseload_service, source, pages):
        monkeypatch.setattr(module, "PAGE_SIZE", 10)
    calls: list[int | None] = []
    original = CaseloadRepository.page

    def spy(self, flt, *, offset=0, limit=100, after=None):  # type: ignore[no-untyped-def]
        calls.append(after)
        return original(self, flt, offset=offset, limit=limit, after=after)

    monkeypatch.setattr(CaseloadRepository, "page", spy)
    admin = actor_for("admin")
    expected = repository_rows(db, admin, CaseFilter())
    async with make_app(db, admin) as pilot:
        table = table_of(pilot)
        loaded_before = set(table._pages)
        rows_on_screen = table.size.height - 1
        await pilot.press("pagedown", "pagedown", "pagedown")
        await settle(pilot)
        assert table.cursor == 3 * rows_on_screen
        assert int(table.scroll_y) > 0
        assert set(table._pages) - loaded_before, "pages further down were fetched"
        assert any(after is not None for after in calls), "paging down reads on by keyset"
        cursor_line = lines(table)[table.cursor - int(table.scroll_y) + 1]
        assert expected[table.cursor].case_number in cursor_line
        first = int(table.scroll_y) + 1
        assert status_of(pilot).startswith(
            f"{first}–{first + rows_on_screen - 1} of {len(expected)}"
        )
        await pilot.press("end")
        await settle(pilot)
        assert expected[-1].case_number in "\n".join(lines(table))


async def test_enter_opens_the_case_timeline(db, actor_for, caseworker, make_app, settle):
    async with make_app(db, actor_for(caseworker)) as pilot:
        chosen = table_of(pilot).current
        await pilot.press("enter")
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "TimelineScreen"
        assert chosen is not None and pilot.app.screen.case_id == chosen.id
        await pilot.press("c")
        assert isinstance(pilot.app.screen, CaseloadScreen)


async def test_user_text_is_shown_literally(db, actor_for, make_app, settle):
    admin = actor_for("admin")
    name = "[bold red]x[/] \x1b[2J\u202eevil"
    client_id = register_client(db, admin, ClientInput(name=name))
    open_case(db, admin, CaseInput(client_id=client_id, tags=("[b]t[/b]",)))
    async with make_app(db, admin, (160, 30)) as pilot:
        await pilot.press("slash", *"[bold")
        await settle(pilot)
        row_line = lines(table_of(pilot))[1]
        assert "[bold red]x[/] ␛[2J\\u202eevil" in row_line
        assert "[b]t[/b]" in row_line
        assert "\x1b" not in row_line and "\u202e" not in row_line
        segments = list(table_of(pilot).render_line(1))
        name_segment = next(s for s in segments if "[bold red]" in s.text)
        assert name_segment.style is not None and not name_segment.style.bold
        assert "[bold red]x[/]" in pilot.app.export_screenshot().replace("&#160;", " ")


async def test_sorting_by_a_column_and_reversing_it(db, actor_for, supervisor, make_app, settle):
    actor = actor_for(supervisor)
    by_name = repository_rows(db, actor, CaseFilter(sort="client", descending=False))
    async with make_app(db, actor) as pilot:
        await pilot.press("1")
        await settle(pilot)
        table = table_of(pilot)
        assert "Client↑" in lines(table)[0]
        assert table.current is not None and table.current.id == by_name[0].id
        await pilot.press("1")
        await settle(pilot)
        assert "Client↓" in lines(table)[0]
        assert table.current is not None and table.current.id == by_name[-1].id


async def test_filter_by_status_with_the_picker(db, actor_for, supervisor, make_app, settle):
    actor = actor_for(supervisor)
    closed = repository_rows(db, actor, CaseFilter(statuses=("Closed",)))
    async with make_app(db, actor) as pilot:
        await pilot.press("s")
        await settle(pilot)
        # Open off, Paused off, Closed on.
        await pilot.press("space", "down", "space", "down", "space", "enter")
        await settle(pilot)
        assert pilot.app.screen.case_filter.statuses == ("Closed",)
        assert status_of(pilot).endswith(f"of {len(closed)}")
        assert "Status Closed" in str(pilot.app.screen.query_one("#filters-in-force").render())


async def test_select_all_then_bulk_note_takes_every_filtered_case(
    db, actor_for, caseworker, make_app, settle
):
    actor = actor_for(caseworker)
    mine = repository_rows(db, actor, CaseFilter(mine=True))
    async with make_app(db, actor) as pilot:
        await pilot.press("ctrl+a")
        assert f"{len(mine)} selected" in status_of(pilot)
        await pilot.press("down", "space")  # leave the second case out
        await pilot.press("b")
        await settle(pilot)
        screen = pilot.app.screen
        assert type(screen).__name__ == "BulkNoteScreen"
        assert screen.case_numbers == [r.case_number for r in mine if r.id != mine[1].id]


async def test_auditors_get_no_note_keys(db, actor_for, make_app):
    async with make_app(db, actor_for("auditor")) as pilot:
        keys = {b.binding.action for b in pilot.app.screen.active_bindings.values()}
        assert "bulk_note" not in keys and "new_note" not in keys
        assert "open_case" in keys


@pytest.mark.parametrize("sort", SORT_KEYS)
def test_keyset_pages_follow_the_same_order_as_offset_pages(db, actor_for, sort):
    actor = actor_for("admin")
    for descending in (False, True):
        flt = CaseFilter(sort=sort, descending=descending, statuses=())
        with db.uow(write=False) as uow:
            expected = [r.id for r in CaseRepository(uow.session, actor).rows(flt, limit=1000)]
            repository = CaseloadRepository(uow.session, actor)
            chained: list[int] = []
            after = None
            while True:
                page = repository.page(flt, limit=7, after=after)
                chained += [r.id for r in page]
                if len(page) < 7:
                    break
                after = page[-1].id
        assert chained == expected


def test_narrow_terminals_keep_the_columns_people_need():
    keys = [column.key for column, _width in layout(78)]
    assert keys[:2] == ["client", "case_number"] and "status" in keys and "concern" in keys
    assert "tags" not in keys
    wide = [column.key for column, _width in layout(118)]
    assert "tags" in wide and "pathway" in wide
    for width in (60, 78, 100, 118, 200):
        columns = layout(width)
        assert case_table.MARK_WIDTH + sum(w for _c, w in columns) + len(columns) - 1 == width


async def test_keys_typed_straight_after_slash_land_in_the_filter(
    db, actor_for, supervisor, make_app, settle
):
    from textual import events

    async with make_app(db, actor_for(supervisor)) as pilot:
        for key, character in [("slash", "/"), ("s", "s"), ("m", "m"), ("i", "i")]:
            pilot.app.post_message(events.Key(key, character))  # all queued before any is handled
        await settle(pilot)
        screen = pilot.app.screen
        assert screen.query_one("#filter-query").value == "smi"
        assert isinstance(screen, CaseloadScreen) and screen.case_filter.query == "smi"
