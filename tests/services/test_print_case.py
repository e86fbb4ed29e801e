"""Printing a case file: who may (the reports grant, the case in sight), what is printed (every
note in range oldest first, restricted ones marked and recorded as read), what the audit trail
keeps, and the PDF itself read back with poppler's pdftotext and pdfinfo. SQLite and
PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from pdf_tools import PAGE_LABEL, page_count, pages_text, text, words

from casetui.domain.enums import Grant
from casetui.domain.errors import NotFound, PermissionDenied, ValidationError
from casetui.domain.models import CONFIDENTIALITY_NOTICE
from casetui.repositories.staff import actor_from
from casetui.services import clients as client_service
from casetui.services import notes as note_service
from casetui.services import settings as settings_service
from casetui.services import staff as staff_service
from casetui.services import tasks as task_service
from casetui.services.print_case import may_print, print_case, suggested_name

from .conftest import World

CYRILLIC = "Анна Петрова-Щукина"
GREEK = "Αλέξανδρος Παπαδόπουλος"
LATIN = "Zoë Ñúñez and Łukasz Żółć"
HOSTILE = "**bold** <b>x</b> {{}} %s \\ {nb} [b]y[/b] __u__ ~~s~~ $(rm -rf) &amp;"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Where the files are printed: a folder of their own (the SQLite database is beside it)."""
    out = tmp_path / "printed"
    out.mkdir()
    return out


def printed_events(world: World) -> list[dict[str, object]]:
    return [
        {"case_id": e.case_id, **json.loads(e.after or "{}")}
        for e in world.audit_events()
        if (e.action, e.entity) == ("export", "case_file")
    ]


def test_the_reports_grant_is_needed_and_nothing_is_written_without_it(
    world: World, folder: Path
) -> None:
    target = folder / "ana.pdf"
    before = world.dump()
    assert not may_print(world.ana)
    with pytest.raises(PermissionDenied, match="reports grant"):
        world.run(print_case, world.ana, world.ana_case, target)
    assert world.dump() == before
    assert list(folder.iterdir()) == []


def test_a_case_out_of_sight_is_not_found(world: World, folder: Path) -> None:
    # Sam supervises North and holds the reports grant; Cara's case is South's.
    assert may_print(world.sam)
    with pytest.raises(NotFound):
        world.run(print_case, world.sam, world.cara_case, folder / "cara.pdf")
    # A caseworker given the grant prints their own cases, and no one else's.
    world.run(
        staff_service.edit_staff, world.admin, "ana",
        staff_service.StaffChanges(grant=(Grant.REPORTS.value,)),
    )  # fmt: skip
    granted = actor_from(world.staff_row("ana"))
    assert world.run(print_case, granted, world.ana_case, folder / "own.pdf").notes == 0
    with pytest.raises(NotFound):
        world.run(print_case, granted, world.cara_case, folder / "cara.pdf")
    assert sorted(p.name for p in folder.iterdir()) == ["own.pdf"]


def test_auditors_and_administrators_print_any_case(world: World, folder: Path) -> None:
    world.note(world.cara, world.cara_case, "Visited at home")
    for person in (world.audrey, world.admin):
        printed = world.run(print_case, person, world.cara_case, folder / f"{person.username}.pdf")
        assert printed.notes == 1
        assert "Visited at home" in text(Path(printed.path))


def test_every_note_prints_oldest_first_with_its_addenda_and_tasks(
    world: World, folder: Path
) -> None:
    first = world.note(
        world.ana, world.ana_case, "Home visit with the family", contact_date="-6d",
        contact_time="09:30", details="Line one of the visit.\n\nLine three, after a blank.",
        contact_type="3rd Party", third_party_org="Riverside Housing",
        activity_type="Home visit",
    )  # fmt: skip
    world.run(
        note_service.add_note, world.ana, world.ana_case,
        note_service.NoteInput("Phoned about the rent", "Phone call", contact_date="-2d"),
        [task_service.TaskInput("Send the rent letter", due="+3d", responsible=("ana", "ben"))],
    )  # fmt: skip
    world.run(note_service.add_addendum, world.ana, first.id, "They called back.", "Forgot")
    world.run(
        task_service.add_task, world.ana, world.ana_case, task_service.TaskInput("Review", "+1w")
    )
    printed = world.run(print_case, world.sam, world.ana_case, folder / "case.pdf")
    assert (printed.notes, printed.restricted, printed.pages) == (2, 0, 1)
    shown = text(Path(printed.path))
    flat = words(shown)
    assert flat.index("Home visit with the family") < flat.index("Phoned about the rent")
    # The client header.
    assert "Amal Haddad" in flat and world.ana_case in flat
    assert "Worker Ana (ana)" in flat and "Status Open" in flat
    assert "Date of birth not known" in flat
    assert "Our organisation" in flat
    assert "Printed Sun 22 Nov 2026 10:00 by Sam (sam)" in flat
    assert "Notes all: 2 notes, oldest first" in flat
    # Each note: contact date and time (Europe/London), activity, contact, author, text.
    assert "Mon 16 Nov 2026 09:30 · Home visit" in flat
    assert "Contact: 3rd Party (Riverside Housing) · Author: Ana (ana)" in flat
    assert "Line one of the visit.\n\nLine three, after a blank." in shown  # newlines kept
    assert "Addendum by ana, Sun 22 Nov 2026 10:00 Reason: Forgot They called back." in flat
    assert "Follow-up task: Send the rent letter" in flat
    assert "Due Wed 25 Nov 2026 · open · responsible: ana, ben" in flat
    assert "Follow-up tasks on the case, not from a note Follow-up task: Review" in flat


def test_a_date_range_limits_the_notes(world: World, folder: Path) -> None:
    for days in (10, 6, 3, 0):
        world.note(world.ana, world.ana_case, f"Contact {days} days ago", contact_date=f"-{days}d")
    printed = world.run(print_case, world.sam, world.ana_case, folder, since="-7d", until="-1d")
    assert printed.notes == 2
    assert Path(printed.path) == folder / suggested_name(world.ana_case, world.clock().date())
    flat = words(text(Path(printed.path)))
    assert "Contact 6 days ago" in flat and "Contact 3 days ago" in flat
    assert "Contact 10 days ago" not in flat and "Contact 0 days ago" not in flat
    assert "contact dates from 2026-11-15 to 2026-11-21: 2 notes" in flat
    event = printed_events(world)[-1]
    assert (event["from"], event["to"], event["rows"]) == ("2026-11-15", "2026-11-21", 2)


@pytest.mark.parametrize(
    ("since", "until", "field"),
    [("-1d", "-3d", "to"), ("someday", "", "from"), ("", "32/13", "to")],
)
def test_a_bad_range_is_refused_naming_the_field(
    world: World, folder: Path, since: str, until: str, field: str
) -> None:
    before = world.dump()
    with pytest.raises(ValidationError) as refused:
        world.run(print_case, world.sam, world.ana_case, folder / "x.pdf", since=since, until=until)
    assert refused.value.field == field
    assert world.dump() == before and list(folder.iterdir()) == []


def test_a_restricted_note_prints_marked_and_its_reading_is_recorded(
    world: World, folder: Path
) -> None:
    secret = world.note(
        world.ana, world.ana_case, "Disclosure", details="Only for the file.", restricted=True
    )
    world.note(world.ana, world.ana_case, "Ordinary call")
    deleted = world.note(world.ana, world.ana_case, "Written by mistake")
    world.run(note_service.delete_note, world.ana, deleted.id)
    printed = world.run(print_case, world.sam, world.ana_case, folder / "case.pdf")
    flat = words(text(Path(printed.path)))
    assert "Restricted: review before sharing with the client" in flat
    assert "Only for the file." in flat and "Ordinary call" in flat
    assert "Written by mistake" not in flat
    assert (printed.notes, printed.restricted) == (2, 1)
    views = [
        e for e in world.audit_events()
        if e.action == "note.view_restricted" and e.entity_id == str(secret.id)
    ]  # fmt: skip
    assert [(v.actor_username, v.case_id) for v in views] == [("sam", secret.case_id)]


def test_the_print_is_audited_with_the_case_the_filters_the_count_and_the_sha256(
    world: World, folder: Path
) -> None:
    world.note(world.ana, world.ana_case, "One")
    world.note(world.ana, world.ana_case, "Two")
    printed = world.run(print_case, world.sam, world.ana_case, folder / "case.pdf")
    content = Path(printed.path).read_bytes()
    assert printed.sha256 == hashlib.sha256(content).hexdigest() and printed.size == len(content)
    [event] = printed_events(world)
    assert event == {
        "case_id": world.case_id(world.ana_case), "rows": 2, "case": world.ana_case,
        "from": None, "to": None, "restricted": 0, "pages": printed.pages,
        "sha256": printed.sha256, "file": str(folder / "case.pdf"),
    }  # fmt: skip
    assert world.audit_events()[-1].actor_username == "sam"


def test_an_existing_file_is_kept_unless_replacing_is_asked_for(world: World, folder: Path) -> None:
    target = folder / "case.pdf"
    target.write_bytes(b"someone else's file")
    before = world.dump()
    with pytest.raises(ValidationError, match="already exists; nothing was replaced"):
        world.run(print_case, world.sam, world.ana_case, target)
    assert target.read_bytes() == b"someone else's file" and world.dump() == before
    printed = world.run(print_case, world.sam, world.ana_case, target, replace=True)
    assert target.read_bytes()[:5] == b"%PDF-"
    assert printed.sha256 == hashlib.sha256(target.read_bytes()).hexdigest()
    # Only the file itself: no temporary file is left beside it, and only its owner reads it.
    assert [p.name for p in folder.iterdir()] == ["case.pdf"]
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_a_missing_folder_is_refused_before_anything_is_recorded(
    world: World, folder: Path
) -> None:
    before = world.dump()
    with pytest.raises(ValidationError, match="there is no folder"):
        world.run(print_case, world.sam, world.ana_case, folder / "nowhere" / "case.pdf")
    assert world.dump() == before


def test_names_in_any_script_and_hostile_text_print_literally(world: World, folder: Path) -> None:
    world.run(
        client_service.edit_client, world.ana, world.ana_client,
        client_service.ClientChanges(name=CYRILLIC, date_of_birth="1984-03-07"),
    )  # fmt: skip
    world.note(
        world.ana, world.ana_case, f"Met {GREEK}", details=f"With {LATIN}.",
        contact_type="3rd Party", third_party_org=GREEK,
    )  # fmt: skip
    world.note(world.ana, world.ana_case, HOSTILE, details=HOSTILE)
    world.note(world.ana, world.ana_case, "Outside the font", details="中文 🦄 and \x1b[2J done")
    printed = world.run(print_case, world.sam, world.ana_case, folder / "case.pdf")
    shown = text(Path(printed.path))
    flat = words(shown)
    assert f"Case file {CYRILLIC} Case {world.ana_case}" in flat
    assert "Date of birth 1984-03-07" in flat
    assert f"Met {GREEK}" in flat and f"3rd Party ({GREEK})" in flat
    assert f"With {LATIN}." in flat
    assert flat.count(HOSTILE) == 2  # summary and details, as typed: no markup, no page count
    # What the font cannot draw shows as a replacement sign; an escape code prints as one too.
    assert "\ufffd\ufffd \ufffd and \ufffd[2J done" in flat
    assert "中" not in shown


def test_the_notice_and_the_page_numbers_are_on_every_page(world: World, folder: Path) -> None:
    summaries = [f"Session {i:02d} with the client" for i in range(40)]
    details = "We went through the plan together and agreed the next steps. " * 6
    for summary in summaries:
        world.note(world.ana, world.ana_case, summary, details=details, contact_date="-3d")
    printed = world.run(print_case, world.sam, world.ana_case, folder / "case.pdf")
    path = Path(printed.path)
    pages = pages_text(path)
    assert printed.pages == page_count(path) == len(pages) >= 3
    notice = words(CONFIDENTIALITY_NOTICE)
    for number, page in enumerate(pages, start=1):
        flat = words(page)
        assert f"Confidentiality notice {notice}" in flat, f"page {number}"
        assert PAGE_LABEL.findall(flat) == [(str(number), str(len(pages)))], f"page {number}"
        if number > 1:
            assert f"Case file · {world.ana_case} · Amal Haddad" in flat
    everything = words(" ".join(pages))
    assert all(summary in everything for summary in summaries)
    assert everything.index(summaries[0]) < everything.index(summaries[-1])


def test_the_organisations_own_notice_is_printed(world: World, folder: Path) -> None:
    notice = "Confidential: for the named worker and their supervisor only. Ελληνικά, русский."
    world.run(settings_service.set_setting, world.admin, "confidentiality_notice", notice)
    world.run(settings_service.set_setting, world.admin, "name", "Riverside Advice")
    printed = world.run(print_case, world.sam, world.ana_case, folder / "case.pdf")
    flat = words(text(Path(printed.path), 1))
    assert f"Confidentiality notice {notice}" in flat
    assert flat.startswith("Riverside Advice Case file")
    assert words(CONFIDENTIALITY_NOTICE) not in flat
