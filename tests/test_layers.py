"""The layers hold (STYLE.md, "Layers"): nothing below the user interface imports Textual, and
the screens and the command line reach the data only through the services.

Independent checks: the source text, what importing really loads, and import-linter's
contracts in ``.importlinter`` (which also see imports made inside functions).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import casetui

PACKAGE_ROOT = Path(casetui.__file__).parent
REPO_ROOT = PACKAGE_ROOT.parent
BELOW_THE_UI = ("domain", "db", "repositories", "services")
INTERFACES = ("tui", "cli")
DATA_LAYERS = ("casetui.repositories", "casetui.db")


def textual_import_lines(source: str) -> list[int]:
    """Lines of every ``import textual...`` / ``from textual... import``, even inside functions."""
    return import_lines(source, ("textual",))


def import_lines(source: str, packages: tuple[str, ...]) -> list[int]:
    """Lines importing any of ``packages`` (or a module inside one), wherever the import is:
    inside functions and under ``if TYPE_CHECKING:`` too."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(name == p or name.startswith(p + ".") for name in names for p in packages):
            lines.append(node.lineno)
    return sorted(lines)


def test_the_source_check_finds_imports_anywhere_in_a_file() -> None:
    source = textwrap.dedent(
        """
        import os
        import textual
        def show():
            from textual.app import App
        from textual_helpers import thing
        from .textual import local
        import rich, textual.widgets
        """
    )
    assert textual_import_lines(source) == [3, 5, 8]


@pytest.mark.parametrize("package", BELOW_THE_UI)
def test_no_source_file_below_the_ui_imports_textual(package: str) -> None:
    files = sorted((PACKAGE_ROOT / package).rglob("*.py"))
    assert files, f"casetui.{package} has no Python files"
    offenders = [
        f"{path.relative_to(REPO_ROOT)}:{line}"
        for path in files
        for line in textual_import_lines(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_source_check_finds_data_layer_imports_anywhere() -> None:
    source = textwrap.dedent(
        """
        from typing import TYPE_CHECKING
        from casetui.services import notes
        if TYPE_CHECKING:
            from casetui.db.uow import Database
        def read():
            from casetui.repositories.cases import CaseRepository
        import casetui.dbx
        from casetui.domain.filters import CaseFilter
        """
    )
    assert import_lines(source, DATA_LAYERS) == [5, 7]


@pytest.mark.parametrize("package", INTERFACES)
def test_the_screens_and_the_command_line_never_import_the_data_layers(package: str) -> None:
    files = sorted((PACKAGE_ROOT / package).rglob("*.py"))
    assert files, f"casetui.{package} has no Python files"
    offenders = [
        f"{path.relative_to(REPO_ROOT)}:{line}"
        for path in files
        for line in import_lines(path.read_text(encoding="utf-8"), DATA_LAYERS)
    ]
    assert offenders == [], "call a service instead (ARCHITECTURE.md, 'The doorway')"


IMPORT_EVERYTHING = textwrap.dedent(
    """
    import importlib
    import pkgutil
    import sys

    def stop(name):
        raise  # re-raise what failed to import while walking the package

    imported = []
    for name in sys.argv[1:]:
        package = importlib.import_module(name)
        imported.append(name)
        for module in pkgutil.walk_packages(package.__path__, prefix=name + ".", onerror=stop):
            importlib.import_module(module.name)
            imported.append(module.name)
    print(len(imported), "modules imported")
    loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
    if loaded:
        sys.exit("textual was imported: " + ", ".join(loaded[:5]))
    """
)


def test_importing_every_module_below_the_ui_loads_no_textual() -> None:
    packages = [f"casetui.{package}" for package in BELOW_THE_UI]
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING, *packages],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "modules imported" in result.stdout


def test_import_linter_contracts_hold() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    command = str(lint_imports) if lint_imports.exists() else shutil.which("lint-imports")
    assert command, "lint-imports not found; install the dev extras (import-linter)"
    result = subprocess.run(
        [command, "--no-cache"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_screens_build_their_tables_from_the_app_s_datatable() -> None:
    """Textual's own DataTable keeps lines drawn before it measured its rows (columns cut to
    their headings); ``tui/widgets/data_table.py`` mends that, so every screen builds on it."""
    wrapper = PACKAGE_ROOT / "tui" / "widgets" / "data_table.py"
    offenders = []
    for path in sorted((PACKAGE_ROOT / "tui").rglob("*.py")):
        if path == wrapper:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.ImportFrom)
                and (node.module or "").startswith("textual.widgets")
                and any(alias.name == "DataTable" for alias in node.names)
            ):
                offenders.append(f"{path.relative_to(PACKAGE_ROOT)}:{node.lineno}")
    assert offenders == []


def test_the_tables_are_built_from_annotations_not_their_text() -> None:
    """With postponed annotations every field's type is evaluated from its text as the tables
    are built: a tenth of importing them, on every start."""
    import casetui.domain.models as models

    assert "annotations" not in vars(models), "models.py has `from __future__ import annotations`"
    assert models.Staff.__annotations__["username"] is str
