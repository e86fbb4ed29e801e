"""How ``casetui`` exits: 0 done, 1 refused by a rule or a database problem, 2 usage error.

A refusal prints one line on stderr naming the rule and exits 1; nothing is half-written,
because every service call is one transaction. Any other failure is one line too, never a
traceback (CASETUI_DEBUG=1 shows it).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

from casetui.cli.output import err
from casetui.domain.errors import CasetuiError, SignInFailed

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # what a shell reports for a command stopped by Ctrl+C


def run(command: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run one command, turning the product's errors into one line on stderr and a status."""
    try:
        return command(args)
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
