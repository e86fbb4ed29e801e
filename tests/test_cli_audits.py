"""``casetui audits run``, ``audits list`` and ``audits trend``: the JSON keys SPEC names,
progress on stderr only, and a worker or team outside the actor's scope refused (exit 1).

Run in this process (``casetui.cli.main``) on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cli_org
import pytest
from cli_org import build_org, plain_environment, runner

from casetui.services import notes as note_service

GOOD = (
    "Visited Amal at home with her sister. We discussed the letter from the landlord about "
    "rent arrears; Amal is worried she could lose the flat. No risk to her safety was seen "
    "today. Agreed that I will call the housing office on Friday and refer her to advice."
)


@dataclass
class Org(cli_org.Org):
    notes: dict[str, int] = field(default_factory=dict)
    cases: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def org(database_url: str) -> Iterator[Org]:
    """North: sam supervising ana; South: cara; an administrator and audrey auditing.
    A well-written note of ana's and a vague one of cara's, written yesterday."""
    db = build_org(database_url)
    try:
        made = Org(database_url, db)
        for username, name, summary, details in (
            ("ana", "Amal Haddad", "Home visit", GOOD),
            ("cara", "Chidi Okafor", "Spoke to client, all fine", ""),
        ):
            number = made.new_case(username, name=name)
            note = note_service.add_note(
                db, made.actor(username), number,
                note_service.NoteInput(
                    summary=summary, details=details, activity_type="Home visit",
                    contact_date="yesterday", contact_time="10:30",
                ),
            )  # fmt: skip
            made.notes[username], made.cases[username] = note.id, number
        yield made
    finally:
        db.dispose()


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plain_environment(monkeypatch, tmp_path)


@pytest.fixture
def cli(org: Org, capsys: pytest.CaptureFixture[str]) -> Any:
    return runner(org.url, capsys, user="sam")


def test_run_then_list_prints_the_keys_spec_names(org: Org, cli: Any) -> None:
    unaudited = cli("audits", "list", "--unaudited", "--json").json
    assert [n["note_id"] for n in unaudited] == [org.notes["ana"]]
    done = cli("audits", "run", "--json")
    assert done.json == {"audited": 1, "average": 100}
    assert "auditing notes: 1 of 1" in done.stderr
    listed = cli("audits", "list", "--json").json
    assert [set(a) for a in listed] == [{"note_id", "case_number", "author", "score", "criteria"}]
    (only,) = listed
    assert (only["note_id"], only["case_number"], only["author"], only["score"]) == (
        org.notes["ana"], org.cases["ana"], "ana", 100,
    )  # fmt: skip
    assert [set(c) for c in only["criteria"]] == [{"name", "met", "evidence"}] * 7
    assert only["criteria"][3]["evidence"] == "next steps: 'Agreed that I will call the housing…'"
    assert cli("audits", "list", "--unaudited", "--json").json == []


def test_the_administrator_runs_for_a_team_with_dates(org: Org, cli: Any) -> None:
    done = cli(
        "audits", "run", "--team", "South", "--from", "-7d", "--to", "today", "--json", user="admin"
    )
    assert done.json == {"audited": 1, "average": 10}
    trend = cli("audits", "trend", "--json", user="audrey").json
    assert [(t["worker"], t["average"], t["notes"]) for t in trend] == [("cara", 10, 1)]
    assert set(trend[0]["months"][0]) == {"month", "average", "notes"}
    table = cli("audits", "list", user="audrey")
    assert table.status == 0 and "cara" in table.stdout


@pytest.mark.parametrize(
    ("args", "user"),
    [
        (("audits", "run", "--team", "South"), "sam"),
        (("audits", "run", "--worker", "cara"), "sam"),
        (("audits", "run"), "ana"),
        (("audits", "run"), "audrey"),
        (("audits", "list", "--worker", "cara"), "sam"),
        (("audits", "list", "--worker", "sam"), "ana"),
        (("audits", "trend", "--worker", "cara", "--json"), "ana"),
    ],
)
def test_outside_scope_is_refused_never_empty(cli: Any, args: tuple[str, ...], user: str) -> None:
    assert cli(*args, user=user).refusal


def test_a_caseworker_lists_their_own_scores(org: Org, cli: Any) -> None:
    cli("audits", "run", user="admin")
    mine = cli("audits", "list", "--json", user="ana").json
    assert [a["author"] for a in mine] == ["ana"]
    assert [t["worker"] for t in cli("audits", "trend", "--json", user="ana").json] == ["ana"]


def test_usage_errors_exit_2(cli: Any) -> None:
    assert cli("audits").status == 2
    assert cli("audits", "list", "--score").status == 2
