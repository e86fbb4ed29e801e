"""``python -m benchmarks load``: a shared PostgreSQL under many caseworkers at once.

Builds a throwaway database on the PostgreSQL at 127.0.0.1 (``casetui demo``), then for each
way in (straight to PostgreSQL, and through a throwaway PgBouncer in transaction-pooling mode)
copies it and lets simulated staff work on the copy through the real services for a while
(``_load_worker.py``): caseworkers writing notes with follow-up tasks, completing repeating
tasks, adding addenda and reading their caseload and timelines, supervisors refreshing the
workload screen, and a bulk note to many cases every few seconds. Half-way through, one
backend is ended in the middle of a transaction that has written (``pg_terminate_backend``).

Afterwards it proves what landed (``_load_proof.py``), prints latency per operation, errors by
kind, what held the writers up (the audit chain's lock and row locks, sampled in
``pg_stat_activity`` and ``pg_locks``; each save's COMMIT, where the chain is appended, timed), and the SPEC.md figures next to their targets, and drops every database it made.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import URL, make_url

from benchmarks import _load_pgbouncer, _load_proof
from benchmarks.databases import BENCH_PASSWORD, default_cache, pg_server_url, postgres_reachable
from benchmarks.report import Figure, median, percentile, show, table
from casetui.db.uow import AUDIT_CHAIN_KEY

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = ("127.0.0.1", "::1")
DATABASE_PREFIX = "casetui_load_"
WAYS = ("direct", "pgbouncer")
WAY_LABEL = {"direct": "postgresql direct", "pgbouncer": "postgresql via PgBouncer"}

# Targets from SPEC.md, "Performance, part two".
SAVE_P95 = 0.100
SAVE_P99 = 0.250
SAVES = ("note", "task", "addendum")  # what a caseworker saves; the bulk note has its own row
OPERATIONS = {
    "note": "save a note with a follow-up task",
    "task": "complete a repeating task (its next one made)",
    "addendum": "add an addendum",
    "editor": "open the note editor for a new note",
    "caseload": "open the caseload: first page and count",
    "timeline": "open a case's timeline",
    "workload": "workload screen's data (supervisors)",
    "bulk": "bulk note with a task",
}
SAMPLE_EVERY_S = 0.1
READY_TIMEOUT_S = 180


def say(text: str) -> None:
    print(f"[load] {text}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class LoadPlan:
    seconds: float = 60.0
    caseworkers: int = 50
    supervisors: int = 5
    bulk_every: float = 10.0
    bulk_cases: int = 200
    cases: int = 50_000
    processes: int = 4
    terminate: bool = True
    server_pool: int = _load_pgbouncer.SERVER_POOL
    seed: int = 1

    @property
    def staff(self) -> int:
        """The smallest ``casetui demo --staff`` with enough caseworkers and supervisors (one
        more supervisor than asked for: the group worker who writes the bulk notes)."""
        total = 6
        while True:
            teams = max(2, total // 8)  # as casetui.demo.people hires them
            if total - 2 - teams >= self.caseworkers and teams >= self.supervisors + 1:
                return total
            total += 1


# --- databases --------------------------------------------------------------------------------


def refuse_unless_loopback(server: URL) -> str | None:
    host = server.host or ""
    if host not in LOOPBACK:
        return (
            f"the load runs only against PostgreSQL on this machine's loopback "
            f"({' or '.join(LOOPBACK)}), not {host or 'a Unix socket'!r}"
        )
    return None


def dsn(server: URL, database: str) -> str:
    return server.set(drivername="postgresql", database=database).render_as_string(
        hide_password=False
    )


def app_url(server: URL, database: str) -> str:
    return server.set(drivername="postgresql+psycopg", database=database).render_as_string(
        hide_password=False
    )


def admin(server: URL, statement: str) -> None:
    with psycopg.connect(dsn(server, "postgres"), autocommit=True, connect_timeout=5) as conn:
        conn.execute(statement)


def build_seed(server: URL, name: str, plan: LoadPlan) -> dict[str, Any]:
    """The demo organisation, through ``casetui demo`` in a subprocess."""
    admin(server, f'CREATE DATABASE "{name}"')
    say(f"casetui demo --cases {plan.cases} --staff {plan.staff} into {name}")
    started = time.perf_counter()
    command = [sys.executable, "-m", "casetui", "--db", app_url(server, name), "demo",
               "--cases", str(plan.cases), "--staff", str(plan.staff), "--seed", str(plan.seed)]  # fmt: skip
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    with psycopg.connect(dsn(server, name)) as conn:
        counts = {
            table: _one(conn, f"SELECT count(*) FROM {table}")
            for table in ("staff", "cases", "case_note", "follow_up_task")
        }
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def _one(conn: psycopg.Connection, query: str) -> Any:
    row = conn.execute(query).fetchone()
    return row[0] if row else None


def cast(database_dsn: str, plan: LoadPlan) -> list[dict[str, Any]]:
    """Who plays whom, and what each may work on: their own open cases, those with an open
    repeating task, and recent notes (read from the demo rows; everything they then do goes through the
    services)."""
    with psycopg.connect(database_dsn) as conn:
        workers = conn.execute(
            "SELECT id, username FROM staff WHERE role = 'caseworker' AND active ORDER BY id "
            "LIMIT %s",
            (plan.caseworkers,),
        ).fetchall()
        supervisors = conn.execute(
            "SELECT id, username, team_id FROM staff WHERE role = 'supervisor' AND active "
            "ORDER BY id"
        ).fetchall()
        if len(workers) < plan.caseworkers or len(supervisors) < plan.supervisors + 1:
            raise RuntimeError("the demo organisation has too few caseworkers or supervisors")
        ids = [w[0] for w in workers]
        cases: dict[int, list[list[Any]]] = defaultdict(list)
        for worker, case_id, number in conn.execute(
            "SELECT primary_worker_id, id, case_number FROM cases WHERE status = 'Open' "
            "AND deleted_at IS NULL AND primary_worker_id = ANY(%s) ORDER BY id",
            (ids,),
        ):
            cases[worker].append([case_id, number])
        repeating: dict[int, list[list[Any]]] = defaultdict(list)
        for worker, case_id, number in conn.execute(
            "SELECT DISTINCT c.primary_worker_id, c.id, c.case_number FROM follow_up_task t "
            "JOIN cases c ON c.id = t.case_id WHERE t.status = 'open' AND t.repeats <> 'none' "
            "AND c.status = 'Open' AND c.deleted_at IS NULL AND c.primary_worker_id = ANY(%s)",
            (ids,),
        ):
            repeating[worker].append([case_id, number])
        notes: dict[int, list[int]] = defaultdict(list)
        for worker, note_id in conn.execute(
            "SELECT worker, id FROM (SELECT c.primary_worker_id AS worker, n.id, row_number() "
            "OVER (PARTITION BY c.primary_worker_id ORDER BY n.id DESC) AS newest FROM case_note "
            "n JOIN cases c ON c.id = n.case_id WHERE n.deleted_at IS NULL AND c.status = 'Open' "
            "AND c.deleted_at IS NULL AND c.primary_worker_id = ANY(%s)) recent "
            "WHERE newest <= 20",
            (ids,),
        ):
            notes[worker].append(note_id)
        # The group worker: the supervisor whose team has the most open cases; the others
        # refresh the workload.
        open_cases = dict(
            conn.execute(
                "SELECT team_id, count(*) FROM cases WHERE status = 'Open' AND deleted_at IS NULL "
                "GROUP BY team_id"
            ).fetchall()
        )
        group_worker = max(supervisors, key=lambda s: (open_cases.get(s[2], 0), -s[0]))
        supervisors = [s for s in supervisors if s != group_worker]
        bulk = [
            number
            for (number,) in conn.execute(
                "SELECT case_number FROM cases WHERE team_id = %s AND status = 'Open' AND "
                "deleted_at IS NULL ORDER BY id LIMIT %s",
                (group_worker[2], plan.bulk_cases),
            )
        ]
    if plan.bulk_every > 0 and len(bulk) < plan.bulk_cases:
        raise RuntimeError(
            f"no team has {plan.bulk_cases} open cases for the bulk note (the most is "
            f"{len(bulk)}): ask for more --cases"
        )
    people: list[dict[str, Any]] = []
    for worker_id, username in workers:
        if not cases[worker_id]:
            raise RuntimeError(f"{username} has no open case in the demo organisation")
        people.append({"username": username, "role": "caseworker", "cases": cases[worker_id],
                       "repeating": repeating[worker_id], "notes": notes[worker_id]})  # fmt: skip
    people += [
        {"username": username, "role": "supervisor"}
        for _id, username, _team in supervisors[: plan.supervisors]
    ]
    if plan.bulk_every > 0:
        people.append({"username": group_worker[1], "role": "group", "bulk_cases": bulk})
    return people


# --- watching the server ---------------------------------------------------------------------


@dataclass
class Watch:
    """``pg_stat_activity`` sampled while the people work, and the machine's CPU."""

    samples: list[tuple[int, int, int, int, int]] = field(
        default_factory=list
    )  # waiting for the audit chain's lock, for other locks (rows; the writer lock), active,
    # in transaction, the chain's lock held
    cpu_busy: float | None = None
    postgres_cpu_s: float | None = None
    workers_cpu_s: float | None = None
    stats: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        waiting = [s[0] for s in self.samples]
        return {
            "samples": len(self.samples),
            "mean_waiting_for_audit_chain": round(sum(waiting) / len(waiting), 2) if waiting else None,
            "share_of_samples_with_a_writer_waiting": round(sum(1 for w in waiting if w) / len(waiting), 3) if waiting else None,
            "most_waiting_at_once": max(waiting, default=0),
            "mean_waiting_for_other_locks": round(sum(s[1] for s in self.samples) / len(self.samples), 2) if self.samples else None,
            "mean_active": round(sum(s[2] for s in self.samples) / len(self.samples), 2) if self.samples else None,
            "share_of_samples_with_the_chain_held": round(sum(1 for s in self.samples if s[4]) / len(self.samples), 3) if self.samples else None,
            "cpu_busy_share": self.cpu_busy,
            "postgres_cpu_seconds": self.postgres_cpu_s,
            "load_processes_cpu_seconds": self.workers_cpu_s,
            "server_counters": self.stats,
        }  # fmt: skip


# A backend waits for one lock at most: the join finds it when it is an advisory one.
ACTIVITY = f"""
SELECT count(*) FILTER (WHERE l.objid = {AUDIT_CHAIN_KEY}),
       count(*) FILTER (WHERE a.wait_event_type = 'Lock' AND l.objid IS DISTINCT FROM {AUDIT_CHAIN_KEY}),
       count(*) FILTER (WHERE a.state = 'active'),
       count(*) FILTER (WHERE a.state LIKE 'idle in transaction%%'),
       (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
        AND objid = {AUDIT_CHAIN_KEY})
FROM pg_stat_activity a
LEFT JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted AND l.locktype = 'advisory'
WHERE a.datname = %s AND a.pid <> pg_backend_pid()
"""
COUNTERS = """
SELECT xact_commit, xact_rollback, deadlocks, blks_hit, blks_read
FROM pg_stat_database WHERE datname = %s
"""


def counters(database_dsn: str, name: str) -> dict[str, int]:
    with psycopg.connect(database_dsn, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute(COUNTERS, (name,)).fetchone()
    keys = ("commits", "rollbacks", "deadlocks", "blocks_hit", "blocks_read")
    return dict(zip(keys, row or (0,) * len(keys), strict=True))


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def postgres_cpu() -> float:
    """CPU seconds of every postgres process now running (the server is shared: indicative)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.find("(") + 1 : text.rfind(")")]
        if name.startswith("postgres"):
            after = text[text.rfind(")") + 2 :].split()
            total += int(after[11]) + int(after[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def sample(database_dsn: str, name: str, stop: threading.Event, watch: Watch) -> None:
    with psycopg.connect(database_dsn, autocommit=True) as conn:
        while not stop.wait(SAMPLE_EVERY_S):
            row = conn.execute(ACTIVITY, (name,)).fetchone()
            if row is not None:
                watch.samples.append((row[0], row[1], row[2], row[3], row[4]))


TERMINATE = """
SELECT pid, state, left(query, 120), pg_terminate_backend(pid)
FROM pg_stat_activity
WHERE datname = %s AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL
  AND state IN ('active', 'idle in transaction') AND query NOT ILIKE 'commit%%'
ORDER BY xact_start LIMIT 1
"""


def terminate_one(database_dsn: str, name: str, within: float) -> dict[str, Any] | None:
    """End one backend whose transaction has written and not committed, as the reliability
    tests do; None when none was caught within ``within`` seconds."""
    deadline = time.monotonic() + within
    with psycopg.connect(database_dsn, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(TERMINATE, (name,)).fetchone()
            if row is not None:
                return {"at": time.monotonic(), "pid": row[0], "state": row[1], "query": row[2],
                        "terminated": bool(row[3])}  # fmt: skip
            time.sleep(0.002)
    return None


# --- one run ---------------------------------------------------------------------------------


@dataclass
class Run:
    way: str
    seconds: float
    people: int
    records: list[dict[str, Any]]
    watch: Watch
    terminated: dict[str, Any] | None
    proof: _load_proof.Proof
    started: float  # time.monotonic() at go

    @property
    def ops(self) -> list[list[Any]]:
        return [op for record in self.records for op in record["ops"]]

    @property
    def span(self) -> float:
        """From go to the end of the last piece of work (begun before the deadline, it may end
        after it): what throughput and the lock's share are counted over."""
        ends = [op[2] + op[3] for op in self.ops]
        return max([self.seconds, *(end - self.started for end in ends)])

    @property
    def errors(self) -> list[list[str]]:
        return [e for record in self.records for e in record["errors"]]


def run_once(way: str, url: str, server: URL, name: str, plan: LoadPlan, folder: Path) -> Run:
    database_dsn = dsn(server, name)
    people = cast(database_dsn, plan)
    groups: list[list[dict[str, Any]]] = [
        [] for _ in range(max(1, min(plan.processes, len(people))))
    ]
    for index, person in enumerate(people):
        groups[index % len(groups)].append(person)
    workers: list[tuple[subprocess.Popen[str], Path, Path]] = []
    say(f"{way}: {len(people)} people in {len(groups)} processes signing in")
    try:
        for number, group in enumerate(groups):
            spec = {
                "url": url, "password": BENCH_PASSWORD, "seconds": plan.seconds,
                "seed": plan.seed, "run": way[0], "bulk_every": plan.bulk_every,
                "people": group, "out": str(folder / f"{way}-{number}.json"), "watch_lock": True,
            }  # fmt: skip
            spec_path = folder / f"{way}-{number}-spec.json"
            spec_path.write_text(json.dumps(spec))
            log = folder / f"{way}-{number}.log"
            with log.open("w") as errors:
                process = subprocess.Popen(
                    [sys.executable, "-m", "benchmarks._load_worker", str(spec_path)],
                    cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
                    text=True, bufsize=1,
                )  # fmt: skip
            workers.append((process, Path(spec["out"]), log))
        for process, _out, log in workers:
            if _line(process, READY_TIMEOUT_S) != "ready":
                raise RuntimeError(f"a load process did not get ready: {_tail(log)}")

        before = _load_proof.baseline(database_dsn)
        watch = Watch()
        counted = counters(database_dsn, name)
        cpu_before, pg_before = cpu_ticks(), postgres_cpu()
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        stop = threading.Event()
        sampler = threading.Thread(
            target=sample, args=(database_dsn, name, stop, watch), daemon=True
        )
        sampler.start()
        say(f"{way}: go, for {plan.seconds:g} s")
        started = time.monotonic()
        for process, _out, _log in workers:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        terminated = None
        if plan.terminate:
            time.sleep(max(0.0, started + plan.seconds / 2 - time.monotonic()))
            terminated = terminate_one(database_dsn, name, within=plan.seconds * 0.4)
            if terminated is not None:
                say(f"{way}: ended backend {terminated['pid']} mid-transaction "
                    f"({terminated['state']}: {terminated['query'][:60]})")  # fmt: skip
            else:
                say(f"{way}: caught no backend mid-transaction to end")
        time.sleep(max(0.0, started + plan.seconds - time.monotonic()))
        cpu_after, pg_after = cpu_ticks(), postgres_cpu()
        stop.set()
        sampler.join(5)
        for process, _out, log in workers:
            if _line(process, plan.seconds + 120) != "done":
                process.send_signal(signal.SIGUSR1)  # its threads' stacks, into its log
                time.sleep(1)
                raise RuntimeError(f"a load process did not finish; its threads: {_tail(log, 200)}")
            process.wait(30)
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        watch.stats = {k: v - counted.get(k, 0) for k, v in counters(database_dsn, name).items()}
        busy, total = cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1]
        watch.cpu_busy = round(busy / total, 3) if total else None
        watch.postgres_cpu_s = round(pg_after - pg_before, 1)
        watch.workers_cpu_s = round(
            (children_after.ru_utime + children_after.ru_stime)
            - (children_before.ru_utime + children_before.ru_stime), 1,
        )  # fmt: skip
        records = [json.loads(out.read_text()) for _process, out, _log in workers]
    finally:
        for process, _out, _log in workers:
            if process.poll() is None:
                process.kill()
                process.wait(10)
    say(f"{way}: proving what landed")
    proof = _load_proof.prove(database_dsn, before, records, app_url(server, name))
    return Run(way, plan.seconds, len(people), records, watch, terminated, proof, started)


def _line(process: subprocess.Popen[str], timeout: float) -> str:
    """The process's next line on stdout, or "" if it ended or said nothing in time."""
    assert process.stdout is not None
    stream = process.stdout
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return found[0].strip() if found else ""


def _tail(log: Path, lines: int = 5) -> str:
    text = log.read_text(errors="replace").strip() if log.exists() else ""
    return " / ".join(text.splitlines()[-lines:]) or "(nothing on stderr)"


# --- figures -----------------------------------------------------------------------------------


def latencies(ops: list[list[Any]], names: Sequence[str]) -> list[float]:
    return [op[3] for op in ops if op[0] in names and op[4] == "ok"]


def operation_table(run: Run) -> str:
    ops = run.ops
    headers = ("operation", "done", "p50", "p95", "p99", "max", "commit p95", "writing p50",
               "failed")  # fmt: skip
    rows = []
    for key, label in OPERATIONS.items():
        mine = [op for op in ops if op[0] == key]
        if not mine:
            continue
        ok = [op[3] for op in mine if op[4] == "ok"]
        waits = [op[6] for op in mine if op[4] == "ok"]
        holds = [op[7] for op in mine if op[4] == "ok"]
        failed = sum(1 for op in mine if op[4] != "ok")
        rows.append((label, str(len(ok)), *(show(percentile(ok, q), "s") for q in (0.5, 0.95, 0.99)),
                     show(max(ok, default=None), "s"), show(percentile(waits, 0.95), "s"), show(median(holds), "s"), str(failed)))  # fmt: skip
    return _grid(headers, rows)


def error_table(run: Run) -> str:
    counted = Counter((op, kind) for op, kind, _first in run.errors)
    example = {(op, kind): first for op, kind, first in run.errors}
    if not counted:
        return "errors: none"
    rows = [(OPERATIONS.get(op, op), kind, str(n), example[(op, kind)][:70])
            for (op, kind), n in counted.most_common()]  # fmt: skip
    return (
        "errors by kind (each failed try; a retried save that then landed counts once here)\n"
        + _grid(("operation", "kind", "count", "first words"), rows)
    )


def _grid(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]

    def line(cells: Sequence[str]) -> str:
        return " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), "-+-".join("-" * w for w in widths), *map(line, rows)])


def figures(run: Run, plan: LoadPlan) -> list[Figure]:
    place = WAY_LABEL[run.way]
    ops = run.ops
    saves = latencies(ops, SAVES)
    everything = [op for op in ops if op[4] == "ok"]
    proof = run.proof
    held = run.watch.summary()["share_of_samples_with_the_chain_held"] or 0
    save_waits = [op[6] for op in ops if op[0] in SAVES and op[4] == "ok"]
    bulk = latencies(ops, ["bulk"])

    def count(
        key: str, label: str, value: float, target: float | None = None, text: str = ""
    ) -> Figure:
        return Figure(key, label, place, value, "count", target, text)

    rows = [
        Figure("load_save_p95", "save (note with task, task done, addendum), 95th percentile",
               place, percentile(saves, 0.95), "s", SAVE_P95, "≤ 100 ms"),
        Figure("load_save_p99", "save, 99th percentile", place, percentile(saves, 0.99), "s",
               SAVE_P99, "≤ 250 ms"),
        Figure("load_save_p50", "save, median", place, median(saves), "s"),
        count("load_lost", "acknowledged as saved but lost", len(proof.lost), 0, "0"),
        count("load_duplicated", "saved more than once", len(proof.duplicated), 0, "0"),
        count("load_half_written", "half-written (a row without its task, event or next task)",
              len(proof.half_written), 0, "0"),
        count("load_audit", "audit verify: problems found", 0 if proof.audit_ok else 1, 0,
              "0 (intact)"),
        count("load_acknowledged", "saves acknowledged (notes, addenda, bulk notes, tasks done)",
              sum(proof.acknowledged.values())),
        count("load_throughput", "throughput: operations a second (reads and saves)",
              round(len(everything) / run.span, 1)),
        count("load_save_rate", "throughput: saves a second",
              round(len(saves) / run.span, 1)),
        Figure("load_bulk", f"bulk note with a task to {plan.bulk_cases} cases, median", place,
               median(bulk), "s"),
        count("load_lock_held", "audit chain's lock held, % of samples",
              round(100 * held, 1)),
        Figure("load_lock_wait_p95", "save's COMMIT (the chain appended), 95th percentile", place,
               percentile(save_waits, 0.95), "s"),
        count("load_cpu", "machine CPU busy, % (client processes and server share 2 cores)"
              if os.cpu_count() == 2 else "machine CPU busy, %",
              round(100 * (run.watch.cpu_busy or 0), 1)),
    ]  # fmt: skip
    for figure in rows:
        if figure.value is None:
            figure.error = "nothing measured"
    return rows


def describe(run: Run) -> str:
    proof, watch = run.proof, run.watch.summary()
    lines = [
        f"acknowledged: {dict(proof.acknowledged)}; not acknowledged and absent: "
        f"{len(proof.in_doubt_absent)}, not acknowledged but whole: {len(proof.in_doubt_landed)}",
        f"audit verify: {proof.audit}",
    ]
    if run.terminated:
        t = run.terminated
        lines.append(
            f"backend {t['pid']} ended at {t['at'] - run.started:.1f} s, mid-transaction "
            f"({t['state']}, running: {' '.join(t['query'].split())[:70]})"
        )
    else:
        lines.append("no backend was ended mid-transaction (none caught, or --no-terminate)")
    lines.append(
        f"the last answer came {run.span:.1f} s after go (work begun before the end finishes)"
    )
    lines.append(
        f"pg_stat_activity every {SAMPLE_EVERY_S:g} s: {watch['mean_waiting_for_audit_chain']} "
        f"writers waiting for the audit chain on average, at most {watch['most_waiting_at_once']}; "
        f"a writer waiting in {100 * (watch['share_of_samples_with_a_writer_waiting'] or 0):.0f}% "
        f"of samples; {watch['mean_waiting_for_other_locks']} waiting on other locks (case rows, "
        "the writer lock while a write runs alone)"
    )
    lines.append(
        f"CPU: machine {100 * (watch['cpu_busy_share'] or 0):.0f}% busy; postgres processes "
        f"{watch['postgres_cpu_seconds']} s, load processes {watch['load_processes_cpu_seconds']} s; "
        f"server: {watch['server_counters']}"
    )
    for problem in (proof.lost + proof.duplicated + proof.half_written)[:20]:
        lines.append(f"PROBLEM: {problem}")
    return "\n".join(lines)


# --- the command -------------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    default = LoadPlan()
    parser.add_argument(
        "--seconds",
        type=float,
        default=default.seconds,
        help="how long the people work (default 60)",
    )
    parser.add_argument(
        "--caseworkers",
        type=int,
        default=default.caseworkers,
        help="simulated caseworkers (default 50)",
    )
    parser.add_argument(
        "--supervisors",
        type=int,
        default=default.supervisors,
        help="simulated supervisors refreshing the workload (default 5)",
    )
    parser.add_argument(
        "--bulk-every",
        type=float,
        default=default.bulk_every,
        metavar="S",
        help="a bulk note every S seconds; 0 for none (default 10)",
    )
    parser.add_argument(
        "--bulk-cases",
        type=int,
        default=default.bulk_cases,
        metavar="N",
        help="cases each bulk note goes to (default 200)",
    )
    parser.add_argument(
        "--cases",
        type=int,
        default=default.cases,
        help="cases in the demo organisation (default 50,000; about 1 in 20 is open)",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=default.processes,
        help="processes the people are spread over (default 4)",
    )
    parser.add_argument(
        "--server-pool",
        type=int,
        default=default.server_pool,
        metavar="N",
        help="PgBouncer's server connections (default 20)",
    )
    parser.add_argument(
        "--via",
        default=None,
        metavar="WAYS",
        help="direct, pgbouncer or both (default: both; pgbouncer left out when it is not installed)",
    )
    parser.add_argument("--no-terminate", action="store_true", help="do not end a backend half-way")
    parser.add_argument(
        "--json",
        type=Path,
        metavar="PATH",
        help="where the results go (default: benchmarks/.cache/load.json)",
    )
    return parser.parse_args(argv)  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    plan = LoadPlan(
        seconds=args.seconds, caseworkers=args.caseworkers, supervisors=args.supervisors,
        bulk_every=args.bulk_every, bulk_cases=args.bulk_cases, cases=args.cases,
        processes=args.processes, terminate=not args.no_terminate, server_pool=args.server_pool,
    )  # fmt: skip
    server = make_url(pg_server_url())
    refused = refuse_unless_loopback(server)
    if refused:
        say(refused)
        return 2
    problem = postgres_reachable()
    if problem is not None:
        say(f"PostgreSQL does not answer at {server.host}:{server.port or 5432}: {problem}")
        return 2
    ways = [w.strip() for w in (args.via or ",".join(WAYS)).split(",") if w.strip()]
    unknown = [w for w in ways if w not in WAYS]
    if unknown or not ways:
        say(f"--via takes direct, pgbouncer or both, not {args.via!r}")
        return 2
    missing = _load_pgbouncer.missing_reason()
    if "pgbouncer" in ways and missing:
        if args.via:
            say(missing)
            return 2
        say(f"leaving PgBouncer out: {missing}")
        ways.remove("pgbouncer")

    # Stopped from outside, the databases made so far are still dropped (``finally`` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    stamp = secrets.token_hex(4)
    seed_name = f"{DATABASE_PREFIX}{stamp}"
    made = [seed_name]
    runs: list[Run] = []
    try:
        with tempfile.TemporaryDirectory(prefix="casetui-load-") as scratch:
            built = build_seed(server, seed_name, plan)
            say(f"demo organisation: {built}")
            for way in ways:
                name = f"{seed_name}_{way}"
                made.append(name)
                admin(server, f'CREATE DATABASE "{name}" TEMPLATE "{seed_name}"')
                if way == "pgbouncer":
                    with _load_pgbouncer.pgbouncer(server, name, pool=plan.server_pool) as pooled:
                        url = pooled.set(drivername="postgresql+psycopg").render_as_string(
                            hide_password=False
                        )
                        runs.append(run_once(way, url, server, name, plan, Path(scratch)))
                else:
                    runs.append(
                        run_once(way, app_url(server, name), server, name, plan, Path(scratch))
                    )
    finally:
        for name in reversed(made):
            if name.startswith(DATABASE_PREFIX):
                admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    everything: list[Figure] = []
    for run in runs:
        print(f"\n== {WAY_LABEL[run.way]}: {plan.caseworkers} caseworkers, {plan.supervisors} "
              f"supervisors, a bulk note to {plan.bulk_cases} cases every {plan.bulk_every:g} s, "
              f"{plan.seconds:g} s; demo of {built['cases']:,} cases, {built['staff']} staff ==")  # fmt: skip
        print(operation_table(run))
        print()
        print(error_table(run))
        print()
        print(describe(run))
        everything += figures(run, plan)
    print()
    print(table(everything))
    path = args.json or default_cache() / "load.json"
    write(path, plan, built, runs, everything)
    print(f"\nJSON: {path}")
    return 0 if all(run.proof.holds for run in runs) else 1


def write(
    path: Path, plan: LoadPlan, built: dict[str, Any], runs: list[Run], found: list[Figure]
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "meta": {"when": datetime.now(UTC).isoformat(timespec="seconds"), "plan": asdict(plan),
                 "demo": built, "cpus": os.cpu_count()},
        "runs": [
            {"way": run.way, "people": run.people, "proof": run.proof.to_json(),
             "terminated": run.terminated and {k: v for k, v in run.terminated.items() if k != "at"},
             "watch": run.watch.summary(), "errors": Counter(k for _op, k, _f in run.errors),
             "operations": {key: {"done": len(latencies(run.ops, [key])),
                                  "p50": percentile(latencies(run.ops, [key]), 0.5),
                                  "p95": percentile(latencies(run.ops, [key]), 0.95),
                                  "p99": percentile(latencies(run.ops, [key]), 0.99)}
                            for key in OPERATIONS}}
            for run in runs
        ],
        "figures": [figure.to_json() for figure in found],
    }  # fmt: skip
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
