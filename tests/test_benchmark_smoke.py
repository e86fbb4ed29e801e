"""The benchmark still runs: ``python -m benchmarks --quick`` at 1,000 cases.

Checks the output's shape only (every figure measured, the JSON readable); the targets are
the benchmark's business, not a test's: timings on a shared CI machine would only flake.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUICK_FIGURES = {
    "frame_paint", "first_paint", "filter_median", "filter_p95", "details_key", "page_down",
    "page_down_p95", "timeline", "bulk_save", "bulk_open", "workload", "help", "python_pass",
    "bare_first_paint", "bare_data_first_paint", "peak_rss", "peak_rss_browsing", "sql_floor", "sql_repository", "refresh_floor",
    "search_median", "search_p95", "duplicate_check", "duplicate_check_p95", "import_seconds",
    "import_peak_rss", "reminders_seconds", "print_seconds", "print_peak_rss",
    "report_seconds", "report_peak_rss", "report_peak_rss_small", "insights_open",
}  # fmt: skip
MEASURED = re.compile(r"^\d+(\.\d+)? (ms|s|MB)$")


def test_the_benchmark_runs_at_1000_cases(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--sizes", "1000",
         "--cache", str(tmp_path / "cache"), "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]

    document = json.loads(out.read_text())
    assert {"meta", "databases", "figures"} <= document.keys()
    assert document["databases"][0]["cases"] == 1000
    figures = document["figures"]
    assert {f["key"] for f in figures} >= QUICK_FIGURES
    for figure in figures:
        assert {"key", "label", "where", "value", "unit", "target", "status"} <= figure.keys()
        assert figure["error"] is None, (figure["label"], figure["error"])
        assert isinstance(figure["value"], float | int) and figure["value"] > 0, figure
    assert next(f for f in figures if f["key"] == "timeline")["label"].endswith("10,000 items")

    lines = done.stdout.splitlines()
    header = lines[0].split(" | ")
    assert [h.strip() for h in header] == ["figure", "size", "measured", "target", "result"]
    rows = [line.split(" | ") for line in lines[2 : 2 + len(figures)]]
    assert [r[0].strip() for r in rows] == [f["label"] for f in figures]
    for row in rows:
        assert MEASURED.match(row[2].strip()), row
        assert row[4].strip() in {"PASS", "MISS", "n/a", "—"}, row
    assert str(out) in done.stdout
