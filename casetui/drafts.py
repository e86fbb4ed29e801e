"""Unsaved note drafts, kept on the user's own disk so a dropped connection loses nothing.

Drafts live outside the database on purpose: they are not records, nobody else should
see them, and they must survive the database being unreachable. One JSON file per draft,
readable by its owner only, written atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ENV_DRAFTS_DIR = "CASETUI_DRAFTS_DIR"
DRAFT_MAX_BYTES = 1_000_000
# Also keeps "@", the separator of the file name parts, out of the user part.
_UNSAFE = re.compile(r"[^a-z0-9._-]")


def default_dir() -> Path:
    configured = os.environ.get(ENV_DRAFTS_DIR)
    if configured:
        return Path(configured)
    from platformdirs import user_data_path

    return user_data_path("casetui") / "drafts"


@dataclass(frozen=True)
class DraftKey:
    """Which note a draft is for: one database, one user, one case, one note (or a new one)."""

    database_url: str
    username: str
    case_id: int
    note_id: int | None = None

    @property
    def filename(self) -> str:
        database = hashlib.sha256(self.database_url.encode("utf-8")).hexdigest()[:16]
        user = _UNSAFE.sub("_", self.username.lower())[:64] or "_"
        note = "new" if self.note_id is None else str(int(self.note_id))
        return f"{database}@{user}@{int(self.case_id)}@{note}.json"


@dataclass(frozen=True)
class Draft:
    key: DraftKey
    saved_at: datetime
    fields: dict[str, Any]


class DraftStore:
    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else default_dir()

    def _ensure_dir(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        # mkdir's mode is masked by the umask and ignored for an existing folder.
        if stat.S_IMODE(self.root.stat().st_mode) != 0o700:
            self.root.chmod(0o700)

    def path(self, key: DraftKey) -> Path:
        return self.root / key.filename

    def save(self, key: DraftKey, fields: dict[str, Any], *, now: datetime | None = None) -> Path:
        self._ensure_dir()
        saved_at = (now or datetime.now(UTC)).astimezone(UTC)
        payload = json.dumps(
            {
                "saved_at": saved_at.isoformat(),
                "case_id": key.case_id,
                "note_id": key.note_id,
                "username": key.username,
                "fields": fields,
            },
            ensure_ascii=False,
        ).encode("utf-8")
        target = self.path(key)
        # mkstemp creates the file 0600; os.replace makes the new draft appear whole or not at all.
        fd, temp = tempfile.mkstemp(prefix=".draft-", suffix=".tmp", dir=self.root)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return target

    def load(self, key: DraftKey) -> Draft | None:
        target = self.path(key)
        try:
            if target.stat().st_size > DRAFT_MAX_BYTES:
                return None
            data = json.loads(target.read_text(encoding="utf-8"))
            saved_at = datetime.fromisoformat(data["saved_at"])
            fields = data["fields"]
        except (OSError, ValueError, KeyError, TypeError):
            # A missing or damaged draft is no draft; the editor opens empty.
            return None
        if not isinstance(fields, dict):
            return None
        return Draft(key, saved_at, fields)

    def delete(self, key: DraftKey) -> None:
        self.path(key).unlink(missing_ok=True)

    def list(self, database_url: str, username: str) -> list[Draft]:
        """This user's drafts on this database, newest first."""
        if not self.root.is_dir():
            return []
        prefix = DraftKey(database_url, username, 0).filename.rsplit("@", 2)[0] + "@"
        found: list[Draft] = []
        for entry in self.root.glob(f"{prefix}*.json"):
            case_part, note_part = entry.stem.split("@")[2:4]
            try:
                key = DraftKey(
                    database_url,
                    username,
                    int(case_part),
                    None if note_part == "new" else int(note_part),
                )
            except ValueError:
                continue
            draft = self.load(key)
            if draft is not None:
                found.append(draft)
        found.sort(key=lambda d: d.saved_at, reverse=True)
        return found
