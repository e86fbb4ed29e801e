"""``python -m benchmarks load``, short: a handful of caseworkers for a few seconds, straight to
PostgreSQL and through PgBouncer, with a backend ended half-way. Whatever the timings (the
benchmark's business on a shared machine), nothing acknowledged is lost or saved twice,
nothing is half-written, and the audit trail verifies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import URL

from .conftest import ROOT

SHORT = ["--seconds", "5", "--caseworkers", "5", "--supervisors", "1", "--cases", "1000",
         "--bulk-every", "1.5", "--bulk-cases", "25", "--processes", "1"]  # fmt: skip


def _load(
    tmp_path: Path, server: URL, *options: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path / "load.json"
    env = {**os.environ, "CASETUI_BENCH_PG_URL": server.render_as_string(hide_password=False)}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "load", *options, "--json", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    return done, out


def _one_run(tmp_path: Path, server: URL, way: str) -> dict[str, Any]:
    done, out = _load(tmp_path, server, *SHORT, "--via", way)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    document = json.loads(out.read_text())
    (run,) = document["runs"]
    assert run["way"] == way
    return run


def _assert_nothing_lost(run: dict[str, Any]) -> None:
    proof = run["proof"]
    assert proof["lost"] == [] and proof["duplicated"] == [] and proof["half_written"] == []
    assert proof["audit_ok"], proof["audit"]
    assert proof["holds"]
    acknowledged = proof["acknowledged"]
    assert acknowledged["notes"] > 0 and acknowledged["bulk notes"] > 0
    # A backend was ended in the middle of a transaction that had written, and the person
    # whose save it was saw the database go away (and tried again).
    assert run["terminated"] is not None and run["terminated"]["terminated"]
    assert any(kind.startswith("database unavailable") for kind in run["errors"]), run["errors"]


@pytest.mark.postgres
def test_a_short_load_straight_to_postgresql(tmp_path: Path, loopback_server: URL) -> None:
    _assert_nothing_lost(_one_run(tmp_path, loopback_server, "direct"))


@pytest.mark.postgres
def test_a_short_load_through_pgbouncer(
    tmp_path: Path, loopback_server: URL, pgbouncer_installed: None
) -> None:
    _assert_nothing_lost(_one_run(tmp_path, loopback_server, "pgbouncer"))


def test_the_load_refuses_a_server_off_this_machine(tmp_path: Path) -> None:
    elsewhere = URL.create("postgresql+psycopg", username="postgres", host="192.0.2.1")
    done, out = _load(tmp_path, elsewhere, "--seconds", "1")
    assert done.returncode == 2
    assert "only against PostgreSQL on this machine's loopback" in done.stderr
    assert not out.exists()
