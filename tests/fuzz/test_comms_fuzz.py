"""Communications and reminders driven with hostile text: through the services (SQLite and
PostgreSQL) each field is kept exactly as typed (outer whitespace trimmed) or refused naming it,
with nothing written; through ``casetui comms`` the exit is 0, 1 or 2 and nothing unreadable
reaches the terminal. A subject never keeps a line break: it may become an email header."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st
from services.conftest import World
from strategies import maybe_valid, nasty_dates, nasty_text, nasty_times
from test_cli_fuzz import Cli, _rows, demo_database, option, run, text  # noqa: F401 - fixtures
from test_cli_fuzz import fuzz as cli_fuzz
from test_services_fuzz import attempt, fuzz, kept

from casetui.services import communications as comms
from casetui.services.communications import LINE_BREAKS, CommunicationInput

KINDS = ["phone", "email", "SMS", "letter", "in person", "reminder"]
REPEATS = ["none", "daily", "weekly", "fortnightly", "monthly", "custom"]
FIELDS = {"type", "direction", "date", "time", "subject", "body", "send date", "repeats"}


def test_add_communication_keeps_or_refuses_every_field(world: World) -> None:
    world.sql("UPDATE client SET email = 'client@example.org'")

    @fuzz(world)
    @given(
        kind=maybe_valid(KINDS),
        direction=maybe_valid(["in", "out"]),
        subject=nasty_text(),
        body=nasty_text(max_size=300),
        day=nasty_dates(),
        at=st.none() | nasty_times(),
        send_on=st.none() | st.sampled_from(["+1w", "friday", "today"]) | nasty_dates(),
        repeats=maybe_valid(REPEATS),
        rule=st.none() | st.sampled_from(["FREQ=WEEKLY;BYDAY=MO", "FREQ=HOURLY"]) | nasty_text(),
    )
    @example(
        "reminder", "out", "Hi\r\nBcc: all@example.org", "", "today", None, "+1w", "none", None
    )
    @example(
        "reminder", "out", "ok", "\x1b]0;title\x07\r\nline", "today", None, "+1w", "none", None
    )
    @example("phone", "in", "nul\x00", "", "today", None, None, "none", None)
    @example("email", "out", "lone \ud800", "", "today", None, None, "none", None)
    @example("reminder", "out", "ok", "", "today", None, "\ud800", "custom", "\x00")
    def check(
        kind: str, direction: str, subject: str, body: str, day: str, at: str | None,
        send_on: str | None, repeats: str, rule: str | None,
    ) -> None:  # fmt: skip
        item = CommunicationInput(
            kind=kind, subject=subject, direction=direction, body=body, date=day, time=at,
            send_on=send_on, repeats=repeats, rrule=rule,
        )  # fmt: skip
        added = attempt(
            world,
            lambda: world.run(comms.add_communication, world.ana, world.ana_case, item),
            FIELDS,
        )
        if added is None:
            return
        assert (added.subject, added.body) == (kept(subject), kept(body))
        assert not any(ch in added.subject for ch in LINE_BREAKS)
        stored = world.run(comms.open_communication, world.ana, added.id)
        assert stored == added

    check()


# --- the command line ---------------------------------------------------------------------


@cli_fuzz(25)
@given(
    case=st.integers(0, 5) | text(),
    kind=maybe_valid(KINDS, nul=False),
    direction=st.sampled_from(["in", "out"]) | text(),
    subject=text(),
    body=st.none() | text(max_size=200),
    day=st.none() | nasty_dates(nul=False),
    send_on=st.none() | st.sampled_from(["+1w", "friday"]) | nasty_dates(nul=False),
    repeats=st.none() | maybe_valid(REPEATS, nul=False),
    rule=st.none() | text(),
)
@example(0, "reminder", "out", "Hi\r\nBcc: all@example.org", None, None, "+1w", None, None)
@example(0, "phone", "in", "\x1b[2J[bold]x", "\x9b31m", "-1d", None, None, None)
@example(1, "email", "out", "ok", None, None, "-1d", None, None)
def test_comms_add_and_list_take_any_text(
    run: Cli, case: int | str, kind: str, direction: str, subject: str, body: str | None,  # noqa: F811
    day: str | None, send_on: str | None, repeats: str | None, rule: str | None,
) -> None:  # fmt: skip
    numbers = [r[0] for r in _rows(run.url, "SELECT case_number FROM cases ORDER BY id LIMIT 6")]
    number = numbers[case] if isinstance(case, int) else case
    argv = ["comms", "add", option("case", number), option("type", kind)]
    argv += [option("direction", direction), option("subject", subject)]
    optional = {"body": body, "date": day, "send-on": send_on, "repeats": repeats, "rrule": rule}
    argv += [option(k, v) for k, v in optional.items() if v is not None]
    count = "SELECT count(*) FROM communication"
    before = _rows(run.url, count)[0][0]
    done = run(*argv, "--json")
    written = _rows(run.url, count)[0][0] - before
    if done.code != 0:
        assert written == 0, "a refused communication was written"
        return
    assert written == 1
    added: dict[str, Any] = done.json()
    assert added["subject"] == subject.strip()
    listed = run("comms", "list", option("case", number), "--json").json()
    assert added in listed
