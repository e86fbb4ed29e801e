"""A long CSV report written by two processes (services/reports/parts.py), on both databases:
the same bytes as one process writes, every report kind; restricted details the helper wrote
recorded as read; the progress counting the helper's rows; a stop, or a helper that fails,
leaving no file behind and no helper running.

Batches are made tiny here so that a report of a few dozen rows splits as a million-row one
does (``split_after`` 1: after the first batch).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from casetui.domain.errors import CasetuiError
from casetui.domain.reports import ReportCancelled, ReportFilters, ReportKind, ReportProgress
from casetui.services.reports import parts, run_report, standard
from tests.services.conftest import World
from tests.services.test_reports import add_communication, add_service

KINDS = [ReportKind.NOTES, ReportKind.COMMUNICATIONS, ReportKind.SERVICES]
# Text a CSV file has to quote, or to keep from running as a formula.
HOSTILE = ('Said "no", then yes', "line one\nline two", "=SUM(A1)", "-5 on the rent", "a, b")


@pytest.fixture
def helpers(monkeypatch: pytest.MonkeyPatch) -> list[parts.Helper]:
    """Tiny batches, two cores whatever the machine has, and every helper the reports start."""
    monkeypatch.setattr(standard, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(parts, "cores", lambda: 2)
    started: list[parts.Helper] = []
    spawn = parts.Helper.spawn.__func__  # type: ignore[attr-defined]

    def recorded(cls: type[parts.Helper], path: Path) -> parts.Helper:
        helper = spawn(cls, path)
        started.append(helper)
        return helper

    monkeypatch.setattr(parts.Helper, "spawn", classmethod(recorded))
    return started


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Where the reports go (the SQLite database is in ``tmp_path``)."""
    made = tmp_path / "reports"
    made.mkdir()
    return made


def busy_world(world: World) -> World:
    """Notes (some restricted, some hostile), communications and services on every case."""
    writers = [
        (world.ana, world.ana_case), (world.ben, world.ben_case),
        (world.cara, world.cara_case), (world.olga, world.olga_case),
    ]  # fmt: skip
    for n in range(4):
        for author, case in writers:
            text = HOSTILE[n % len(HOSTILE)]
            summary = f"Visit {n}: {text.splitlines()[0]}"
            world.note(author, case, summary, details=text, restricted=n == 2)
            add_communication(world, case, subject=f"Call {n}: {text}", body=text)
            add_service(world, case, provider=f"Provider {n}: {text}")
    return world


def report(world: World, kind: ReportKind, out: Path, **options: Any) -> Any:
    filters = ReportFilters(include_restricted=options.pop("restricted", False))
    return run_report(world.db, world.admin, kind, filters, str(out), **options)


@pytest.mark.parametrize("kind", KINDS, ids=[k.value for k in KINDS])
def test_a_split_report_is_the_same_file_as_one_process_writes(
    world: World, folder: Path, helpers: list[parts.Helper], kind: ReportKind
) -> None:
    busy_world(world)
    alone = report(world, kind, folder / "alone.csv", split_after=None)
    assert not helpers
    split = report(world, kind, folder / "split.csv", split_after=1)
    assert len(helpers) == 1, "the report handed its later cases to a helper"
    assert helpers[0].process.returncode == 0
    assert 0 < helpers[0].rows < split.rows, "each process wrote part of it"
    assert (folder / "split.csv").read_bytes() == (folder / "alone.csv").read_bytes()
    assert (split.rows, split.sha256) == (alone.rows, alone.sha256)
    assert sorted(p.name for p in folder.iterdir()) == ["alone.csv", "split.csv"]


def test_restricted_details_the_helper_wrote_are_recorded_as_read(
    world: World, folder: Path, helpers: list[parts.Helper]
) -> None:
    busy_world(world)

    def read_restricted() -> list[int]:
        return sorted(
            e.entity_id or 0 for e in world.audit_events() if e.action == "note.view_restricted"
        )

    alone = report(world, ReportKind.NOTES, folder / "a.csv", restricted=True, split_after=None)
    once = read_restricted()
    split = report(world, ReportKind.NOTES, folder / "b.csv", restricted=True, split_after=1)
    assert helpers and helpers[0].rows > 0
    assert alone.restricted_details == split.restricted_details == 4
    assert read_restricted() == sorted(once * 2), "each report recorded the same notes read"


def test_the_progress_counts_the_helpers_rows(
    world: World, folder: Path, helpers: list[parts.Helper]
) -> None:
    busy_world(world)
    told: list[ReportProgress] = []
    done = report(world, ReportKind.NOTES, folder / "n.csv", split_after=1, progress=told.append)
    assert helpers
    assert told[-1].rows == done.rows
    assert [p.rows for p in told] == sorted(p.rows for p in told), "never goes backwards"


def test_a_stop_while_the_helper_writes_leaves_nothing(
    world: World, folder: Path, helpers: list[parts.Helper]
) -> None:
    busy_world(world)
    before = world.dump()
    with pytest.raises(ReportCancelled):
        report(world, ReportKind.NOTES, folder / "n.csv", split_after=1,
               cancelled=lambda: bool(helpers))  # fmt: skip
    assert helpers and helpers[0].process.poll() is not None, "the helper was ended"
    assert list(folder.iterdir()) == [], "neither the report nor the helper's part is left"
    assert world.dump() == before, "nothing recorded"


def test_a_helper_that_fails_stops_the_report_in_its_own_words(
    world: World, folder: Path, helpers: list[parts.Helper], monkeypatch: pytest.MonkeyPatch
) -> None:
    busy_world(world)
    send = parts.Helper.send
    junk = folder.parent / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)

    def elsewhere(self: parts.Helper, url: str, *args: Any, **kwargs: Any) -> None:
        send(self, f"sqlite:///{junk}", *args, **kwargs)

    monkeypatch.setattr(parts.Helper, "send", elsewhere)
    before = world.dump()
    with pytest.raises(
        CasetuiError, match="second half could not be written: file is not a database"
    ):
        report(world, ReportKind.NOTES, folder / "n.csv", split_after=1)
    assert helpers and helpers[0].process.returncode != 0
    assert list(folder.iterdir()) == []
    assert world.dump() == before


def test_a_report_too_short_to_split_needs_no_helper(
    world: World, folder: Path, helpers: list[parts.Helper]
) -> None:
    busy_world(world)
    done = report(world, ReportKind.NOTES, folder / "n.csv", split_after=10_000)
    assert done.rows > 0 and not helpers


def test_one_core_writes_the_report_alone(
    world: World, folder: Path, helpers: list[parts.Helper], monkeypatch: pytest.MonkeyPatch
) -> None:
    busy_world(world)
    monkeypatch.setattr(parts, "cores", lambda: 1)
    done = report(world, ReportKind.NOTES, folder / "n.csv", split_after=1)
    assert done.rows > 0 and not helpers, "a second process would only take turns with it"
