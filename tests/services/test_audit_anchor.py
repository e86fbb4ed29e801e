"""The end of the audit trail is anchored: deleting the newest events is noticed too.

A hash chain shows an edited, inserted or deleted event in the middle, but cutting events off
the end leaves a shorter chain that still verifies. Beside the trail the product keeps a count
of events written and the newest one's hash (the anchor), which the database refuses to move
back; ``casetui audit verify`` compares the two and, given a head recorded earlier, checks
that too.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError

from casetui import cli
from casetui.db.engine import make_engine
from casetui.db.migrate import MIGRATIONS, upgrade
from casetui.db.uow import Database
from casetui.domain.models import AuditAnchor, AuditEvent
from casetui.services import audit
from casetui.services import bulk_notes as bulk_note_service
from casetui.services import notes as note_service
from casetui.services import staff as staff_service

from .conftest import World

NOTE = note_service.NoteInput(summary="Phoned the client", activity_type="Phone call")


def _allow_deleting_events(world: World) -> None:
    """Switch off only the refusal to delete, as someone with the server's keys could."""
    if world.db.is_sqlite:
        world.sql("DROP TRIGGER audit_event_no_delete")
    else:
        world.sql("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")


def _cut_newest(world: World, count: int) -> int:
    """Delete the newest ``count`` events with raw SQL; the id of the newest one left."""
    _allow_deleting_events(world)
    kept = world.audit_events()[-count - 1].id
    assert kept is not None
    world.sql("DELETE FROM audit_event WHERE id > :kept", kept=kept)
    return kept


def _anchor(world: World) -> AuditAnchor:
    anchor = world.read(lambda uow: uow.session.get(AuditAnchor, 1))
    assert anchor is not None
    return anchor


def test_the_anchor_follows_every_event_written(world: World) -> None:
    cases = [world.ana_case, world.ben_case]
    world.run(bulk_note_service.bulk_add_notes, world.ana, cases, NOTE)
    events = world.audit_events()
    anchor = _anchor(world)
    assert (anchor.events, anchor.head_id, anchor.head_hash) == (
        len(events),
        events[-1].id,
        events[-1].hash,
    )
    check = world.read(audit.verify)
    assert check.ok, check.problem
    assert (check.events, check.written, check.head_id, check.head_hash) == (
        len(events),
        len(events),
        events[-1].id,
        events[-1].hash,
    )


@pytest.mark.parametrize("count", [1, 3])
def test_deleting_the_newest_events_is_noticed(world: World, count: int) -> None:
    world.note(world.ana, world.ana_case, "A note whose events are then removed")
    kept = _cut_newest(world, count)

    check = world.read(audit.verify)

    assert not check.ok
    assert (check.broken_at, check.missing, check.head_id) == (kept + 1, count, kept)
    missing = "1 event" if count == 1 else f"{count} events"
    assert f"{missing} missing after event #{kept}" in (check.problem or "")


def test_writing_again_after_cutting_the_end_is_still_noticed(world: World) -> None:
    _cut_newest(world, 2)
    world.note(world.ana, world.ana_case, "Written after the cut")  # ids 2 short, chain whole

    check = world.read(audit.verify)

    assert not check.ok and check.missing == 2
    assert "2 events missing" in (check.problem or "")
    assert "cut from the end" in (check.problem or "")


def test_an_event_slipped_in_with_raw_sql_is_noticed_even_when_well_chained(
    world: World,
) -> None:
    last = world.audit_events()[-1]
    assert last.id is not None
    slipped = AuditEvent(
        id=last.id + 1, at=world.clock(), actor_id=world.ana.id, actor_username="ana",
        action="note.delete", entity="case_note", entity_id="1", prev_hash=last.hash, hash="",
    )  # fmt: skip
    slipped.hash = audit.event_hash(slipped)
    world.sql(
        "INSERT INTO audit_event (id, at, actor_id, actor_username, action, entity, entity_id,"
        " prev_hash, hash) VALUES (:id, :at, :actor_id, :actor_username, :action, :entity,"
        " :entity_id, :prev_hash, :hash)",
        **{k: getattr(slipped, k) for k in ("id", "actor_id", "actor_username", "action")},
        **{k: getattr(slipped, k) for k in ("entity", "entity_id", "prev_hash", "hash")},
        at=slipped.at.replace(tzinfo=None),
    )

    check = world.read(audit.verify)

    assert (check.ok, check.broken_at) == (False, slipped.id)
    assert "behind the product's back" in (check.problem or "")


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM audit_anchor",
        "UPDATE audit_anchor SET events = events - 1",
        "UPDATE audit_anchor SET head_id = head_id - 1, head_hash = 'rewound'",
    ],
    ids=["delete", "count-back", "head-back"],
)
def test_database_refuses_to_move_the_anchor_back(world: World, statement: str) -> None:
    before = _anchor(world)
    with pytest.raises(DBAPIError, match="only moves forward"):
        world.sql(statement)
    after = _anchor(world)
    assert (after.events, after.head_id, after.head_hash) == (
        before.events,
        before.head_id,
        before.head_hash,
    )


def _rewind_everything(world: World, kept: int) -> None:
    """Cut the trail and its anchor back together: what the anchor alone cannot show."""
    if world.db.is_sqlite:
        for trigger in ("audit_event_no_delete", "audit_anchor_no_rewind"):
            world.sql(f"DROP TRIGGER {trigger}")
    else:
        world.sql("ALTER TABLE audit_event DISABLE TRIGGER USER")
        world.sql("ALTER TABLE audit_anchor DISABLE TRIGGER USER")
    head = next(e for e in world.audit_events() if e.id == kept)
    world.sql("DELETE FROM audit_event WHERE id > :kept", kept=kept)
    world.sql(
        "UPDATE audit_anchor SET events = :kept, head_id = :kept, head_hash = :hash",
        kept=kept,
        hash=head.hash,
    )


def test_a_head_recorded_elsewhere_notices_what_the_anchor_cannot(world: World) -> None:
    recorded = world.read(audit.verify)
    assert recorded.ok
    world.note(world.ana, world.ana_case, "Written after the head was recorded")
    _rewind_everything(world, recorded.head_id - 2)

    assert world.read(audit.verify).ok, "the documented limit: trail and anchor cut together"
    for option in ("expect_head", "since_head"):
        check = world.read(lambda uow, o=option: audit.verify(uow, **{o: recorded.head_hash}))
        assert not check.ok
        assert "recorded earlier" in (check.problem or "")
        assert "no longer in the trail" in (check.problem or "")


def test_since_head_checks_only_the_events_after_it(world: World) -> None:
    recorded = world.read(audit.verify)
    world.note(world.ana, world.ana_case, "Newer")
    everything = world.audit_events()

    check = world.read(lambda uow: audit.verify(uow, since_head=recorded.head_hash))
    assert check.ok, check.problem
    assert (check.events, check.head_hash) == (len(everything), everything[-1].hash)

    if world.is_postgres:
        world.sql("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
    else:
        world.sql("DROP TRIGGER audit_event_no_update")
    newer = recorded.head_id + 1
    world.sql("UPDATE audit_event SET after = '{}' WHERE id = :id", id=newer)
    check = world.read(lambda uow: audit.verify(uow, since_head=recorded.head_hash))
    assert (check.ok, check.broken_at) == (False, newer)


def test_a_trail_older_than_the_anchor_is_anchored_where_it_stands(database_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    db = Database(make_engine(database_url))
    try:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0002_caseload_search")
        with db.uow() as uow:  # as an earlier casetui wrote them: no anchor to move yet
            previous = audit.GENESIS
            for number in range(1, 4):
                event = AuditEvent(
                    id=number, at=datetime(2026, 11, 1, tzinfo=UTC), actor_username="system",
                    action="settings.defaults", entity="organisation_settings", prev_hash=previous,
                    hash="",
                )  # fmt: skip
                event.hash = previous = audit.event_hash(event)
                uow.session.add(event)
            uow.commit()

        upgrade(db.engine)

        with db.uow(write=False) as uow:
            check = audit.verify(uow)
            anchor = uow.session.get(AuditAnchor, 1)
            assert anchor is not None
            assert (anchor.events, anchor.head_id, anchor.head_hash) == (3, 3, check.head_hash)
        assert check.ok and check.written == 3
    finally:
        db.dispose()


# --- the command ---------------------------------------------------------------------------------


@pytest.fixture
def verify_command(world: World, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> Any:
    """``casetui audit verify ...`` run in this process as the administrator: (exit, out, err)."""
    world.run(staff_service.set_password, world.admin, "admin", "correct horse battery")
    monkeypatch.setenv("CASETUI_PASSWORD", "correct horse battery")
    monkeypatch.setenv("CASETUI_DB_PASSWORD", "unused")  # trust auth; keeps keyring out of it
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    url = world.db.engine.url.render_as_string(hide_password=False)

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        status = cli.main(["audit", "verify", *args, "--db", url, "--user", "admin"])
        out, err = capsys.readouterr()
        return status, out, err

    return run


def test_verify_prints_the_head_and_a_later_run_checks_it(world: World, verify_command) -> None:  # type: ignore[no-untyped-def]
    status, out, err = verify_command("--json")
    assert (status, err) == (0, "")
    found = json.loads(out)
    newest = world.audit_events()[-1]
    assert found["ok"] is True and found["problem"] is None
    assert (found["events"], found["head_id"], found["head_hash"]) == (
        newest.id,
        newest.id,
        newest.hash,
    )

    # Signing in for the second run wrote one more event: the head moved on past the recorded one.
    status, out, _err = verify_command("--expect-head", found["head_hash"])
    newest = world.audit_events()[-1]
    assert status == 0
    assert out == f"audit trail intact: {newest.id} events, head #{newest.id} {newest.hash}\n"
    assert newest.id == found["head_id"] + 1


def test_verify_exits_1_naming_the_events_cut_from_the_end(world: World, verify_command) -> None:  # type: ignore[no-untyped-def]
    world.note(world.ana, world.ana_case, "A note whose events are then removed")
    _cut_newest(world, 2)

    status, out, err = verify_command()

    assert (status, out) == (1, "")
    assert len(err.splitlines()) == 1
    # Signing in to run the check wrote one event after the cut: the gap is still named.
    assert err.startswith("refused: audit trail broken: 2 events missing")


def test_verify_refuses_a_head_that_is_not_a_hash(capsys: Any) -> None:
    with pytest.raises(SystemExit) as usage:
        cli.main(["audit", "verify", "--expect-head", "not-a-hash"])
    assert usage.value.code == 2
    assert "64 hex digits" in capsys.readouterr().err
