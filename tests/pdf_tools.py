"""A printed PDF read back as a reader's viewer would: poppler's ``pdfinfo`` and ``pdftotext``.

The tools come from poppler-utils (``.ci/run`` installs it when missing). Without them a test
is skipped on a developer's machine and fails in CI, as a missing PostgreSQL does.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

TOOLS = ("pdftotext", "pdfinfo")
PAGE_LABEL = re.compile(r"Page (\d+) of (\d+)")


def need_poppler() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        problem = f"{', '.join(missing)} not found: install poppler-utils"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem)


def page_count(path: Path) -> int:
    need_poppler()
    info = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    found = re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE)
    assert found, info
    return int(found.group(1))


def text(path: Path, page: int | None = None) -> str:
    """The text of the file, or of one page, as pdftotext extracts it (UTF-8, each line where
    it is on the page: a label and its value on one line)."""
    need_poppler()
    pages = ["-f", str(page), "-l", str(page)] if page is not None else []
    return subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", *pages, str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


def words(extracted: str) -> str:
    """Extracted text with every run of blanks and line breaks made one space."""
    return " ".join(extracted.split())


def pages_text(path: Path) -> list[str]:
    """Each page's text, one pdftotext run a page."""
    return [text(path, page) for page in range(1, page_count(path) + 1)]
