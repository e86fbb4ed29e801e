"""Every ``casetui`` command and option, in-process, with hostile text and numbers.

Whatever is typed, the command exits 0, 1 (one line on stderr naming the rule) or 2 (a
usage error); never a traceback, never an unexpected exception named on stderr; ``--json``
is valid JSON; no terminal control character reaches stdout or a refusal. A shell cannot
pass NUL in an argument, so none is generated; lone surrogates are what Python makes of
argument bytes that are not UTF-8, so they are.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool
from strategies import maybe_valid, nasty_dates, nasty_numbers, nasty_text, nasty_times

from casetui import cli
from casetui.cli import signin
from casetui.services import auth, passwords
from casetui.services.defaults import DEFAULT_LISTS, ListKind

T = TypeVar("T")

ACTIVITIES = DEFAULT_LISTS[ListKind.ACTIVITY_TYPE]
CONTACT_TYPES = ("Client", "3rd Party", "Internal/Partner Support", "Case Management/Supervision")
# A class name on stderr means an exception nobody expected reached the user.
UNEXPECTED = re.compile(r"^error: [A-Za-z_.]*(Error|Exception|Warning|Exit)\b")
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def text(**kwargs: Any) -> st.SearchStrategy[str]:
    return nasty_text(nul=False, **kwargs)


def fuzz(examples: int) -> Callable[[T], T]:
    return settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))


@dataclass
class Done:
    argv: list[str]
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@dataclass
class Cli:
    """``casetui`` run in this process against one demo database, as ``admin``."""

    url: str
    capsys: pytest.CaptureFixture[str]
    opened: list[Any] = field(default_factory=list)

    def __call__(self, *argv: str, user: str | None = "admin", db: str | None = None) -> Done:
        args = [*argv, f"--db={db or self.url}"] + ([f"--user={user}"] if user is not None else [])
        self.capsys.readouterr()
        try:
            code = cli.main(args)
        except SystemExit as exit_:  # argparse: --help, usage errors
            code = exit_.code if isinstance(exit_.code, int) else 2
        finally:
            for database in self.opened:
                database.dispose()  # each command opens its own engine; the process would end
            self.opened.clear()
        out, err = self.capsys.readouterr()
        done = Done(args, code, out, err)
        check(done)
        named = [a for a in argv[:2] if not a.startswith("-")]
        with contextlib.suppress(InvalidArgument):  # outside a Hypothesis example: no events
            event(f"{' '.join(named)}: exit {code}")  # shown by --hypothesis-show-statistics
        return done


def check(done: Done) -> None:
    """What holds for every command, whatever was typed."""
    where = (done.argv, done.code, done.err[-500:])
    assert done.code in (0, 1, 2), where
    assert "Traceback" not in done.err, where
    assert not CONTROLS.search(done.out), where
    if done.code == 1:
        lines = done.err.splitlines()
        assert len(lines) == 1, where
        assert lines[0].startswith(("refused", "error: ")), where
        assert not UNEXPECTED.match(lines[0]), where
        assert not CONTROLS.search(done.err), where
    if done.code == 2:
        assert "usage" in done.err, where
    if done.code == 0 and "--json" in done.argv:
        done.json()  # valid JSON, or this raises


def option(name: str, value: str) -> str:
    """``--name=value``: the value reaches the command even when it starts with a dash."""
    return f"--{name}={value}"


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One demo organisation (password "demo" for all) for the whole module, made by the CLI."""
    home = tmp_path_factory.mktemp("cli-fuzz")
    url = f"sqlite:///{home / 'demo.db'}"
    with pytest.MonkeyPatch.context() as patch:
        _private_environment(patch, home)
        assert cli.main(["init", f"--db={url}"]) == 0
        code = cli.main(["demo", f"--db={url}", "--cases=30", "--staff=8", "--seed=3"])
        assert code == 0
    return url


def _private_environment(patch: pytest.MonkeyPatch, home: Path) -> None:
    # Every command signs in; the hash's real cost is measured by the sign-in tests instead.
    patch.setattr(passwords, "SCRYPT_N", 2**4)
    patch.setattr(auth, "_sleep", lambda seconds: None)  # guessed names pile up failures
    for name in ("CASETUI_DATABASE_URL", "CASETUI_DB_PASSWORD", "CASETUI_DEBUG"):
        patch.delenv(name, raising=False)
    patch.setenv("CASETUI_PASSWORD", "demo")
    patch.setenv("HOME", str(home))
    patch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    patch.setenv("XDG_DATA_HOME", str(home / "data"))
    patch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    # Any file a fuzzed --db names is made here, never in the checkout.
    patch.chdir(home)


@pytest.fixture
def run(
    demo_database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Cli]:
    _private_environment(monkeypatch, tmp_path)
    runner = Cli(demo_database, capsys)
    real_open = signin.open_database

    def open_database(*args: Any, **kwargs: Any) -> Any:
        database = real_open(*args, **kwargs)
        runner.opened.append(database)
        return database

    monkeypatch.setattr(signin, "open_database", open_database)
    yield runner


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.exec_driver_sql(sql)]
    finally:
        engine.dispose()


def _case_numbers(url: str) -> list[str]:
    return [r[0] for r in _rows(url, "SELECT case_number FROM cases ORDER BY id LIMIT 6")]


def _note_count(url: str) -> int:
    return int(_rows(url, "SELECT count(*) FROM case_note")[0][0])


# --- lists and look-ups -------------------------------------------------------------------


@fuzz(20)
@given(
    query=text(),
    status=st.lists(maybe_valid(["Open", "Paused", "Closed"], nul=False), max_size=2),
    limit=st.none() | nasty_numbers(),
    mine=st.booleans(),
    json_out=st.booleans(),
)
@example("\ud800", [], None, False, True)
@example("%", ["Closed"], "1", False, True)
@example("\x1b[2J", [], "99999999999999999999", True, False)
def test_cases_list_takes_any_query_status_and_limit(
    run: Cli, query: str, status: list[str], limit: str | None, mine: bool, json_out: bool
) -> None:
    argv = ["cases", "list", option("query", query), *(option("status", s) for s in status)]
    argv += ([option("limit", limit)] if limit is not None else []) + ["--mine"] * mine
    done = run(*argv, *(["--json"] if json_out else []))
    if done.code == 0 and json_out:
        for row in done.json():
            typed = query.strip()
            assert (
                typed.lower() in row["client_name"].lower()
                or row["case_number"].startswith(typed.upper())
                or typed.lower() in row["tags"]
            )


@fuzz(12)
@given(case=st.integers(0, 5) | text(), team=st.none() | text(), json_out=st.booleans())
@example("\ud800", "\ud800", True)
@example("C-2026-000001\x1b[2J", "[bold]North[/]", False)
def test_notes_list_staff_list_and_workload_take_any_names(
    run: Cli, case: int | str, team: str | None, json_out: bool
) -> None:
    as_json = ["--json"] if json_out else []
    number = _case_numbers(run.url)[case] if isinstance(case, int) else case
    run("notes", "list", option("case", number), *as_json)
    run("workload", *([option("team", team)] if team is not None else []), *as_json)
    run("staff", "list", *as_json)


@fuzz(12)
@given(user=maybe_valid(["admin"], nul=False), profile=text(), db_name=text(max_size=20))
@example("\ud800", "\ud800", "x\udcff")
@example("admin\x1b[2J", "[red]", "..")
@example("admin", "x", "x" * 1000)
def test_connection_options_take_any_text(run: Cli, user: str, profile: str, db_name: str) -> None:
    run("staff", "list", "--json", user=user)
    run("staff", "list", option("profile", profile), "--json", user=None)
    # Only a file name here: a fuzzed path or URL could name somewhere outside the test.
    name = re.sub(r"[/\\~:]", "_", db_name).strip() or "x"
    if name not in (".", ".."):
        run("staff", "list", db=name)


# --- writing notes ------------------------------------------------------------------------


@fuzz(25)
@given(
    cases=st.lists(st.integers(0, 5) | st.integers(0, 5) | text(), min_size=1, max_size=3),
    summary=text(surrogates=False) | text(),
    activity=maybe_valid(ACTIVITIES, nul=False),
    day=st.sampled_from(["today", "yesterday", "-3d"]) | nasty_dates(nul=False),
    at=st.none() | st.none() | nasty_times(nul=False),
    details=st.none() | text(max_size=200),
    contact=st.none() | maybe_valid(CONTACT_TYPES, nul=False),
    third_party=st.none() | text(),
    restricted=st.booleans(),
)
@example([0], "\x1b]0;owned\x07", "Phone call", "today", None, None, None, None, False)
@example([0, "\ud800"], "ok", "Phone call", "today", None, "\ud800", None, None, False)
@example(
    [1, 2], "[link=file:///etc/passwd]x[/link]", "Workshop", "-1d", "9", "", "3rd Party", "%s", True
)
def test_notes_add_takes_any_text_all_or_nothing(
    run: Cli, cases: list[int | str], summary: str, activity: str, day: str, at: str | None,
    details: str | None, contact: str | None, third_party: str | None, restricted: bool,
) -> None:  # fmt: skip
    known = _case_numbers(run.url)
    numbers = [known[c] if isinstance(c, int) else c for c in cases]
    argv = ["notes", "add", *(option("case", c) for c in numbers), option("activity", activity)]
    argv += [option("summary", summary), option("date", day)]
    optional = {"time": at, "details": details, "contact-type": contact, "third-party": third_party}
    argv += [option(k, v) for k, v in optional.items() if v is not None]
    argv += ["--restricted"] * restricted + ["--json"]
    before = _note_count(run.url)
    done = run(*argv)
    written = _note_count(run.url) - before
    if done.code != 0:
        assert written == 0, "a refused note was partly written"
        return
    assert written == len({c.strip() for c in numbers if c.strip()})
    rows = done.json()
    if len(rows) == 1 and "summary" in rows[0]:
        assert rows[0]["summary"] == summary.strip()


@fuzz(20)
@given(
    note_id=st.one_of(nasty_numbers(), st.just("newest")),
    summary=st.none() | text(),
    details=st.none() | text(max_size=200),
    reason=st.none() | text(),
)
@example("2147483648", "x", None, None)
@example("9223372036854775807", "x", None, None)
@example("newest", "\ud800", None, "\ud800")
@example("newest", "[bold]x[/] \x1b[2J", "\u202eevil", None)
def test_notes_edit_takes_any_id_and_text(
    run: Cli, note_id: str, summary: str | None, details: str | None, reason: str | None
) -> None:
    if note_id == "newest":  # a note written today, not locked
        note_id = str(
            _rows(run.url, "SELECT max(id) FROM case_note WHERE deleted_at IS NULL")[0][0]
        )
    argv = ["notes", "edit", note_id]
    optional = {"summary": summary, "details": details, "reason": reason}
    argv += [option(k, v) for k, v in optional.items() if v is not None]
    before = _rows(run.url, "SELECT id, version, summary, details FROM case_note ORDER BY id")
    done = run(*argv, "--json")
    after = _rows(run.url, "SELECT id, version, summary, details FROM case_note ORDER BY id")
    if done.code != 0:
        assert after == before, "a refused edit changed a note"
    elif summary is not None:
        assert done.json()[0]["summary"] == summary.strip()


# --- setting up, auditing, profiles -----------------------------------------------------------


@fuzz(8)
@given(admin=text(), cases=nasty_numbers(), staff=nasty_numbers(), seed=nasty_numbers())
@example("new\ud800admin", "30", "8", "3")
@example("[bold]x[/]", "٣", " 7 ", "9" * 5000)
def test_init_and_demo_take_any_name_and_numbers(
    run: Cli, admin: str, cases: str, staff: str, seed: str
) -> None:
    run("init", option("admin", admin))
    # The database holds demo data already, so demo never generates (a fuzzed --cases could
    # ask for billions).
    run("demo", option("cases", cases), option("staff", staff), option("seed", seed))


@fuzz(10)
@given(head=st.none() | text() | st.text("0123456789abcdefABCDEF", min_size=64, max_size=64))
@example("\ud800" * 64)
@example("0" * 64)
def test_audit_verify_takes_any_head(run: Cli, head: str | None) -> None:
    for flag in ("expect-head", "since-head"):
        argv = ["audit", "verify", "--json"] + ([option(flag, head)] if head is not None else [])
        done = run(*argv)
        if done.code == 0:
            assert done.json()["ok"] is True


# Profiles pile up in one file over the examples: a megabyte in one would be re-read by all.
@fuzz(20)
@given(
    name=text(max_size=20, longest=500),
    url=st.one_of(
        text(longest=500),
        text(longest=500).map(lambda t: f"sqlite:///{t}"),
        text(longest=500).map(lambda t: f"postgresql://casetui@127.0.0.1:5432/{t}"),
        text(longest=500).map(lambda t: f"postgresql://casetui:{t}@127.0.0.1:5432/cases"),
    ),
    user=st.none() | text(max_size=20, longest=500),
)
@example("team\x1b[2J", "sqlite:///x.db", None)
@example("a.b", "sqlite:///x.db", "ana\x1b[31m")
@example("ok", "postgresql://casetui@127.0.0.1:5432/cases\x07", "\ud800")
@example("ok", "not a url", None)
def test_profile_add_takes_any_name_and_url_and_reads_back(
    run: Cli, name: str, url: str, user: str | None
) -> None:
    from casetui.config import load_profiles

    argv = ["profile", "add", name, option("url", url)]
    argv += [option("default-user", user)] if user is not None else []
    done = run(*argv, user=None)
    listed = run("profile", "list", user=None)
    assert listed.code == 0, "a saved profile made the profiles file unreadable"
    if done.code == 0:
        saved = load_profiles()[name]
        assert (saved.url, saved.user) == (url, user or None)


# --- the same on PostgreSQL, where ids are 32-bit and NUL is refused ---------------------------


@pytest.mark.postgres
def test_notes_commands_on_postgres_keep_or_refuse_what_is_typed(
    postgres_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _private_environment(monkeypatch, tmp_path)
    monkeypatch.setenv("CASETUI_DB_PASSWORD", "unused")  # trust authentication; no prompt
    run = Cli(postgres_url, capsys)
    assert run("init", user=None).code == 0
    assert run("demo", "--cases=12", "--staff=8", "--seed=3", user=None).code == 0
    numbers = _case_numbers(postgres_url)

    @fuzz(8)
    @given(
        note_id=st.one_of(nasty_numbers(), st.sampled_from(["2147483647", "2147483648"])),
        case=st.integers(0, 5) | text(),
        summary=text(),
        query=text(),
    )
    @example("9223372036854775807", 0, "\ud800", "\ud800")
    def check_on_postgres(note_id: str, case: int | str, summary: str, query: str) -> None:
        number = numbers[case] if isinstance(case, int) else case
        before = _note_count(postgres_url)
        added = run("notes", "add", option("case", number), "--activity=Phone call",
                    option("summary", summary), "--json")  # fmt: skip
        assert _note_count(postgres_url) - before == (1 if added.code == 0 else 0)
        run("notes", "edit", note_id, option("summary", summary))
        run("notes", "list", option("case", number), "--json")
        run("cases", "list", option("query", query), "--json")

    check_on_postgres()
