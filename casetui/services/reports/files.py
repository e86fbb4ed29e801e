"""Where a report's file goes: written under a temporary name beside it, and given its name only
once the report is in the audit trail, so no report goes unrecorded and nobody opens half a
file. Nothing here knows the database.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from casetui.domain.errors import ValidationError
from casetui.domain.reports import ReportFormat
from casetui.domain.storable import printable


def target_path(path: str | os.PathLike[str], format: ReportFormat) -> Path:
    """The file the report is to be written to (``~`` expanded), checked before any row is
    read: a folder that exists, a name that is not a folder."""
    raw = os.fspath(path)
    if not raw.strip():
        raise ValidationError("out", "a file name is required")
    target = Path(raw).expanduser()
    shown = printable(str(target))
    if target.is_dir():
        raise ValidationError("out", f"{shown} is a folder; name a file in it")
    folder = target.parent
    if not folder.is_dir():
        raise ValidationError("out", f"the folder {printable(str(folder))} does not exist")
    if not os.access(folder, os.W_OK):
        raise ValidationError("out", f"the folder {printable(str(folder))} is not writable")
    del format  # any name will do; the screen and README suggest .csv or .xlsx
    return target


def exists(path: Path) -> bool:
    return os.path.lexists(path)


def temporary_beside(target: Path) -> Path:
    """A new empty file in the target's folder, readable by its owner only (reports hold case
    notes), that becomes the report by a rename on the same file system."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name[:100]}.", suffix=".part", dir=target.parent)
    os.close(fd)
    return Path(name)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def discard(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def put_in_place(temporary: Path, target: Path, *, overwrite: bool) -> None:
    """Give the finished file its name. Without ``overwrite`` a file that appeared there in the
    meantime is not replaced (a hard link fails where a name is taken; a rename would not)."""
    try:
        if overwrite:
            os.replace(temporary, target)
            return
        try:
            os.link(temporary, target)
        except FileExistsError:
            raise ValidationError(
                "out", f"{printable(str(target))} already exists; nothing was replaced"
            ) from None
        except OSError:
            # A file system without hard links: check, then rename (a small window, said here).
            if exists(target):
                raise ValidationError(
                    "out", f"{printable(str(target))} already exists; nothing was replaced"
                ) from None
            os.replace(temporary, target)
            return
    except BaseException:
        discard(temporary)
        raise
    discard(temporary)
