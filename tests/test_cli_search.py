"""``casetui search TEXT [--json]``, run as a user runs it: a separate process, exit status,
stdout and stderr, on a small demo database."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.test_cli import ALL_STATUSES, Cli, _env, needs_demo

HIT_KEYS = {"kind", "id", "case_number", "title", "snippet"}

pytestmark = needs_demo


@dataclass
class Searchable:
    cli: Cli
    cases: list[dict[str, Any]]  # every case, as the administrator sees them
    staff: list[dict[str, Any]]
    note_case: str  # holds the one note that says "quokka"

    def exports(self) -> list[tuple[str, str, dict[str, Any]]]:
        with sqlite3.connect(self.cli.db.removeprefix("sqlite:///")) as connection:
            rows = connection.execute(
                "SELECT actor_username, entity, after FROM audit_event"
                " WHERE action = 'export' ORDER BY id"
            ).fetchall()
        return [(who, what, json.loads(after)) for who, what, after in rows]


@pytest.fixture(scope="module")
def searchable(tmp_path_factory: pytest.TempPathFactory) -> Searchable:
    home = tmp_path_factory.mktemp("cli-search")
    cli = Cli(f"sqlite:///{home / 'search.db'}", _env(home))
    cli.ok("init", user=None)
    cli.ok("demo", "--cases", "30", "--staff", "6", "--seed", "4", user=None)
    cases = cli.json("cases", "list", *ALL_STATUSES)
    number = cases[0]["case_number"]
    cli.ok(
        "notes", "add", "--case", number, "--activity", "Phone call",
        "--summary", "Talked about the quokka sanctuary", "--details", "Volunteering next month",
    )  # fmt: skip
    return Searchable(cli, cases, cli.json("staff", "list"), number)


def _search(s: Searchable, *text: str, user: str = "admin") -> list[dict[str, Any]]:
    return s.cli.json("search", *text, user=user)


def test_json_is_one_array_of_hits_with_the_spec_keys(searchable: Searchable) -> None:
    case = searchable.cases[0]
    surname = case["client_name"].split()[-1]
    for text in (surname, case["case_number"], "quokka", "QUOKKA sanct"):
        hits = _search(searchable, text)
        assert hits, text
        assert all(set(hit) == HIT_KEYS for hit in hits), hits
        assert all(hit["kind"] in ("client", "case", "note") for hit in hits)
        assert all(isinstance(hit["id"], int) for hit in hits)
    (note,) = _search(searchable, "quokka")
    assert note["kind"] == "note" and note["case_number"] == searchable.note_case
    assert note["snippet"] == "Talked about the [quokka] sanctuary"
    (numbered,) = [h for h in _search(searchable, case["case_number"]) if h["kind"] == "case"]
    assert numbered["case_number"] == case["case_number"]
    assert numbered["title"].startswith(f"{case['case_number']} · {case['client_name']}")
    named = [h for h in _search(searchable, surname) if h["kind"] == "client"]
    assert all(h["case_number"] is None for h in named)
    assert any(case["client_name"] in h["title"] for h in named)


def test_several_words_need_no_quotes(searchable: Searchable) -> None:
    assert _search(searchable, "quokka", "sanctuary") == _search(searchable, "quokka sanctuary")


def test_the_table_is_grouped_by_kind(searchable: Searchable) -> None:
    case = searchable.cases[0]
    surname = case["client_name"].split()[-1]
    printed = searchable.cli.ok("search", surname)
    assert printed.splitlines()[0].startswith("CLIENTS (")
    printed = searchable.cli.ok("search", searchable.note_case)
    assert printed.splitlines()[0] == "CASES (1)"
    assert "NOTES" not in printed
    assert searchable.cli.ok("search", "quokka").splitlines()[0] == "NOTES (1)"
    assert searchable.cli.ok("search", "xylophonist").strip() == "nothing found"


def test_a_caseworker_finds_only_their_own_cases(searchable: Searchable) -> None:
    workers = {c["worker"] for c in searchable.cases}
    worker = next(
        s["username"]
        for s in searchable.staff
        if s["role"] == "caseworker" and s["username"] in workers
    )
    own = next(c for c in searchable.cases if c["worker"] == worker)
    other = next(c for c in searchable.cases if c["worker"] != worker)
    assert [h["case_number"] for h in _search(searchable, own["case_number"], user=worker)] == [
        own["case_number"]
    ]
    found = _search(searchable, other["case_number"], user=worker)
    assert other["case_number"] not in {h["case_number"] for h in found}


def test_nothing_found_is_an_empty_array_and_exit_0(searchable: Searchable) -> None:
    assert _search(searchable, "xylophonist") == []
    assert _search(searchable, '"(NEAR*') == []


def test_json_is_an_audited_export_and_the_table_is_not(searchable: Searchable) -> None:
    before = len(searchable.exports())
    hits = _search(searchable, "quokka")
    searchable.cli.ok("search", "quokka")
    found = searchable.exports()[before:]
    assert found == [("admin", "search", {"rows": len(hits), "query": "quokka"})]


@pytest.mark.parametrize(
    "args", [["search"], ["search", ""], ["search", "  "], ["search", "--json"]]
)
def test_search_without_text_is_a_usage_error(tmp_path: Path, args: list[str]) -> None:
    done = Cli(f"sqlite:///{tmp_path / 'empty.db'}", _env(tmp_path))(*args)
    assert done.returncode == 2, done.stderr
    assert "usage" in done.stderr


def test_an_unknown_user_is_refused_in_one_line(searchable: Searchable) -> None:
    done = searchable.cli("search", "quokka", user="nobody-here")
    assert done.returncode == 1, done.stdout
    assert len(done.stderr.splitlines()) == 1 and done.stdout == ""
