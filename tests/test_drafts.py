"""The draft store: private files, atomic writes, one draft per user, case and note."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from casetui.drafts import ENV_DRAFTS_DIR, DraftKey, DraftStore, default_dir

URL = "sqlite:////tmp/one.db"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_saved_draft_loads_back_and_is_private(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts")
    key = DraftKey(URL, "ana", 12)
    saved = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    path = store.save(
        key, {"summary": "Rang [bold]landlord[/]", "tasks": [{"name": "x"}]}, now=saved
    )
    assert mode(path) == 0o600
    assert mode(tmp_path / "drafts") == 0o700
    draft = store.load(key)
    assert draft is not None
    assert draft.fields["summary"] == "Rang [bold]landlord[/]"
    assert draft.saved_at == saved
    assert [p.name for p in (tmp_path / "drafts").iterdir()] == [path.name]  # no temp file left


def test_keys_keep_users_cases_notes_and_databases_apart(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    keys = [
        DraftKey(URL, "ana", 12),
        DraftKey(URL, "ana", 12, 40),
        DraftKey(URL, "ben", 12),
        DraftKey("postgresql://db/cases", "ana", 12),
    ]
    for number, key in enumerate(keys):
        store.save(key, {"n": number})
    assert [store.load(k).fields["n"] for k in keys] == [0, 1, 2, 3]  # type: ignore[union-attr]
    assert sorted(d.fields["n"] for d in store.list(URL, "ana")) == [0, 1]


def test_delete_and_missing_or_damaged_drafts(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    key = DraftKey(URL, "ana", 3)
    assert store.load(key) is None
    store.save(key, {"summary": "x"})
    store.delete(key)
    assert store.load(key) is None
    store.delete(key)  # deleting twice is fine
    store.path(key).write_text("{not json")
    assert store.load(key) is None


def test_odd_usernames_cannot_escape_the_folder(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "d")
    path = store.save(DraftKey(URL, "../../etc/passwd", 1), {})
    assert path.parent == tmp_path / "d"


def test_folder_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_DRAFTS_DIR, str(tmp_path / "elsewhere"))
    assert default_dir() == tmp_path / "elsewhere"
    assert DraftStore().root == tmp_path / "elsewhere"
