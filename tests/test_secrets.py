"""Secrets stay secret: no password, database password or password hash in the profiles
file, on the terminal, or in any log, even with every logger (SQLAlchemy's included) turned
up to show SQL; and the files that hold private data are readable by their owner only.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from casetui import cli
from casetui.drafts import DraftKey, DraftStore

USER_SECRET = "user-secret-Kq7!"
DB_SECRET = "db-secret-Zr4?"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in ("CASETUI_DATABASE_URL", "CASETUI_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.setenv("CASETUI_PASSWORD", USER_SECRET)
    monkeypatch.setenv("CASETUI_DB_PASSWORD", DB_SECRET)
    monkeypatch.chdir(tmp_path)
    yield tmp_path


@pytest.fixture
def loud_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every logger at its most talkative; SQL statements as ``echo`` logs them (DEBUG would
    log every row read, which is a choice to dump the data, not a log)."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    return caplog


def _casetui(*argv: str) -> int:
    try:
        return cli.main(list(argv))
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2


def _everything_written(
    home: Path, capsys: pytest.CaptureFixture[str], logs: pytest.LogCaptureFixture
) -> str:
    out, err = capsys.readouterr()
    config = "".join(p.read_text("utf-8") for p in (home / "config").rglob("*") if p.is_file())
    return "\n".join([out, err, logs.text, config])


def test_passwords_stay_out_of_output_logs_and_profiles(
    home: Path, loud_logs: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{home / 'cases.db'}"
    assert _casetui("init", f"--db={url}", "--admin=boss") == 0
    assert _casetui("staff", "list", f"--db={url}", "--user=boss", "--json") == 0
    os.environ["CASETUI_PASSWORD"] = "a wrong guess"
    assert _casetui("staff", "list", f"--db={url}", "--user=boss") == 1
    with_password = f"postgresql://casetui:{DB_SECRET}@127.0.0.1:5432/cases"
    assert _casetui("profile", "add", "leaky", f"--url={with_password}") == 1
    assert (
        _casetui("profile", "add", "team", "--url=postgresql://casetui@127.0.0.1:5432/cases") == 0
    )
    assert _casetui("profile", "list") == 0

    engine = create_engine(url)
    with engine.connect() as conn:
        hashed = conn.execute(text("SELECT password_hash FROM staff")).scalar_one()
    engine.dispose()
    written = _everything_written(home, capsys, loud_logs)
    assert "INSERT INTO staff" in loud_logs.text  # the SQL was logged, so this test can fail
    for secret in (USER_SECRET, DB_SECRET, hashed, hashed.rsplit("$", 1)[-1]):
        assert secret not in written
    assert (
        "team" in written
        and "leaky" not in (home / "config" / "casetui" / "profiles.toml").read_text()
    )


@pytest.mark.postgres
def test_database_password_stays_out_of_connection_errors(
    home: Path,
    loud_logs: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    postgres_server: object,
) -> None:
    server = make_url(str(postgres_server)).set(database="casetui_no_such_database")
    in_url = server.set(password=DB_SECRET).render_as_string(hide_password=False)
    from_env = server.render_as_string(hide_password=False)  # the password from CASETUI_DB_PASSWORD
    for url in (in_url, from_env):
        assert _casetui("staff", "list", f"--db={url}", "--user=boss") == 1
    written = _everything_written(home, capsys, loud_logs)
    assert "casetui_no_such_database" in written  # the refusal says what went wrong
    assert DB_SECRET not in written


def test_draft_files_are_private_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0)  # the most permissive umask must still give 0600 and 0700
    try:
        store = DraftStore(tmp_path / "drafts")
        path = store.save(DraftKey("sqlite:///x.db", "ana", 1), {"summary": "private"})
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "drafts").stat().st_mode) == 0o700
