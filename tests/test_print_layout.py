"""The printed page's text, without a database: any text a person may type is laid out without
losing, reordering or inventing a visible character, every line fits the page, and a whole
case file of hostile text is written and read back by pdftotext."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdf_tools import text, words

from casetui.domain.case_file import CaseFile
from casetui.domain.read_models.cases import CaseDetail
from casetui.domain.read_models.clients import ClientView
from casetui.domain.read_models.notes import AddendumView, NoteView, TaskView
from casetui.services.printing.case_file import write_case_file
from casetui.services.printing.document import BOLD, REGULAR, REPLACEMENT, Document

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
BLANKS = re.compile(r"\s")


def document() -> Document:
    return Document(
        title="Case file C-1", notice="Confidential.", running_head="C-1", foot="C-1", made_at=NOW
    )


LAYOUT = document()  # fonts read once; wrapping draws nothing

# Text as people type it, and then some: every script, controls, emoji, combining marks.
typed = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=400,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(typed, st.sampled_from([REGULAR, BOLD]), st.sampled_from([7.0, 9.0, 16.0]))
def test_wrapping_keeps_every_visible_character_in_order(raw: str, style: str, size: float) -> None:
    shown = LAYOUT.printable(raw, style)
    lines = LAYOUT.wrap(shown, 60.0, style, size)
    assert BLANKS.sub("", "".join(lines)) == BLANKS.sub("", shown)
    for line in lines:
        # A line is wider than the page only when it is one character that is.
        assert LAYOUT.text_width(line, style, size) <= 60.0 + 1e-6 or len(line) == 1


def test_what_the_font_cannot_draw_is_replaced_visibly_and_the_rest_kept() -> None:
    shown = LAYOUT.printable("Zoë Ελληνικά Щукина 中 🦄 \x1b[0m \u202eabc\tend\r\nnext\rlast")
    assert shown == (
        f"Zoë Ελληνικά Щукина {REPLACEMENT} {REPLACEMENT} {REPLACEMENT}[0m {REPLACEMENT}abc"
        "    end\nnext\nlast"
    )
    # Composed as stored text would be: e + combining diaeresis prints as one ë.
    assert LAYOUT.printable("Zoe\u0308") == "Zoë"


def test_a_word_wider_than_the_page_is_broken_inside() -> None:
    lines = LAYOUT.wrap("x" * 500, 60.0, REGULAR, 9.0)
    assert len(lines) > 1 and "".join(lines) == "x" * 500


def test_line_breaks_and_blank_lines_are_kept() -> None:
    assert LAYOUT.wrap("one\n\n  indented\nlast", 170.0, REGULAR, 9.0) == [
        "one", "", "  indented", "last",
    ]  # fmt: skip


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(typed, min_size=4, max_size=4))
def test_a_case_file_of_any_text_is_written_and_read_back(
    tmp_path_factory: pytest.TempPathFactory, texts: list[str]
) -> None:
    summary, details, reason, task_name = texts
    case_file = CaseFile(
        organisation="Riverside Advice", notice="Keep this safe.", time_zone="Europe/London",
        case=CaseDetail(
            id=1, case_number="C-1", client_id=1, client_name="Анна", preferred_name=None,
            status="Open", concern="Low", worker_id=1, worker_username="ana",
            worker_name="Ana", team_id=None, pathway=None, opened_on=date(2026, 1, 1),
            closed_on=None, last_interaction_at=None, version=1,
        ),
        client=ClientView(
            id=1, name="Анна", preferred_name=None, date_of_birth=None, email=None, phone=None,
            client_type=None, status="Active", warnings=(), groups=(), created_at=NOW, version=1,
        ),
        printed_at=NOW, printed_by="Sam (sam)", since=None, until=None, notes=1,
    )  # fmt: skip
    note = NoteView(
        id=7, case_id=1, case_number="C-1", author_id=1, author="ana", author_name="Ana",
        contact_at=NOW, activity_type="Phone call", contact_type="Client", third_party_org=None,
        summary=summary, details=details, restricted=True, batch_id=None, created_at=NOW,
        updated_at=NOW, version=1, locks_at=NOW, locked=False,
        addenda=(AddendumView(1, 7, "ana", NOW, reason, details),),
    )  # fmt: skip
    task = TaskView(
        id=3, case_id=1, case_number="C-1", note_id=7, name=task_name, due_on=date(2026, 12, 1),
        repeats="none", rrule=None, assigned_to_client=False, details="", status="open",
        responsible=("ana",), created_at=NOW, completed_at=None, version=1,
    )  # fmt: skip
    content, pages = write_case_file(case_file, [note], {7: [task]})
    path = tmp_path_factory.mktemp("pdf") / "case.pdf"
    path.write_bytes(content)
    flat = words(text(path))
    assert f"Page {pages} of {pages}" in flat
    assert "Confidentiality notice Keep this safe." in flat
    assert "Restricted: review before sharing with the client" in flat
