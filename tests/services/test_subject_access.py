"""Subject-access requests on SQLite and PostgreSQL: what is held and what released, decisions
and who may make them, the export refused while anything is undecided, nothing withheld in
the folder (PDF, JSON, files), SHA256SUMS checked by ``sha256sum -c``, and the audit trail."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pdf_tools import page_count, pages_text, words

from casetui.domain.actor import Actor
from casetui.domain.enums import Grant
from casetui.domain.errors import NotFound, PermissionDenied, ValidationError
from casetui.domain.models import CONFIDENTIALITY_NOTICE, AuditEvent, SupportiveService
from casetui.domain.subject_access import ItemState, SarRequestView, Undecided
from casetui.services import attachments as attachment_service
from casetui.services import cases as case_service
from casetui.services import communications as comms
from casetui.services import notes as note_service
from casetui.services import subject_access as sar
from casetui.services import subject_access_bundle as bundle_files
from casetui.services.communications import CommunicationInput
from casetui.services.notes import NoteChanges, NoteInput
from casetui.services.tasks import TaskInput

from .conftest import World

SECRET = "QX7-WITHHELD-MARKER"  # in everything withheld: must appear nowhere in the export
CONTENT = "KV3-RELEASED-CONTENT"  # in everything released: must appear in the export
LETTER = f"Dear client, {CONTENT} letter".encode()


@dataclass
class Filled:
    """One client's case, with something of every kind on it."""

    plain_note: int
    plain_addendum: int
    restricted_note: int
    restricted_addendum: int
    restricted_file: int
    restricted_task: int
    third_party_note: int
    call: int
    service: int
    case_file: int
    own_restricted_file: int
    deleted_note: int
    case_id: int


def _note(w: World, summary: str, **fields: object) -> int:
    return w.note(w.ana, w.ana_case, summary, **fields).id


def _service(w: World, case_id: int) -> int:
    with w.db.uow() as uow:
        now = uow.now()
        row = SupportiveService(
            case_id=case_id, author_id=w.ana.id, service_type="Bus pass",
            provided_on=now.date(), provider=f"City transport {CONTENT}",
            amount=Decimal("12.50"), grant="Hardship fund", justification="To reach the job centre",
            created_at=now, updated_at=now,
        )  # fmt: skip
        uow.session.add(row)
        uow.session.flush()
        service_id = row.id
        uow.commit()
    assert service_id is not None
    return service_id


def _attach(w: World, name: str, content: bytes, **options: object) -> int:
    return w.run(
        attachment_service.attach_stream, w.ana, w.ana_case, name, io.BytesIO(content), **options
    ).id


@pytest.fixture
def filled(world: World) -> Filled:
    w = world
    plain = _note(w, f"Talked about rent {CONTENT}", details=f"Rent is due {CONTENT}")
    plain_add = w.run(note_service.add_addendum, w.ana, plain, f"Paid {CONTENT}", "Update")
    restricted = w.run(
        note_service.add_note, w.ana, w.ana_case,
        NoteInput(summary=f"Disclosure {SECRET}", activity_type="Phone call",
                  details=f"What was said {SECRET}", restricted=True),
        [TaskInput(name=f"Call the GP about {SECRET}", due="+1w")],
    )  # fmt: skip
    restricted_add = w.run(
        note_service.add_addendum, w.ana, restricted.id, f"More {SECRET}", f"Why {SECRET}"
    )
    third = _note(
        w, f"Spoke to the landlord {CONTENT}", contact_type="3rd Party",
        third_party_org="Harbour Housing", details=f"Landlord said {CONTENT}",
    )  # fmt: skip
    call = w.run(
        comms.add_communication, w.ana, w.ana_case,
        CommunicationInput(kind="phone", subject=f"Rang the client {CONTENT}", direction="in"),
    ).id  # fmt: skip
    case_id = w.case_id(w.ana_case)
    service = _service(w, case_id)
    restricted_file = _attach(
        w, f"report-{SECRET}.txt", f"The report {SECRET}".encode(), note_id=restricted.id
    )
    case_file = _attach(w, "letter from the council.txt", LETTER)
    own_restricted = _attach(w, "assessment.txt", f"Assessment {SECRET}".encode(), restricted=True)
    deleted = _note(w, f"Written in error {SECRET}")
    w.run(note_service.add_addendum, w.ana, deleted, f"Gone {SECRET}", "Mistake")
    w.run(note_service.delete_note, w.ana, deleted)
    task_id = next(t.id for t in _tasks(w, case_id) if SECRET in t.name)
    return Filled(
        plain, plain_add.addenda[0].id, restricted.id, restricted_add.addenda[0].id,
        restricted_file, task_id, third, call, service, case_file, own_restricted, deleted,
        case_id,
    )  # fmt: skip


def _tasks(w: World, case_id: int) -> list:  # type: ignore[type-arg]
    from casetui.repositories.tasks import TaskRepository

    return w.read(lambda uow: TaskRepository(uow.session, w.admin).views(case_id=case_id))


def _states(view: SarRequestView) -> dict[str, tuple[str, str | None]]:
    return {i.item: (i.state.value, i.reason) for i in view.items}


def _events(w: World, action: str) -> list[AuditEvent]:
    return [e for e in w.audit_events() if e.action == action]


def _with(actor: Actor, *grants: Grant) -> Actor:
    return replace(actor, grants=actor.grants | frozenset(grants))


def _without(actor: Actor, grant: Grant) -> Actor:
    return replace(actor, grants=actor.grants - {grant})


# --- what is held, what released -------------------------------------------------------------


def test_start_holds_restricted_and_third_party_notes_and_what_hangs_on_them(
    world: World, filled: Filled
) -> None:
    f = filled
    view = world.run(sar.start_request, world.sam, world.ana_client)

    assert view.client_id == world.ana_client and view.client_name == "Amal Haddad"
    assert _states(view) == {
        f"client:{world.ana_client}": ("released", None),
        f"case:{f.case_id}": ("released", None),
        f"note:{f.plain_note}": ("released", None),
        f"addendum:{f.plain_addendum}": ("released", None),
        f"note:{f.restricted_note}": ("held", "restricted note"),
        f"addendum:{f.restricted_addendum}": (
            "held", f"on note {f.restricted_note}: restricted note",
        ),
        f"attachment:{f.restricted_file}": (
            "held", f"on note {f.restricted_note}: restricted note",
        ),
        f"task:{f.restricted_task}": ("held", f"on note {f.restricted_note}: restricted note"),
        f"note:{f.third_party_note}": ("held", "3rd Party contact"),
        f"communication:{f.call}": ("released", None),
        f"service:{f.service}": ("released", None),
        f"attachment:{f.case_file}": ("released", None),
        f"attachment:{f.own_restricted_file}": ("held", "restricted attachment"),
    }  # fmt: skip
    # The deleted note and its addendum are not held about the client any more.
    assert not any(str(f.deleted_note) == i.item.split(":")[1] for i in view.items
                   if i.kind == "note")  # fmt: skip
    # Reading order: the record, the case, each note followed by what hangs on it.
    keys = [i.item for i in view.items]
    assert keys[:2] == [f"client:{world.ana_client}", f"case:{f.case_id}"]
    at = keys.index(f"note:{f.restricted_note}")
    assert set(keys[at + 1 : at + 4]) == {
        f"addendum:{f.restricted_addendum}", f"attachment:{f.restricted_file}",
        f"task:{f.restricted_task}",
    }  # fmt: skip
    assert len(view.undecided) == 6 and view.count(ItemState.RELEASED) == 7


def test_a_third_party_note_that_is_also_restricted_says_both(world: World) -> None:
    note = world.note(
        world.ana, world.ana_case, "Both", contact_type="3rd Party",
        third_party_org="Clinic", restricted=True,
    )  # fmt: skip
    view = world.run(sar.start_request, world.sam, world.ana_client)
    assert _states(view)[f"note:{note.id}"] == ("held", "restricted note, 3rd Party contact")


def test_show_reads_the_request_as_it_stands(world: World, filled: Filled) -> None:
    started = world.run(sar.start_request, world.admin, world.ana_client)
    shown = world.run(sar.show_request, world.audrey, started.id)
    assert shown.items == started.items and shown.requested_by == "admin"
    assert shown.changes == ()


def test_a_client_with_cases_out_of_sight_is_gathered_as_far_as_one_sees(world: World) -> None:
    # Amal also has a case with cara's team, which sam cannot see.
    case_service.open_case(
        world.db, world.admin,
        case_service.CaseInput(client_id=world.ana_client, worker="cara"),
    )  # fmt: skip
    view = world.run(sar.start_request, world.sam, world.ana_client)
    assert view.cases_out_of_sight == 1
    assert sum(1 for i in view.items if i.kind == "case") == 1
    # One started by an administrator holds that case: not sam's to read.
    everything = world.run(sar.start_request, world.admin, world.ana_client)
    assert sum(1 for i in everything.items if i.kind == "case") == 2
    with pytest.raises(PermissionDenied, match="cases you cannot see"):
        world.run(sar.show_request, world.sam, everything.id)


# --- deciding --------------------------------------------------------------------------------


def test_withholding_needs_a_reason_and_releasing_does_not(world: World, filled: Filled) -> None:
    view = world.run(sar.start_request, world.sam, world.ana_client)
    note = f"note:{filled.restricted_note}"
    with pytest.raises(ValidationError, match="reason: is required to withhold"):
        world.run(sar.decide, world.sam, view.id, note, "withhold")
    with pytest.raises(ValidationError, match="reason: is required to withhold"):
        world.run(sar.decide, world.sam, view.id, note, "withhold", "   ")
    withheld = world.run(sar.decide, world.sam, view.id, note, "withhold", "Third party's health")
    assert (withheld.state, withheld.reason, withheld.decided_by) == (
        ItemState.WITHHELD, "Third party's health", "sam",
    )  # fmt: skip
    third = f"note:{filled.third_party_note}"
    released = world.run(sar.decide, world.sam, view.id, third, "release")
    assert (released.state, released.reason) == (ItemState.RELEASED, None)
    shown = _states(world.run(sar.show_request, world.sam, view.id))
    assert shown[note] == ("withheld", "Third party's health")
    assert shown[third] == ("released", None)
    # A decision may be changed until the export; the latest one stands.
    world.run(sar.decide, world.admin, view.id, note, "release", "Reviewed with the client's GP")
    assert _states(world.run(sar.show_request, world.sam, view.id))[note] == (
        "released", "Reviewed with the client's GP",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("item", "decision", "error", "words"),
    [
        ("note:abc", "release", ValidationError, "not an item"),
        ("memo:12", "release", ValidationError, "not an item"),
        ("note:", "release", ValidationError, "not an item"),
        ("note:99999", "release", NotFound, "is not in subject-access request"),
        ("note:99999999999", "release", ValidationError, "not an item"),
        ("note:1", "publish", ValidationError, "decision: is release or withhold"),
    ],
)
def test_decisions_refused_by_field(
    world: World, item: str, decision: str, error: type[Exception], words: str
) -> None:
    view = world.run(sar.start_request, world.sam, world.ana_client)
    before = world.dump()
    with pytest.raises(error, match=words):
        world.run(sar.decide, world.sam, view.id, item, decision, "because")
    assert world.dump() == before


def test_any_item_may_be_withheld_not_only_a_held_one(world: World, filled: Filled) -> None:
    view = world.run(sar.start_request, world.sam, world.ana_client)
    item = f"communication:{filled.call}"
    world.run(sar.decide, world.sam, view.id, item, "withhold", "About someone else")
    assert _states(world.run(sar.show_request, world.sam, view.id))[item] == (
        "withheld", "About someone else",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("who", "grants", "error"),
    [
        ("ana", (Grant.REPORTS,), PermissionDenied),  # a caseworker, even with the grant
        ("audrey", (), PermissionDenied),  # auditors read; they do not decide
        ("sam", None, PermissionDenied),  # a supervisor without the reports grant
        ("cara", (Grant.REPORTS,), PermissionDenied),
    ],
)
def test_only_supervisors_and_administrators_with_the_grant_decide(
    world: World, filled: Filled, who: str, grants: tuple[Grant, ...] | None, error: type
) -> None:
    view = world.run(sar.start_request, world.admin, world.ana_client)
    person = getattr(world, who)
    person = _without(person, Grant.REPORTS) if grants is None else _with(person, *grants)
    before = world.dump()
    with pytest.raises(error):
        world.run(sar.decide, person, view.id, f"note:{filled.restricted_note}", "withhold", "No")
    assert world.dump() == before


def test_starting_needs_the_reports_grant_and_sight_of_the_client(world: World) -> None:
    with pytest.raises(PermissionDenied, match="needs the reports grant"):
        world.run(sar.start_request, world.ana, world.ana_client)
    # With the grant, a caseworker may gather their own client, but not someone else's.
    granted = _with(world.ana, Grant.REPORTS)
    assert world.run(sar.start_request, granted, world.ana_client).client_id == world.ana_client
    with pytest.raises(NotFound):
        world.run(sar.start_request, granted, world.cara_client)
    with pytest.raises(NotFound):
        world.run(sar.start_request, world.sam, world.cara_client)
    with pytest.raises(NotFound):
        world.run(sar.start_request, world.admin, 999_999)


def test_a_request_is_read_only_by_those_who_see_its_client(world: World) -> None:
    view = world.run(sar.start_request, world.admin, world.cara_client)
    with pytest.raises(NotFound, match="no subject-access request"):
        world.run(sar.show_request, world.sam, view.id)
    with pytest.raises(NotFound):
        world.run(sar.decide, world.sam, view.id, f"client:{world.cara_client}", "release")
    assert world.run(sar.show_request, world.audrey, view.id).id == view.id


# --- changes after the start ---------------------------------------------------------------


def test_what_changed_since_the_start_is_held_before_anything_goes_out(
    world: World, filled: Filled, tmp_path: Path
) -> None:
    view = world.run(sar.start_request, world.sam, world.ana_client)
    for item in view.undecided:
        world.run(sar.decide, world.sam, view.id, item.item, "release")
    # Since then: a new restricted note, a released plain note made restricted, and the
    # 3rd Party note (released by a reviewer) edited.
    fresh = world.note(world.ana, world.ana_case, "Later", restricted=True)
    world.run(note_service.edit_note, world.ana, filled.plain_note, NoteChanges(restricted=True))
    world.run(
        note_service.edit_note, world.ana, filled.third_party_note,
        NoteChanges(details=f"Landlord also said {SECRET}"),
    )  # fmt: skip
    shown = world.run(sar.show_request, world.sam, view.id)
    states = _states(shown)
    assert states[f"note:{fresh.id}"] == ("held", "restricted note")
    assert states[f"note:{filled.plain_note}"] == ("held", "restricted note")
    assert states[f"note:{filled.third_party_note}"] == (
        "held", "3rd Party contact; changed since it was released",
    )  # fmt: skip
    # The plain note's addendum goes with it.
    assert states[f"addendum:{filled.plain_addendum}"] == (
        "held", f"on note {filled.plain_note}: restricted note",
    )  # fmt: skip
    assert len(shown.changes) == 4

    with pytest.raises(Undecided, match="4 item"):
        world.run(sar.export_request, world.sam, view.id, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    refreshed = _events(world, "sar.refresh")
    assert len(refreshed) == 1 and f"note:{fresh.id} added" in (refreshed[0].after or "")


def test_a_record_deleted_since_the_start_is_left_out(world: World, filled: Filled) -> None:
    view = world.run(sar.start_request, world.sam, world.ana_client)
    world.run(note_service.delete_note, world.ana, filled.third_party_note)
    shown = world.run(sar.show_request, world.sam, view.id)
    assert f"note:{filled.third_party_note}" not in _states(shown)


# --- exporting ----------------------------------------------------------------------------


def _decided(world: World, filled: Filled) -> int:
    """A request with everything withheld that holds the secret, the 3rd Party note released."""
    view = world.run(sar.start_request, world.sam, world.ana_client)
    for item in view.undecided:
        if item.item == f"note:{filled.third_party_note}":
            world.run(sar.decide, world.sam, view.id, item.item, "release", "Cleared")
        else:
            world.run(sar.decide, world.sam, view.id, item.item, "withhold", "Names a third party")
    return view.id


def _all_text(folder: Path) -> bytes:
    """Every file's bytes, and the PDF's text as pdftotext reads it."""
    found = b""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            found += path.read_bytes()
            if path.suffix == ".pdf":
                found += subprocess.run(
                    ["pdftotext", "-enc", "UTF-8", str(path), "-"],
                    check=True, capture_output=True,
                ).stdout  # fmt: skip
    return found


def test_export_is_refused_while_anything_is_undecided(
    world: World, filled: Filled, tmp_path: Path
) -> None:
    view = world.run(sar.start_request, world.sam, world.ana_client)
    world.run(sar.decide, world.sam, view.id, f"note:{filled.restricted_note}", "withhold", "No")
    out = tmp_path / "bundle"
    before = world.dump()
    with pytest.raises(Undecided, match="5 item\\(s\\) .* held and undecided"):
        world.run(sar.export_request, world.sam, view.id, out)
    assert world.dump() == before
    assert not out.exists()
    assert not any(p.name.startswith(".casetui-sar-") for p in tmp_path.iterdir())


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs sha256sum (coreutils)")
def test_the_export_holds_everything_released_and_nothing_withheld(
    world: World, filled: Filled, tmp_path: Path
) -> None:
    request_id = _decided(world, filled)
    out = tmp_path / "bundle"
    result = world.run(sar.export_request, world.sam, request_id, out)

    assert Path(result.folder) == out
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert names == sorted(result.files)
    assert {"subject-access.json", "withheld.json", "SHA256SUMS"} <= set(names)
    # Nothing withheld anywhere: not in a file, not in a file's name, not in the PDF's text.
    assert SECRET.encode() not in _all_text(out)
    assert not any(SECRET in name for name in names)
    # The manifest covers every other file, and sha256sum agrees with it.
    manifest = (out / "SHA256SUMS").read_text()
    assert sorted(line.split("  ", 1)[1] for line in manifest.splitlines()) == sorted(
        n for n in names if n != "SHA256SUMS"
    )
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert result.manifest_sha256 == hashlib.sha256(manifest.encode()).hexdigest()

    bundle = json.loads((out / "subject-access.json").read_text())
    assert bundle["client"]["name"] == "Amal Haddad"
    assert [n["id"] for n in bundle["notes"]] == [filled.plain_note, filled.third_party_note]
    assert bundle["notes"][1]["third_party_org"] == "Harbour Housing"
    assert [a["id"] for a in bundle["addenda"]] == [filled.plain_addendum]
    assert [c["id"] for c in bundle["communications"]] == [filled.call]
    assert [s["amount"] for s in bundle["services"]] == ["12.50"]
    assert bundle["tasks"] == []
    [letter] = bundle["attachments"]
    assert letter["id"] == filled.case_file
    assert letter["file"] == f"attachments/{filled.case_file}-letter_from_the_council.txt"
    assert (out / letter["file"]).read_bytes() == LETTER
    assert CONTENT.encode() in (out / "subject-access.json").read_bytes()

    withheld = json.loads((out / "withheld.json").read_text())
    assert sorted(w["item"] for w in withheld["withheld"]) == sorted(
        [
            f"note:{filled.restricted_note}", f"addendum:{filled.restricted_addendum}",
            f"attachment:{filled.restricted_file}", f"task:{filled.restricted_task}",
            f"attachment:{filled.own_restricted_file}",
        ]
    )  # fmt: skip
    assert {tuple(sorted(w)) for w in withheld["withheld"]} == {("item", "kind", "reason")}
    assert {w["reason"] for w in withheld["withheld"]} == {"Names a third party"}

    # The PDF reads as the JSON does: what was released, the withheld list, the notice.
    pdf = out / "subject-access.pdf"
    pages = pages_text(pdf)
    assert len(pages) == page_count(pdf) >= 1
    read = words(" ".join(pages))
    for expected in (
        "Subject-access request",
        "Amal Haddad",
        f"Talked about rent {CONTENT}",
        f"Landlord said {CONTENT}",
        f"Paid {CONTENT}",
        f"Rang the client {CONTENT}",
        f"City transport {CONTENT}",
        "12.50 GBP",
        "letter from the council.txt",
        letter["file"],
        f"note:{filled.restricted_note} (note)",
        "Reason: Names a third party",
    ):
        assert expected in read, expected
    assert SECRET not in read
    notice = words(CONFIDENTIALITY_NOTICE)
    assert all(notice in words(page) for page in pages)


def test_the_export_is_an_audit_event_with_the_manifests_sha256(
    world: World, filled: Filled, tmp_path: Path
) -> None:
    request_id = _decided(world, filled)
    result = world.run(sar.export_request, world.audrey, request_id, tmp_path / "bundle")
    [started] = _events(world, "sar.start")
    decided = _events(world, "sar.decide")
    [export] = _events(world, "sar.export")
    assert started.actor_username == "sam" and started.entity_id == str(request_id)
    assert json.loads(started.after or "{}")["held"] == 6
    assert len(decided) == 6 and all(e.actor_username == "sam" for e in decided)
    assert json.loads(decided[0].after or "{}")["state"] in ("withheld", "released")
    after = json.loads(export.after or "{}")
    assert export.actor_username == "audrey"
    assert after["sha256"] == result.manifest_sha256
    assert (after["withheld"], after["files"]) == (5, len(result.files))
    assert after["folder"] == str((tmp_path / "bundle").absolute())
    assert world.run(sar.show_request, world.sam, request_id).manifest_sha256 == after["sha256"]


def test_the_export_writes_a_new_folder_only(world: World, filled: Filled, tmp_path: Path) -> None:
    request_id = _decided(world, filled)
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine")
    before = world.dump()
    with pytest.raises(ValidationError, match="is not empty"):
        world.run(sar.export_request, world.sam, request_id, taken)
    with pytest.raises(ValidationError, match="no folder"):
        world.run(sar.export_request, world.sam, request_id, tmp_path / "no" / "such")
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    with pytest.raises(ValidationError, match="is not a folder"):
        world.run(sar.export_request, world.sam, request_id, a_file)
    assert world.dump() == before
    assert (taken / "keep.txt").read_text() == "mine" and [*taken.iterdir()] == [taken / "keep.txt"]
    # An empty folder is as good as a new one.
    empty = tmp_path / "empty"
    empty.mkdir()
    world.run(sar.export_request, world.sam, request_id, empty)
    assert (empty / "SHA256SUMS").is_file()
    assert oct(empty.stat().st_mode & 0o777) == oct(0o700)


def test_exporting_needs_the_reports_grant_and_sight_of_the_request(
    world: World, filled: Filled, tmp_path: Path
) -> None:
    request_id = _decided(world, filled)
    with pytest.raises(PermissionDenied, match="reports grant"):
        world.run(sar.export_request, world.ana, request_id, tmp_path / "a")
    with pytest.raises(NotFound):
        world.run(sar.export_request, _with(world.cara, Grant.REPORTS), request_id, tmp_path / "b")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_a_request_with_nothing_held_exports_at_once(world: World, tmp_path: Path) -> None:
    view = world.run(sar.start_request, world.sam, world.ben_client)
    assert view.undecided == ()
    result = world.run(sar.export_request, world.sam, view.id, tmp_path / "ben")
    assert result.withheld == 0 and result.released == len(view.items)
    withheld = json.loads((tmp_path / "ben" / "withheld.json").read_text())
    assert withheld["withheld"] == []


def test_reviewing_a_restricted_note_is_recorded_as_reading_it(
    world: World, filled: Filled
) -> None:
    view = world.run(sar.start_request, world.sam, world.ana_client)
    detail = world.run(sar.review_item, world.sam, view.id, f"note:{filled.restricted_note}")
    assert detail.restricted and SECRET in detail.text
    assert ("Restricted", "yes") in detail.fields
    addendum = world.run(
        sar.review_item, world.sam, view.id, f"addendum:{filled.restricted_addendum}"
    )
    assert addendum.text == f"More {SECRET}"
    viewed = _events(world, "note.view_restricted")
    assert [e.entity_id for e in viewed] == [str(filled.restricted_note)] * 2
    plain = world.run(sar.review_item, world.sam, view.id, f"note:{filled.plain_note}")
    assert not plain.restricted and len(_events(world, "note.view_restricted")) == 2
    for item in view.items:  # every kind reads in full
        assert world.run(sar.review_item, world.sam, view.id, item.item).heading


def test_a_withheld_third_party_contact_leaves_no_trace_and_names_are_made_safe(
    world: World, tmp_path: Path
) -> None:
    hidden = "PV9-THIRD-PARTY"
    note = world.note(
        world.ana, world.ana_case, f"Met {hidden}", contact_type="3rd Party",
        third_party_org=f"Clinic {hidden}", details=f"They said {hidden}",
    )  # fmt: skip
    _attach(world, f"{hidden}.pdf", f"%PDF {hidden}".encode(), note_id=note.id)
    # Kept as "passwd_\ Ünïcödé  ✓.txt": no folders, the line break made "_".
    released = _attach(world, "../../etc/passwd\n\\ Ünïcödé  ✓.txt", LETTER)
    view = world.run(sar.start_request, world.sam, world.ana_client)
    for item in view.undecided:
        world.run(sar.decide, world.sam, view.id, item.item, "withhold", "About someone else")
    out = tmp_path / "bundle"
    world.run(sar.export_request, world.sam, view.id, out)

    assert hidden.encode() not in _all_text(out)
    files = sorted(p.relative_to(out).as_posix() for p in (out / "attachments").iterdir())
    assert files == [f"attachments/{released}-passwd___Ünïcödé___.txt"]
    bundle = json.loads((out / "subject-access.json").read_text())
    assert [a["name"] for a in bundle["attachments"]] == ["passwd_\\ Ünïcödé  ✓.txt"]
    assert (out / files[0]).read_bytes() == LETTER
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@given(st.text(max_size=300), st.integers(min_value=1, max_value=2**31 - 1))
def test_a_saved_files_name_is_always_safe(name: str, attachment_id: int) -> None:
    safe = bundle_files.safe_name(attachment_id, name)
    assert safe.startswith(f"{attachment_id}-") and len(safe) > len(f"{attachment_id}-")
    assert not any(ch in safe for ch in "/\\\n\r\x00")
    assert all(ch.isalnum() or ch in ".-_" for ch in safe)
    assert len(safe.encode()) <= bundle_files.NAME_MAX_BYTES + len(f"{attachment_id}-")


def test_a_note_released_after_an_edit_stays_released(world: World, filled: Filled) -> None:
    view = world.run(sar.start_request, world.sam, world.ana_client)
    third = f"note:{filled.third_party_note}"
    world.run(sar.decide, world.sam, view.id, third, "withhold", "Not yet reviewed")
    world.run(
        note_service.edit_note, world.ana, filled.third_party_note, NoteChanges(details="Later")
    )
    # Released now, having read it as it is now: nothing to hold again.
    world.run(sar.decide, world.sam, view.id, third, "release")
    shown = world.run(sar.show_request, world.sam, view.id)
    assert _states(shown)[third] == ("released", None) and shown.changes == ()
    # Edited once more after the release: held again.
    world.run(
        note_service.edit_note, world.ana, filled.third_party_note, NoteChanges(details="Again")
    )
    assert _states(world.run(sar.show_request, world.sam, view.id))[third] == (
        "held", "3rd Party contact; changed since it was released",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        ("Names\x00a neighbour", "NUL"),
        ("Two\nlines", "one line"),
        ("x" * 501, "the limit is 500"),
    ],
)
def test_a_reason_no_database_keeps_is_refused_by_field(
    world: World, filled: Filled, reason: str, words: str
) -> None:
    view = world.run(sar.start_request, world.sam, world.ana_client)
    before = world.dump()
    with pytest.raises(ValidationError, match=f"reason: .*{words}"):
        world.run(sar.decide, world.sam, view.id, f"note:{filled.restricted_note}", "withhold",
                  reason)  # fmt: skip
    assert world.dump() == before
