"""How ``casetui`` exits: 0 done, 1 refused by a rule or a database problem, 2 usage error,
141 when whoever read its output stopped reading (``| head``), as for any Unix tool.

A refusal prints one line on stderr naming the rule and exits 1; nothing is half-written,
because every service call is one transaction. Any other failure is one line too, never a
traceback (CASETUI_DEBUG=1 shows it).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from casetui.cli.output import err
from casetui.domain.errors import CasetuiError, SignInFailed

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # what a shell reports for a command stopped by Ctrl+C
EXIT_PIPE_CLOSED = 141  # what a shell reports for a tool whose reader went away (| head)


def run(command: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run one command, turning the product's errors into one line on stderr and a status."""
    try:
        status = command(args)
        sys.stdout.flush()  # here, not at exit, so a closed pipe is met below
        return status
    except BrokenPipeError:
        # The reader took what it wanted (| head): a normal end for a listing, as for any Unix
        # tool. Nothing is left to print; stop Python from complaining when it flushes at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE_CLOSED
    except SignInFailed as exc:
        err(f"refused: {exc}")
        return EXIT_REFUSED
    except CasetuiError as exc:
        text = str(exc)
        err(text if text.startswith("refused") else f"error: {text}")
        return EXIT_REFUSED
    except KeyboardInterrupt:
        err("interrupted; nothing was written")
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - one line for scripts, never a traceback
        if os.environ.get("CASETUI_DEBUG"):
            raise
        err(
            f"error: {type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
        )
        return EXIT_REFUSED
