"""The audit figure: every unaudited note of an organisation audited at once (10,000 notes,
in one transaction, the audit trail's events included), timed from the call to the commit.

A database of its own is built for it (a SQLite file in the scratch folder): an administrator,
a team, forty cases and the notes, with wording of every quality (well written, vague, no next
steps, judgemental) so each criterion's cues are looked for the way real notes make them.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.report import Figure

NOTES = 10_000
QUICK_NOTES = 2_000
SECONDS = 10.0  # SPEC.md, "Performance, part two"
WORDING = (
    ("Home visit about the tenancy",
     "Visited Amal at home with her sister. We discussed the letter from the landlord about "
     "rent arrears; Amal is worried she could lose the flat. No risk to her safety was seen "
     "today. Agreed that I will call the housing office on Friday and refer her to advice."),
    ("Spoke to client, all fine", ""),
    ("Office appointment",
     "Met Bruno at the office to go through his benefit forms. He showed me the letters and "
     "we read them through together; he said the rent is paid up to date."),
    ("Phone call", "Client was non-compliant and refused to engage again. Will try next week."),
)  # fmt: skip


def build(url: str, count: int) -> None:
    from sqlalchemy import insert

    from casetui.db.engine import make_engine
    from casetui.db.migrate import upgrade
    from casetui.db.uow import Database
    from casetui.domain.models import CaseNote
    from casetui.repositories.staff import actor_from, find_by_username
    from casetui.services import cases, clients, staff
    from casetui.services.defaults import ensure_defaults
    from casetui.services.work import writing

    db = Database(make_engine(url))
    try:
        upgrade(db.engine)
        with writing(db, None) as work:
            ensure_defaults(work)
            work.commit()
        staff.create_staff(db, None, staff.StaffInput("admin", "Admin", role="administrator"))
        with db.uow(write=False) as uow:
            admin = actor_from(find_by_username(uow.session, "admin"))  # type: ignore[arg-type]
        worker = staff.create_staff(
            db, admin, staff.StaffInput("ana", "Ana", role="caseworker", team="North")
        )
        case_ids = []
        for n in range(40):
            client = clients.register_client(db, admin, clients.ClientInput(name=f"Person {n}"))
            opened = cases.open_case(db, admin, cases.CaseInput(client_id=client, worker="ana"))
            case_ids.append(opened.id)
        now = datetime.now(UTC)
        rows = []
        for n in range(count):
            summary, details = WORDING[n % len(WORDING)]
            at = now - timedelta(hours=3 * n + 1)
            rows.append({
                "case_id": case_ids[n % len(case_ids)], "author_id": worker.id, "contact_at": at,
                "activity_type": "Home visit", "contact_type": "Client", "summary": summary,
                "details": details, "restricted": False, "created_at": at, "updated_at": at,
                "version": 1, "imported": False,
            })  # fmt: skip
        with db.uow() as uow:
            uow.session.connection().execute(insert(CaseNote), rows)
            uow.commit()
    finally:
        db.dispose()


def measure_run(url: str) -> tuple[float, int]:
    from casetui.db.engine import make_engine
    from casetui.db.uow import Database
    from casetui.repositories.staff import actor_from, find_by_username
    from casetui.services.note_audits import run_audits

    db = Database(make_engine(url))
    try:
        with db.uow(write=False) as uow:
            admin = actor_from(find_by_username(uow.session, "admin"))  # type: ignore[arg-type]
        started = time.perf_counter()
        run = run_audits(db, admin)
        return time.perf_counter() - started, run.audited
    finally:
        db.dispose()


def figures(folder: Path, *, quick: bool) -> list[Figure]:
    count = QUICK_NOTES if quick else NOTES
    label = f"audit {count:,} notes at once (one transaction)"
    path = folder / "audits.db"
    path.unlink(missing_ok=True)
    try:
        build(f"sqlite:///{path}", count)
        seconds, audited = measure_run(f"sqlite:///{path}")
    except Exception as error:  # noqa: BLE001 - shown in the table
        message = f"{type(error).__name__}: {error}"
        print(f"[bench] audits failed: {message}", file=sys.stderr, flush=True)
        return [Figure("audit_seconds", label, "sqlite", None, "s", error=message)]
    finally:
        for leftover in folder.glob("audits.db*"):
            leftover.unlink(missing_ok=True)
    full = count == NOTES
    figure = Figure(
        "audit_seconds", label, "sqlite", seconds, "s", SECONDS if full else None,
        f"≤ {SECONDS:g} s" + ("" if full else f" at {NOTES:,}"), samples=[round(seconds, 3)],
    )  # fmt: skip
    figure.detail = {"audited": audited}
    return [figure]


if __name__ == "__main__":  # the one figure: python -m benchmarks._audits
    from benchmarks import measure

    for found in figures(measure.scratch_dir(), quick="--quick" in sys.argv):
        print(json.dumps(found.to_json(), indent=2))
