"""Bad input is refused naming the field, and nothing is written; odd text is kept exactly."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from casetui.domain.errors import ValidationError
from casetui.domain.models import CaseNote
from casetui.services import notes as note_service
from casetui.services.tasks import TaskInput

from .conftest import World

GOOD_NOTE: dict[str, Any] = {"summary": "Phoned the client", "activity_type": "Phone call"}
GOOD_TASK = TaskInput(name="Call back", due="+1w")

BAD_NOTES = [
    pytest.param({"summary": ""}, "summary", id="empty-summary"),
    pytest.param({"summary": "   "}, "summary", id="blank-summary"),
    pytest.param({"summary": "first line\nsecond line"}, "summary", id="summary-with-newline"),
    pytest.param({"summary": "x" * 201}, "summary", id="summary-201-chars"),
    pytest.param({"details": "x" * 20_001}, "details", id="details-20001-chars"),
    pytest.param({"activity_type": "Juggling"}, "activity type", id="unknown-activity"),
    pytest.param({"activity_type": ""}, "activity type", id="missing-activity"),
    pytest.param({"contact_type": "Carrier pigeon"}, "contact type", id="unknown-contact-type"),
    pytest.param(
        {"contact_type": "3rd Party"},
        "third-party organisation",
        id="third-party-without-organisation",
    ),
    pytest.param({"summary": "nul\x00here"}, "summary", id="nul-in-summary"),
    pytest.param({"details": "nul\x00here"}, "details", id="nul-in-details"),
    # What Python makes of bytes that were not UTF-8: no database can store it.
    pytest.param({"summary": "lone \ud800"}, "summary", id="surrogate-in-summary"),
    pytest.param(
        {"third_party_org": "\udcff", "contact_type": "3rd Party"},
        "third-party organisation",
        id="surrogate-in-third-party",
    ),
    pytest.param({"contact_date": "the 32nd of Smarch"}, "contact date", id="garbage-date"),
    pytest.param({"contact_date": "03/04/2026"}, "contact date", id="ambiguous-date"),
    pytest.param({"contact_time": "25:99"}, "contact time", id="garbage-time"),
]

BAD_TASKS = [
    pytest.param(
        TaskInput(name="Call back", due="+1w", responsible=("nobody",)),
        "task responsible",
        id="unknown-responsible",
    ),
    pytest.param(
        TaskInput(name="Call back", due="+1w", responsible=("audrey",)),
        "task responsible",
        id="auditor-responsible",
    ),
    pytest.param(TaskInput(name="", due="+1w"), "task name", id="empty-task-name"),
    pytest.param(
        TaskInput(name="Call back", due="whenever"), "task due date", id="garbage-due-date"
    ),
    pytest.param(
        TaskInput(name="Call back", due="+1w", repeats="hourly"),
        "task repeats",
        id="unknown-repeat",
    ),
    pytest.param(
        TaskInput(name="Call back", due="+1w", repeats="custom", rrule="FREQ=SOMETIMES"),
        "repeats",
        id="bad-rrule",
    ),
]


def _refused(world: World, field: str, note: dict[str, Any], tasks: list[TaskInput]) -> None:
    before = world.dump()
    with pytest.raises(ValidationError) as refused:
        world.run(
            note_service.add_note, world.ana, world.ana_case, note_service.NoteInput(**note), tasks
        )
    assert refused.value.field == field
    assert field in str(refused.value)
    assert world.dump() == before


@pytest.mark.parametrize(("change", "field"), BAD_NOTES)
def test_bad_note_field_is_refused_by_name(
    world: World, change: dict[str, Any], field: str
) -> None:
    _refused(world, field, {**GOOD_NOTE, **change}, [GOOD_TASK])


@pytest.mark.parametrize(("task", "field"), BAD_TASKS)
def test_bad_task_field_is_refused_by_name(world: World, task: TaskInput, field: str) -> None:
    _refused(world, field, GOOD_NOTE, [task])


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"summary": "x" * 200}, id="summary-200-chars"),
        pytest.param({"details": "x" * 20_000}, id="details-20000-chars"),
        pytest.param(
            {"contact_type": "3rd Party", "third_party_org": "Citizens Advice"},
            id="third-party-with-organisation",
        ),
        pytest.param({"activity_type": "home VISIT"}, id="activity-any-case"),
    ],
)
def test_input_at_the_limits_is_accepted(world: World, change: dict[str, Any]) -> None:
    view = world.note(world.ana, world.ana_case, **{**GOOD_NOTE, **change})
    assert view.summary == change.get("summary", GOOD_NOTE["summary"])
    assert len(view.details) == len(change.get("details", ""))


ODD_TEXT = [
    pytest.param(
        "[bold red]not bold[/bold red] [link=https://example.org]x[/link] [/]", id="rich-markup"
    ),
    pytest.param("Met at the 🏠 with 👩🏽‍⚕️ and 👨‍👩‍👧 ✅ ﷽", id="emoji"),
    pytest.param("\u202eevil\u202c then \u200fمرحبا بك\u200f and \u200eשלום", id="rtl-marks"),
    pytest.param(
        "\x1b[31mred\x1b[0m \x1b]0;owned\x07 \x1b[2J\x1b[H \x07\x08", id="escape-sequences"
    ),
    pytest.param("Zoë Ångström, naïve café, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢", id="accents"),
]


def _stored(world: World, note_id: int) -> tuple[str, str]:
    row = world.read(
        lambda uow: uow.session.execute(
            select(CaseNote.summary, CaseNote.details).where(CaseNote.id == note_id)
        ).one()
    )
    return row[0], row[1]


@pytest.mark.parametrize("text", ODD_TEXT)
def test_odd_text_round_trips_exactly(world: World, text: str) -> None:
    details = f"{text}\nsecond line\r\nthird\tline {text}"
    view = world.note(world.ana, world.ana_case, text, details=details)
    assert (view.summary, view.details) == (text, details)
    assert _stored(world, view.id) == (text, details)
    [listed] = world.run(note_service.list_notes, world.ana, world.ana_case)
    assert (listed.summary, listed.details) == (text, details)

    edited = world.run(
        note_service.edit_note,
        world.ana,
        view.id,
        note_service.NoteChanges(summary=f"{text}!", details=text),
    )
    assert (edited.summary, edited.details) == (f"{text}!", text)
    assert _stored(world, view.id) == (f"{text}!", text)


def test_every_refused_field_is_named_at_once(world: World) -> None:
    from casetui.domain.errors import ValidationErrors
    from casetui.services.notes import NoteInput, add_note

    with pytest.raises(ValidationErrors) as refused:
        world.run(
            add_note,
            world.ana,
            world.ana_case,
            NoteInput(summary="", activity_type="Juggling", contact_type="3rd Party"),
        )
    fields = [error.field for error in refused.value.errors]
    assert fields == ["summary", "activity type", "third-party organisation"]
    assert str(refused.value).startswith("refused: summary: is required; activity type:")
