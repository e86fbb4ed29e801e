"""``casetui sar start``, ``show``, ``decide`` and ``export``: what they print, the JSON keys of
SPEC part two, how they refuse (one line naming the rule, exit 1) and their usage errors (2).

Run in this process (``casetui.cli.main``) against a small organisation in one SQLite file per
module; each test makes a client of its own, so the order does not matter.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cli_org
import pytest
from cli_org import plain_environment, runner, sqlite_org
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdf_tools import text, words
from sqlalchemy import select

from casetui.domain.models import AuditEvent
from casetui.services import attachments as attachment_service
from casetui.services import cases as case_service
from casetui.services import notes as note_service

SECRET = "ZK4-HELD-BACK"


class Org(cli_org.Org):
    def client(self) -> tuple[int, dict[str, int]]:
        """A client of ana's with a plain note, a restricted one (with an addendum and a file)
        and a 3rd Party contact, for one test."""
        ana = self.actor("ana")
        client_id = self.new_client("ana", with_case=False)
        number = case_service.open_case(
            self.db, ana, case_service.CaseInput(client_id=client_id)
        ).case_number

        def note(summary: str, **fields: Any) -> int:
            made = note_service.add_note(
                self.db, ana, number,
                note_service.NoteInput(summary=summary, activity_type="Phone call", **fields),
            )  # fmt: skip
            return made.id

        plain = note("Talked about rent")
        secret = note(f"Disclosure {SECRET}", details=SECRET, restricted=True)
        addendum = note_service.add_addendum(self.db, ana, secret, SECRET, "More").addenda[0].id
        attached = attachment_service.attach_stream(
            self.db, ana, number, f"{SECRET}.txt", io.BytesIO(SECRET.encode()), note_id=secret
        ).id
        third = note("Spoke to the landlord", contact_type="3rd Party", third_party_org="Harbour")
        return client_id, {
            "plain": plain, "secret": secret, "addendum": addendum, "attached": attached,
            "third": third,
        }  # fmt: skip

    def audit(self, action: str) -> list[tuple[str, dict[str, Any]]]:
        with self.db.uow(write=False) as uow:
            rows = uow.session.execute(
                select(AuditEvent.actor_username, AuditEvent.after)
                .where(AuditEvent.action == action)
                .order_by(AuditEvent.id)
            )
            return [(who, json.loads(after or "{}")) for who, after in rows]


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    staff = [("sam", "supervisor", "North"), ("ana", "caseworker", "North")]
    staff += [("cara", "caseworker", "South"), ("audrey", "auditor", None)]
    with sqlite_org(tmp_path_factory, "cli_sar", staff=staff) as (url, db):
        yield Org(url, db)


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plain_environment(monkeypatch, tmp_path)


@pytest.fixture
def cli(org: Org, capsys: pytest.CaptureFixture[str]) -> Any:
    return runner(org.url, capsys, user="sam")


ITEM_KEYS = {"item", "kind", "state", "reason"}


def test_start_and_show_print_the_keys_of_the_spec(org: Org, cli: Any) -> None:
    client_id, made = org.client()
    started = cli("sar", "start", "--client", str(client_id), "--json").json
    assert set(started) == {"id", "client_id", "items"}
    assert started["client_id"] == client_id
    assert all(set(item) == ITEM_KEYS for item in started["items"])
    states = {i["item"]: (i["kind"], i["state"], i["reason"]) for i in started["items"]}
    assert states[f"note:{made['plain']}"] == ("note", "released", None)
    assert states[f"note:{made['secret']}"] == ("note", "held", "restricted note")
    assert states[f"addendum:{made['addendum']}"] == (
        "addendum", "held", f"on note {made['secret']}: restricted note",
    )  # fmt: skip
    assert states[f"note:{made['third']}"] == ("note", "held", "3rd Party contact")
    assert {i["state"] for i in started["items"]} == {"held", "released"}
    shown = cli("sar", "show", str(started["id"]), "--json").json
    assert shown == started
    # The listing printed as JSON is an export, in the audit trail.
    assert org.audit("export")[-1] == (
        "sam", {"rows": len(shown["items"]), "request": started["id"]},
    )  # fmt: skip


def test_start_and_show_without_json_are_lines_for_people(org: Org, cli: Any) -> None:
    client_id, made = org.client()
    started = cli("sar", "start", "--client", str(client_id))
    assert started.status == 0, started.stderr
    first = started.stdout.splitlines()[0]
    assert first.startswith("subject-access request ") and "4 held for review" in first
    assert f"  held: note:{made['secret']} (restricted note)" in started.stdout
    assert "next: casetui sar decide" in started.stdout
    request_id = first.split()[2]
    shown = cli("sar", "show", request_id).stdout.splitlines()
    assert shown[1].split() == ["ITEM", "KIND", "STATE", "REASON"]
    assert any(line.split()[:3] == [f"note:{made['third']}", "note", "held"] for line in shown)


def test_decide_releases_and_withholds_with_a_reason(org: Org, cli: Any) -> None:
    client_id, made = org.client()
    request_id = str(cli("sar", "start", "--client", str(client_id), "--json").json["id"])
    secret = f"note:{made['secret']}"
    refused = cli("sar", "decide", request_id, secret, "withhold").refusal
    assert "reason: is required to withhold" in refused
    done = cli("sar", "decide", request_id, secret, "withhold", "--reason", "Names a neighbour")
    assert done.stdout == f"{secret} withheld: Names a neighbour\n"
    released = cli("sar", "decide", request_id, f"note:{made['third']}", "release")
    assert released.stdout == f"note:{made['third']} released\n"
    states = {i["item"]: i for i in cli("sar", "show", request_id, "--json").json["items"]}
    assert states[secret]["state"] == "withheld"
    assert states[secret]["reason"] == "Names a neighbour"
    assert org.audit("sar.decide")[-1][0] == "sam"


@pytest.mark.parametrize(
    ("who", "words"),
    [
        ("ana", "for supervisors and administrators"),
        ("audrey", "for supervisors and administrators"),
    ],
)
def test_who_may_decide(org: Org, cli: Any, who: str, words: str) -> None:
    client_id, made = org.client()
    request_id = str(cli("sar", "start", "--client", str(client_id), "--json").json["id"])
    refused = cli(
        "sar", "decide", request_id, f"note:{made['secret']}", "release", user=who
    ).refusal
    assert words in refused


def test_start_refuses_without_the_grant_or_out_of_sight(org: Org, cli: Any) -> None:
    client_id, _ = org.client()
    assert "needs the reports grant" in cli("sar", "start", "--client", str(client_id),
                                            user="ana").refusal  # fmt: skip
    assert "no client" in cli("sar", "start", "--client", "999999").refusal
    # Auditors hold the reports grant: they may gather (and export) but not decide.
    assert cli("sar", "start", "--client", str(client_id), "--json", user="audrey").json["id"]


def test_export_refused_while_undecided_then_written(org: Org, cli: Any, tmp_path: Path) -> None:
    client_id, made = org.client()
    request_id = str(cli("sar", "start", "--client", str(client_id), "--json").json["id"])
    out = tmp_path / "bundle"
    refused = cli("sar", "export", request_id, "--out", str(out)).refusal
    assert "4 item(s)" in refused and "held and undecided" in refused
    assert not out.exists()
    for item in ("secret", "addendum", "attached"):
        cli("sar", "decide", request_id, f"{item_kind(item)}:{made[item]}", "withhold",
            "--reason", "About someone else")  # fmt: skip
    cli("sar", "decide", request_id, f"note:{made['third']}", "release")
    done = cli("sar", "export", request_id, "--out", str(out), user="audrey")
    assert done.status == 0, done.stderr
    assert done.stdout.startswith(f"subject-access request {request_id} exported to {out}: ")
    assert "3 withheld" in done.stdout
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert "SHA256SUMS" in files and "withheld.json" in files
    for path in out.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    printed = words(text(out / "subject-access.pdf"))
    assert "Subject-access request" in printed and "Talked about rent" in printed
    assert "Spoke to the landlord" in printed and SECRET not in printed
    if shutil.which("sha256sum"):
        checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    [(who, after)] = [a for a in org.audit("sar.export") if a[1]["folder"] == str(out)]
    assert who == "audrey" and after["sha256"] in done.stdout
    # A second export never writes over the first.
    again = cli("sar", "export", request_id, "--out", str(out)).refusal
    assert "is not empty" in again


def item_kind(name: str) -> str:
    return {"secret": "note", "addendum": "addendum", "attached": "attachment"}[name]


@pytest.mark.parametrize(
    "args",
    [
        ("sar",),
        ("sar", "start"),
        ("sar", "start", "--client", "abc"),
        ("sar", "show"),
        ("sar", "show", "0"),
        ("sar", "decide", "1", "note:1"),
        ("sar", "decide", "1", "note:1", "publish"),
        ("sar", "export", "1"),
    ],
)
def test_usage_errors_exit_2(cli: Any, args: tuple[str, ...]) -> None:
    assert cli(*args).status == 2


def test_a_malformed_item_is_refused_by_field(org: Org, cli: Any) -> None:
    client_id, _ = org.client()
    request_id = str(cli("sar", "start", "--client", str(client_id), "--json").json["id"])
    refused = cli("sar", "decide", request_id, "memo:4", "release").refusal
    assert "item: 'memo:4' is not an item such as note:123" in refused


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(item=st.text(max_size=40), reason=st.text(max_size=80))
def test_decide_takes_any_text_and_answers_in_one_line(
    org: Org, cli: Any, item: str, reason: str
) -> None:
    if "\x00" in item + reason or any("\ud800" <= ch <= "\udfff" for ch in item + reason):
        return  # no command line carries these
    done = cli("sar", "decide", "1", item, "withhold", "--reason", reason)
    assert done.status in (0, 1, 2)
    if done.status == 1:
        assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith("refused:")
    assert "Traceback" not in done.stderr
