"""``casetui signoff request``, ``approve`` and ``return``: what they print, their JSON object,
how they refuse (one line naming the rule, exit 1) and their usage errors (2).

Run in this process (``casetui.cli.main``) against a small organisation in one SQLite file per
module; each test writes notes of its own, so the order does not matter.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cli_org
import pytest
from cli_org import plain_environment, runner, sqlite_org

from casetui.services import notes as note_service


class Org(cli_org.Org):
    def note(self, author: str = "ana") -> tuple[int, str]:
        """A note by ``author`` on a new case of ana's; its id and the case number."""
        number = self.new_case("ana")
        note = note_service.add_note(
            self.db, self.actor(author), number,
            note_service.NoteInput(summary="Needs assessment", activity_type="Assessment"),
        )  # fmt: skip
        return note.id, number


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    with sqlite_org(tmp_path_factory, "cli_signoff") as (url, db):
        yield Org(url, db)


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plain_environment(monkeypatch, tmp_path)


@pytest.fixture
def cli(org: Org, capsys: pytest.CaptureFixture[str]) -> Any:
    return runner(org.url, capsys, user="sam")


KEYS = {
    "note_id", "case_number", "state", "requested_by", "requested_at", "decided_by",
    "decided_at", "comment", "version",
}  # fmt: skip


def test_request_then_approve_locks_the_note(org: Org, cli: Any) -> None:
    note_id, number = org.note()
    sent = cli("signoff", "request", str(note_id), "--json", user="ana").json
    assert set(sent) == KEYS
    assert (sent["state"], sent["requested_by"], sent["case_number"]) == (
        "requested",
        "ana",
        number,
    )
    done = cli("signoff", "approve", str(note_id), "--comment", "Good")
    assert done.status == 0 and done.stdout == (
        f"note {note_id} on {number} signed off; it is locked now (an addendum adds to it)\n"
    )
    listed = cli("notes", "list", "--case", number, "--json", user="ana").json
    assert [(n["id"], n["signoff"], n["locked"]) for n in listed] == [(note_id, "approved", True)]
    refused = cli("notes", "edit", str(note_id), "--summary", "Later", user="ana").refusal
    assert f"note {note_id} was signed off on" in refused and "addendum" in refused


def test_return_needs_a_comment_and_the_author_may_send_again(org: Org, cli: Any) -> None:
    note_id, _ = org.note()
    assert cli("signoff", "request", str(note_id), user="ana").status == 0
    assert cli("signoff", "return", str(note_id)).status == 2  # --comment is required
    back = cli("signoff", "return", str(note_id), "--comment", "Next steps?", "--json").json
    assert (back["state"], back["decided_by"], back["comment"]) == (
        "returned",
        "sam",
        "Next steps?",
    )
    unread = cli("notifications", "--unread", "--json", user="ana").json
    assert [n["kind"] for n in unread] == ["signoff_returned"]
    assert "Next steps?" in unread[0]["text"]
    again = cli("signoff", "request", str(note_id), "--json", user="ana").json
    assert (again["state"], again["version"], again["comment"]) == ("requested", 3, None)


def test_refusals_name_the_rule(org: Org, cli: Any) -> None:
    own, _ = org.note("sam")
    cli("signoff", "request", str(own))
    assert "nobody signs off their own note" in cli("signoff", "approve", str(own)).refusal
    note_id, _ = org.note()
    assert "not waiting for sign-off" in cli("signoff", "approve", str(note_id)).refusal
    cli("signoff", "request", str(note_id), user="ana")
    assert (
        "supervisors of the case's team"
        in cli("signoff", "approve", str(note_id), user="ana").refusal
    )
    assert "no note 999999" in cli("signoff", "request", "999999", user="ana").refusal
    assert cli("signoff", "approve", "not-a-number").status == 2
