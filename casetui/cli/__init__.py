"""The ``casetui`` command. Imports stay lazy so ``casetui --help`` starts fast.

``parser`` reads the arguments; only then is the code that runs a command imported.
"""

from __future__ import annotations

from collections.abc import Sequence

from casetui.cli.parser import build_parser

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from casetui import commands

    return commands.dispatch(args)
