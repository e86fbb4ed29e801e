"""With no command, ``casetui`` opens the app on the caseload."""

from __future__ import annotations

import argparse

from casetui.cli import signin


def run_app(args: argparse.Namespace) -> int:
    from casetui.tui.launch import launch

    conn = signin.connection(args)
    return launch(conn, signin.username_for(args, conn))
