"""A long CSV report written by two processes at once.

A report's rows cost about ten microseconds each in Python: the database stepping to the next
row, its times made local, its cells checked and written. One interpreter writes 70,000-100,000
rows a second however that loop is written, so a million rows took 10-14 s. A computer has more
than one core, and the rows come case by case, so the work splits cleanly: once a CSV report
has written ``SPLIT_AFTER`` rows and is not done, the cases still ahead are split in two; this
process writes on up to the split, and a helper process (``python -m
casetui.services.reports.parts``) writes the rest into a file of its own beside the report,
through the same repository, scope, rows and writer. When both are done, the helper's rows are
appended to the report's file: the same bytes one process would have written
(tests/services/test_report_parts.py).

What differs is when each part reads the database: the helper begins a moment after the report
did, so a note saved in that moment on one of its cases is in the report. Each part is one
consistent read, and the audit event records the rows and the sha256 of the file as written.

The helper is told what to do on its standard input, never on its command line (JSON: the
database's address with its password if it has one, the actor, the report, its criteria and
the file), says how far it has got on its standard output (``rows N``) and ends with ``done``
and what it wrote: its row count, and the restricted notes whose details it wrote, which the
report records as read. A helper that fails stops the report with its own words; nothing is
kept.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from casetui.domain.actor import Actor
from casetui.domain.enums import Grant, Role
from casetui.domain.errors import CasetuiError
from casetui.domain.reports import ReportCancelled, ReportKind
from casetui.repositories.reports import CaseCriteria

# Rows written before a helper is worth its start (about half a second of an interpreter and
# its imports): a report still going after this many is a long one.
SPLIT_AFTER = 20_000
# The share of the rows still ahead that the report keeps: a little over half, as the helper
# starts a moment later.
KEPT_SHARE = 0.56
PROGRESS_EVERY = 2000  # rows between the helper's "rows N" lines
WAIT_STEP = 0.2  # seconds between looks at a stop being asked while the helper finishes


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass
class HelperDone:
    rows: int = 0
    restricted: list[tuple[int, int]] = field(default_factory=list)  # (note, case)


class Helper:
    """The helper process writing a report's later part, seen from the report."""

    def __init__(self, process: subprocess.Popen[str], path: Path) -> None:
        self.process = process
        self.path = path
        self.rows = 0  # as the helper last said
        self._done: HelperDone | None = None
        self._said: list[str] = []
        self._reader = threading.Thread(target=self._listen, name="report-helper", daemon=True)
        self._reader.start()

    @classmethod
    def spawn(cls, path: Path) -> Helper:
        """A helper process, starting; it waits for ``send`` to say what to write."""
        process = subprocess.Popen(
            [sys.executable, "-m", "casetui.services.reports.parts"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, encoding="utf-8", errors="replace",
        )  # fmt: skip
        return cls(process, path)

    def send(
        self,
        url: str,
        actor: Actor,
        kind: ReportKind,
        criteria: CaseCriteria,
        *,
        details: bool,
        zone: ZoneInfo,
        currency: str,
    ) -> None:
        """What to write: ``kind`` for ``criteria``, into the helper's file."""
        spec = {
            "url": url, "actor": _actor_json(actor), "kind": kind.value,
            "criteria": _criteria_json(criteria), "details": details, "zone": zone.key,
            "currency": currency, "path": str(self.path),
        }  # fmt: skip
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(json.dumps(spec))
        stdin.close()

    def _listen(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        for line in stream:
            if line.startswith("rows "):
                self.rows = int(line[5:])
            elif line.startswith("done "):
                found = json.loads(line[5:])
                self._done = HelperDone(
                    found["rows"], [(note, case) for note, case in found["restricted"]]
                )
                self.rows = found["rows"]
            else:
                self._said.append(line.rstrip())

    def finish(self, stopped: Callable[[], bool]) -> HelperDone:
        """Wait for the helper, asking ``stopped()`` now and then: when it says yes, the
        report is cancelled (``ReportCancelled``; the caller ends the helper)."""
        while True:
            try:
                self.process.wait(WAIT_STEP)
                break
            except subprocess.TimeoutExpired:
                if stopped():
                    raise ReportCancelled() from None
        self._reader.join()
        if self.process.returncode != 0 or self._done is None:
            said = next((line for line in reversed(self._said) if line.strip()), "")
            raise CasetuiError(
                "the report's second half could not be written"
                + (f": {said}" if said else f" (exit status {self.process.returncode})")
            )
        return self._done

    def stop(self) -> None:
        """End the helper, if it is still going, and remove its file."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):  # a helper that has gone takes nothing more
                self.process.stdin.close()
        self._reader.join()
        self.path.unlink(missing_ok=True)

    def append_to(self, report: Path) -> None:
        """The helper's rows, after the report's own, and its file gone."""
        with report.open("ab") as out, self.path.open("rb") as rows:
            while chunk := rows.read(1 << 20):
                out.write(chunk)
        self.path.unlink(missing_ok=True)


# --- what travels to the helper ------------------------------------------------------------------


def _actor_json(actor: Actor) -> dict[str, Any]:
    return {
        "id": actor.id, "username": actor.username, "display_name": actor.display_name,
        "role": actor.role.value, "team_id": actor.team_id,
        "grants": sorted(grant.value for grant in actor.grants),
    }  # fmt: skip


def _actor_from(found: dict[str, Any]) -> Actor:
    return Actor(
        id=found["id"], username=found["username"], display_name=found["display_name"],
        role=Role(found["role"]), team_id=found["team_id"],
        grants=frozenset(Grant(grant) for grant in found["grants"]),
    )  # fmt: skip


def _criteria_json(criteria: CaseCriteria) -> dict[str, Any]:
    return {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in asdict(criteria).items()
    }


def _criteria_from(found: dict[str, Any]) -> CaseCriteria:
    def moment(name: str) -> datetime | None:
        return None if found[name] is None else datetime.fromisoformat(found[name])

    def day(name: str) -> date | None:
        return None if found[name] is None else date.fromisoformat(found[name])

    return CaseCriteria(
        **{
            **found,
            "since": moment("since"),
            "until": moment("until"),
            "first_day": day("first_day"),
            "last_day": day("last_day"),
        }  # fmt: skip
    )


# --- the helper itself ---------------------------------------------------------------------------


def write_part(spec: dict[str, Any], out: IO[str]) -> None:
    """Write the rows ``spec`` names to its file, saying how far it has got on ``out``."""
    from casetui.db.engine import make_engine
    from casetui.db.uow import Database
    from casetui.repositories.reports import ReportRepository
    from casetui.services.reports.columns import COLUMNS
    from casetui.services.reports.rows import Restricted, report_rows
    from casetui.services.reports.writers import CsvReport
    from casetui.services.work import reading

    kind = ReportKind(spec["kind"])
    actor = _actor_from(spec["actor"])
    restricted = Restricted() if spec["details"] else None
    db = Database(make_engine(spec["url"]))
    path = Path(spec["path"])
    count = 0
    try:
        with reading(db, actor) as work:
            reports = ReportRepository(work.session, actor)
            _raw, rows = report_rows(
                reports, kind, _criteria_from(spec["criteria"]), zone=ZoneInfo(spec["zone"]),
                currency=spec["currency"], details=spec["details"], restricted=restricted,
            )  # fmt: skip
            writer = CsvReport.create(path, COLUMNS[kind], header=False)
            try:
                while batch := list(islice(rows, PROGRESS_EVERY)):
                    writer.write_many(batch)
                    count += len(batch)
                    out.write(f"rows {count}\n")
                    out.flush()
            finally:
                writer.close()
    except BaseException:
        path.unlink(missing_ok=True)  # the report is gone too, or will remove it
        raise
    finally:
        db.dispose()
    pairs = list(zip(restricted.notes, restricted.cases, strict=True)) if restricted else []
    out.write("done " + json.dumps({"rows": count, "restricted": pairs}) + "\n")
    out.flush()


def main() -> int:
    try:
        write_part(json.loads(sys.stdin.read()), sys.stdout)
    except Exception as error:  # noqa: BLE001 - told to the report, which says it on screen
        # The database's own words, not the library's wrapping of them.
        said = str(getattr(error, "orig", None) or error).strip() or type(error).__name__
        print(said.splitlines()[0], flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
