"""A real SSH session: a throwaway sshd on 127.0.0.1, casetui run through ``ssh`` inside tmux.

The server, its keys and the demo organisation are made once per test process; every test
gets its own tmux server (its own socket) and drafts folder, so tests may run side by side.
Without sshd or tmux the tests skip, except in CI (``CI=true``), where that is a failure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from ssh_session import (
    Organisation,
    SshServer,
    Terminal,
    build_organisation,
    require_ssh_tools,
    running_sshd,
)


@pytest.fixture(scope="session")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    tools = require_ssh_tools()
    with running_sshd(tools, tmp_path_factory.mktemp("sshd")) as server:
        yield server


@pytest.fixture(scope="session")
def organisation(tmp_path_factory: pytest.TempPathFactory) -> Organisation:
    return build_organisation(tmp_path_factory.mktemp("organisation") / "demo.db")


@pytest.fixture
def terminals(sshd: SshServer, tmp_path: Path) -> Iterator[Callable[[], Terminal]]:
    """Opens terminals for this test; each is closed at the end, hanging up its session."""
    opened: list[Terminal] = []

    def open_terminal() -> Terminal:
        terminal = Terminal(sshd.tools.tmux, tmp_path)
        opened.append(terminal)
        return terminal

    yield open_terminal
    for terminal in opened:
        terminal.close()
