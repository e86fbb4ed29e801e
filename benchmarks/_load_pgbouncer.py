"""A throwaway PgBouncer in transaction-pooling mode, on a free loopback port.

Debian's ``pgbouncer`` (``apt-get install pgbouncer``), started in the foreground with a config
and auth file in a temporary folder, in front of one database of the PostgreSQL on
127.0.0.1, and stopped (and its folder removed) when the ``with`` block ends.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import URL

DEBIAN_BINARY = "/usr/sbin/pgbouncer"
# Server connections PgBouncer keeps to the database: the pool every app's transactions share.
SERVER_POOL = 20
# A client waits at most this long for a server connection, then is told so (PgBouncer's
# default is 120 s, long enough to look like a hang).
QUERY_WAIT_TIMEOUT_S = 30


def pgbouncer_binary() -> str | None:
    found = shutil.which("pgbouncer")
    if found:
        return found
    return DEBIAN_BINARY if os.access(DEBIAN_BINARY, os.X_OK) else None


def missing_reason() -> str | None:
    """Why the pooler cannot be started here, or None."""
    if pgbouncer_binary() is None:
        return "pgbouncer is not installed (Debian: apt-get install -y pgbouncer)"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run_as() -> list[str]:
    """PgBouncer refuses to run as root: then it runs as postgres (or nobody)."""
    if os.geteuid() != 0:
        return []
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return ["-u", name]
    raise RuntimeError("pgbouncer will not run as root, and there is no postgres or nobody user")


def _quoted(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def config(server: URL, database: str, port: int, folder: Path, pool: int) -> str:
    target = [
        f"host={server.host or '127.0.0.1'}",
        f"port={server.port or 5432}",
        f"dbname={database}",
        f"user={server.username or 'postgres'}",
    ]
    if server.password:
        target.append(f"password={_quoted(str(server.password))}")
    return "\n".join([
        "[databases]",
        f"{database} = {' '.join(target)}",
        "",
        "[pgbouncer]",
        "listen_addr = 127.0.0.1",
        f"listen_port = {port}",
        "unix_socket_dir =",
        # Clients are this machine's benchmark only (loopback); the server side logs in as
        # the [databases] line says.
        "auth_type = trust",
        f"auth_file = {folder / 'users.txt'}",
        "pool_mode = transaction",
        f"default_pool_size = {pool}",
        "max_client_conn = 1000",
        f"query_wait_timeout = {QUERY_WAIT_TIMEOUT_S}",
        f"pidfile = {folder / 'pgbouncer.pid'}",
        "",
    ])  # fmt: skip


@contextmanager
def pgbouncer(server: URL, database: str, *, pool: int = SERVER_POOL) -> Iterator[URL]:
    """A running PgBouncer in front of ``database``; yields the URL to connect through it."""
    binary = pgbouncer_binary()
    if binary is None:
        raise RuntimeError(missing_reason())
    folder = Path(tempfile.mkdtemp(prefix="casetui-pgbouncer-"))
    log = folder / "pgbouncer.log"
    process: subprocess.Popen[bytes] | None = None
    try:
        port = free_port()
        (folder / "pgbouncer.ini").write_text(config(server, database, port, folder, pool))
        (folder / "users.txt").write_text(f'"{server.username or "postgres"}" ""\n')
        run_as = _run_as()
        if run_as:
            account = pwd.getpwnam(run_as[1])
            for path in (folder, *folder.iterdir()):
                os.chown(path, account.pw_uid, account.pw_gid)
        with log.open("wb") as output:
            process = subprocess.Popen(
                [binary, *run_as, str(folder / "pgbouncer.ini")],
                stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        _wait_for(port, process, log)
        yield server.set(host="127.0.0.1", port=port, database=database)
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        shutil.rmtree(folder, ignore_errors=True)


def _wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = log.read_text(errors="replace").strip().splitlines()[-3:]
            raise RuntimeError(f"pgbouncer stopped at once: {' / '.join(said)}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"pgbouncer did not listen on 127.0.0.1:{port} within 10 s")
