"""Writing a printed file without leaving half of one behind, and never over another file
unless asked: the bytes go to a temporary file beside the target (readable by its owner
only), flushed to the disk, and take the target's name in one step.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from casetui.domain.errors import ValidationError


def shown(path: str | os.PathLike[str]) -> str:
    """A path as a message may quote it: controls escaped, not too long."""
    text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in os.fspath(path))
    return text if len(text) <= 120 else f"…{text[-119:]}"


def target_path(path: str | os.PathLike[str], default_name: str) -> Path:
    """Where to write: the path as typed (``~`` is the home folder); a folder: into it, under
    ``default_name``."""
    typed = os.fspath(path)
    if not typed.strip():
        raise ValidationError("out", "give the path of the file to write")
    target = Path(os.path.expanduser(typed))
    return target / default_name if target.is_dir() else target


def exists(path: Path) -> bool:
    return os.path.lexists(path)


def refuse_existing(path: Path) -> None:
    if exists(path):
        raise ValidationError("out", f"{shown(path)} already exists; nothing was replaced")


def write_temporary(path: Path, content: bytes) -> Path:
    """``content`` in a new owner-only file beside ``path``, on the disk; the caller moves it
    into place with ``put_in_place`` or removes it with ``discard``."""
    folder = path.parent
    if not folder.is_dir():
        raise ValidationError("out", f"there is no folder {shown(folder)} to write {path.name} in")
    try:
        # mkstemp makes the file readable and writable by its owner only: it holds case notes.
        handle, name = tempfile.mkstemp(dir=folder, prefix=".casetui-", suffix=".part")
    except OSError as error:
        raise ValidationError("out", f"{shown(path)} cannot be written: {error.strerror}") from None
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
    except OSError as error:
        discard(temporary)
        raise ValidationError("out", f"{shown(path)} cannot be written: {error.strerror}") from None
    except BaseException:
        discard(temporary)
        raise
    return temporary


def put_in_place(temporary: Path, path: Path, *, replace: bool) -> None:
    """Give the written file its name in one step: nobody sees half a file. Without
    ``replace`` an existing file is never replaced, even one that appeared a moment ago."""
    try:
        if replace:
            os.replace(temporary, path)
            return
        try:
            os.link(temporary, path)  # refused, in one step, when the name is taken
        except FileExistsError:
            raise ValidationError(
                "out", f"{shown(path)} already exists; nothing was replaced"
            ) from None
        except OSError:
            # A file system without hard links: look, then move (a narrow race).
            refuse_existing(path)
            os.replace(temporary, path)
            return
        discard(temporary)
    except ValidationError:
        discard(temporary)
        raise
    except OSError as error:
        discard(temporary)
        raise ValidationError("out", f"{shown(path)} cannot be written: {error.strerror}") from None


def discard(temporary: Path) -> None:
    temporary.unlink(missing_ok=True)
