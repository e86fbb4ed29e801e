"""Files in and out of attachments: reading one within the size limit, telling its type from
its content and naming it safely (writing one out is ``files_out``'s, shared with printing).

No database here: ``services.attachments`` decides who may, and keeps and audits them.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import stat
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from casetui.domain.errors import ValidationError
from casetui.services.files_out import expand
from casetui.services.files_out import shown_path as _shown

CHUNK = 1 << 20  # read and hashed a mebibyte at a time
NAME_MAX = 255  # attachment.name
FALLBACK_TYPE = "application/octet-stream"
TEXT_TYPE = "text/plain"
ZIP_MAGIC = b"PK\x03\x04"
# The kinds of office file a zip may be, by the folder their parts are in.
OFFICE_PARTS = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def megabytes(size: int) -> str:
    """12.3 MB: sizes in the words the limit is set in (1 MB = 1,000,000 bytes)."""
    return f"{size / 1_000_000:.1f} MB"


def limit_bytes(limit_mb: int) -> int:
    return limit_mb * 1_000_000


def _too_big(shown: str, limit_mb: int, size: str) -> ValidationError:
    return ValidationError(
        "file",
        f"{shown} is {size}, over the organisation's limit of {limit_mb} MB for an "
        "attachment; nothing was attached",
    )


# --- names ---------------------------------------------------------------------------------


def file_name(path: str) -> str:
    """The name an attachment keeps: the file's base name, no folders, as text any database
    holds (bytes that were not UTF-8 become U+FFFD), control and direction-changing
    characters made into ``_``, at most 255 characters with the extension kept."""
    base = os.path.basename(path.rstrip("/")) or "attachment"
    # A name read from the disk may hold bytes that were not UTF-8 (surrogate escapes).
    text = base.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    cleaned = "".join("_" if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch
                      for ch in text).strip()  # fmt: skip
    if cleaned in ("", ".", ".."):
        cleaned = "attachment"
    if len(cleaned) <= NAME_MAX:
        return cleaned
    stem, dot, extension = cleaned.rpartition(".")
    if dot and stem and 0 < len(extension) <= 16:
        return f"{stem[: NAME_MAX - len(extension) - 1]}.{extension}"
    return cleaned[:NAME_MAX]


# --- reading in --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileRead:
    content: bytes
    sha256: str
    media_type: str

    @property
    def size(self) -> int:
        return len(self.content)


class _Reader:
    """Reads a stream to its end or one byte past the limit, whichever comes first, hashing
    and checking for text on the way, so nothing is read twice or held twice."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.hash = hashlib.sha256()
        self.buffer = io.BytesIO()
        self.utf8 = codecs.getincrementaldecoder("utf-8")()
        self.text = True  # valid UTF-8 without NUL, so far

    def read(self, stream: BinaryIO) -> bool:
        """True when the whole stream fitted within the limit."""
        while True:
            wanted = min(CHUNK, self.limit + 1 - self.buffer.tell())
            chunk = stream.read(wanted)
            if not chunk:
                return True
            if self.buffer.tell() + len(chunk) > self.limit:
                return False
            self.hash.update(chunk)
            self.buffer.write(chunk)
            if self.text:
                self._check_text(chunk)

    def _check_text(self, chunk: bytes) -> None:
        if b"\x00" in chunk:
            self.text = False
            return
        try:
            self.utf8.decode(chunk)
        except UnicodeDecodeError:
            self.text = False

    def finish(self) -> FileRead:
        if self.text:
            try:
                self.utf8.decode(b"", final=True)
            except UnicodeDecodeError:
                self.text = False
        content = self.buffer.getvalue()  # shares the buffer's bytes rather than copying them
        self.buffer = io.BytesIO()
        return FileRead(
            content, self.hash.hexdigest(), media_type(content, looks_like_text=self.text)
        )


def read_stream(stream: BinaryIO, limit_mb: int, shown: str = "the file") -> FileRead:
    """Read ``stream`` whole, refusing it once it holds more than the limit: at most one byte
    past the limit is ever read, so a pipe or a growing file is stopped too."""
    reader = _Reader(limit_bytes(limit_mb))
    if not reader.read(stream):
        raise _too_big(shown, limit_mb, f"more than {limit_mb} MB")
    return reader.finish()


def read_file(path: str | os.PathLike[str], limit_mb: int) -> tuple[str, FileRead]:
    """The attachment's name and content from a path as typed (``~`` expanded).

    A regular file over the limit is refused from its size before any of it is read; anything
    else (a pipe, a device) is read up to one byte past the limit. Each refusal says what was
    wrong with which path, in a ValidationError of the field ``file``.
    """
    typed = os.fspath(path)
    shown = _shown(typed)
    if not typed.strip():
        raise ValidationError("file", "give the path of a file to attach")
    target = expand(typed)
    try:
        stream = open(target, "rb")  # noqa: SIM115 - closed below, after fstat
    except FileNotFoundError:
        raise ValidationError("file", f"there is no file {shown}") from None
    except IsADirectoryError:
        raise ValidationError("file", f"{shown} is a folder; choose a file in it") from None
    except PermissionError:
        raise ValidationError("file", f"{shown} cannot be read: permission denied") from None
    except OSError as error:
        raise ValidationError("file", f"{shown} cannot be read: {error.strerror}") from None
    with stream:
        info = os.fstat(stream.fileno())
        if stat.S_ISDIR(info.st_mode):
            raise ValidationError("file", f"{shown} is a folder; choose a file in it")
        limit = limit_bytes(limit_mb)
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise _too_big(shown, limit_mb, megabytes(info.st_size))
        try:
            read = read_stream(stream, limit_mb, shown)
        except OSError as error:
            raise ValidationError("file", f"{shown} cannot be read: {error.strerror}") from None
    return file_name(str(target)), read


# --- the type, from the content --------------------------------------------------------------


def media_type(content: bytes, *, looks_like_text: bool | None = None) -> str:
    """The media type the content shows, never the name: puremagic's best match; a zip's
    parts tell Word, Excel and PowerPoint files apart; UTF-8 text without a longer match is
    text/plain; anything else application/octet-stream."""
    import puremagic  # its table of formats is read on import: only when a file comes in

    if looks_like_text is None:
        looks_like_text = _is_text(content)
    if not content:
        return FALLBACK_TYPE
    try:
        matches = [m for m in puremagic.magic_string(content) if m.mime_type]
    except (puremagic.PureError, ValueError):
        matches = []
    if matches and matches[0].byte_match.startswith(ZIP_MAGIC):
        return _zip_type(content)
    # Two or three bytes in common (BM, MZ) is chance in a text; four or more is a format.
    if matches and not (looks_like_text and len(matches[0].byte_match) < 4):
        return str(matches[0].mime_type)
    return TEXT_TYPE if looks_like_text else FALLBACK_TYPE


def _is_text(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _zip_type(content: bytes) -> str:
    """A zip's own type: OpenDocument and EPUB name theirs in a first part called mimetype;
    Office files keep their parts in word/, xl/ or ppt/; else a plain zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            if names and names[0] == "mimetype" and archive.getinfo("mimetype").file_size < 100:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                if declared.isprintable() and "/" in declared:
                    return declared
            for folder, office_type in OFFICE_PARTS.items():
                if any(name.startswith(folder) for name in names):
                    return office_type
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, EOFError):
        pass
    return "application/zip"
