"""Writing a file out (an attachment saved, a printed case file) without leaving half of one
behind, and never over another file unless asked: the bytes go to a temporary file beside the
target, readable by its owner only and flushed to the disk, and take the target's name in one
step once the caller has recorded what it wrote.

No database here: the services decide who may, and audit what leaves.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from casetui.domain.errors import ValidationError


def shown_path(path: str) -> str:
    """A path as a message may quote it: controls escaped, not too long."""
    text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in path)
    return text if len(text) <= 120 else f"…{text[-119:]}"


def expand(path: str | os.PathLike[str]) -> Path:
    """A path as typed: ``~`` is the home folder."""
    return Path(os.path.expanduser(os.fspath(path)))


def target_path(path: str | os.PathLike[str], name: str) -> Path:
    """Where a file saved to ``path`` goes: into it, under its own name, when it is a folder."""
    typed = os.fspath(path)
    if not typed.strip():
        raise ValidationError("out", "give a path to save the file to")
    target = expand(typed)
    if target.is_dir():
        return target / name
    return target


def exists(path: Path) -> bool:
    return os.path.lexists(path)


@dataclass(frozen=True)
class Written:
    """A temporary file holding what was written, its size and its sha256."""

    path: Path
    size: int
    sha256: str


def write_temporary(path: Path, chunks: Iterable[bytes]) -> Written:
    """The chunks in a new file beside ``path`` (readable by its owner only), flushed to the
    disk and hashed on the way; the caller moves it into place with ``put_in_place`` or
    removes it with ``discard``. Nothing is left behind when writing (or reading) fails."""
    shown = shown_path(str(path))
    folder = path.parent
    if not folder.is_dir():
        raise ValidationError(
            "out", f"there is no folder {shown_path(str(folder))} to save {shown} in"
        )
    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=".casetui-", suffix=".part")
    except PermissionError:
        raise ValidationError("out", f"{shown} cannot be written: permission denied") from None
    except OSError as error:
        raise ValidationError("out", f"{shown} cannot be written: {error.strerror}") from None
    temporary = Path(name)
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
    except OSError as error:
        _remove(temporary)
        raise ValidationError("out", f"{shown} cannot be written: {error.strerror}") from None
    except BaseException:
        _remove(temporary)
        raise
    return Written(temporary, size, digest.hexdigest())


def put_in_place(temporary: Path, path: Path, *, overwrite: bool) -> None:
    """Move the written file to its name in one step: a reader never sees half a file. Without
    ``overwrite`` an existing file is never replaced, even one that appeared a moment ago."""
    shown = shown_path(str(path))
    try:
        if overwrite:
            os.replace(temporary, path)
            return
        try:
            os.link(temporary, path)  # fails, atomically, if the name is taken
        except FileExistsError:
            raise ValidationError("out", f"{shown} already exists; nothing was replaced") from None
        except OSError:
            # A file system without hard links: check, then move (a narrow race, said here).
            if os.path.lexists(path):
                raise ValidationError(
                    "out", f"{shown} already exists; nothing was replaced"
                ) from None
            os.replace(temporary, path)
            return
        _remove(temporary)
    except ValidationError:
        _remove(temporary)
        raise
    except OSError as error:
        _remove(temporary)
        raise ValidationError("out", f"{shown} cannot be written: {error.strerror}") from None


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)


def discard(path: Path) -> None:
    """Remove a temporary file that will not be used."""
    _remove(path)
