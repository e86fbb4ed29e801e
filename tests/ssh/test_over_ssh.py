"""A supervisor at the other end of a real SSH connection, in an 80x24 terminal.

What is asserted is what tmux shows: the text a person would read on their screen.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from ssh_session import (
    DEMO_PASSWORD,
    Organisation,
    SshServer,
    Terminal,
    casetui_over_ssh,
    gone,
    hues,
    kill_client,
    process_with,
)

from casetui.tui.widgets.utilisation_bar import utilisation_text
from casetui.tui.widgets.workload_table import hours


def signed_in(terminal: Terminal, org: Organisation) -> None:
    """Type the password at the login screen and wait for the caseload's rows."""
    terminal.wait_for("Sign in to casetui")
    terminal.wait_for(lambda screen: org.supervisor in screen)  # the username is filled in
    terminal.type(DEMO_PASSWORD)
    terminal.keys("Enter")
    terminal.wait_for(f"{org.supervisor_name} (supervisor)")
    terminal.wait_for(lambda screen: " of " in screen.splitlines()[-2])  # "1–18 of 31"


def line_of(screen: str, name: str) -> str:
    # The Name column is 15 cells wide: a longer name ends in "…".
    found = [line for line in screen.splitlines() if line.strip().startswith(name[:14])]
    assert len(found) == 1, f"{name!r} should be on one line of:\n{screen}"
    return found[0]


@pytest.mark.parametrize("colour", ["xterm-256color", "NO_COLOR"], ids=["256-colours", "no-colour"])
def test_supervisor_reads_the_team_workload(
    sshd: SshServer, organisation: Organisation, terminals, tmp_path: Path, colour: str
) -> None:
    extra = {"NO_COLOR": "1"} if colour == "NO_COLOR" else {}
    terminal = terminals()
    terminal.start(casetui_over_ssh(sshd, organisation, tmp_path, **extra))
    signed_in(terminal, organisation)
    terminal.keys("w")
    people, over = len(organisation.team), sum(r.utilisation > 1 for r in organisation.team)
    terminal.wait_for(f"Workload · {people} people · {over} over capacity")
    # The rows, and the footer, which is drawn once the screen's keys are known.
    screen = terminal.wait_for(
        lambda s: all(r.display_name[:14] in s for r in organisation.team) and "esc Back" in s
    )

    lines = screen.splitlines()
    assert len(lines) == 24 and lines[0].startswith(" Workload ·")
    assert "Cap." in screen and "Alloc." in screen and "Utilisation" in screen
    for person in organisation.team:
        line = line_of(screen, person.display_name)
        bar = utilisation_text(person.utilisation, 10).plain  # "███████░░░  72%", "… over"
        assert hours(person.capacity_hours) in line and hours(person.allocated_hours) in line
        assert bar in line, f"{bar!r} not in {line!r}"
    overloaded = line_of(screen, organisation.over_capacity)
    assert overloaded.rstrip().split()[-2] == "over"  # the word, then the L/M/H counts
    assert "esc Back" in lines[-1]  # the footer, on the last of the 24 lines

    painted = hues(terminal.screen(colours=True))
    if colour == "NO_COLOR":
        assert painted == set(), f"colours under NO_COLOR: {sorted(painted)}"
    else:
        assert painted, "a 256-colour terminal should show the bars in colour"


def draft_fields(drafts: Path) -> dict[str, str]:
    found = list(drafts.glob("*@new.json"))
    if len(found) != 1:
        return {}
    try:
        return json.loads(found[0].read_text())["fields"]["note"]
    except (OSError, ValueError, KeyError):
        return {}  # being replaced at this very moment


def wait_for_draft(drafts: Path, summary: str, details: str, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        note = draft_fields(drafts)
        if (note.get("summary"), note.get("details")) == (summary, details):
            return
        time.sleep(0.1)
    raise AssertionError(f"the draft never held {(summary, details)!r}: {draft_fields(drafts)}")


def open_new_note(terminal: Terminal, org: Organisation, *, from_timeline: bool) -> None:
    """Find the case in the caseload, then n there or in its timeline."""
    terminal.keys("/")
    terminal.type(org.case_number)
    terminal.wait_for(lambda s: "1–1 of 1" in s and org.case_number in s)
    terminal.keys("Enter")  # leaves the filter box for the table, whose keys the footer shows
    terminal.wait_for(lambda s: "Open" in s.splitlines()[-1])
    if from_timeline:
        terminal.keys("Enter")
        terminal.wait_for(lambda s: "entries" in s and s.startswith(f" {org.case_client}"))
    terminal.keys("n")
    terminal.wait_for(f"New note · {org.case_number}")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the far end's process in /proc")
def test_a_dropped_connection_keeps_the_note_being_typed(
    sshd: SshServer, organisation: Organisation, terminals, tmp_path: Path
) -> None:
    drafts = tmp_path / "drafts"
    summary, details = "Rang the landlord about the damp", "Surveyor booked"
    first = terminals()
    first.start(casetui_over_ssh(sshd, organisation, tmp_path))
    signed_in(first, organisation)
    open_new_note(first, organisation, from_timeline=True)
    remote = process_with(f"CASETUI_DRAFTS_DIR={drafts}")
    assert remote is not None, "casetui should be running at the other end"

    # Contact date, time, activity, contact type, then the summary; typed in one go.
    first.keys("Tab", "Tab", "Tab", "Tab")
    first.type(summary)
    first.keys("Tab")
    first.type(details)
    wait_for_draft(drafts, summary, details)
    # The last words reach the screen, and the line drops before the typing pause saves them.
    first.type(" for Tuesday")
    first.wait_for(f"{details} for Tuesday")
    kill_client(first)

    deadline = time.monotonic() + 10
    while not gone(remote) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert gone(remote), "casetui should end when its connection drops"
    wait_for_draft(drafts, summary, f"{details} for Tuesday", seconds=1)

    second = terminals()
    second.start(casetui_over_ssh(sshd, organisation, tmp_path))
    signed_in(second, organisation)
    open_new_note(second, organisation, from_timeline=False)
    second.wait_for("You have an unsaved draft of this note")
    second.keys("Enter")  # "Restore the draft", the first choice
    second.wait_for(lambda s: f"Summary        {summary}" in s and f"{details} for Tuesday" in s)
