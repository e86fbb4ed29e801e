"""Driving casetui through a real ``ssh`` inside tmux: the server, the terminal, the screen.

The fixtures that use these live in this folder's conftest.py.
"""

from __future__ import annotations

import contextlib
import functools
import getpass
import io
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

import casetui
from casetui.cli import main as casetui_command
from casetui.db.engine import make_engine
from casetui.db.uow import Database
from casetui.domain.actor import Actor
from casetui.domain.enums import Concern, Role
from casetui.domain.filters import CaseFilter
from casetui.domain.read_models.people import WorkloadRow
from casetui.repositories.cases import CaseRepository
from casetui.repositories.staff import actor_from, find_by_username
from casetui.services import cases
from casetui.services.staff import list_staff
from casetui.services.workload import workload

WAIT = 20.0  # seconds for any one thing to appear on the screen
DEMO_PASSWORD = "demo"
SSHD_PLACES = ("sshd", "/usr/sbin/sshd", "/usr/local/sbin/sshd")
SCREEN = (80, 24)
_SGR = re.compile(r"\x1b\[([0-9;]*)m")


# --- the programs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Tools:
    sshd: str
    ssh: str
    ssh_keygen: str
    tmux: str


@functools.cache
def _find_tools() -> Tools | str:
    """The programs a session needs, or why they cannot be used."""
    found = {
        "sshd": next((path for name in SSHD_PLACES if (path := shutil.which(name))), None),
        "ssh": shutil.which("ssh"),
        "ssh-keygen": shutil.which("ssh-keygen"),
        "tmux": shutil.which("tmux"),
    }
    missing = [name for name, path in found.items() if path is None]
    if missing:
        return (
            f"{', '.join(missing)} not found: install Debian's openssh-server, openssh-client "
            "and tmux (.ci/run installs them when it runs as root)"
        )
    return Tools(*found.values())  # type: ignore[arg-type]


def require_ssh_tools() -> Tools:
    """Skip without sshd or tmux; in CI a missing tool is a failure, not a skip."""
    tools = _find_tools()
    if isinstance(tools, str):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(tools, pytrace=False)
        pytest.skip(tools)
    return tools


# --- the server ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SshServer:
    tools: Tools
    port: int
    user: str
    client_key: Path

    def command(self, remote: list[str]) -> list[str]:
        """``ssh`` with a terminal, this server's key only, and no config or known hosts."""
        return [
            self.tools.ssh, "-tt", "-F", "/dev/null", "-p", str(self.port),
            "-i", str(self.client_key), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR", f"{self.user}@127.0.0.1", shlex.join(remote),
        ]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _greets(port: int) -> bool:
    """True once sshd says hello on the port (a bare accept could be someone else)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            return conn.recv(8).startswith(b"SSH-")
    except OSError:
        return False


def _launch_sshd(tools: Tools, home: Path, port: int) -> subprocess.Popen[bytes]:
    config = home / "sshd_config"
    config.write_text(
        f"ListenAddress 127.0.0.1\nPort {port}\nHostKey {home / 'host_key'}\n"
        f"AuthorizedKeysFile {home / 'authorized_keys'}\nPidFile {home / 'sshd.pid'}\n"
        "PubkeyAuthentication yes\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
        "PermitRootLogin prohibit-password\nUsePAM no\nStrictModes no\n"
        "PrintMotd no\nPrintLastLog no\nX11Forwarding no\nAllowTcpForwarding no\n"
    )
    with (home / "sshd.log").open("ab") as log:
        # -D keeps it in the foreground, ours to stop; -e sends its log to the file.
        return subprocess.Popen(
            [tools.sshd, "-D", "-e", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT
        )


@contextmanager
def running_sshd(tools: Tools, home: Path) -> Iterator[SshServer]:
    """An sshd on a free port of 127.0.0.1 that lets in this user with a key made here."""
    for key in ("host_key", "client_key"):
        subprocess.run(
            [tools.ssh_keygen, "-q", "-t", "ed25519", "-N", "", "-C", "casetui-test",
             "-f", str(home / key)], check=True,
        )  # fmt: skip
    shutil.copyfile(home / "client_key.pub", home / "authorized_keys")
    if os.geteuid() == 0:
        # sshd started by root insists on its privilege separation directory.
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    for _attempt in range(3):  # a free port can be taken between asking and binding
        port = _free_port()
        server = _launch_sshd(tools, home, port)
        deadline = time.monotonic() + 10
        while server.poll() is None and not _greets(port) and time.monotonic() < deadline:
            time.sleep(0.05)
        if server.poll() is None and _greets(port):
            break
        server.kill()
        server.wait()
    else:
        log = (home / "sshd.log").read_text(errors="replace")
        pytest.fail(f"sshd did not start on 127.0.0.1:\n{log}", pytrace=False)
    try:
        ssh = SshServer(tools, port, getpass.getuser(), home / "client_key")
        _check_login(ssh, home)
        yield ssh
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _check_login(ssh: SshServer, home: Path) -> None:
    """One login before any test, so a refusal (a locked account, say) is named once, clearly."""
    probe = subprocess.run(ssh.command(["true"]), capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        log = (home / "sshd.log").read_text(errors="replace")
        pytest.fail(
            f"ssh {ssh.user}@127.0.0.1 -p {ssh.port} failed: {probe.stderr.strip()}\n"
            f"sshd said:\n{log}",
            pytrace=False,
        )


# --- the organisation ------------------------------------------------------------------------


@dataclass(frozen=True)
class Organisation:
    """A demo database, and what its first supervisor should see in it."""

    url: str
    supervisor: str
    supervisor_name: str
    team: list[WorkloadRow]  # the supervisor's workload screen, highest utilisation first
    over_capacity: str  # the display name of the one person put over capacity
    case_number: str  # an open case of the team, to write a note on
    case_client: str


def casetui_source() -> str:
    """Where the casetui under test is imported from, for a remote PYTHONPATH."""
    return str(Path(casetui.__file__).resolve().parent.parent)


def _overload(db: Database, admin: Actor, supervisor: Actor, person: WorkloadRow) -> None:
    """Raise the concern of ``person``'s cases until they carry more than their capacity."""
    with db.uow(write=False) as uow:
        open_cases = CaseRepository(uow.session, admin).rows(
            CaseFilter(worker_ids=(person.staff_id,), statuses=("Open",), sort="case_number"),
            limit=500,
        )
    for case in open_cases:
        if case.concern == Concern.HIGH.value:
            continue
        cases.change_concern(db, admin, case.case_number, Concern.HIGH.value)
        now = next(r for r in workload(db, supervisor) if r.staff_id == person.staff_id)
        if now.utilisation > 1:
            return
    raise AssertionError(f"could not put {person.username} over capacity")


def _actor(db: Database, username: str) -> Actor:
    with db.uow(write=False) as uow:
        staff = find_by_username(uow.session, username)
        assert staff is not None, username
        return actor_from(staff)


def build_organisation(path: Path) -> Organisation:
    """``casetui demo``, then one person of the first supervisor's team over capacity."""
    url = f"sqlite:///{path}"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        made = casetui_command(
            ["demo", "--db", url, "--cases", "300", "--staff", "8", "--seed", "1"]
        )
    assert made == 0, printed.getvalue()
    db = Database(make_engine(url))
    try:
        admin = _actor(db, "admin")
        people = list_staff(db, admin)
        lead = min((p for p in people if p.role is Role.SUPERVISOR), key=lambda p: p.username)
        supervisor = _actor(db, lead.username)
        busiest = next(r for r in workload(db, supervisor) if r.staff_id != supervisor.id)
        _overload(db, admin, supervisor, busiest)
        team = workload(db, supervisor)
        with db.uow(write=False) as uow:
            case = CaseRepository(uow.session, supervisor).rows(
                CaseFilter(statuses=("Open",), sort="case_number"), limit=1
            )[0]
    finally:
        db.dispose()
    return Organisation(
        url,
        lead.username,
        lead.display_name,
        team,
        busiest.display_name,
        case.case_number,
        case.client_name,
    )


def casetui_over_ssh(
    server: SshServer, org: Organisation, home: Path, **environment: str
) -> list[str]:
    """The ssh command that runs casetui remotely; ssh passes no environment, so it is spelt out."""
    remote_env = {
        "TERM": "xterm-256color",
        "PYTHONPATH": casetui_source(),
        "CASETUI_DRAFTS_DIR": str(home / "drafts"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        **environment,
    }
    remote = ["env", *(f"{name}={value}" for name, value in remote_env.items())]
    remote += [sys.executable, "-m", "casetui", "--db", org.url, "--user", org.supervisor]
    return server.command(remote)


# --- the terminal ----------------------------------------------------------------------------


class Terminal:
    """An 80x24 tmux window of its own (its own tmux server) running one ssh session."""

    def __init__(self, tmux: str, workdir: Path) -> None:
        self.tmux = tmux
        self.socket = f"casetui-{os.getpid()}-{time.monotonic_ns()}"
        self.config = workdir / "tmux.conf"
        # The pane stays after ssh ends, so a failure can still show the last screen.
        self.config.write_text("set -g remain-on-exit on\nset -g status off\n")

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(
            [self.tmux, "-u", "-L", self.socket, "-f", str(self.config), *args],
            capture_output=True, text=True, timeout=10, env={**os.environ, "TERM": "xterm-256color"},
        )  # fmt: skip
        if done.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def start(self, command: list[str]) -> None:
        width, height = SCREEN
        self._tmux("new-session", "-d", "-s", "main", "-x", str(width), "-y", str(height),
                   "exec " + shlex.join(command))  # fmt: skip

    def keys(self, *keys: str) -> None:
        """tmux key names: Enter, Tab, Escape, C-s…"""
        self._tmux("send-keys", "-t", "main", *keys)

    def type(self, text: str) -> None:
        self._tmux("send-keys", "-t", "main", "-l", text)

    def screen(self, *, colours: bool = False) -> str:
        return self._tmux("capture-pane", "-p", "-t", "main", *(["-e"] if colours else []))

    def wait_for(self, what: str | Callable[[str], bool], *, seconds: float = WAIT) -> str:
        """Poll the screen until it shows ``what``; fail with the last screen if it never does."""
        check = what if callable(what) else (lambda screen: what in screen)
        deadline = time.monotonic() + seconds
        while True:
            shown = self.screen()
            if check(shown):
                return shown
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {seconds:.0f} s for {what!r}; the screen:\n{shown}")
            time.sleep(0.1)

    def client_pid(self) -> int:
        """The ssh client: the pane's own process, since the pane execs ssh."""
        return int(self._tmux("display-message", "-p", "-t", "main", "#{pane_pid}").strip())

    def close(self) -> None:
        subprocess.run(
            [self.tmux, "-L", self.socket, "kill-server"], capture_output=True, timeout=10
        )


def kill_client(terminal: Terminal) -> None:
    """Drop the connection the hard way: the ssh client dies without a goodbye."""
    pid = terminal.client_pid()
    program = Path(f"/proc/{pid}/comm").read_text().strip()
    assert program == "ssh", f"the pane runs {program}, not ssh"
    os.kill(pid, signal.SIGKILL)


# --- the far end -----------------------------------------------------------------------------


def process_with(marker: str) -> int | None:
    """The casetui process whose environment holds ``marker`` (from /proc), or None."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in environ and b"casetui" in cmdline:
            return int(entry.name)
    return None


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")  # ended; only its parent has yet to collect it


# --- reading colours -------------------------------------------------------------------------


def _is_grey(code: list[int]) -> bool:
    """Whether one colour (5;N, 2;R;G;B or a basic SGR number) has no hue."""
    if code[0] == 5 and len(code) == 2:
        n = code[1]
        if n in (0, 7, 8, 15) or n >= 232:
            return True
        if 16 <= n <= 231:
            return (n - 16) // 36 == (n - 16) // 6 % 6 == (n - 16) % 6
        return False
    if code[0] == 2 and len(code) == 4:
        return code[1] == code[2] == code[3]
    return code[0] in (30, 37, 40, 47, 90, 97, 100, 107)


def hues(screen_with_escapes: str) -> set[str]:
    """Every colour ``capture-pane -e`` shows that is not black, white or a grey."""
    found: set[str] = set()
    for match in _SGR.finditer(screen_with_escapes):
        numbers = [int(n) if n else 0 for n in match.group(1).split(";")]
        i = 0
        while i < len(numbers):
            n = numbers[i]
            if n in (38, 48) and i + 1 < len(numbers):
                size = 3 if numbers[i + 1] == 5 else 5  # 38;5;N or 38;2;R;G;B
                if not _is_grey(numbers[i + 1 : i + size]):
                    found.add(";".join(map(str, numbers[i : i + size])))
                i += size
                continue
            basic = 30 <= n <= 37 or 40 <= n <= 47 or 90 <= n <= 97 or 100 <= n <= 107
            if basic and not _is_grey([n]):
                found.add(str(n))
            i += 1
    return found
