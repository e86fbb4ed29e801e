"""Where a report's file goes. The rows are written to a temporary file beside it (readable by
its owner only); it takes its name only once the report is in the audit trail, through
``services/files_out.py`` as every file casetui writes out does: no report goes unrecorded,
nobody opens half a file, and an existing file is replaced only when asked. Nothing here
knows the database.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from casetui.domain.errors import ValidationError
from casetui.services.files_out import discard, exists, expand, put_in_place, shown_path

__all__ = [
    "discard", "exists", "put_in_place", "sha256_of", "shown_path", "target_path",
    "temporary_beside",
]  # fmt: skip


def target_path(path: str | os.PathLike[str]) -> Path:
    """The file the report is to be written to (``~`` expanded), checked before any row is
    read: a name that is not a folder, in a folder that exists and may be written."""
    raw = os.fspath(path)
    if not raw.strip():
        raise ValidationError("out", "give a file to write the report to")
    target = expand(raw)
    if target.is_dir():
        raise ValidationError("out", f"{shown_path(str(target))} is a folder; name a file in it")
    folder = target.parent
    if not folder.is_dir():
        raise ValidationError("out", f"the folder {shown_path(str(folder))} does not exist")
    if not os.access(folder, os.W_OK):
        raise ValidationError("out", f"the folder {shown_path(str(folder))} is not writable")
    return target


def temporary_beside(target: Path) -> Path:
    """A new empty file in the target's folder, readable by its owner only (reports hold case
    notes), that becomes the report by a rename on the same file system."""
    try:
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=".casetui-", suffix=".part")
    except OSError as error:
        shown = shown_path(str(target))
        raise ValidationError("out", f"{shown} cannot be written: {error.strerror}") from None
    os.close(handle)
    return Path(name)


def sha256_of(path: Path) -> str:
    """The finished file's sha256, read back; the file is flushed to the disk on the way, so
    what the audit trail records is what a crash would leave."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
        os.fsync(stream.fileno())
    return digest.hexdigest()
