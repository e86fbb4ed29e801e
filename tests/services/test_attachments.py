"""Attachments on SQLite and PostgreSQL: byte-for-byte round trips, the type read from the
content, the size limit (refused before the whole file is read), hostile names, restricted
files, downloads audited, soft deletes that keep the bytes, and saving out safely."""

from __future__ import annotations

import hashlib
import io
import json
import os
import threading
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casetui.domain.errors import CasetuiError, NotFound, PermissionDenied, ValidationError
from casetui.domain.models import Attachment, AttachmentContent, AuditEvent
from casetui.domain.timeline import ATTACHMENT
from casetui.repositories.attachments import CHUNK, AttachmentRepository
from casetui.services import attachment_files
from casetui.services import attachments as service
from casetui.services import notes as note_service
from casetui.services import timeline as timeline_service
from casetui.services.settings import set_setting

from .conftest import World

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
BINARY = bytes(range(256)) * 512 + b"\x00" * 4096 + b"\xff\xfe\x00\x01"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Files of this test's own, apart from the database file."""
    path = tmp_path / "files"
    path.mkdir()
    return path


def _file(folder: Path, name: str, content: bytes) -> Path:
    path = folder / name
    path.write_bytes(content)
    return path


def _events(world: World, action: str) -> list[AuditEvent]:
    return [e for e in world.audit_events() if e.action == action]


def _limit(world: World, megabytes: int) -> int:
    world.run(set_setting, world.admin, "attachment_limit_mb", str(megabytes))
    return megabytes * 1_000_000


# --- the round trip ----------------------------------------------------------------------------


def test_a_binary_file_comes_back_byte_for_byte(world: World, folder: Path) -> None:
    source = _file(folder, "statement.bin", BINARY)
    added = world.run(service.add_attachment, world.ana, world.ana_case, source)
    expected = hashlib.sha256(BINARY).hexdigest()
    assert (added.name, added.size, added.sha256) == ("statement.bin", len(BINARY), expected)
    assert added.media_type == "application/octet-stream"
    assert (added.case_number, added.uploaded_by, added.note_id) == (world.ana_case, "ana", None)
    saved = world.run(service.save_attachment, world.ana, added.id, folder / "out.bin")
    out = Path(saved.path)
    assert out.read_bytes() == BINARY
    assert hashlib.sha256(out.read_bytes()).hexdigest() == expected
    # Kept in the database, the bytes apart from the row.
    stored = world.read(
        lambda uow: uow.session.execute(
            select(AttachmentContent.content).where(AttachmentContent.attachment_id == added.id)
        ).scalar_one()
    )
    assert bytes(stored) == BINARY
    # Nothing left beside it: the temporary file took the name.
    assert sorted(p.name for p in folder.iterdir()) == ["out.bin", "statement.bin"]
    assert (out.stat().st_mode & 0o777) == 0o600  # client documents: readable by their owner


def test_a_file_saved_out_is_read_a_few_mb_at_a_time(
    world: World, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = os.urandom(2 * CHUNK + 12_345)
    added = world.run(
        service.add_attachment, world.ana, world.ana_case, _file(folder, "scan.tif", content)
    )
    pieces: list[int] = []
    reading = AttachmentRepository.chunks

    def counted(self: AttachmentRepository, attachment_id: int) -> Any:
        for piece in reading(self, attachment_id):
            pieces.append(len(piece))
            yield piece

    monkeypatch.setattr(AttachmentRepository, "chunks", counted)
    saved = world.run(service.save_attachment, world.ana, added.id, folder / "copy.tif")
    assert Path(saved.path).read_bytes() == content
    assert pieces == [CHUNK, CHUNK, 12_345]


def test_listed_on_the_case_and_on_the_timeline(world: World, folder: Path) -> None:
    first = world.run(
        service.add_attachment, world.ana, world.ana_case, _file(folder, "a.pdf", PDF)
    )
    world.clock.advance(timedelta(minutes=1))
    second = world.run(
        service.add_attachment, world.ana, world.ana_case, _file(folder, "b.png", PNG)
    )
    listed = world.run(service.list_attachments, world.ana, world.ana_case)
    assert [(a.id, a.name) for a in listed] == [(first.id, "a.pdf"), (second.id, "b.png")]
    timeline = world.run(timeline_service.load_timeline, world.ana, world.case_id(world.ana_case))
    files = [e for e in timeline.entries if e.kind == ATTACHMENT]
    assert [(e.id, e.summary, e.detail, e.size) for e in files] == [
        (second.id, "b.png", "image/png", len(PNG)),
        (first.id, "a.pdf", "application/pdf", len(PDF)),
    ]
    assert world.run(service.list_attachments, world.ana, world.ben_case) == []


def test_the_json_list_is_an_audited_export(world: World, folder: Path) -> None:
    world.run(service.add_attachment, world.ana, world.ana_case, _file(folder, "a.pdf", PDF))
    world.run(service.list_attachments, world.ana, world.ana_case, export=True)
    (event,) = _events(world, "export")
    assert event.entity == "attachments"
    assert json.loads(event.after or "{}") == {"rows": 1, "case": world.ana_case}


# --- the type comes from the content ---------------------------------------------------------


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("letter.pdf", PNG, "image/png"),  # the name lies
        ("photo.png", PDF, "application/pdf"),
        ("notes", b"Met Ana at the library.\nShe brought her ID.\n", "text/plain"),
        ("résumé.txt", "Zoë Ñúñez — café ☕\n".encode(), "text/plain"),
        ("BMW invoice.txt", b"BMW service, 12 Nov\n", "text/plain"),  # BM: chance, not a bitmap
        ("data.txt", BINARY, "application/octet-stream"),
        ("latin1.txt", "caf\xe9\n".encode("latin-1"), "application/octet-stream"),
        ("empty.pdf", b"", "application/octet-stream"),
        (
            "tenancy.zip",
            _zip("[Content_Types].xml", "word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "budget.docx",
            _zip("[Content_Types].xml", "xl/workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("letters.docx", _zip("a.txt", "b.txt"), "application/zip"),
    ],
)
def test_the_type_is_read_from_the_content_not_the_name(
    world: World, folder: Path, name: str, content: bytes, expected: str
) -> None:
    added = world.run(
        service.add_attachment, world.ana, world.ana_case, _file(folder, name, content)
    )
    assert (added.name, added.media_type) == (name, expected)


def test_an_open_document_names_its_own_type() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<x/>")
    assert attachment_files.media_type(buffer.getvalue()) == (
        "application/vnd.oasis.opendocument.text"
    )


# --- the size limit ----------------------------------------------------------------------------


def test_a_file_at_the_limit_is_kept_and_one_byte_over_is_refused(
    world: World, folder: Path
) -> None:
    limit = _limit(world, 1)
    at_limit = world.run(
        service.add_attachment, world.ana, world.ana_case, _file(folder, "a", b"a" * limit)
    )
    assert at_limit.size == limit
    before = world.dump()
    over = _file(folder, "b.pdf", b"b" * (limit + 1))
    with pytest.raises(ValidationError) as refused:
        world.run(service.add_attachment, world.ana, world.ana_case, over)
    assert refused.value.field == "file"
    assert "over the organisation's limit of 1 MB" in str(refused.value)
    assert "nothing was attached" in str(refused.value)
    assert world.dump() == before


def test_a_regular_file_over_the_limit_is_refused_from_its_size_unread(
    world: World, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = _limit(world, 1)
    big = folder / "scan.pdf"
    with big.open("wb") as out:
        out.truncate(limit * 40)  # 40 MB, sparse: nothing to read even if it were read
    reads: list[int] = []
    monkeypatch.setattr(attachment_files._Reader, "read", lambda *_: reads.append(1))
    with pytest.raises(ValidationError, match=r"scan\.pdf is 40\.0 MB, over .* limit of 1 MB"):
        world.run(service.add_attachment, world.ana, world.ana_case, big)
    assert reads == []


class Endless(io.RawIOBase):
    """A stream that never ends (a device, a pipe that keeps coming), counting what it gives."""

    def __init__(self) -> None:
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        view[:] = b"x" * len(view)
        self.given += len(view)
        return len(view)


def test_a_stream_is_read_only_one_byte_past_the_limit(world: World) -> None:
    limit = _limit(world, 2)
    before = world.dump()
    endless = Endless()
    with pytest.raises(ValidationError, match="more than 2 MB"):
        world.run(service.attach_stream, world.ana, world.ana_case, "zero", endless)
    assert endless.given == limit + 1
    assert world.dump() == before


def test_a_pipe_larger_than_the_limit_is_stopped_early(world: World, folder: Path) -> None:
    limit = _limit(world, 1)
    fifo = folder / "pipe"
    os.mkfifo(fifo)
    offered = limit * 20
    written = 0
    stopped: list[BaseException] = []

    def write() -> None:
        nonlocal written
        chunk = b"p" * 65536
        try:
            with fifo.open("wb") as out:
                while written < offered:
                    out.write(chunk)
                    out.flush()
                    written += len(chunk)
        except BrokenPipeError as broken:  # the reader went away: it stopped reading
            stopped.append(broken)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        with pytest.raises(ValidationError, match="over the organisation's limit of 1 MB"):
            world.run(service.add_attachment, world.ana, world.ana_case, fifo)
    finally:
        writer.join(timeout=30)
    assert stopped, "the writer was never cut off"
    assert written < limit + 4 * attachment_files.CHUNK < offered


def test_a_growing_file_is_stopped_at_the_limit_too(world: World) -> None:
    limit = _limit(world, 1)
    stream = io.BytesIO(b"g" * (limit * 3))
    with pytest.raises(ValidationError):
        world.run(service.attach_stream, world.ana, world.ana_case, "growing.log", stream)
    assert stream.tell() == limit + 1


# --- paths that are not files -----------------------------------------------------------------


def test_a_folder_a_missing_file_and_an_unreadable_one_are_named(
    world: World, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = world.dump()
    with pytest.raises(ValidationError, match="is a folder; choose a file in it"):
        world.run(service.add_attachment, world.ana, world.ana_case, folder)
    with pytest.raises(ValidationError, match=r"there is no file .*missing\.pdf"):
        world.run(service.add_attachment, world.ana, world.ana_case, folder / "missing.pdf")
    with pytest.raises(ValidationError, match="give the path of a file"):
        world.run(service.add_attachment, world.ana, world.ana_case, "  ")
    secret = _file(folder, "secret.pdf", PDF)

    def refuse(*_: Any, **__: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    # The tests may run as root, who can read anything: the refusal is played, not provoked.
    monkeypatch.setattr(attachment_files, "open", refuse, raising=False)
    with pytest.raises(ValidationError, match=r"secret\.pdf cannot be read: permission denied"):
        world.run(service.add_attachment, world.ana, world.ana_case, secret)
    assert world.dump() == before


def test_a_tilde_is_the_home_folder(
    world: World, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(folder))
    _file(folder, "from-home.pdf", PDF)
    added = world.run(service.add_attachment, world.ana, world.ana_case, "~/from-home.pdf")
    assert added.name == "from-home.pdf"
    saved = world.run(service.save_attachment, world.ana, added.id, "~/copy.pdf")
    assert saved.path == str(folder / "copy.pdf")


# --- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("\x1b[2Jevil\x07.pdf", "_[2Jevil_.pdf"),
        ("invoice\u202efdp.exe", "invoice_fdp.exe"),  # a right-to-left override
        ("line\nbreak.txt", "line_break.txt"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
        ("b" * 300, "b" * 255),
        ("Zoë's letter.pdf", "Zoë's letter.pdf"),
    ],
)
def test_hostile_names_are_kept_safe(world: World, folder: Path, name: str, kept: str) -> None:
    added = world.run(service.attach_stream, world.ana, world.ana_case, name, io.BytesIO(PDF))
    assert added.name == kept
    assert len(added.name) <= 255


def test_a_name_that_is_not_utf8_on_the_disk(world: World, folder: Path) -> None:
    raw = os.fsencode(folder) + b"/caf\xe9 \xff.pdf"
    with open(raw, "wb") as out:
        out.write(PDF)
    added = world.run(service.add_attachment, world.ana, world.ana_case, os.fsdecode(raw))
    assert added.name == "caf\ufffd \ufffd.pdf"


def test_only_the_base_name_is_kept(world: World, folder: Path) -> None:
    folder = folder / "private" / "clients"
    folder.mkdir(parents=True)
    added = world.run(
        service.add_attachment, world.ana, world.ana_case, _file(folder, "id.png", PNG)
    )
    assert added.name == "id.png"


# --- on a note -------------------------------------------------------------------------------


def test_on_a_note_and_restricted_with_it(world: World, folder: Path) -> None:
    plain = world.note(world.ana, world.ana_case, "Letter from the council")
    secret = world.note(world.ana, world.ana_case, "Disclosure", restricted=True)
    pdf = _file(folder, "chain.pdf", PDF)
    on_plain = world.run(service.add_attachment, world.ana, world.ana_case, pdf, note_id=plain.id)
    on_secret = world.run(service.add_attachment, world.ana, world.ana_case, pdf, note_id=secret.id)
    marked = world.run(service.add_attachment, world.ana, world.ana_case, pdf, restricted=True)
    assert (on_plain.note_id, on_plain.note_summary, on_plain.restricted) == (
        plain.id,
        "Letter from the council",
        False,
    )
    assert (on_secret.note_id, on_secret.restricted) == (secret.id, True)
    assert marked.restricted
    entries = world.run(
        timeline_service.load_timeline, world.ana, world.case_id(world.ana_case)
    ).entries
    flags = {e.id: (e.restricted, e.note_id) for e in entries if e.kind == ATTACHMENT}
    assert flags == {
        on_plain.id: (False, plain.id),
        on_secret.id: (True, secret.id),
        marked.id: (True, None),
    }
    # The note becomes restricted later: its file follows.
    world.run(
        note_service.edit_note, world.ana, plain.id, note_service.NoteChanges(restricted=True)
    )
    assert world.run(service.attachment_details, world.ana, on_plain.id).restricted


def test_a_note_of_another_case_or_out_of_sight_is_refused(world: World, folder: Path) -> None:
    pdf = _file(folder, "x.pdf", PDF)
    bens = world.note(world.ben, world.ben_case, "On Ben's case")
    caras = world.note(world.cara, world.cara_case, "On Cara's case")
    with pytest.raises(ValidationError, match=f"note {bens.id} is not on case {world.ana_case}"):
        world.run(service.add_attachment, world.ana, world.ana_case, pdf, note_id=bens.id)
    with pytest.raises(NotFound):
        world.run(service.add_attachment, world.ana, world.ana_case, pdf, note_id=caras.id)


def test_a_deleted_notes_files_go_out_of_sight_with_it(world: World, folder: Path) -> None:
    note = world.note(world.ana, world.ana_case, "Letter")
    added = world.run(
        service.add_attachment, world.ana, world.ana_case, _file(folder, "l.pdf", PDF),
        note_id=note.id,
    )  # fmt: skip
    world.run(note_service.delete_note, world.ana, note.id)
    assert world.run(service.list_attachments, world.ana, world.ana_case) == []
    with pytest.raises(NotFound):
        world.run(service.save_attachment, world.ana, added.id, folder / "out.pdf")


# --- who may read, and the audit --------------------------------------------------------------


def test_every_download_is_audited_with_who_what_and_the_sha256(world: World, folder: Path) -> None:
    secret = world.note(world.ana, world.ana_case, "Disclosure", restricted=True)
    added = world.run(
        service.add_attachment, world.ana, world.ana_case, _file(folder, "s.pdf", PDF),
        note_id=secret.id,
    )  # fmt: skip
    (add_event,) = _events(world, "attachment.add")
    assert (add_event.actor_username, add_event.entity_id) == ("ana", str(added.id))
    assert json.loads(add_event.after or "{}")["sha256"] == added.sha256
    for who in (world.ana, world.sam, world.audrey, world.admin):
        world.run(service.save_attachment, who, added.id, folder / f"{who.username}.pdf")
    downloads = _events(world, "attachment.download")
    assert [e.actor_username for e in downloads] == ["ana", "sam", "audrey", "admin"]
    for event in downloads:
        after = json.loads(event.after or "{}")
        assert event.entity_id == str(added.id)
        assert event.case_id == world.case_id(world.ana_case)
        assert after["sha256"] == added.sha256 == hashlib.sha256(PDF).hexdigest()
        assert after["restricted"] is True and after["name"] == "s.pdf"
        assert after["to"] == str(folder / f"{event.actor_username}.pdf")


def test_out_of_sight_files_are_not_read_nor_told_of(world: World, folder: Path) -> None:
    added = world.run(
        service.add_attachment, world.ana, world.ana_case, _file(folder, "a.pdf", PDF)
    )
    before = world.dump()
    for who in (world.cara, world.olga):
        with pytest.raises(NotFound, match=f"no attachment {added.id} that you can see"):
            world.run(service.save_attachment, who, added.id, folder / "stolen.pdf")
        with pytest.raises(NotFound):
            world.run(service.attachment_details, who, added.id)
        with pytest.raises(NotFound):
            world.run(service.list_attachments, who, world.ana_case)
    with pytest.raises(NotFound):
        world.run(service.save_attachment, world.admin, 2**40, folder / "none.pdf")
    assert not (folder / "stolen.pdf").exists()
    assert world.dump() == before


def test_stored_bytes_that_no_longer_match_are_not_handed_out(world: World, folder: Path) -> None:
    added = world.run(
        service.add_attachment, world.ana, world.ana_case, _file(folder, "a.pdf", PDF)
    )
    with world.db.uow() as uow:
        row = uow.session.get(AttachmentContent, added.id)
        assert row is not None
        row.content = PDF + b"tampered"
        uow.commit()
    with pytest.raises(CasetuiError, match="no longer matches its sha256"):
        world.run(service.save_attachment, world.ana, added.id, folder / "out.pdf")
    assert not (folder / "out.pdf").exists()
    assert _events(world, "attachment.download") == []


# --- saving out ------------------------------------------------------------------------------


def test_an_existing_file_is_replaced_only_when_asked(world: World, folder: Path) -> None:
    added = world.run(
        service.add_attachment, world.ana, world.ana_case, _file(folder, "a.pdf", PDF)
    )
    there = _file(folder, "mine.pdf", b"keep me")
    assert world.run(service.save_target, world.ana, added.id, there) == (str(there), True)
    with pytest.raises(ValidationError, match="already exists; nothing was replaced"):
        world.run(service.save_attachment, world.ana, added.id, there)
    assert there.read_bytes() == b"keep me"
    assert _events(world, "attachment.download") == []
    world.run(service.save_attachment, world.ana, added.id, there, overwrite=True)
    assert there.read_bytes() == PDF
    assert sorted(p.name for p in folder.iterdir()) == ["a.pdf", "mine.pdf"]


def test_saving_into_a_folder_uses_the_files_own_name(world: World, folder: Path) -> None:
    added = world.run(
        service.attach_stream, world.ana, world.ana_case, "letter.pdf", io.BytesIO(PDF)
    )
    folder = folder / "downloads"
    folder.mkdir()
    assert world.run(service.save_target, world.ana, added.id, folder) == (
        str(folder / "letter.pdf"),
        False,
    )
    saved = world.run(service.save_attachment, world.ana, added.id, folder)
    assert saved.path == str(folder / "letter.pdf")
    assert (folder / "letter.pdf").read_bytes() == PDF


def test_saving_to_a_folder_that_is_not_there_is_named(world: World, folder: Path) -> None:
    added = world.run(
        service.attach_stream, world.ana, world.ana_case, "letter.pdf", io.BytesIO(PDF)
    )
    with pytest.raises(ValidationError, match="there is no folder .*nowhere"):
        world.run(service.save_attachment, world.ana, added.id, folder / "nowhere" / "x.pdf")
    assert _events(world, "attachment.download") == []


# --- deleting ----------------------------------------------------------------------------------


def test_delete_is_soft_keeps_the_bytes_and_is_audited(world: World, folder: Path) -> None:
    added = world.run(
        service.add_attachment, world.ana, world.ana_case, _file(folder, "a.pdf", PDF)
    )
    deleted = world.run(service.delete_attachment, world.ana, added.id)
    assert deleted.deleted and deleted.id == added.id
    assert world.run(service.list_attachments, world.ana, world.ana_case) == []
    with pytest.raises(NotFound):
        world.run(service.delete_attachment, world.ana, added.id)
    row, content = world.read(
        lambda uow: (
            uow.session.get(Attachment, added.id),
            uow.session.get(AttachmentContent, added.id),
        )
    )
    assert row.deleted_at is not None and bytes(content.content) == PDF
    (event,) = _events(world, "attachment.delete")
    assert json.loads(event.before or "{}")["deleted"] is False
    assert json.loads(event.after or "{}")["deleted"] is True


def test_someone_elses_file_is_deleted_only_by_a_supervisor_or_administrator(
    world: World, folder: Path
) -> None:
    added = world.run(
        service.add_attachment, world.admin, world.ben_case, _file(folder, "a.pdf", PDF)
    )
    before = world.dump()
    for who in (world.ana, world.ben):  # ana navigates ben's case; ben is its worker
        with pytest.raises(PermissionDenied, match="added by someone else"):
            world.run(service.delete_attachment, who, added.id)
    with pytest.raises(PermissionDenied):
        world.run(service.delete_attachment, world.audrey, added.id)
    assert world.dump() == before
    world.run(service.delete_attachment, world.sam, added.id)
