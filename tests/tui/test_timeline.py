"""The case timeline, driven from the keyboard."""

from __future__ import annotations

from datetime import date

import pytest
from helpers_screens import (  # noqa: F401
    busiest_case,
    cases_of,
    first_of_role,
    make_host,
    private_drafts,
    show,
    snapshot_of,
    wait_for,
)
from sqlalchemy import select

from casetui.db.uow import Database
from casetui.domain.actor import Actor
from casetui.domain.enums import Role
from casetui.domain.models import CaseNote
from casetui.domain.timeline import NOTE
from casetui.services.notes import NoteInput, add_note
from casetui.services.settings import get_settings
from casetui.services.tasks import TaskInput, add_task
from casetui.tui.screens.timeline import TimelineScreen
from casetui.tui.widgets.timeline_list import TimelineList


def activity(db: Database, actor: Actor) -> str:
    return get_settings(db, actor).activity_types[0]


async def test_timeline_lists_the_case_notes_newest_first(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, _number = cases_of(db, worker)[0]
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, app, TimelineScreen(case_id))
        listing = app.screen.query_one(TimelineList)
        await wait_for(pilot, lambda: bool(listing.entries))
        with db.uow(write=False) as uow:
            expected = list(
                uow.session.execute(
                    select(CaseNote.summary)
                    .where(CaseNote.case_id == case_id, CaseNote.deleted_at.is_(None))
                    .order_by(CaseNote.contact_at.desc())
                ).scalars()
            )
        shown = [e.summary for e in listing.entries if e.kind == NOTE]
        assert shown == expected and expected
        first_line = listing.render_line(0).text
        assert expected[0][:15] in first_line


async def test_typed_markup_and_escapes_show_as_typed(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, number = cases_of(db, worker)[0]
    kind = activity(db, worker)
    add_note(db, worker, number, NoteInput(summary="[bold red]x[/] \x1b[2J", activity_type=kind))
    add_note(db, worker, number, NoteInput(summary="later", activity_type=kind))
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await show(pilot, app, TimelineScreen(case_id))
        listing = screen.query_one(TimelineList)
        await wait_for(pilot, lambda: len(listing.entries) > 1)
        index = next(i for i, e in enumerate(listing.entries) if e.summary.startswith("[bold"))
        assert index != listing.cursor
        strip = listing.render_line(listing.line_of(index) - round(listing.scroll_offset.y))
        assert "[bold red]x[/] ␛[2J" in strip.text
        styled = [seg.style for seg in strip if "x[/]" in seg.text]
        assert styled and all(
            not (s and (s.bold or (s.color and s.color.name == "red"))) for s in styled
        )


async def test_done_on_a_weekly_task_brings_the_next_one(db: Database) -> None:
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, number = cases_of(db, worker)[0]
    task = add_task(
        db, worker, number, TaskInput(name="Weekly call", due="2026-11-23", repeats="weekly")
    )
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await show(pilot, app, TimelineScreen(case_id))
        listing = screen.query_one(TimelineList)
        await wait_for(pilot, lambda: listing.index_of(("task", task.id)) is not None)
        listing.move_to(listing.index_of(("task", task.id)))
        await pilot.pause()
        assert screen.check_action("complete_task", ()) is True
        assert screen.check_action("reassign", ()) is False  # caseworkers do not reassign
        await pilot.press("x")
        await wait_for(pilot, lambda: sum(e.summary == "Weekly call" for e in listing.entries) == 2)
        tasks = {e.status: e.due_on for e in listing.entries if e.summary == "Weekly call"}
        assert tasks == {"done": date(2026, 11, 23), "open": date(2026, 11, 30)}
        await pilot.press("f")
        await wait_for(pilot, lambda: listing.entries[0].at <= listing.entries[-1].at)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_timeline_snapshot(snap_compare, db: Database, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    worker = first_of_role(db, Role.CASEWORKER)
    app = make_host(db, worker)
    screen = TimelineScreen(busiest_case(db, worker))
    ready = lambda: screen.data is not None  # noqa: E731
    assert snap_compare(
        app, terminal_size=size, run_before=snapshot_of(app, screen, ready, ("down", "enter"))
    )


async def test_a_long_timeline_opens_on_its_first_page_and_reads_on_as_you_go(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of 5 here (200 in use): the title counts every entry, the end key reaches the
    oldest, and entries are read only as far as the reader goes."""
    import casetui.services.timeline as timeline_service
    import casetui.tui.widgets.timeline_list as timeline_list
    from casetui.repositories.timeline import TimelineRepository

    monkeypatch.setattr(timeline_service, "TIMELINE_PAGE", 5)
    monkeypatch.setattr(timeline_list, "PAGE", 5)
    worker = first_of_role(db, Role.CASEWORKER)
    case_id = busiest_case(db, worker)
    with db.uow(write=False) as uow:
        whole = TimelineRepository(uow.session, worker).entries(case_id)
    assert len(whole) > 12
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await show(pilot, app, TimelineScreen(case_id))
        listing = screen.query_one(TimelineList)
        await wait_for(pilot, lambda: bool(listing.entries))
        await pilot.pause()
        # The first screenful is on screen: what was read is that and a page more, not all.
        assert len(whole) > len(listing.entries) >= 5
        assert listing.entries == whole[: len(listing.entries)]
        title = str(screen.query_one("#timeline-title").render())
        assert f"{len(whole):,} entries" in title
        await pilot.press("end")
        await wait_for(pilot, lambda: listing.cursor == len(whole) - 1)
        assert listing.entries == whole
        assert listing.highlighted == whole[-1]
        bottom = listing.render_line(listing.line_of(listing.cursor) - round(listing.scroll_y))
        assert whole[-1].summary[:12] in bottom.text
        # Oldest first reads from the other end.
        await pilot.press("f")
        await wait_for(
            pilot, lambda: "oldest first" in str(screen.query_one("#timeline-title").render())
        )
        await wait_for(pilot, lambda: bool(listing.entries) and listing.entries[0] == whole[-1])
        assert listing.cursor == 0


async def test_keys_light_up_in_place_when_the_case_has_loaded(db: Database) -> None:
    """The footer keys are built once; the case's arrival only lights the ones that now work."""
    from textual.widgets._footer import FooterKey

    from casetui.tui.widgets.footer import Footer

    worker = first_of_role(db, Role.CASEWORKER)
    case_id, _number = cases_of(db, worker)[0]
    app = make_host(db, worker)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = TimelineScreen(case_id)
        await show(pilot, app, screen)
        footer = screen.query_one(Footer)
        await wait_for(pilot, lambda: bool(footer.query(FooterKey)))
        built = {id(key) for key in footer.query(FooterKey)}
        await wait_for(pilot, lambda: screen.data is not None)
        await pilot.pause()
        keys = {key.action: key for key in footer.query(FooterKey)}
        assert {id(key) for key in keys.values()} == built, "lit in place, not rebuilt"
        assert not keys["new_note"].has_class("-disabled") and not keys["new_note"]._disabled
        await pilot.press("end")  # onto a task or change: no addendum there, or a note: one
        await pilot.pause()
        entry = screen.query_one(TimelineList).highlighted
        addendum = keys["addendum"]
        assert addendum.has_class("-disabled") is (
            entry is None or entry.kind not in ("note", "addendum")
        )
