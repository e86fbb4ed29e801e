"""Remake screenshots/*.svg, a picture of every screen, from demo data, and
screenshots/print-case-file.png, the first page of a printed case file.

    python scripts/screenshots.py [--out DIR] [--only NAME ...]

The page is rendered by poppler's pdftoppm (``pdftoppm -png -r 80 -f 1 -l 1``), which
poppler-utils installs.

One demo organisation is made in a temporary folder, on a fixed clock; each picture gets
its own copy of it and reaches its screen with the keys a user would press. Nothing
depends on the machine, the date or the order of the pictures, so a second run writes
the same bytes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import func, select
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from casetui.demo import DemoSummary, generate_demo
from casetui.domain.actor import Actor
from casetui.domain.filters import CaseFilter
from casetui.domain.models import Case, CaseNote, Staff
from casetui.domain.read_models.cases import CaseRow
from casetui.domain.timeline import NOTE
from casetui.drafts import ENV_DRAFTS_DIR
from casetui.repositories.staff import actor_from, find_by_username
from casetui.services import setup
from casetui.services.caseload import list_cases
from casetui.services.work import Database
from casetui.startup import open_database
from casetui.tui.app import CasetuiApp, make_app

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "screenshots"

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
SEED = 7
CASES = 400
STAFF = 16
# The header names the database; a fixed name keeps the temporary folder out of the pictures.
DATABASE_NAME = "sqlite:///demo.db"

Size = tuple[int, int]
WIDE: Size = (120, 40)
NARROW: Size = (80, 24)


def fixed_clock() -> datetime:
    return NOW


def on_fixed_clock(url: str) -> Database:
    return replace(open_database(url), clock=fixed_clock)


# --- the demo organisation ---------------------------------------------------------------------


@dataclass(frozen=True)
class Demo:
    """The demo database, made once; every picture starts from a fresh copy of it."""

    folder: Path
    template: Path
    summary: DemoSummary

    @property
    def caseworker(self) -> str:
        return self.summary.usernames_by_role["caseworker"][0]

    @property
    def supervisor(self) -> str:
        return self.summary.usernames_by_role["supervisor"][0]

    def copy(self, name: str) -> Database:
        path = self.folder / "copies" / f"{name}.db"
        path.parent.mkdir(exist_ok=True)
        shutil.copyfile(self.template, path)
        return on_fixed_clock(f"sqlite:///{path}")


def build_demo(folder: Path) -> Demo:
    template = folder / "demo.db"
    db = on_fixed_clock(f"sqlite:///{template}")
    try:
        setup.upgrade_schema(db)
        summary = generate_demo(db, cases=CASES, staff=STAFF, seed=SEED, today=TODAY)
    finally:
        db.dispose()  # the last connection closing folds the WAL into the file
    return Demo(folder, template, summary)


def actor_of(db: Database, username: str) -> Actor:
    """The staff member, as signing in would give them (without the sign-in's audit event)."""
    with db.uow(write=False) as uow:
        staff = find_by_username(uow.session, username)
        if staff is None:
            raise LookupError(username)
        return actor_from(staff)


def shared_surname(db: Database, username: str) -> str:
    """The surname found most often in the worker's caseload: typed, it leaves a few rows."""
    rows = list_cases(db, actor_of(db, username), CaseFilter(mine=True), limit=1000).rows
    counts = Counter(row.client_name.split()[-1] for row in rows)
    return min(counts, key=lambda surname: (-counts[surname], surname))


def busiest_case(db: Database, username: str) -> str:
    """The worker's open case with the most notes: the fullest timeline to look at."""
    worker = actor_of(db, username)
    with db.uow(write=False) as uow:
        return str(
            uow.session.execute(
                select(Case.case_number)
                .join(CaseNote, CaseNote.case_id == Case.id)
                .where(Case.primary_worker_id == worker.id, Case.status == "Open")
                .group_by(Case.id)
                .order_by(func.count().desc(), Case.id)
                .limit(1)
            ).scalar_one()
        )


def busiest_team_case(db: Database, username: str) -> str:
    """The open case with the most notes in the supervisor's team."""
    supervisor = actor_of(db, username)
    with db.uow(write=False) as uow:
        return str(
            uow.session.execute(
                select(Case.case_number)
                .join(CaseNote, CaseNote.case_id == Case.id)
                .where(Case.team_id == supervisor.team_id, Case.status == "Open")
                .group_by(Case.id)
                .order_by(func.count().desc(), Case.id)
                .limit(1)
            ).scalar_one()
        )


def notes_with_details(db: Database, case_number: str) -> set[int]:
    with db.uow(write=False) as uow:
        return set(
            uow.session.execute(
                select(CaseNote.id)
                .join(Case, Case.id == CaseNote.case_id)
                .where(Case.case_number == case_number, CaseNote.details != "")
            ).scalars()
        )


def reassign_elsewhere(db: Database, case_number: str, username: str) -> None:
    """The worker's team supervisor gives the case to another caseworker of the team."""
    from casetui.services.cases import reassign

    worker = actor_of(db, username)
    with db.uow(write=False) as uow:
        team = uow.session.execute(
            select(Staff.username, Staff.role)
            .where(Staff.team_id == worker.team_id, Staff.active.is_(True))  # type: ignore[attr-defined]
            .order_by(Staff.id)
        ).all()
    supervisor = next(name for name, role in team if role == "supervisor")
    colleague = next(name for name, role in team if role == "caseworker" and name != username)
    reassign(db, actor_of(db, supervisor), case_number, colleague)


# --- driving the app ---------------------------------------------------------------------------


async def settle(pilot: Pilot[int], rounds: int = 50) -> None:
    """Wait until every worker has finished and its results are on screen."""
    app = pilot.app
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            await pilot.pause()
            return
    raise RuntimeError("workers still running")


async def wait_for(pilot: Pilot[int], condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 15
    while not condition():
        if time.monotonic() > deadline:
            screen = type(pilot.app.screen).__name__
            raise RuntimeError(f"the app never got to {what} (still on {screen})")
        await pilot.pause(0.02)
    await settle(pilot)


def db_of(pilot: Pilot[int]) -> Database:
    return cast(CasetuiApp, pilot.app).db


def on_screen(pilot: Pilot[int], name: str) -> Callable[[], bool]:
    return lambda: type(pilot.app.screen).__name__ == name


async def type_text(pilot: Pilot[int], text: str) -> None:
    await pilot.press(*text)
    await settle(pilot)


async def still_cursors(pilot: Pilot[int]) -> None:
    """A blinking cursor would make each picture differ from the last."""
    for screen in pilot.app.screen_stack:
        for field in screen.query(Input):
            field.cursor_blink = False
        for area in screen.query(TextArea):
            area.cursor_blink = False
    await pilot.pause()


# --- each picture: from the app's first screen to the one pictured -----------------------------


async def at_caseload(pilot: Pilot[int]) -> None:
    await wait_for(pilot, on_screen(pilot, "CaseloadScreen"), "the caseload")


async def login(pilot: Pilot[int], demo: Demo) -> None:
    await wait_for(pilot, on_screen(pilot, "LoginScreen"), "the login screen")


async def caseload(pilot: Pilot[int], demo: Demo) -> None:
    await at_caseload(pilot)


async def caseload_filtered(pilot: Pilot[int], demo: Demo) -> None:
    await at_caseload(pilot)
    surname = shared_surname(db_of(pilot), demo.caseworker)
    await pilot.press("slash")
    await type_text(pilot, surname.lower())


async def caseload_selected(pilot: Pilot[int], demo: Demo) -> None:
    await at_caseload(pilot)
    await pilot.press("space", "space", "space")  # the cursor moves on after each
    await settle(pilot)


async def timeline(pilot: Pilot[int], demo: Demo) -> None:
    """The busiest case, found by its number in the filter, and its newest note with details opened."""
    from casetui.tui.widgets.timeline_list import TimelineList

    await at_caseload(pilot)
    await pilot.press("slash")
    number = busiest_case(db_of(pilot), demo.caseworker)
    await type_text(pilot, number)
    await pilot.press("enter", "enter")  # back to the table, then open the case
    await wait_for(
        pilot, lambda: getattr(pilot.app.screen, "data", None) is not None, "the case timeline"
    )
    listing = pilot.app.screen.query_one(TimelineList)
    written_up = notes_with_details(db_of(pilot), number)
    newest = next(
        i
        for i, entry in enumerate(listing.entries)
        if entry.kind == NOTE and entry.id in written_up
    )
    for _ in range(newest):
        await pilot.press("down")
    await pilot.press("enter")
    await wait_for(pilot, lambda: bool(listing._details), "an opened note")


async def attach_file(pilot: Pilot[int], demo: Demo) -> None:
    """``u`` on the busiest case, a path half typed and its completion showing."""
    from casetui.tui.widgets.path_input import PathInput

    home = demo.folder / "home"
    (home / "letters").mkdir(parents=True, exist_ok=True)
    for name in ("council-letter.pdf", "council-reply.pdf", "tenancy-agreement.pdf"):
        (home / "letters" / name).write_bytes(b"%PDF-1.4\n%%EOF\n")
    await open_busiest_case(pilot, demo)  # the newest entry highlighted: a note, here
    with environment([("HOME", str(home))]):  # "~" is this folder, the same on every machine
        await pilot.press("u")
        await wait_for(pilot, on_screen(pilot, "AttachFileScreen"), "the attach dialog")
        field = pilot.app.screen.query_one(PathInput)
        await type_text(pilot, "~/letters/co")
        await wait_for(pilot, lambda: field.suggestion != "", "a completion")


async def print_dialog(pilot: Pilot[int], demo: Demo) -> None:
    """The supervisor's busiest team case, and p: where to print its case file."""
    await at_caseload(pilot)
    await pilot.press("slash")
    await type_text(pilot, busiest_team_case(db_of(pilot), demo.supervisor))
    await pilot.press("enter", "enter")
    await wait_for(
        pilot, lambda: getattr(pilot.app.screen, "data", None) is not None, "the case timeline"
    )
    await pilot.press("p")
    await wait_for(pilot, on_screen(pilot, "PrintDialog"), "the print dialog")


async def subject_access_review(pilot: Pilot[int], demo: Demo) -> None:
    """x on the record of the client of the supervisor's busiest team case: a request started,
    and its first held item in full."""
    await at_caseload(pilot)
    await pilot.press("slash")
    await type_text(pilot, busiest_team_case(db_of(pilot), demo.supervisor))
    await pilot.press("enter", "i")
    await wait_for(
        pilot, lambda: getattr(pilot.app.screen, "view", None) is not None, "the client record"
    )
    await pilot.press("x")
    await wait_for(pilot, on_screen(pilot, "ConfirmScreen"), "the question")
    await pilot.press("y")
    await wait_for(
        pilot, lambda: getattr(pilot.app.screen, "detail", None) is not None, "a held item"
    )


async def services(pilot: Pilot[int], demo: Demo) -> None:
    """The busiest case's supportive services and their totals ($ on its timeline)."""
    await open_busiest_case(pilot, demo)
    await pilot.press("dollar_sign")
    await wait_for(
        pilot, lambda: getattr(pilot.app.screen, "data", None) is not None, "the services"
    )


async def service_editor(pilot: Pilot[int], demo: Demo) -> None:
    """A new supportive service being recorded (v on the timeline), paid from a grant."""
    await open_busiest_case(pilot, demo)
    await pilot.press("v")
    await wait_for(
        pilot, lambda: bool(getattr(pilot.app.screen, "original", None)), "the service editor"
    )
    editor = pilot.app.screen
    editor.query_one("#service-type").focus()
    await pilot.press("enter", "down", "down", "enter")
    editor.query_one("#service-date").focus()
    await pilot.press("end", "ctrl+u")
    await type_text(pilot, "yesterday")
    editor.query_one("#provider").focus()
    await type_text(pilot, "Northside Food Bank")
    editor.query_one("#amount").focus()
    await type_text(pilot, "35")
    editor.query_one("#grant").focus()
    await pilot.press("enter", "down", "enter")
    editor.query_one("#justification").focus()
    await type_text(pilot, "Food parcel and voucher while the benefit claim is decided.")


async def open_new_note(pilot: Pilot[int]) -> None:
    await at_caseload(pilot)
    await pilot.press("n")
    await wait_for(
        pilot, lambda: bool(getattr(pilot.app.screen, "original", None)), "the note editor"
    )


async def note_editor(pilot: Pilot[int], demo: Demo) -> None:
    await open_new_note(pilot)
    editor = pilot.app.screen
    editor.query_one("#activity-type").focus()
    await pilot.press("enter", "down", "enter")
    editor.query_one("#summary").focus()
    await type_text(pilot, "Home visit: rent arrears plan agreed")
    editor.query_one("#details").focus()
    await type_text(pilot, "Landlord holds off until the benefit claim is decided.")
    await pilot.press("ctrl+t")
    await wait_for(pilot, lambda: bool(editor.query(".task-name")), "a follow-up task")
    await type_text(pilot, "Ring the benefits office")
    editor.query_one(".task-due").focus()
    await pilot.press("end", "ctrl+u")
    await type_text(pilot, "friday")


async def note_editor_error(pilot: Pilot[int], demo: Demo) -> None:
    await open_new_note(pilot)
    await pilot.press("ctrl+s")
    error = pilot.app.screen.query_one("#summary-error")
    await wait_for(pilot, lambda: error.has_class("-shown"), "the summary's message")


async def open_bulk_note(pilot: Pilot[int]) -> list[CaseRow]:
    """The top three cases of the caseload selected, then b; the rows selected."""
    from casetui.tui.widgets.case_table import CaseTable

    await at_caseload(pilot)
    table = pilot.app.screen.query_one(CaseTable)
    picked = [row for row in map(table._row, range(3)) if row is not None]
    await pilot.press("space", "space", "space")
    await pilot.press("b")
    await wait_for(
        pilot, lambda: getattr(pilot.app.screen, "original", None) is not None, "the bulk note"
    )
    return picked


async def write_bulk_note(pilot: Pilot[int]) -> None:
    screen = pilot.app.screen
    screen.query_one("#activity-type").focus()
    await pilot.press("enter", "down", "enter")
    screen.query_one("#summary").focus()
    await type_text(pilot, "Winter fuel payment letter sent")


async def bulk_note(pilot: Pilot[int], demo: Demo) -> None:
    await open_bulk_note(pilot)
    await write_bulk_note(pilot)


async def bulk_note_refused(pilot: Pilot[int], demo: Demo) -> None:
    """While the note is being written, a supervisor moves one of its cases to a colleague."""
    picked = await open_bulk_note(pilot)
    screen = pilot.app.screen
    await write_bulk_note(pilot)
    # A case the worker holds as its primary worker: once moved, they may no longer write to it.
    moved = next(row for row in reversed(picked) if row.worker_username == demo.caseworker)
    reassign_elsewhere(db_of(pilot), moved.case_number, demo.caseworker)
    await pilot.press("ctrl+s")
    await wait_for(pilot, on_screen(pilot, "ConfirmScreen"), "the question before saving")
    await pilot.press("y")
    await wait_for(pilot, lambda: bool(getattr(screen, "refusals", None)), "the refused case")


async def open_busiest_case(pilot: Pilot[int], demo: Demo) -> str:
    """The busiest case's timeline, found by its number in the filter; its number."""
    await at_caseload(pilot)
    await pilot.press("slash")
    number = busiest_case(db_of(pilot), demo.caseworker)
    await type_text(pilot, number)
    await pilot.press("enter", "enter")
    await wait_for(
        pilot, lambda: getattr(pilot.app.screen, "data", None) is not None, "the case timeline"
    )
    return number


async def timeline_communications(pilot: Pilot[int], demo: Demo) -> None:
    """Calls, a letter and reminders on the busiest case; the reminder to come opened."""
    from casetui.tui.widgets.timeline_list import TimelineList

    await open_busiest_case(pilot, demo)
    listing = pilot.app.screen.query_one(TimelineList)
    await pilot.press("enter")
    await wait_for(pilot, lambda: bool(listing._details), "an opened reminder")


async def communication_editor(pilot: Pilot[int], demo: Demo) -> None:
    """m on the timeline: a reminder to the client, written."""
    await open_busiest_case(pilot, demo)
    await pilot.press("m")
    await wait_for(
        pilot, lambda: bool(getattr(pilot.app.screen, "original", None)), "the communication editor"
    )
    editor = pilot.app.screen
    editor.query_one("#comm-type").value = "reminder"
    editor.query_one("#comm-send-on").focus()
    await pilot.press("end", "ctrl+u")
    await type_text(pilot, "friday")
    editor.query_one("#comm-subject").focus()
    await type_text(pilot, "Appointment on Friday at 10")
    editor.query_one("#comm-body").focus()
    await type_text(pilot, "Please bring your tenancy agreement and a recent payslip.")


async def bulk_communication(pilot: Pilot[int], demo: Demo) -> None:
    """The top four cases selected, then B: a reminder to each, one client out of reach."""
    await at_caseload(pilot)
    await pilot.press("space", "space", "space", "space")
    await pilot.press("B")
    await wait_for(
        pilot,
        lambda: getattr(pilot.app.screen, "original", None) is not None,
        "the bulk communication",
    )
    screen = pilot.app.screen
    screen.query_one("#comm-type").value = "reminder"
    screen.query_one("#comm-subject").focus()
    await type_text(pilot, "Job fair at the library on Friday")


async def workload(pilot: Pilot[int], demo: Demo) -> None:
    await at_caseload(pilot)
    await pilot.press("w")
    await wait_for(pilot, lambda: bool(getattr(pilot.app.screen, "rows", None)), "the workload")


async def person_cases(pilot: Pilot[int], demo: Demo) -> None:
    await workload(pilot, demo)
    await pilot.press("enter")
    # Counted too: the title says how many.
    await wait_for(
        pilot,
        lambda: getattr(getattr(pilot.app.screen, "table", None), "total", None) is not None,
        "a person's cases",
    )


async def _at_leaver(pilot: Pilot[int], demo: Demo) -> Any:
    """The workload with the demo's leaver highlighted."""
    await workload(pilot, demo)
    assert demo.summary.leaver is not None
    screen: Any = pilot.app.screen
    rows = [row.username for row in screen.rows]
    screen.query_one("#workload-table").move_to(rows.index(demo.summary.leaver.username))
    await pilot.pause()
    return screen


async def transfer_preview(pilot: Pilot[int], demo: Demo) -> None:
    """The leaver's caseload shared between two colleagues, before anything moves."""
    await _at_leaver(pilot, demo)
    assert demo.summary.leaver is not None
    await pilot.press("T")
    await wait_for(pilot, on_screen(pilot, "ChoicePicker"), "who takes the cases")
    picker: Any = pilot.app.screen
    for index, (_label, username) in enumerate(picker.choices):
        if username in demo.summary.leaver.colleagues:
            picker.option_list.highlighted = index
            await pilot.press("space")
    await pilot.press("enter")
    await wait_for(pilot, on_screen(pilot, "TransferPreviewScreen"), "the transfer preview")


async def what_if(pilot: Pilot[int], demo: Demo) -> None:
    """A what-if sketch: two of the leaver's cases moved, the bars following, nothing saved."""
    screen = await _at_leaver(pilot, demo)
    await pilot.press("H")
    for pick in range(2):
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: on_screen(pilot, "CasePickScreen")() and bool(pilot.app.screen.cases),  # type: ignore[attr-defined]
            "the leaver's cases",
        )
        await pilot.press(*["down"] * pick, "enter")
        await wait_for(pilot, on_screen(pilot, "ChoiceScreen"), "who would take the case")
        await pilot.press(*["down"] * pick, "enter")
        await wait_for(pilot, lambda n=pick + 1: len(screen.sketched) == n, "the sketched bars")


async def insights(pilot: Pilot[int], demo: Demo) -> None:
    """The supervisor's team's cases by outcome stage, from the caseload's O."""
    await at_caseload(pilot)
    await pilot.press("O")
    await wait_for(pilot, on_screen(pilot, "InsightsScreen"), "the insights screen")
    await wait_for(pilot, lambda: bool(getattr(pilot.app.screen, "grid", None)), "the heatmap")


async def insights_comparison(pilot: Pilot[int], demo: Demo) -> None:
    await insights(pilot, demo)
    await pilot.press("v")


async def outcome_dialog(pilot: Pilot[int], demo: Demo) -> None:
    """O on the busiest case's timeline: a stage, its current assessment and its history."""
    await at_caseload(pilot)
    await pilot.press("slash")
    await type_text(pilot, busiest_case(db_of(pilot), demo.caseworker))
    await pilot.press("enter", "enter")
    await wait_for(
        pilot, lambda: getattr(pilot.app.screen, "data", None) is not None, "the case timeline"
    )
    await pilot.press("O")
    await wait_for(
        pilot, lambda: getattr(pilot.app.screen, "data", None) is not None, "the outcome dialog"
    )
    # The stage with the longest history, chosen in the stage list with the arrows.
    from textual.widgets import Select

    data = pilot.app.screen.data  # type: ignore[attr-defined]
    stages = list(data.stages)
    wanted = max(stages, key=lambda s: (len(data.history.get(s, [])), -stages.index(s)))
    shown = pilot.app.screen.query_one("#stage", Select).value
    steps = stages.index(wanted) - stages.index(shown)
    await pilot.press("enter", *(["down"] * steps if steps > 0 else ["up"] * -steps), "enter")
    await pilot.pause()


async def help_screen(pilot: Pilot[int], demo: Demo) -> None:
    await at_caseload(pilot)
    await pilot.press("f1")
    await wait_for(pilot, on_screen(pilot, "HelpScreen"), "help")


async def command_palette(pilot: Pilot[int], demo: Demo) -> None:
    from textual.command import CommandList

    await at_caseload(pilot)
    await pilot.press("ctrl+p")
    await wait_for(pilot, on_screen(pilot, "CommandPalette"), "the command palette")
    # With nothing typed, the palette lists each source's commands in the order they happen
    # to arrive, which differs from run to run; a search sorts them by how well they match.
    await type_text(pilot, "filter")
    commands = pilot.app.screen.query_one(CommandList)
    await wait_for(pilot, lambda: commands.option_count > 1, "the matching commands")
    await pilot.pause(0.5)  # the palette gathers commands in the background: let it finish
    await settle(pilot)


async def audits(pilot: Pilot[int], demo: Demo) -> None:
    """The supervisor's note audits (Q): the team's audited notes with their scores."""
    await at_caseload(pilot)
    await pilot.press("Q")
    await wait_for(
        pilot, lambda: getattr(pilot.app.screen, "overview", None) is not None, "the note audits"
    )


async def audit_trends(pilot: Pilot[int], demo: Demo) -> None:
    await audits(pilot, demo)
    await pilot.press("right_square_bracket", "right_square_bracket")
    await settle(pilot)


async def note_audit(pilot: Pilot[int], demo: Demo) -> None:
    """A note's audit, opened from the audits screen: why each criterion is met or not."""
    await audits(pilot, demo)
    await pilot.press("enter")
    await wait_for(
        pilot, lambda: getattr(pilot.app.screen, "sheet", None) is not None, "a note's audit"
    )


async def audit_run(pilot: Pilot[int], demo: Demo) -> None:
    """Last month's notes of the team, to be audited at once (a on the audits screen)."""
    await audits(pilot, demo)
    await pilot.press("a")
    await wait_for(
        pilot, lambda: getattr(pilot.app.screen, "to_audit", None) is not None, "the count"
    )
    await still_cursors(pilot)


async def audit_trail(pilot: Pilot[int], demo: Demo) -> None:
    await at_caseload(pilot)
    await pilot.press("a")
    await wait_for(pilot, lambda: bool(getattr(pilot.app.screen, "page", None)), "the audit trail")


async def intake(pilot: Pilot[int], demo: Demo) -> None:
    """Registering someone who may be registered already: their name and birth date typed."""
    await at_caseload(pilot)
    surname = shared_surname(db_of(pilot), demo.caseworker)
    await pilot.press("r")
    await wait_for(pilot, lambda: bool(pilot.app.screen.query("#client-name")), "the intake form")
    known = _client_named(db_of(pilot), surname)
    await type_text(pilot, known[0])
    pilot.app.screen.query_one("#date-of-birth").focus()
    await type_text(pilot, known[1])
    await wait_for(
        pilot, lambda: bool(getattr(pilot.app.screen, "duplicates", None)), "possible duplicates"
    )


def _client_named(db: Database, surname: str) -> tuple[str, str]:
    """A client with this surname and a birth date: (name, birth date)."""
    from casetui.domain.models import Client

    with db.uow(write=False) as uow:
        name, born = uow.session.execute(
            select(Client.name, Client.date_of_birth)
            .where(Client.name.endswith(" " + surname), Client.date_of_birth.is_not(None))  # type: ignore[attr-defined, union-attr]
            .order_by(Client.id)
            .limit(1)
        ).one()
    return name, born.isoformat()


async def client_record(pilot: Pilot[int], demo: Demo) -> None:
    await at_caseload(pilot)
    await pilot.press("i")
    await wait_for(
        pilot, lambda: getattr(pilot.app.screen, "view", None) is not None, "the client record"
    )


async def search(pilot: Pilot[int], demo: Demo) -> None:
    """A surname misspelt (two letters swapped) still finds its clients; note words too."""
    await at_caseload(pilot)
    surname = shared_surname(db_of(pilot), demo.caseworker)
    await pilot.press("ctrl+f")
    await wait_for(pilot, on_screen(pilot, "SearchScreen"), "search")
    await type_text(pilot, surname[:-2] + surname[-1] + surname[-2])
    await wait_for(
        pilot, lambda: bool(getattr(pilot.app.screen, "hits", None)), "the search results"
    )
    await pilot.pause(0.3)
    await settle(pilot)


async def _administration(pilot: Pilot[int], tab: str) -> None:
    """The administration screen from the caseload (A), on ``tab``, its data loaded."""
    await at_caseload(pilot)
    await pilot.press("A")
    await wait_for(pilot, on_screen(pilot, "AdministrationScreen"), "administration")
    screen = pilot.app.screen
    for _ in range(("staff", "teams", "settings", "lists").index(tab)):
        await pilot.press("right_square_bracket")
    loaded = {
        "staff": lambda: screen.query_one("#staff-tab").loaded,
        "teams": lambda: screen.query_one("#teams-tab").loaded,
        "settings": lambda: screen.query_one("#settings-tab").view is not None,
        "lists": lambda: screen.query_one("#lists-tab").loaded,
    }[tab]
    await wait_for(pilot, loaded, f"the {tab} tab")


async def administration_staff(pilot: Pilot[int], demo: Demo) -> None:
    await _administration(pilot, "staff")


async def administration_teams(pilot: Pilot[int], demo: Demo) -> None:
    await _administration(pilot, "teams")


async def administration_settings(pilot: Pilot[int], demo: Demo) -> None:
    await _administration(pilot, "settings")


async def administration_lists(pilot: Pilot[int], demo: Demo) -> None:
    await _administration(pilot, "lists")


async def inbox(pilot: Pilot[int], demo: Demo) -> None:
    """ctrl+n from the caseload; the newest notification read (r), to show both looks."""
    await at_caseload(pilot)
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: getattr(pilot.app.screen, "page", None) is not None, "the inbox")
    await pilot.press("r")
    await settle(pilot)


async def today(pilot: Pilot[int], demo: Demo) -> None:
    """t from the caseload: the caseworker's tasks due, quiet cases and failed reminders."""
    await at_caseload(pilot)
    await pilot.press("t")
    await wait_for(pilot, lambda: getattr(pilot.app.screen, "found", None) is not None, "today")
    await settle(pilot)


async def missing_data(pilot: Pilot[int], demo: Demo) -> None:
    """M from the caseload, as a supervisor: their team's missing data, counted per reason."""
    await at_caseload(pilot)
    await pilot.press("M")
    await wait_for(
        pilot, lambda: getattr(pilot.app.screen, "found", None) is not None, "missing data"
    )
    await settle(pilot)


async def pathway_tasks(pilot: Pilot[int], demo: Demo) -> None:
    """The lists tab on pathways, then k: the tasks each case opened on the pathway starts with."""
    from casetui.domain.enums import ListKind

    await _administration(pilot, "lists")
    tab = pilot.app.screen.query_one("#lists-tab")
    tab.kind = ListKind.PATHWAY  # type: ignore[attr-defined]
    tab.reload()  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: tab.items and tab.items[0].kind == "pathway", "the pathways")  # type: ignore[attr-defined]
    await pilot.press("k")
    await wait_for(pilot, on_screen(pilot, "PathwayTasksScreen"), "a pathway's tasks")
    await settle(pilot)


def waiting_for_signoff(db: Database, username: str) -> tuple[str, int]:
    """The case number and id of the oldest note waiting for this supervisor's sign-off."""
    from casetui.services.signoff import waiting_for_me

    first = waiting_for_me(db, actor_of(db, username))[0]
    return first.case_number, first.note_id


async def signoff(pilot: Pilot[int], demo: Demo) -> None:
    """S on a team note waiting for the supervisor's sign-off: approve, or return with a comment."""
    from casetui.tui.widgets.timeline_list import TimelineList

    number, note_id = waiting_for_signoff(db_of(pilot), demo.supervisor)
    await at_caseload(pilot)
    await pilot.press("slash")
    await type_text(pilot, number)
    await pilot.press("enter", "enter")
    await wait_for(
        pilot, lambda: getattr(pilot.app.screen, "data", None) is not None, "the case timeline"
    )
    listing = pilot.app.screen.query_one(TimelineList)
    for _ in range(listing.index_of((NOTE, note_id)) or 0):
        await pilot.press("down")
    await pilot.press("S")
    await wait_for(pilot, on_screen(pilot, "SignoffScreen"), "the sign-off dialog")
    await pilot.press("down", "tab")  # Return, and its comment
    await type_text(pilot, "Add the next steps and who does them")


async def problem(pilot: Pilot[int], demo: Demo) -> None:
    await wait_for(pilot, on_screen(pilot, "ProblemScreen"), "the problem screen")


# --- which app each picture starts ---------------------------------------------------------------


def as_caseworker(demo: Demo, db: Database) -> CasetuiApp:
    return make_app(db, actor_of(db, demo.caseworker), database_name=DATABASE_NAME)


def as_supervisor(demo: Demo, db: Database) -> CasetuiApp:
    return make_app(db, actor_of(db, demo.supervisor), database_name=DATABASE_NAME)


def as_leavers_supervisor(demo: Demo, db: Database) -> CasetuiApp:
    assert demo.summary.leaver is not None
    supervisor = actor_of(db, demo.summary.leaver.supervisor)
    return make_app(db, supervisor, database_name=DATABASE_NAME)


def a_mornings_work(demo: Demo, db: Database) -> None:
    """Notes, a concern raised, a case moved and a mistyped password: a trail to look at."""
    from casetui.domain.errors import SignInFailed
    from casetui.services.auth import sign_in
    from casetui.services.cases import change_concern
    from casetui.services.notes import NoteInput, add_note
    from casetui.services.settings import get_settings

    worker = actor_of(db, demo.caseworker)
    mine = list_cases(db, worker, CaseFilter(mine=True), limit=3).rows
    activity = get_settings(db, worker).activity_types[0]

    def at(hour: int, minute: int) -> Database:
        return replace(db, clock=lambda: NOW.replace(hour=hour, minute=minute))

    summaries = ("Rang about the rent arrears plan", "Home visit: benefits form done",
                 "Left a message with the GP surgery")  # fmt: skip
    for number, (row, summary) in enumerate(zip(mine, summaries, strict=False)):
        note = NoteInput(summary=summary, activity_type=activity)
        add_note(at(8, 10 + 20 * number), worker, row.case_number, note)
    raised = "Medium" if mine[0].concern == "High" else "High"
    change_concern(at(9, 15), actor_of(db, "admin"), mine[0].case_number, raised)
    with contextlib.suppress(SignInFailed):
        sign_in(at(9, 30), demo.caseworker, "not the password")
    moved = next(row for row in mine[1:] if row.worker_username == demo.caseworker)
    reassign_elsewhere(db, moved.case_number, demo.caseworker)


def with_communications(demo: Demo, db: Database) -> CasetuiApp:
    """The caseworker, whose busiest case has had calls, a letter and reminders, one sent."""
    from sqlalchemy import text

    from casetui.services.communications import CommunicationInput, add_communication

    worker = actor_of(db, demo.caseworker)
    number = busiest_case(db, demo.caseworker)
    mine = [row.case_number for row in list_cases(db, worker, CaseFilter(mine=True), limit=4).rows]
    with db.engine.begin() as conn:
        # Reminders go by email: the busiest case's client has an address, as do all but one
        # of the top four (the bulk picture shows the one a reminder cannot reach).
        for case_number, email in [
            (number, "client@example.org"),
            *[(n, "client@example.org") for n in mine[:3]],
            (mine[3], None),
        ]:
            conn.execute(
                text("UPDATE client SET email = :e WHERE id = "
                     "(SELECT client_id FROM cases WHERE case_number = :n)"),
                {"e": email, "n": case_number},
            )  # fmt: skip

    def at(day: int, hour: int) -> Database:
        return replace(db, clock=lambda: NOW.replace(day=day, hour=hour))

    add_communication(
        at(19, 14), worker, number,
        CommunicationInput(kind="phone", direction="in", subject="Rang about the rent arrears letter"),
    )  # fmt: skip
    add_communication(
        at(20, 11), worker, number,
        CommunicationInput(kind="letter", subject="Sent the housing benefit form to fill in"),
    )  # fmt: skip
    sent = add_communication(
        at(20, 16), worker, number,
        CommunicationInput(kind="reminder", subject="Appointment tomorrow at 11", send_on="today"),
    )  # fmt: skip
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE communication SET reminder_state = 'sent', sent_at = :at, attempts = 1, "
                 "message_id = '<20261120170000.7@casetui.example.org>', version = 2 "
                 "WHERE id = :id"),
            {"at": NOW.replace(day=20, hour=17), "id": sent.id},
        )  # fmt: skip
    add_communication(
        at(22, 9), worker, number,
        CommunicationInput(
            kind="reminder", subject="Bring your payslips on Monday", send_on="2026-11-30",
            repeats="weekly", body="Please bring your last three payslips.\nThank you.",
        ),
    )  # fmt: skip
    return make_app(db, worker, database_name=DATABASE_NAME)


def given_a_case(demo: Demo, db: Database) -> CasetuiApp:
    """The caseworker, once their supervisor has given them a colleague's case: news."""
    from casetui.services.cases import reassign

    worker = actor_of(db, demo.caseworker)
    with db.uow(write=False) as uow:
        team = uow.session.execute(
            select(Staff.username, Staff.role)
            .where(Staff.team_id == worker.team_id, Staff.active.is_(True))  # type: ignore[attr-defined]
            .order_by(Staff.id)
        ).all()
        supervisor = next(name for name, role in team if role == "supervisor")
        colleague = next(
            name for name, role in team if role == "caseworker" and name != demo.caseworker
        )
        number = uow.session.execute(
            select(Case.case_number)
            .join(Staff, Staff.id == Case.primary_worker_id)
            .where(Staff.username == colleague, Case.status == "Open")
            .order_by(Case.id)
            .limit(1)
        ).scalar_one()
    reassign(db, actor_of(db, supervisor), number, demo.caseworker)
    return as_caseworker(demo, db)


def with_services(demo: Demo, db: Database) -> CasetuiApp:
    """The caseworker, with a few supportive services on their busiest case, two from grants."""
    from casetui.services.lists import add_item
    from casetui.services.supportive_services import ServiceInput, add_service

    admin = actor_of(db, "admin")
    for grant in ("Household Support Fund", "Travel to Work Fund"):
        add_item(db, admin, "grants", grant)
    worker = actor_of(db, demo.caseworker)
    number = busiest_case(db, demo.caseworker)
    given = (
        ("Travel", "2026-11-02", "City Buses", "42.00", "Travel to Work Fund",
         "Four weeks' bus pass to start the warehouse job"),
        ("Food", "2026-11-09", "Northside Food Bank", "25.50", "Household Support Fund",
         "Voucher while the first wage is awaited"),
        ("Utility bills", "2026-11-16", "Power Co", "60.00", "Household Support Fund",
         "Prepayment meter top-up, no credit left"),
        ("Clothing", "2026-11-20", "Workwear Direct", "18.99", None,
         "Safety boots the employer asked for"),
    )  # fmt: skip
    for kind, day, provider, amount, grant, why in given:
        add_service(db, worker, number, ServiceInput(kind, day, provider, amount, why, grant))
    return as_caseworker(demo, db)


def as_administrator(demo: Demo, db: Database) -> CasetuiApp:
    """The administrator, once a morning's work has left its trail."""
    a_mornings_work(demo, db)
    return make_app(db, actor_of(db, "admin"), database_name=DATABASE_NAME)


def as_admin(demo: Demo, db: Database) -> CasetuiApp:
    return make_app(db, actor_of(db, "admin"), database_name=DATABASE_NAME)


def signing_in(demo: Demo, db: Database) -> CasetuiApp:
    """An account with a password, and none given: the app asks for it."""
    return make_app(db, None, username=demo.caseworker, database_name=DATABASE_NAME)


def without_schema(demo: Demo, db: Database) -> CasetuiApp:
    return make_app(db, None, username=demo.caseworker)


@contextlib.contextmanager
def empty_database(folder: Path) -> Iterator[Database]:
    """A database file with no schema, named by a relative path so the message reads the same anywhere."""
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.chdir(folder):
        empty = on_fixed_clock("sqlite:///casetui.db")
        try:
            yield empty
        finally:
            empty.dispose()


@dataclass(frozen=True)
class Shot:
    name: str
    drive: Callable[[Pilot[int], Demo], Awaitable[None]]
    sizes: tuple[Size, ...] = (WIDE,)
    app: Callable[[Demo, Database], CasetuiApp] = as_caseworker
    environment: tuple[tuple[str, str], ...] = ()


SHOTS: tuple[Shot, ...] = (
    Shot("login", login, app=signing_in),
    Shot("caseload", caseload, (WIDE, NARROW)),
    Shot("caseload-filtered", caseload_filtered),
    Shot("caseload-selected", caseload_selected),
    Shot("caseload-no-color", caseload, environment=(("NO_COLOR", "1"),)),
    Shot("timeline", timeline, (WIDE, NARROW)),
    Shot("attach-file", attach_file, (WIDE, NARROW)),
    Shot("note-editor", note_editor, (WIDE, NARROW)),
    Shot("services", services, (WIDE, NARROW), app=with_services),
    Shot("service-editor", service_editor, (WIDE, NARROW), app=with_services),
    Shot("note-editor-error", note_editor_error),
    Shot("bulk-note", bulk_note),
    Shot("bulk-note-refused", bulk_note_refused),
    Shot("timeline-communications", timeline_communications, app=with_communications),
    Shot("communication-editor", communication_editor, (WIDE, NARROW), app=with_communications),
    Shot("bulk-communication", bulk_communication, app=with_communications),
    Shot("workload", workload, app=as_supervisor),
    Shot("person-cases", person_cases, app=as_supervisor),
    Shot("transfer-preview", transfer_preview, (WIDE, NARROW), app=as_leavers_supervisor),
    Shot("what-if", what_if, (WIDE, NARROW), app=as_leavers_supervisor),
    Shot("what-if-no-color", what_if, app=as_leavers_supervisor, environment=(("NO_COLOR", "1"),)),
    Shot("insights", insights, (WIDE, NARROW), app=as_supervisor),
    Shot("insights-comparison", insights_comparison, app=as_supervisor),
    Shot("insights-no-color", insights, app=as_supervisor, environment=(("NO_COLOR", "1"),)),
    Shot("outcome-dialog", outcome_dialog, (WIDE, NARROW)),
    Shot("audit-trail", audit_trail, (WIDE, NARROW), app=as_administrator),
    Shot("audits", audits, (WIDE, NARROW), app=as_supervisor),
    Shot(
        "audits-no-color", audits, (NARROW,), app=as_supervisor, environment=(("NO_COLOR", "1"),)
    ),  # fmt: skip
    Shot("audit-trends", audit_trends, (WIDE, NARROW), app=as_supervisor),
    Shot("note-audit", note_audit, (WIDE, NARROW), app=as_supervisor),
    Shot("audit-run", audit_run, (NARROW,), app=as_supervisor),
    Shot("intake", intake, (WIDE, NARROW)),
    Shot("client-record", client_record, (WIDE, NARROW)),
    Shot("search", search, (WIDE, NARROW)),
    Shot("administration-staff", administration_staff, (WIDE, NARROW), app=as_admin),
    Shot("administration-teams", administration_teams, (NARROW,), app=as_admin),
    Shot("administration-settings", administration_settings, (NARROW,), app=as_admin),
    Shot("administration-lists", administration_lists, (NARROW,), app=as_admin),
    Shot("print-dialog", print_dialog, (WIDE, NARROW), app=as_supervisor),
    Shot("inbox", inbox, (WIDE, NARROW), app=given_a_case),
    Shot("today", today, (WIDE, NARROW)),
    Shot("today-no-color", today, environment=(("NO_COLOR", "1"),)),
    Shot("missing-data", missing_data, (WIDE, NARROW), app=as_supervisor),
    Shot("pathway-tasks", pathway_tasks, (WIDE, NARROW), app=as_admin),
    Shot("subject-access-review", subject_access_review, (WIDE, NARROW), app=as_supervisor),
    Shot("signoff", signoff, (WIDE, NARROW), app=as_supervisor),
    Shot("help", help_screen),
    Shot("command-palette", command_palette),
    Shot("problem", problem, app=without_schema),
)
CASE_FILE_PAGE = "print-case-file"
NAMES = (*(shot.name for shot in SHOTS), CASE_FILE_PAGE)


def case_file_page(demo: Demo, out: Path) -> Path:
    """The first page of the supervisor's busiest team case, printed by them, as a PNG."""
    from casetui.services.print_case import print_case

    db = demo.copy(CASE_FILE_PAGE)
    try:
        supervisor = actor_of(db, demo.supervisor)
        number = busiest_team_case(db, demo.supervisor)
        with tempfile.TemporaryDirectory(prefix="casetui-print-") as folder:
            printed = print_case(db, supervisor, number, Path(folder) / "case-file.pdf")
            subprocess.run(
                ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                 printed.path, str(out / CASE_FILE_PAGE)],
                check=True,
            )  # fmt: skip
    finally:
        db.dispose()
    return out / f"{CASE_FILE_PAGE}.png"


@contextlib.contextmanager
def environment(values: Sequence[tuple[str, str]]) -> Iterator[None]:
    before = {name: os.environ.get(name) for name, _value in values}
    os.environ.update(dict(values))
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


async def take(shot: Shot, size: Size, demo: Demo, out: Path) -> Path:
    """Run the app headless at ``size``, drive it to the screen, save the picture."""
    stem = f"{shot.name}-{size[0]}x{size[1]}"
    drafts = demo.folder / "drafts" / stem
    with contextlib.ExitStack() as stack:
        # NO_COLOR is read when the app is made; the drafts folder whenever a draft is written.
        stack.enter_context(environment([*shot.environment, (ENV_DRAFTS_DIR, str(drafts))]))
        if shot.app is without_schema:
            db = stack.enter_context(empty_database(demo.folder / stem))
        else:
            db = demo.copy(stem)
            stack.callback(db.dispose)
        app = shot.app(demo, db)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await shot.drive(pilot, demo)
            await still_cursors(pilot)
            await settle(pilot)
            app.save_screenshot(filename=f"{stem}.svg", path=str(out))
    return out / f"{stem}.svg"


async def main(
    out: Path = OUT,
    only: Sequence[str] | None = None,
    sizes: Sequence[Size] | None = None,
    say: Callable[[str], None] = print,
) -> list[Path]:
    """Write the pictures named in ``only`` (all if None), at ``sizes`` (each one's own if None)."""
    unknown = set(only or ()) - set(NAMES)
    if unknown:
        raise ValueError(f"no such screenshot: {', '.join(sorted(unknown))}")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="casetui-screenshots-") as folder:
        demo = build_demo(Path(folder))
        for shot in SHOTS:
            if only is not None and shot.name not in only:
                continue
            for size in sizes or shot.sizes:
                path = await take(shot, size, demo, out)
                written.append(path)
                say(str(path.relative_to(REPO) if path.is_relative_to(REPO) else path))
        if only is None or CASE_FILE_PAGE in only:
            path = case_file_page(demo, out)
            written.append(path)
            say(str(path.relative_to(REPO) if path.is_relative_to(REPO) else path))
    return written


def run(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Remake the screenshots of every screen.")
    parser.add_argument("--out", type=Path, default=OUT, help="where to write (screenshots/)")
    parser.add_argument(
        "--only", nargs="+", choices=NAMES, metavar="NAME", help=f"one of: {', '.join(NAMES)}"
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    written = asyncio.run(main(args.out.resolve(), args.only))
    print(f"{len(written)} screenshots in {time.monotonic() - started:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(run())
