"""Files on the timeline, from the keyboard: ``u`` attaches a path typed with completion, enter
shows a file's details, ``w`` saves one out (asking before replacing a file), ``d`` deletes."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

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
from textual.widgets import Checkbox, Input

from casetui.db.uow import Database
from casetui.domain.enums import Role
from casetui.domain.timeline import ATTACHMENT, NOTE
from casetui.services import attachments as attachment_service
from casetui.services.notes import NoteChanges, NoteInput, add_note, edit_note
from casetui.services.settings import get_settings, set_setting
from casetui.tui.screens.attach_file import AttachFileScreen
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.screens.save_attachment import SaveAttachmentScreen
from casetui.tui.screens.timeline import TimelineScreen
from casetui.tui.widgets.path_input import PathInput, complete_path
from casetui.tui.widgets.timeline_list import TimelineList

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder of this test's own, with a few letters in it."""
    folder = tmp_path / "home"
    (folder / "letters").mkdir(parents=True)
    (folder / "letters" / "council-letter.pdf").write_bytes(PDF)
    (folder / "letters" / "council-reply.pdf").write_bytes(PNG)  # named .pdf, a PNG inside
    (folder / "letters" / ".hidden").write_bytes(b"x")
    (folder / "lease.pdf").write_bytes(PDF)
    monkeypatch.setenv("HOME", str(folder))
    return folder


async def _type(pilot: Any, text: str) -> None:
    for char in text:
        await pilot.press(char)


async def _suggested(pilot: Any, field: PathInput, expected: str) -> None:
    await wait_for(pilot, lambda: field.suggestion == expected)


def _case(db: Database) -> tuple[Any, int, str]:
    worker = first_of_role(db, Role.CASEWORKER)
    case_id, number = cases_of(db, worker)[0]
    return worker, case_id, number


async def _timeline(pilot: Any, app: Any, case_id: int) -> TimelineScreen:
    screen = await show(pilot, app, TimelineScreen(case_id))
    assert isinstance(screen, TimelineScreen)
    await wait_for(pilot, lambda: screen.data is not None)
    return screen


async def _highlight(pilot: Any, screen: TimelineScreen, key: tuple[str, int]) -> None:
    listing = screen.query_one(TimelineList)
    await wait_for(pilot, lambda: listing.index_of(key) is not None)
    index = listing.index_of(key)
    assert index is not None
    listing.move_to(index)
    await pilot.pause()


# --- completing a path -------------------------------------------------------------------------


def test_completion_follows_what_the_folder_holds(home: Path) -> None:
    assert complete_path("~") == "~/"
    assert complete_path("~/le") == "~/lease.pdf"  # two names agreeing no further: the first
    assert complete_path("~/lea") == "~/lease.pdf"
    assert complete_path("~/let") == "~/letters/"
    assert complete_path("~/letters/c") == "~/letters/council-"
    assert complete_path("~/letters/council-") == "~/letters/council-letter.pdf"  # the first
    assert complete_path("~/letters/council-r") == "~/letters/council-reply.pdf"
    assert complete_path("~/letters/council-reply.pdf") is None  # nothing more to add
    assert complete_path("~/letters/.h") == "~/letters/.hidden"  # hidden, once a dot is typed
    assert complete_path("~/letters/x") is None
    assert complete_path("~/nowhere/x") is None
    assert complete_path(f"{home}/let") == f"{home}/letters/"


def test_names_that_would_draw_as_controls_are_not_suggested(home: Path) -> None:
    (home / "letters" / "c\x1b[2J.pdf").write_bytes(b"x")
    assert complete_path("~/letters/c\x1b") is None
    assert complete_path("~/letters/co") == "~/letters/council-"


# --- u: attaching ----------------------------------------------------------------------------


async def test_u_attaches_a_path_typed_with_completion(db: Database, home: Path) -> None:
    worker, case_id, number = _case(db)
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await _timeline(pilot, app, case_id)
        assert screen.check_action("attach", ()) is True
        highlighted = screen.highlighted
        on_note = highlighted.id if highlighted and highlighted.kind == NOTE else None
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, AttachFileScreen))
        field = app.screen.query_one(PathInput)
        assert field.has_focus
        await _type(pilot, "~/let")
        await _suggested(pilot, field, "~/letters/")
        await pilot.press("tab")  # takes the completion, rather than moving on
        assert field.value == "~/letters/" and field.has_focus
        await _type(pilot, "council-r")
        await _suggested(pilot, field, "~/letters/council-reply.pdf")
        await pilot.press("tab")
        assert field.value == "~/letters/council-reply.pdf"
        await pilot.press("enter")
        listing = screen.query_one(TimelineList)
        await wait_for(
            pilot,
            lambda: any(e.kind == ATTACHMENT for e in listing.entries) and app.screen is screen,
        )
        entry = next(e for e in listing.entries if e.kind == ATTACHMENT)
        assert (entry.summary, entry.detail, entry.size) == (
            "council-reply.pdf",
            "image/png",
            len(PNG),
        )
        where = "the note" if on_note else number
        assert f"Attached council-reply.pdf to {where}" in [n.message for n in app._notifications]
    (found,) = attachment_service.list_attachments(db, worker, number)
    # On the highlighted note, as the dialog offered; else on the case.
    assert (found.note_id, found.uploaded_by) == (on_note, worker.username)
    assert found.sha256 == hashlib.sha256(PNG).hexdigest()


async def test_tab_moves_on_when_nothing_is_suggested(db: Database, home: Path) -> None:
    worker, case_id, _number = _case(db)
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        await _timeline(pilot, app, case_id)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, AttachFileScreen))
        field = app.screen.query_one(PathInput)
        await _type(pilot, "~/zz")
        await pilot.pause(0.1)
        assert field.suggestion == ""
        await pilot.press("tab")
        assert app.screen.focused is app.screen.query_one("#attach-restricted", Checkbox)
        assert field.value == "~/zz"


async def test_on_the_highlighted_note_and_restricted_with_it(db: Database, home: Path) -> None:
    worker, case_id, number = _case(db)
    kind = get_settings(db, worker).activity_types[0]
    note = add_note(db, worker, number, NoteInput("Disclosure", kind, restricted=True))
    app = make_host(db, worker)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _timeline(pilot, app, case_id)
        await _highlight(pilot, screen, (NOTE, note.id))
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, AttachFileScreen))
        dialog = app.screen
        on_note = dialog.query_one("#attach-on-note", Checkbox)
        restricted = dialog.query_one("#attach-restricted", Checkbox)
        assert on_note.value and restricted.value and restricted.disabled
        on_note.value = False  # on the case instead: restricted is a choice again
        await pilot.pause()
        assert not restricted.disabled and not restricted.value
        on_note.value = True
        await pilot.pause()
        dialog.query_one(PathInput).value = "~/lease.pdf"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        listing = screen.query_one(TimelineList)
        await wait_for(pilot, lambda: any(e.kind == ATTACHMENT for e in listing.entries))
    (found,) = attachment_service.list_attachments(db, worker, number)
    assert (found.name, found.note_id, found.restricted) == ("lease.pdf", note.id, True)
    # Restricted through its note, not marked so itself: it follows the note if that changes.
    edit_note(db, worker, note.id, NoteChanges(restricted=False))
    assert not attachment_service.attachment_details(db, worker, found.id).restricted


async def test_a_refusal_comes_back_to_the_dialog_with_the_path(db: Database, home: Path) -> None:
    worker, case_id, number = _case(db)
    admin = first_of_role(db, Role.ADMINISTRATOR)
    set_setting(db, admin, "attachment_limit_mb", "1")
    (home / "scan.pdf").write_bytes(b"x" * 1_000_001)
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        await _timeline(pilot, app, case_id)
        for typed, words in (
            ("~/scan.pdf", "over the organisation's limit of 1 MB"),
            ("~/letters", "is a folder; choose a file in it"),
            ("~/gone.pdf", "there is no file ~/gone.pdf"),
        ):
            await pilot.press("u")
            await wait_for(pilot, lambda: isinstance(app.screen, AttachFileScreen))
            app.screen.query_one(PathInput).value = typed
            await pilot.press("enter")
            await wait_for(
                pilot,
                lambda words=words: (  # type: ignore[misc]
                    isinstance(app.screen, AttachFileScreen)
                    and words in str(app.screen.query_one("#attach-error").render())
                ),
            )
            assert app.screen.query_one(PathInput).value == typed
            await pilot.press("escape")
            await pilot.pause()
    assert attachment_service.list_attachments(db, worker, number) == []


# --- enter, w and d on a file ---------------------------------------------------------------


def _attached(db: Database, worker: Any, number: str, home: Path, name: str = "lease.pdf") -> Any:
    return attachment_service.add_attachment(db, worker, number, home / name)


async def test_enter_shows_what_is_known_of_the_file(db: Database, home: Path) -> None:
    worker, case_id, number = _case(db)
    added = _attached(db, worker, number, home)
    app = make_host(db, worker)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _timeline(pilot, app, case_id)
        await _highlight(pilot, screen, (ATTACHMENT, added.id))
        listing = screen.query_one(TimelineList)
        await pilot.press("enter")
        await wait_for(pilot, lambda: listing.is_expanded(listing.highlighted))
        shown = "\n".join(
            listing.render_line(y).text for y in range(listing.scrollable_content_region.height)
        )
    assert f"sha256 {added.sha256}" in shown
    assert f"{len(PDF)} B · application/pdf" in shown
    assert "On the case" in shown and f"({worker.username})" in shown


async def test_w_saves_a_copy_and_asks_before_replacing(db: Database, home: Path) -> None:
    worker, case_id, number = _case(db)
    added = _attached(db, worker, number, home, "letters/council-reply.pdf")
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await _timeline(pilot, app, case_id)
        await _highlight(pilot, screen, (ATTACHMENT, added.id))
        assert screen.check_action("save_attachment", ()) is True
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, SaveAttachmentScreen))
        field = app.screen.query_one(PathInput)
        assert field.value == "~/council-reply.pdf"
        await pilot.press("enter")
        saved = home / "council-reply.pdf"
        await wait_for(pilot, lambda: saved.exists() and app.screen is screen)
        assert saved.read_bytes() == PNG
        # Again, onto the same name: asked first; "keep it" goes back to the path.
        saved.write_bytes(b"my own notes")
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, SaveAttachmentScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, SaveAttachmentScreen))
        assert saved.read_bytes() == b"my own notes"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is screen and saved.read_bytes() == PNG)
        await wait_for(
            pilot, lambda: any("Saved council-reply.pdf" in n.message for n in app._notifications)
        )
    assert sorted(p.name for p in home.iterdir()) == ["council-reply.pdf", "lease.pdf", "letters"]


async def test_d_deletes_a_file_after_asking(db: Database, home: Path) -> None:
    worker, case_id, number = _case(db)
    added = _attached(db, worker, number, home)
    app = make_host(db, worker)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _timeline(pilot, app, case_id)
        await _highlight(pilot, screen, (ATTACHMENT, added.id))
        assert screen.check_action("delete", ()) is True
        assert screen.check_action("edit", ()) is None  # a file is not edited: replaced
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        listing = screen.query_one(TimelineList)
        await wait_for(pilot, lambda: listing.index_of((ATTACHMENT, added.id)) is None)
    assert attachment_service.list_attachments(db, worker, number) == []


async def test_an_auditor_may_save_but_not_attach_or_delete(db: Database, home: Path) -> None:
    worker, case_id, number = _case(db)
    added = _attached(db, worker, number, home)
    auditor = first_of_role(db, Role.AUDITOR)
    app = make_host(db, auditor)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _timeline(pilot, app, case_id)
        await _highlight(pilot, screen, (ATTACHMENT, added.id))
        assert screen.check_action("attach", ()) is False
        assert screen.check_action("delete", ()) is False
        assert screen.check_action("save_attachment", ()) is True
        await pilot.press("u")
        await pilot.pause()
        assert app.screen is screen


# --- snapshots ---------------------------------------------------------------------------------

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


@SIZES
def test_attach_dialog_snapshot(
    snap_compare, db: Database, home: Path, size: tuple[int, int]
) -> None:  # type: ignore[no-untyped-def]
    worker = first_of_role(db, Role.CASEWORKER)
    app = make_host(db, worker)
    screen = TimelineScreen(busiest_case(db, worker))

    async def run_before(pilot: Any) -> None:
        await snapshot_of(app, screen, lambda: screen.data is not None, ("down",))(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, AttachFileScreen))
        field = app.screen.query_one(PathInput)
        field.cursor_blink = False
        await _type(pilot, "~/letters/co")
        await _suggested(pilot, field, "~/letters/council-")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@SIZES
def test_timeline_with_a_file_snapshot(
    snap_compare, db: Database, home: Path, size: tuple[int, int]
) -> None:  # type: ignore[no-untyped-def]
    worker = first_of_role(db, Role.CASEWORKER)
    case_id = busiest_case(db, worker)
    number = next(n for i, n in cases_of(db, worker) if i == case_id)
    added = attachment_service.add_attachment(
        db, worker, number, home / "letters" / "council-letter.pdf"
    )
    app = make_host(db, worker)
    screen = TimelineScreen(case_id)

    async def run_before(pilot: Any) -> None:
        await snapshot_of(app, screen, lambda: screen.data is not None)(pilot)
        await _highlight(pilot, screen, (ATTACHMENT, added.id))
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: screen.query_one(TimelineList).is_expanded(
                screen.query_one(TimelineList).highlighted
            ),
        )
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@SIZES
def test_save_dialog_snapshot(
    snap_compare, db: Database, home: Path, size: tuple[int, int]
) -> None:  # type: ignore[no-untyped-def]
    worker = first_of_role(db, Role.CASEWORKER)
    case_id = busiest_case(db, worker)
    number = next(n for i, n in cases_of(db, worker) if i == case_id)
    added = attachment_service.add_attachment(
        db, worker, number, home / "letters" / "council-letter.pdf", restricted=True
    )
    app = make_host(db, worker)
    screen = TimelineScreen(case_id)

    async def run_before(pilot: Any) -> None:
        await snapshot_of(app, screen, lambda: screen.data is not None)(pilot)
        await _highlight(pilot, screen, (ATTACHMENT, added.id))
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, SaveAttachmentScreen))
        for field in app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
