"""``casetui cases transfer``: a preview unless --commit, the moves and the utilisation table,
``--json`` as one object, and one line naming the rule when refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_org import Org, plain_environment, runner, sqlite_org

from casetui.db.uow import Database
from casetui.services import auth
from casetui.services import cases as case_service
from casetui.services import clients as client_service


@pytest.fixture
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Database, list[str]]]:
    """North: supervisor sam, leaver lee (a High and two Low cases), tia and uma (none)."""
    staff = [("sam", "supervisor", "North")]
    staff += [(name, "caseworker", "North") for name in ("lee", "tia", "uma", "ana")]
    with sqlite_org(tmp_path_factory, "cli_transfer", staff=staff) as (url, db):
        admin = Org(url, db).actor("admin")
        numbers = []
        for concern in ("High", "Low", "Low"):
            client = client_service.register_client(
                db, admin, client_service.ClientInput(name=f"{concern} client")
            )
            case = case_service.CaseInput(client_id=client, concern=concern, worker="lee")
            numbers.append(case_service.open_case(db, admin, case).case_number)
        yield url, db, numbers


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plain_environment(monkeypatch, tmp_path)
    monkeypatch.delenv("CASETUI_NEW_PASSWORD", raising=False)
    monkeypatch.setattr(auth, "_sleep", lambda seconds: None)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)


@pytest.fixture
def cli(org: tuple[str, Database, list[str]], capsys: pytest.CaptureFixture[str]) -> Any:
    return runner(org[0], capsys, user="sam")


def _workers(cli: Any) -> dict[str, str]:
    done = cli("cases", "list", "--json", user="admin")
    return {c["case_number"]: c["worker"] for c in json.loads(done.stdout)}


def test_preview_prints_the_moves_and_utilisation_and_moves_nothing(
    cli: Any, org: tuple[str, Database, list[str]]
) -> None:
    high, low1, low2 = org[2]
    done = cli("cases", "transfer", "--from", "lee", "--to", "tia", "--to", "uma")
    assert done.status == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["CASE", "CLIENT", "CONCERN", "STATUS", "HOURS", "FROM", "TO"]
    # High to tia (equal capacities, tia first by name), then both Lows to uma, the emptier.
    assert [line.split()[0] for line in lines[1:4]] == [high, low1, low2]
    assert [line.split()[-1] for line in lines[1:4]] == ["tia", "uma", "uma"]
    people = {line.split()[0]: line.split() for line in lines[5:]}
    assert people["lee"][1:] == ["37.5", "6", "0", "16%", "0%"]
    assert people["tia"][1:] == ["37.5", "0", "4", "0%", "11%"]
    assert people["uma"][1:] == ["37.5", "0", "2", "0%", "5%"]
    assert "nothing moved" in done.stderr and "--commit" in done.stderr
    assert set(_workers(cli).values()) == {"lee"}


def test_commit_moves_them_and_json_is_one_object(
    cli: Any, org: tuple[str, Database, list[str]]
) -> None:
    high, low1, low2 = org[2]
    done = cli("cases", "transfer", "--from", "lee", "--to", "tia", "--to", "uma", "--commit",
               "--json")  # fmt: skip
    assert done.status == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == {"committed", "from", "to", "moves", "people"}
    assert (result["committed"], result["from"], result["to"]) == (True, "lee", ["tia", "uma"])
    assert result["moves"][0] == {
        "case_number": high, "client": "High client", "concern": "High", "status": "Open",
        "hours": 4.0, "from": "lee", "to": "tia",
    }  # fmt: skip
    assert [p["username"] for p in result["people"]] == ["lee", "tia", "uma"]
    assert result["people"][0]["allocated_after"] == 0.0
    assert _workers(cli) == {high: "tia", low1: "uma", low2: "uma"}


@pytest.mark.parametrize(
    ("args", "user", "words"),
    [
        (["--from", "lee", "--to", "tia"], "ana", "supervisors and administrators"),
        (["--from", "lee", "--to", "lee"], "sam", "who holds them"),
        (["--from", "lee", "--to", "nobody"], "sam", "no active staff member"),
    ],
)
def test_refusals_are_one_line(cli: Any, args: list[str], user: str, words: str) -> None:
    done = cli("cases", "transfer", *args, "--commit", user=user)
    assert done.status == 1 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and words in done.stderr
    assert set(_workers(cli).values()) == {"lee"}


def test_to_is_required(cli: Any) -> None:
    assert cli("cases", "transfer", "--from", "lee").status == 2
