"""Starting ``casetui``: the caseload's frame is painted before SQLAlchemy, SQLModel, the tables
and the services are imported, then the cases follow; a SQLite start never imports PostgreSQL's
driver or SQLAlchemy's PostgreSQL dialect.

Imports are per process, so the start is run in a process of its own, through the command
line, with ``App.run`` made headless: every paint (``App._display``) notes the screen, what it
shows and which modules were imported by then.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import casetui.tui.app
from casetui.demo import DemoSummary
from casetui.tui.app import CasetuiApp
from casetui.tui.screens.caseload_frame import CaseloadFrame, shown_location

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_LAYER = ("sqlalchemy", "sqlmodel", "casetui.domain.models", "casetui.services")
POSTGRESQL = ("psycopg", "psycopg2", "sqlalchemy.dialects.postgresql")
# What the caseload's first rows never need: spreadsheets, printing, mail, file types, the
# import and print services, and the multi-line text field (Textual's TextArea and its document).
NOT_FOR_THE_FIRST_ROWS = (
    "openpyxl", "fpdf", "smtplib", "puremagic", "casetui.services.imports",
    "casetui.services.printing", "casetui.services.print_case", "casetui.services.mail",
    "casetui.services.reminders", "textual.widgets._text_area",
    "textual.document",
)  # fmt: skip

START = textwrap.dedent(
    """
    import json, sys
    from textual.app import App

    WATCHED = {watched!r}
    paints = []
    original_display = App._display

    def display(self, screen, renderable):
        if renderable is not None:
            keys = [str(key.render()) for key in screen.query("FooterKey")]
            starting = screen.query("#starting")
            paints.append({{
                "screen": type(screen).__name__,
                "opening": str(starting.first().render()) if starting else "",
                "title": str(screen.query("#signed-in").first().render())
                if screen.query("#signed-in") else "",
                "footer_keys": keys,
                "rows": screen.query("CaseTable").first().loaded_rows
                if screen.query("CaseTable") else None,
                "imported": [m for m in WATCHED if m in sys.modules],
            }})
        return original_display(self, screen, renderable)

    App._display = display

    async def until_the_cases(pilot):
        app = pilot.app
        for _ in range(3000):
            shown = type(app.screen).__name__
            tables = app.screen.query("CaseTable")
            if shown == "ProblemScreen" or tables and tables.first().loaded_rows:
                await pilot.pause(0.05)
                break
            await pilot.pause(0.01)
        app.exit(0)

    original_run = App.run

    def run(self, **options):
        options.update(headless=True, size=(80, 24), auto_pilot=until_the_cases)
        return original_run(self, **options)

    App.run = run
    from casetui.cli import main

    main(sys.argv[1:])
    print(json.dumps({{"paints": paints, "modules": sorted(sys.modules)}}))
    """
)


def start_casetui(url: str, username: str) -> dict[str, list[object]]:
    """``casetui --db URL --user NAME`` in a process of its own, up to its first cases (or the
    problem it shows instead)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    environment["CASETUI_PASSWORD"] = "demo"
    done = subprocess.run(
        [sys.executable, "-c", START.format(watched=DATA_LAYER + POSTGRESQL),
         "--db", url, "--user", username],
        capture_output=True, text=True, cwd=REPO_ROOT, env=environment, timeout=120,
        stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.fixture
def demo_file(demo_template: tuple[Path, DemoSummary], tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template[0], path)
    return path


def test_the_frame_paints_before_the_data_layer_is_imported_then_the_cases_come(
    demo_file: Path, caseworker: str
) -> None:
    started = start_casetui(f"sqlite:///{demo_file}", caseworker)
    paints = started["paints"]
    first = paints[0]
    assert isinstance(first, dict)
    assert first["screen"] == "CaseloadFrame"
    assert first["opening"] == "Opening the database…"
    assert first["title"].startswith(f"casetui {caseworker}")
    assert first["footer_keys"], "the footer's keys are in the first paint"
    assert first["imported"] == [], "the data layer was imported before the first paint"
    screens = [paint["screen"] for paint in paints if isinstance(paint, dict)]
    assert screens[-1] == "CaseloadScreen", "the cases follow the frame"


def test_the_caseload_comes_with_its_rows_in_its_first_paint(
    demo_file: Path, caseworker: str
) -> None:
    """The first page is read as soon as the person is signed in, before the caseload's screen
    is built: it never paints "loading…" first."""
    paints = start_casetui(f"sqlite:///{demo_file}", caseworker)["paints"]
    caseload = [p for p in paints if isinstance(p, dict) and p["screen"] == "CaseloadScreen"]
    assert caseload, "the caseload was painted"
    assert caseload[0]["rows"], "its first paint had the cases already"


def test_a_sqlite_start_never_imports_anything_of_postgresql(
    demo_file: Path, caseworker: str
) -> None:
    modules = start_casetui(f"sqlite:///{demo_file}", caseworker)["modules"]
    assert "sqlalchemy" in modules and "casetui.domain.models" in modules
    loaded = [m for m in modules if isinstance(m, str) and m.startswith(POSTGRESQL)]
    assert loaded == []


def test_the_first_rows_are_painted_without_what_only_other_screens_need(
    demo_file: Path, caseworker: str
) -> None:
    modules = start_casetui(f"sqlite:///{demo_file}", caseworker)["modules"]
    assert "casetui.tui.screens.caseload" in modules
    loaded = [m for m in modules if isinstance(m, str) and m.startswith(NOT_FOR_THE_FIRST_ROWS)]
    assert loaded == []


def test_a_postgresql_start_paints_the_frame_before_asking_the_server_anything() -> None:
    """Whether the server wants a password, and the keyring's, are asked after the first paint;
    a server that is not there is then a problem on screen."""
    started = start_casetui("postgresql://nobody@127.0.0.1:1/casetui", "nobody")
    paints = [paint for paint in started["paints"] if isinstance(paint, dict)]
    assert paints[0]["screen"] == "CaseloadFrame"
    assert paints[0]["title"].startswith("casetui nobody  postgresql://nobody@127.0.0.1:1")
    assert paints[0]["imported"] == []
    assert paints[-1]["screen"] == "ProblemScreen"


def test_importing_the_tables_imports_no_database_dialect() -> None:
    """The tables say nothing that only one database understands: importing them loads
    neither SQLite's nor PostgreSQL's dialect (the engine loads the one it needs)."""
    done = subprocess.run(
        [sys.executable, "-c", "import sys, casetui.domain.models; "
         "print(sorted(m for m in sys.modules if m.startswith('sqlalchemy.dialects.')))"],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=60, check=True,
    )  # fmt: skip
    assert done.stdout.strip() == "[]"


# --- the frame itself ---------------------------------------------------------------------------


def test_the_frame_names_the_database_without_its_password() -> None:
    assert (
        shown_location("postgresql://ana:s3cr:t@db.internal:5432/casetui")
        == "postgresql://ana:***@db.internal:5432/casetui"
    )
    assert shown_location("postgresql+psycopg://ana@db/casetui") == (
        "postgresql+psycopg://ana@db/casetui"
    )
    assert shown_location("sqlite:////home/ana/a:b@c.db") == "sqlite:////home/ana/a:b@c.db"


class NeverOpening(CasetuiApp):
    """The app while its database is still being opened: the frame, and nothing after it."""

    CSS_PATH = Path(casetui.tui.app.__file__).with_name("app.tcss")  # not beside this file

    def start(self) -> None:
        pass


def frame_app(username: str | None = "ana") -> CasetuiApp:
    return NeverOpening(
        username=username, opener=lambda: None, database_name="postgresql://ana:***@db.internal/casetui",
    )  # fmt: skip


async def test_the_frame_offers_only_what_works_before_anyone_is_signed_in() -> None:
    app = frame_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CaseloadFrame)
        assert app.focused is None, "no key typed now is lost in a box that goes away"
        for action in ("caseload", "search"):
            assert app.check_action(action, ()) is False


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_frame_snapshot(size: tuple[int, int], snap_compare) -> None:
    assert snap_compare(frame_app(), terminal_size=size)


@pytest.mark.parametrize(("width", "named"), [(80, "-narrow"), (120, "-wide")])
async def test_the_caseload_is_built_with_its_width_s_class(  # type: ignore[no-untyped-def]
    db, actor_for, caseworker, make_app, width: int, named: str
) -> None:
    """Textual gives a screen its breakpoint's class at its first resize, restyling every widget
    on it once more before its first paint: the caseload has it from the start."""
    from casetui.tui.screens.caseload import CaseloadScreen

    async with make_app(db, actor_for(caseworker), (width, 30)) as pilot:
        assert pilot.app.actor is not None
        screen = CaseloadScreen()
        assert named in screen.classes
        assert {"-narrow", "-wide"} - {named} & screen.classes == set()


async def test_the_caseload_is_not_restyled_as_a_whole_as_it_first_resumes(  # type: ignore[no-untyped-def]
    db, actor_for, caseworker, make_app
) -> None:
    """Textual restyles every widget of a screen as it is resumed after a push. Just pushed,
    they were styled as they mounted, and the caseload's first paint waits for that pass: it
    is left out. A later resume that asks for it still restyles the screen."""
    from textual import events

    from casetui.tui.screens.caseload import CaseloadScreen

    async with make_app(db, actor_for(caseworker), (120, 40)) as pilot:
        app = pilot.app
        passes: list[list[object]] = []  # the nodes of each restyling pass
        update_nodes = app.stylesheet.update_nodes

        def noting(nodes, animate=False):  # type: ignore[no-untyped-def]
            nodes = list(nodes)
            passes.append(nodes)
            return update_nodes(nodes, animate=animate)

        def whole_screen_restyled(screen: CaseloadScreen) -> bool:
            # The title line: restyled only with everything else (no focus or hover of its own).
            title = screen.query_one("#signed-in")
            return any(screen in nodes and title in nodes for nodes in passes)

        app.stylesheet.update_nodes = noting  # type: ignore[method-assign]
        await app.push_screen(CaseloadScreen())
        await pilot.pause()
        caseload = app.screen
        assert isinstance(caseload, CaseloadScreen)
        assert caseload.query("FooterKey"), "the screen is up, keys and all"
        assert not whole_screen_restyled(caseload), "restyled as a whole as it first resumed"

        caseload.post_message(events.ScreenResume())
        await pilot.pause()
        assert whole_screen_restyled(caseload), "a later resume restyles it"


async def test_opening_the_database_starts_once_the_frame_is_on_the_terminal() -> None:
    """Not before (importing the data layer would hold up the frame's paint), and not a
    refresh or two later either: the cases would wait for nothing."""
    written: list[str] = []
    started: list[list[str]] = []

    class Watched(NeverOpening):
        def _display(self, screen, renderable):  # type: ignore[no-untyped-def]
            if renderable is not None:
                written.append(type(renderable).__name__)
            return super()._display(screen, renderable)

        def start(self) -> None:
            started.append(list(written))

    app = Watched(username="ana", opener=lambda: None, database_name="sqlite:///casetui.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CaseloadFrame)
    assert len(started) == 1, "started once"
    assert started[0][:1] == ["LayoutUpdate"], "the whole frame was written first"
    assert "LayoutUpdate" not in started[0][1:], "no later layout was waited for"
