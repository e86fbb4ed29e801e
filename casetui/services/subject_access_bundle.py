"""The folder a subject-access export writes, as plain file work: no database here.

    <folder>/subject-access.pdf      everything released, to read
    <folder>/subject-access.json     the same, for a program
    <folder>/withheld.json           what was held back and why: identifiers, kinds, reasons
    <folder>/attachments/<id>-<name> each released file, under a name safe on any disk
    <folder>/SHA256SUMS              the sha256 of every other file, as ``sha256sum -c`` reads

The folder is made beside the one asked for (readable by its owner only) and takes its name
in one step once everything in it is written and the export is in the audit trail: nobody
sees half a bundle, and a failure leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from casetui.domain.errors import CasetuiError, ValidationError
from casetui.domain.read_models.attachments import AttachmentView
from casetui.domain.read_models.clients import ClientView
from casetui.domain.subject_access import SarBundle
from casetui.services.files_out import shown_path

PDF_NAME = "subject-access.pdf"
JSON_NAME = "subject-access.json"
WITHHELD_NAME = "withheld.json"
ATTACHMENTS = "attachments"
MANIFEST = "SHA256SUMS"
NAME_MAX_BYTES = 120  # of a saved file's name, after its id: well within any file system's 255


# --- names on the disk -------------------------------------------------------------------------


def safe_name(attachment_id: int, name: str) -> str:
    """A released file's name in the folder: its id (so two files never share a name), then
    its own name with anything but letters, digits, ``.``, ``-`` and ``_`` made ``_``; never
    hidden, never a path, never a character ``sha256sum`` would have to escape."""
    composed = unicodedata.normalize("NFC", name)
    kept = "".join(ch if ch.isalnum() or ch in ".-_" else "_" for ch in composed).lstrip(".")
    stem, dot, extension = kept.rpartition(".")
    if not dot:
        stem, extension = kept, ""
    extension = extension[:16]
    budget = NAME_MAX_BYTES - len(extension.encode()) - 1
    while len(stem.encode()) > budget:
        stem = stem[:-1]
    plain = f"{stem}.{extension}" if extension and stem else (stem or extension)
    return f"{attachment_id}-{plain or 'file'}"


def shown(path: str | os.PathLike[str]) -> str:
    return shown_path(os.fspath(path))


# --- the folder --------------------------------------------------------------------------------


def new_folder(out: str | os.PathLike[str]) -> Path:
    """The folder to write, as typed (``~`` is the home folder): one that does not exist yet
    (or an empty one), in a folder that does. Refused otherwise, before anything is read."""
    typed = os.fspath(out)
    if not typed.strip():
        raise ValidationError("out", "give the folder to write the request into")
    target = Path(os.path.expanduser(typed))
    if os.path.lexists(target):
        if target.is_symlink() or not target.is_dir():
            raise ValidationError(
                "out", f"{shown(target)} is not a folder; give a new folder to write into"
            )
        if any(target.iterdir()):
            raise ValidationError(
                "out", f"{shown(target)} is not empty; give a new folder, nothing was written"
            )
    parent = target.absolute().parent
    if not parent.is_dir():
        raise ValidationError("out", f"there is no folder {shown(parent)} to make {target.name} in")
    return target


def staging(target: Path) -> Path:
    """A new folder beside ``target``, readable by its owner only, to write the bundle into."""
    try:
        return Path(tempfile.mkdtemp(dir=target.absolute().parent, prefix=".casetui-sar-"))
    except OSError as error:
        raise ValidationError(
            "out", f"{shown(target)} cannot be written: {error.strerror}"
        ) from None


def discard(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def put_in_place(folder: Path, target: Path) -> None:
    """The staged folder takes its name in one step; an empty folder there is replaced, one
    that has filled meanwhile is not."""
    try:
        os.rename(folder, target)
    except OSError as error:
        discard(folder)
        if os.path.isdir(target) and any(Path(target).iterdir()):
            raise ValidationError(
                "out", f"{shown(target)} is not empty; give a new folder, nothing was written"
            ) from None
        raise ValidationError(
            "out", f"{shown(target)} cannot be written: {error.strerror}"
        ) from None


def _write(path: Path, content: bytes) -> None:
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "wb") as out:
        out.write(content)
        out.flush()
        os.fsync(out.fileno())


def write_file(folder: Path, name: str, content: bytes) -> None:
    _write(folder / name, content)


def write_json(folder: Path, name: str, value: object) -> None:
    text = json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    _write(folder / name, text.encode("utf-8"))


def write_attachment(folder: Path, view: AttachmentView, chunks: Iterable[bytes]) -> str:
    """A released file saved under its safe name in ``attachments/``, checked against the
    sha256 kept when it was added. Returns its path in the folder (``attachments/…``)."""
    (folder / ATTACHMENTS).mkdir(mode=0o700, exist_ok=True)
    relative = f"{ATTACHMENTS}/{safe_name(view.id, view.name)}"
    digest, size = hashlib.sha256(), 0
    handle = os.open(folder / relative, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "wb") as out:
        for chunk in chunks:
            out.write(chunk)
            digest.update(chunk)
            size += len(chunk)
        out.flush()
        os.fsync(out.fileno())
    if size != view.size or digest.hexdigest() != view.sha256:
        raise CasetuiError(
            f"attachment {view.id} no longer matches its sha256 as stored; nothing was written"
        )
    return relative


def write_manifest(folder: Path) -> tuple[tuple[str, ...], str]:
    """SHA256SUMS over every other file in the folder, as ``sha256sum -c`` reads it (the
    hash, two spaces, the path from the folder). Returns every file (the manifest last) and
    the manifest's own sha256, which the audit trail keeps."""
    files = sorted(
        path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()
    )
    lines = []
    for name in files:
        digest = hashlib.sha256()
        with open(folder / name, "rb") as source:
            for chunk in iter(lambda: source.read(1 << 20), b""):
                digest.update(chunk)
        # safe_name and the fixed names never need sha256sum's escaping (\\ or a newline).
        assert "\\" not in name and "\n" not in name
        lines.append(f"{digest.hexdigest()}  {name}\n")
    content = "".join(lines).encode("utf-8")
    _write(folder / MANIFEST, content)
    return (*files, MANIFEST), hashlib.sha256(content).hexdigest()


# --- what the JSON says ------------------------------------------------------------------------


def _local(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return moment.astimezone(zone).isoformat() if moment is not None else None


def _day(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def client_json(client: ClientView, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": client.id, "name": client.name, "preferred_name": client.preferred_name,
        "date_of_birth": _day(client.date_of_birth), "email": client.email,
        "phone": client.phone, "client_type": client.client_type, "status": client.status,
        "warning_indicators": list(client.warnings), "groups": list(client.groups),
        "created_at": _local(client.created_at, zone),
    }  # fmt: skip


def bundle_json(bundle: SarBundle, files: dict[int, str]) -> dict[str, Any]:
    """Everything released, as one object. Nothing of a withheld item is in it: not its
    text, nor the summary of a withheld note a released file or addendum hangs on."""
    zone, name = bundle.zone, bundle.name_of
    return {
        "subject_access_request": bundle.request_id,
        "client_id": bundle.client_id,
        "organisation": bundle.organisation,
        "exported_at": _local(bundle.exported_at, zone),
        "time_zone": str(zone),
        "client": client_json(bundle.client, zone) if bundle.client is not None else None,
        "cases": [
            {
                "id": c.id, "case_number": c.case_number, "status": c.status,
                "concern": c.concern, "pathway": c.pathway, "worker": c.worker_name,
                "navigators": [name(n) for n in c.navigators], "tags": list(c.tags),
                "opened_on": _day(c.opened_on), "closed_on": _day(c.closed_on),
            }
            for c in bundle.cases
        ],
        "notes": [
            {
                "id": n.id, "case_number": n.case_number,
                "contact_at": _local(n.contact_at, zone), "activity_type": n.activity_type,
                "contact_type": n.contact_type, "third_party_org": n.third_party_org,
                "summary": n.summary, "details": n.details, "author": n.author_name,
                "restricted": n.restricted, "written_at": _local(n.created_at, zone),
            }
            for n in bundle.notes
        ],
        "addenda": [
            {
                "id": a.id, "note_id": a.note_id, "added_at": _local(a.created_at, zone),
                "author": name(a.author), "reason": a.reason, "text": a.text,
            }
            for a in bundle.addenda
        ],
        "tasks": [
            {
                "id": t.id, "case_number": t.case_number, "note_id": t.note_id, "name": t.name,
                "due_on": _day(t.due_on), "repeats": t.rrule or t.repeats,
                "assigned_to_client": t.assigned_to_client, "details": t.details,
                "status": t.status, "responsible": [name(r) for r in t.responsible],
                "completed_at": _local(t.completed_at, zone),
            }
            for t in bundle.tasks
        ],
        "communications": [
            {
                "id": m.id, "case_number": m.case_number, "type": m.kind,
                "direction": m.direction, "date": _local(m.occurred_at, zone),
                "subject": m.subject, "body": m.body, "author": m.author_name,
                "send_on": _day(m.send_on), "state": m.state, "sent_at": _local(m.sent_at, zone),
            }
            for m in bundle.communications
        ],
        "services": [
            {
                "id": s.id, "case_number": s.case_number, "service": s.service_type,
                "date": _day(s.provided_on), "provider": s.provider,
                "amount": f"{s.amount:.2f}", "currency": bundle.currency, "grant": s.grant,
                "justification": s.justification,
            }
            for s in bundle.services
        ],
        "attachments": [
            {
                "id": a.id, "case_number": a.case_number, "note_id": a.note_id,
                "name": a.name, "size": a.size, "media_type": a.media_type, "sha256": a.sha256,
                "added_at": _local(a.created_at, zone), "file": files[a.id],
            }
            for a in bundle.attachments
        ],
    }  # fmt: skip


def withheld_json(bundle: SarBundle) -> dict[str, Any]:
    """What was held back and why: the item, its kind and the reviewer's reason, nothing more."""
    return {
        "subject_access_request": bundle.request_id,
        "client_id": bundle.client_id,
        "withheld": [
            {"item": item.item, "kind": item.kind, "reason": item.reason}
            for item in bundle.withheld
        ],
    }
