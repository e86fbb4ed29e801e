"""scripts/screenshots.py still runs and still pictures the demo data (one picture, to stay quick)."""

from __future__ import annotations

import html
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from casetui.domain.filters import CaseFilter
from casetui.repositories.cases import CaseRepository

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "screenshots.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("screenshots_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


def first_client_of_caseworker(script: ModuleType, folder: Path) -> tuple[str, str]:
    """(display name, client name) of the caseworker the script signs in and their top row."""
    demo = script.build_demo(folder)
    db = demo.copy("expected")
    try:
        worker = script.actor_of(db, demo.caseworker)
        with db.uow(write=False) as uow:
            top = CaseRepository(uow.session, worker).rows(CaseFilter(mine=True), limit=1)[0]
        return worker.display_name, top.client_name
    finally:
        db.dispose()


async def test_the_caseload_picture_shows_the_caseworkers_cases(tmp_path: Path) -> None:
    script = load_script()
    said: list[str] = []

    written = await script.main(
        tmp_path / "shots", only=["caseload"], sizes=[script.NARROW], say=said.append
    )

    picture = tmp_path / "shots" / "caseload-80x24.svg"
    assert written == [picture] and [Path(line).name for line in said] == [picture.name]
    text = html.unescape(picture.read_text(encoding="utf-8")).replace("\xa0", " ")
    assert text.startswith("<svg")
    worker, client = first_client_of_caseworker(script, tmp_path / "expected")
    assert worker in text and "(caseworker)" in text
    assert client in text
    assert "1–18 of " in text, "the rows have arrived and been counted"
