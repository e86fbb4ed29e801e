"""``casetui attachments add``, ``list`` and ``get``: what they print, the JSON keys, how they
refuse (one line naming the rule, exit 1) and their usage errors (exit 2).

Run in this process (``casetui.cli.main``) against a small organisation in one SQLite file per
module; each test attaches to a case of its own, so the order does not matter.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cli_org
import pytest
from cli_org import plain_environment, runner, sqlite_org
from sqlalchemy import select

from casetui.domain.models import AuditEvent
from casetui.services import notes as note_service

KEYS = {"id", "case_number", "note_id", "name", "size", "media_type", "sha256", "restricted"}
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) + b"\x00" * 64


class Org(cli_org.Org):
    def audit_actions(self) -> list[tuple[str, str | None, str | None]]:
        with self.db.uow(write=False) as uow:
            rows = uow.session.execute(
                select(AuditEvent.action, AuditEvent.actor_username, AuditEvent.after).order_by(
                    AuditEvent.id
                )
            )
            return [tuple(r) for r in rows]  # type: ignore[misc]


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    staff = [("ana", "caseworker", "North"), ("cara", "caseworker", "South")]
    staff.append(("audrey", "auditor", None))
    with sqlite_org(tmp_path_factory, "cli_attachments", staff=staff) as (url, db):
        yield Org(url, db)


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plain_environment(monkeypatch, tmp_path)


@pytest.fixture
def cli(org: Org, capsys: pytest.CaptureFixture[str]) -> Any:
    return runner(org.url, capsys, user="ana")


def _file(folder: Path, name: str, content: bytes) -> Path:
    path = folder / name
    path.write_bytes(content)
    return path


# --- add, list, get ----------------------------------------------------------------------------


def test_add_list_and_get_round_trip_byte_for_byte(org: Org, cli: Any, tmp_path: Path) -> None:
    number = org.new_case()
    source = _file(tmp_path, "letter.pdf", PNG)  # the name says PDF; the content is a PNG
    added = cli("attachments", "add", "--case", number, str(source), "--json").json
    digest = hashlib.sha256(PNG).hexdigest()
    assert set(added) == KEYS
    assert added == {
        "id": added["id"], "case_number": number, "note_id": None, "name": "letter.pdf",
        "size": len(PNG), "media_type": "image/png", "sha256": digest, "restricted": False,
    }  # fmt: skip
    listed = cli("attachments", "list", "--case", number, "--json").json
    assert listed == [added]
    out = tmp_path / "copy.png"
    got = cli("attachments", "get", str(added["id"]), "--out", str(out))
    assert got.status == 0, got.stderr
    assert out.read_bytes() == PNG
    assert f"attachment {added['id']} saved to {out}" in got.stdout and digest in got.stdout
    downloads = [a for a in org.audit_actions() if a[0] == "attachment.download"]
    assert downloads[-1][1] == "ana"
    assert json.loads(downloads[-1][2] or "{}")["sha256"] == digest
    # Without --json, a line for people.
    text = cli("attachments", "add", "--case", number, str(source)).stdout
    assert text.startswith("attachment ") and "letter.pdf" in text and "image/png" in text
    table = cli("attachments", "list", "--case", number).stdout
    assert table.splitlines()[0].split() == [
        "ID",
        "ADDED",
        "BY",
        "NAME",
        "SIZE",
        "TYPE",
        "NOTE",
        "R",
    ]
    assert table.count("letter.pdf") == 2


def test_on_a_note_and_restricted(org: Org, cli: Any, tmp_path: Path) -> None:
    number = org.new_case()
    ana = org.actor("ana")
    kind = "Phone call"
    secret = note_service.add_note(
        org.db, ana, number, note_service.NoteInput("Disclosure", kind, restricted=True)
    )
    source = _file(tmp_path, "chain.txt", b"From: council\nSubject: rent\n\nPlease call.\n")
    on_note = cli(
        "attachments", "add", "--case", number, "--note", str(secret.id), str(source), "--json"
    ).json  # fmt: skip
    marked = cli("attachments", "add", "--case", number, str(source), "--restricted", "--json").json
    assert (on_note["note_id"], on_note["restricted"]) == (secret.id, True)
    assert (marked["note_id"], marked["restricted"]) == (None, True)
    assert [
        a["restricted"] for a in cli("attachments", "list", "--case", number, "--json").json
    ] == [
        True,
        True,
    ]
    other = org.new_case()
    refusal = cli(
        "attachments", "add", "--case", other, "--note", str(secret.id), str(source)
    ).refusal  # fmt: skip
    assert f"note {secret.id} is not on case {other}" in refusal


def test_the_json_list_is_an_audited_export(org: Org, cli: Any, tmp_path: Path) -> None:
    number = org.new_case()
    cli("attachments", "add", "--case", number, str(_file(tmp_path, "a.png", PNG)))
    cli("attachments", "list", "--case", number, "--json")
    action, who, after = org.audit_actions()[-1]
    assert (action, who) == ("export", "ana")
    assert json.loads(after or "{}") == {"rows": 1, "case": number}


# --- refusals ----------------------------------------------------------------------------------


def test_get_never_replaces_a_file(org: Org, cli: Any, tmp_path: Path) -> None:
    number = org.new_case()
    added = cli(
        "attachments", "add", "--case", number, str(_file(tmp_path, "a.png", PNG)), "--json"
    ).json  # fmt: skip
    mine = _file(tmp_path, "mine.txt", b"keep me")
    refusal = cli("attachments", "get", str(added["id"]), "--out", str(mine)).refusal
    assert "already exists; nothing was replaced" in refusal
    assert mine.read_bytes() == b"keep me"


def test_files_that_cannot_be_attached_are_named(org: Org, cli: Any, tmp_path: Path) -> None:
    number = org.new_case()
    missing = cli("attachments", "add", "--case", number, str(tmp_path / "gone.pdf")).refusal
    assert "there is no file" in missing and "gone.pdf" in missing
    folder = cli("attachments", "add", "--case", number, str(tmp_path)).refusal
    assert "is a folder" in folder
    cli("settings", "set", "attachment_limit_mb", "1", user="admin")
    try:
        big = _file(tmp_path, "scan.pdf", b"x" * 1_000_001)
        over = cli("attachments", "add", "--case", number, str(big)).refusal
        assert "scan.pdf is 1.0 MB, over the organisation's limit of 1 MB" in over
    finally:
        cli("settings", "set", "attachment_limit_mb", "25", user="admin")
    assert cli("attachments", "list", "--case", number, "--json").json == []


def test_who_may_add_and_get(org: Org, cli: Any, tmp_path: Path) -> None:
    number = org.new_case()
    source = str(_file(tmp_path, "a.png", PNG))
    added = cli("attachments", "add", "--case", number, source, "--json").json
    assert "read-only" in cli("attachments", "add", "--case", number, source, user="audrey").refusal
    assert "no case" in cli("attachments", "add", "--case", number, source, user="cara").refusal
    assert "no case" in cli("attachments", "list", "--case", number, user="cara").refusal
    stolen = tmp_path / "stolen.png"
    refusal = cli("attachments", "get", str(added["id"]), "--out", str(stolen), user="cara").refusal
    assert f"no attachment {added['id']} that you can see" in refusal
    assert not stolen.exists()
    # Auditors read, and their download is audited as anyone's.
    audited = tmp_path / "audited.png"
    assert (
        cli("attachments", "get", str(added["id"]), "--out", str(audited), user="audrey").status
        == 0
    )
    assert audited.read_bytes() == PNG
    assert org.audit_actions()[-1][:2] == ("attachment.download", "audrey")


def test_usage_errors(cli: Any) -> None:
    assert cli("attachments", "get", "1").status == 2  # --out is required
    assert cli("attachments", "get", "abc", "--out", "x").status == 2
    assert cli("attachments", "add", "--case", "X").status == 2  # no FILE
    assert cli("attachments", "list").status == 2
    assert cli("attachments", "add", "--case", "X", "--note", "0", "f").status == 2
