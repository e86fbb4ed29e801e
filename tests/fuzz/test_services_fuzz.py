"""Every service entry point that takes what a user typed, driven with hostile text.

Each call either succeeds, and then the text reads back exactly as given (outer whitespace
trimmed), or is refused with a rule error naming the field, and then not one row changed.
Any other exception (a traceback for the user) fails the test. Same tests on SQLite and
PostgreSQL; PostgreSQL refuses NUL and neither takes lone surrogates, so the product must
refuse them first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from services.conftest import World
from sqlalchemy import select
from strategies import floats, ids, maybe_valid, nasty_dates, nasty_text, nasty_times

from casetui.domain.enums import CaseStatus, Concern, ContactType, Grant, Repeats, Role
from casetui.domain.errors import RuleError, SignInFailed, ValidationError, ValidationErrors
from casetui.domain.filters import CaseFilter
from casetui.domain.models import AuditEvent, Client, ClientWarning, Staff, Team
from casetui.repositories.cases import CaseRepository
from casetui.repositories.notes import NoteRepository
from casetui.repositories.tasks import TaskRepository
from casetui.services import auth, timeline, workload
from casetui.services import bulk_notes as bulk_note_service
from casetui.services import cases as case_service
from casetui.services import clients as client_service
from casetui.services import notes as note_service
from casetui.services import settings as settings_service
from casetui.services import staff as staff_service
from casetui.services import tasks as task_service
from casetui.services.defaults import DEFAULT_LISTS, ListKind

T = TypeVar("T")

ACTIVITIES = DEFAULT_LISTS[ListKind.ACTIVITY_TYPE]
PATHWAYS = DEFAULT_LISTS[ListKind.PATHWAY]
CLIENT_TYPES = DEFAULT_LISTS[ListKind.CLIENT_TYPE]
WARNINGS = DEFAULT_LISTS[ListKind.WARNING_INDICATOR]
CONTACT_TYPES = [c.value for c in ContactType]
USERNAMES = ("ana", "ben", "sam", "cara", "olga", "audrey", "admin")
RRULES = (
    "FREQ=WEEKLY;BYDAY=MO",
    "FREQ=DAILY;COUNT=3",
    "RRULE:FREQ=MONTHLY;INTERVAL=2",
    "FREQ=HOURLY",
)


def fuzz(world: World, sqlite: int = 30, postgres: int = 10) -> Callable[[T], T]:
    """Examples per backend: PostgreSQL round trips cost more, so it gets fewer."""
    return settings(
        max_examples=postgres if world.is_postgres else sqlite,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )


def refused_fields(error: RuleError) -> list[str]:
    if isinstance(error, ValidationErrors):
        return [e.field for e in error.errors]
    return [error.field] if isinstance(error, ValidationError) else []


def attempt(world: World, call: Callable[[], T], fields: set[str] | None = None) -> T | None:
    """The call's result, or None when a rule refused it: then named, and nothing written."""
    before = world.dump()
    try:
        return call()
    except RuleError as refused:
        message = str(refused)
        assert message.startswith("refused")
        for field in refused_fields(refused):
            assert field in message
            if fields is not None:
                assert any(field.endswith(known) for known in fields), (field, fields)
        assert world.dump() == before, "a refused call wrote something"
        return None


def kept(value: str | None) -> str | None:
    """What the product stores of typed text: as typed, outer whitespace trimmed."""
    return value.strip() if value is not None else None


def one_of_list(value: str, options: tuple[str, ...] | list[str]) -> str:
    return next(o for o in options if o.casefold() == value.strip().casefold())


def note_view(world: World, note_id: int) -> Any:
    def query(uow: Any) -> Any:
        repo = NoteRepository(uow.session, world.admin)
        return repo.views(note_ids=[note_id], lock_days=14, now=uow.now(), include_deleted=True)

    [view] = world.read(query)
    return view


def locked_note(world: World, summary: str = "Written a while ago") -> int:
    """A note on olga's case, created a month ago: locked."""
    note_id = world.raw_note(world.olga, world.olga_case, summary)
    world.sql(
        "UPDATE case_note SET created_at = :at WHERE id = :id",
        at=(world.clock() - timedelta(days=30)).replace(tzinfo=None),
        id=note_id,
    )
    return note_id


# --- notes -----------------------------------------------------------------------------


NOTE_FIELDS = {"summary", "details", "activity type", "contact type", "third-party organisation",
               "contact date", "contact time"}  # fmt: skip
TASK_FIELDS = {"name", "due date", "repeats", "details", "responsible"}


def test_add_note_keeps_or_refuses_every_field(world: World) -> None:
    @fuzz(world)
    @given(
        summary=nasty_text(),
        details=nasty_text(max_size=300),
        activity=maybe_valid(ACTIVITIES),
        contact=maybe_valid(CONTACT_TYPES),
        org=st.none() | nasty_text(),
        day=nasty_dates(),
        at=st.none() | nasty_times(),
        restricted=st.booleans(),
    )
    @example("[bold red]x[/]", "\x1b[2J", "Phone call", "Client", None, "today", None, False)
    @example("nul\x00", "", "Phone call", "Client", None, "today", None, False)
    @example("lone \ud800", "", "Phone call", "Client", None, "today", None, False)
    @example("ok", "lone \udcff", "Phone call", "3rd Party", "x\ud800", "today", None, False)
    def run(
        summary: str, details: str, activity: str, contact: str, org: str | None,
        day: str, at: str | None, restricted: bool,
    ) -> None:  # fmt: skip
        note = note_service.NoteInput(
            summary=summary, activity_type=activity, contact_date=day, contact_time=at,
            contact_type=contact, third_party_org=org, details=details, restricted=restricted,
        )  # fmt: skip
        added = attempt(
            world,
            lambda: world.run(note_service.add_note, world.ana, world.ana_case, note),
            NOTE_FIELDS,
        )
        if added is None:
            return
        stored = note_view(world, added.id)
        assert (stored.summary, stored.details) == (kept(summary), kept(details))
        assert stored.activity_type == one_of_list(activity, ACTIVITIES)
        assert stored.contact_type == one_of_list(contact, CONTACT_TYPES)
        third_party = stored.contact_type == ContactType.THIRD_PARTY.value
        assert stored.third_party_org == (kept(org) if third_party else None)
        assert stored == added

    run()


def test_note_with_tasks_and_bulk_note_all_or_nothing(world: World) -> None:
    cases = [world.ana_case, world.ben_case, world.cara_case, world.olga_case]

    @fuzz(world)
    @given(
        numbers=st.lists(maybe_valid(cases), min_size=0, max_size=4),
        summary=nasty_text(),
        task_name=st.none() | nasty_text(),
        due=nasty_dates(),
        responsible=st.lists(maybe_valid(USERNAMES), max_size=2),
    )
    @example(["\x00"], "x", None, "today", [])
    @example([cases[0], "\ud800"], "x", None, "today", [])
    @example([cases[0]], "x", "call back", "+1w", ["\x00"])
    @example([cases[0]], "x", "call back", "+1w", ["ana\udcff"])
    def run(
        numbers: list[str], summary: str, task_name: str | None, due: str, responsible: list[str]
    ) -> None:
        note = note_service.NoteInput(summary=summary, activity_type="Workshop")
        task = None if task_name is None else task_service.TaskInput(
            name=task_name, due=due, responsible=tuple(responsible)
        )  # fmt: skip
        result = attempt(
            world,
            lambda: world.run(bulk_note_service.bulk_add_notes, world.admin, numbers, note, task),
            NOTE_FIELDS | TASK_FIELDS | {"cases"},
        )
        if result is None:
            return
        assert set(result.case_numbers) == {n.strip() for n in numbers if n.strip()}
        for note_id in result.note_ids:
            assert note_view(world, note_id).summary == kept(summary)
        tasks = world.read(
            lambda uow: TaskRepository(uow.session, world.admin).views(
                task_ids=list(result.task_ids)
            )
        )
        assert [t.name for t in tasks] == [kept(task_name)] * len(result.note_ids if task else [])

    run()


def test_edit_delete_and_addendum_keep_or_refuse_text(world: World) -> None:
    @fuzz(world)
    @given(
        summary=st.none() | nasty_text(),
        details=st.none() | nasty_text(max_size=200),
        org=st.none() | nasty_text(),
        contact=st.none() | maybe_valid(CONTACT_TYPES),
        reason=st.none() | nasty_text(),
        addendum=nasty_text(max_size=200),
        addendum_reason=nasty_text(),
        delete=st.booleans(),
    )
    @example(None, "x\x00", None, None, "because", "text", "why", False)
    @example("y", None, None, None, "\ud800", "text", "why", True)
    @example("y", None, None, None, "ok", "\x00", "why", False)
    @example("y", None, None, None, "ok", "text", "\udfff", False)
    def run(
        summary: str | None, details: str | None, org: str | None, contact: str | None,
        reason: str | None, addendum: str, addendum_reason: str, delete: bool,
    ) -> None:  # fmt: skip
        note_id = locked_note(world)
        changes = note_service.NoteChanges(
            summary=summary, details=details, third_party_org=org, contact_type=contact
        )
        # olga holds override_lock: a locked note changes with a reason.
        edited = attempt(
            world,
            lambda: world.run(note_service.edit_note, world.olga, note_id, changes, reason=reason),
            NOTE_FIELDS | {"reason", "note"},
        )
        if edited is not None:
            stored = note_view(world, note_id)
            if summary is not None:
                assert stored.summary == kept(summary)
            if details is not None:
                assert stored.details == kept(details)
            after = world.audit_events()[-1]
            assert after.action == "note.override_edit" and kept(reason)
        appended = attempt(
            world,
            lambda: world.run(
                note_service.add_addendum, world.olga, note_id, addendum, addendum_reason
            ),
            {"addendum", "reason"},
        )
        if appended is not None:
            [added] = note_view(world, note_id).addenda
            assert (added.text, added.reason) == (kept(addendum), kept(addendum_reason))
        if delete:
            deleted = attempt(
                world,
                lambda: world.run(note_service.delete_note, world.olga, note_id, reason=reason),
                {"reason"},
            )
            assert deleted is None or note_view(world, note_id).deleted

    run()


# --- tasks -----------------------------------------------------------------------------


def test_add_and_complete_task_keep_or_refuse_every_field(world: World) -> None:
    @fuzz(world)
    @given(
        name=nasty_text(),
        due=nasty_dates(),
        repeats=maybe_valid([r.value for r in Repeats]),
        rule=st.none() | maybe_valid(RRULES),
        responsible=st.lists(maybe_valid(USERNAMES), max_size=3),
        details=nasty_text(max_size=200),
        to_client=st.booleans(),
    )
    @example("call back", "+1w", "custom", "FREQ=WEEKLY;BYDAY=MO\x00", [], "", False)
    @example("call back", "+1w", "none", None, ["\x00"], "", False)
    @example("call back", "+1w", "none", None, [], "\ud800", False)
    @example("İ" * 200, "+1w", "weekly", None, [], "", False)
    def run(
        name: str, due: str, repeats: str, rule: str | None, responsible: list[str],
        details: str, to_client: bool,
    ) -> None:  # fmt: skip
        task = task_service.TaskInput(
            name=name, due=due, repeats=repeats, rrule=rule, responsible=tuple(responsible),
            assigned_to_client=to_client, details=details,
        )  # fmt: skip
        added = attempt(
            world,
            lambda: world.run(task_service.add_task, world.ana, world.ana_case, task),
            TASK_FIELDS,
        )
        if added is None:
            return
        assert (added.name, added.details) == (kept(name), kept(details))
        done, following = world.run(task_service.complete_task, world.ana, added.id)
        assert done.status == "done"
        if following is not None:
            assert (following.name, following.details, following.responsible) == (
                added.name, added.details, added.responsible,
            )  # fmt: skip

    run()


# --- cases -----------------------------------------------------------------------------


def test_open_case_keeps_or_refuses_every_field(world: World) -> None:
    @fuzz(world)
    @given(
        concern=maybe_valid([c.value for c in Concern]),
        status=maybe_valid([s.value for s in CaseStatus]),
        worker=st.none() | maybe_valid(USERNAMES),
        pathway=st.none() | maybe_valid(PATHWAYS),
        tags=st.lists(nasty_text(max_size=30), max_size=4),
        number=st.none() | nasty_text(),
    )
    @example("Low", "Open", None, None, ["İ" * 40], None)
    @example("Low", "Open", "\x00", None, [], None)
    @example("Low", "Open", "ana\ud800", None, [], None)
    @example("Low", "Open", None, None, ["x\x00"], None)
    @example("Low", "Open", None, None, [], "C-\ud800")
    def run(
        concern: str, status: str, worker: str | None, pathway: str | None, tags: list[str],
        number: str | None,
    ) -> None:  # fmt: skip
        case = case_service.CaseInput(
            client_id=world.ana_client, concern=concern, status=status, worker=worker,
            pathway=pathway, tags=tuple(tags), case_number=number,
        )  # fmt: skip
        opened = attempt(
            world,
            lambda: world.run(case_service.open_case, world.admin, case),
            {"status", "concern", "pathway", "case worker", "tag", "tags", "case number", "client"},
        )
        if opened is None:
            return
        stored = world.read(lambda uow: CaseRepository(uow.session, world.admin).detail(opened.id))
        if number:
            assert stored.case_number == kept(number)
        expected_tags = {kept(t).lower() for t in tags if kept(t)}  # type: ignore[union-attr]
        assert set(stored.tags) == expected_tags
        assert stored == opened

    run()


def test_case_changes_keep_or_refuse_their_text(world: World) -> None:
    current = {"number": world.ana_case}
    changes = {
        "status": (case_service.change_status, [s.value for s in CaseStatus]),
        "concern": (case_service.change_concern, [c.value for c in Concern]),
        "reassign": (case_service.reassign, list(USERNAMES)),
        "number": (case_service.change_case_number, ["C-NEW-1", "x"]),
    }

    @fuzz(world)
    @given(
        change=st.sampled_from([*changes, "tags"]),
        value=st.data(),
        tags=st.lists(nasty_text(max_size=30), max_size=4),
    )
    def run(change: str, value: st.DataObject, tags: list[str]) -> None:
        number = current["number"]
        if change == "tags":
            done = attempt(
                world,
                lambda: world.run(case_service.set_tags, world.admin, number, tags),
                {"tag", "tags"},
            )
            if done is not None:
                assert set(done.tags) == {kept(t).lower() for t in tags if kept(t)}  # type: ignore[union-attr]
            return
        service, valid = changes[change]
        text = value.draw(maybe_valid(valid), label=change)
        done = attempt(
            world,
            lambda: world.run(service, world.admin, number, text),
            {"status", "concern", "case worker", "case number"},
        )
        if done is None:
            return
        current["number"] = done.case_number
        if change == "number":
            assert done.case_number == kept(text)
        stored = world.read(lambda uow: CaseRepository(uow.session, world.admin).detail(done.id))
        assert stored == done

    run()


# --- clients ---------------------------------------------------------------------------


def test_register_client_keeps_or_refuses_every_field(world: World) -> None:
    @fuzz(world)
    @given(
        name=nasty_text(),
        preferred=st.none() | nasty_text(),
        born=st.none() | nasty_dates(),
        email=st.none() | nasty_text() | nasty_text().map(lambda t: f"{t}@example.org"),
        phone=st.none() | nasty_text(),
        client_type=st.none() | maybe_valid(CLIENT_TYPES),
        warnings=st.lists(maybe_valid(WARNINGS), max_size=3),
    )
    @example("Amal \x00", None, None, None, None, None, [])
    @example("Amal", "\ud800", None, None, None, None, [])
    @example("Amal", None, None, "a\udcff@example.org", None, None, [])
    @example("Amal", None, None, None, "\x00", None, [])
    def run(
        name: str, preferred: str | None, born: str | None, email: str | None, phone: str | None,
        client_type: str | None, warnings: list[str],
    ) -> None:  # fmt: skip
        client = client_service.ClientInput(
            name=name, preferred_name=preferred, date_of_birth=born, email=email, phone=phone,
            client_type=client_type, warnings=tuple(warnings),
        )  # fmt: skip
        fields = {"name", "preferred name", "date of birth", "email", "phone", "client type",
                  "warning indicator"}  # fmt: skip
        client_id = attempt(
            world, lambda: world.run(client_service.register_client, world.ana, client), fields
        )
        if client_id is None:
            return
        row = world.read(lambda uow: uow.session.get(Client, client_id))
        assert (row.name, row.preferred_name, row.email, row.phone) == (
            kept(name), kept(preferred) or None, kept(email) or None, kept(phone) or None,
        )  # fmt: skip
        stored_warnings = world.read(
            lambda uow: set(
                uow.session.execute(
                    select(ClientWarning.indicator).where(ClientWarning.client_id == client_id)
                ).scalars()
            )
        )
        assert stored_warnings == {one_of_list(w, WARNINGS) for w in warnings}

    run()


# --- staff, passwords, settings ------------------------------------------------------------


def test_create_staff_and_passwords_keep_or_refuse_every_field(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "_sleep", lambda seconds: None)

    @fuzz(world)
    @given(
        username=st.one_of(st.from_regex(r"\A[a-z][a-z0-9._-]{0,10}\Z"), nasty_text()),
        display=nasty_text(),
        role=maybe_valid([r.value for r in Role]),
        team=st.none() | nasty_text(),
        capacity=floats,
        password=st.none() | nasty_text(),
        grants=st.none() | st.lists(maybe_valid([g.value for g in Grant]), max_size=2),
    )
    @example("zed", "Zed", "caseworker", None, 37.5, None, ["case_numbers\x00"])
    @example("zed", "Zed", "caseworker", None, 37.5, "pass\ud800word", None)
    @example("zed", "Zed", "caseworker", "North\x00", 37.5, None, None)
    @example("zed", "Zed", "caseworker", None, float("nan"), None, None)
    def run(
        username: str, display: str, role: str, team: str | None, capacity: float,
        password: str | None, grants: list[str] | None,
    ) -> None:  # fmt: skip
        staff = staff_service.StaffInput(
            username=username, display_name=display, role=role, team=team,
            capacity_hours=capacity, password=password,
            grants=None if grants is None else tuple(grants),
        )  # fmt: skip
        fields = {"username", "display name", "role", "team", "capacity hours", "password",
                  "grants"}  # fmt: skip
        view = attempt(
            world, lambda: world.run(staff_service.create_staff, world.admin, staff), fields
        )
        if view is None:
            return
        assert (view.username, view.display_name, view.team) == (
            kept(username), kept(display), kept(team) or None,
        )  # fmt: skip
        if password is not None:
            assert auth.sign_in(world.db, view.username, password).username == view.username
        new_password = password[::-1] if password else "four"
        changed = attempt(
            world,
            lambda: world.run(staff_service.set_password, world.admin, view.username, new_password),
            {"password"},
        )
        if changed is not None or password is None:
            return
        with pytest.raises(SignInFailed):
            auth.sign_in(world.db, view.username, new_password + "?")

    run()


def test_settings_keep_or_refuse_every_value(world: World) -> None:
    zones = ("Europe/London", "UTC", "America/New_York", "Asia/Kolkata")

    @fuzz(world)
    @given(
        lock_days=st.none() | st.integers(-(2**63), 2**63) | st.integers(-2, 400),
        zone=st.none() | maybe_valid(zones),
        weights=st.lists(st.none() | floats, min_size=4, max_size=4),
    )
    @example(None, "a" * 300, [None] * 4)
    @example(None, "../../etc/passwd", [None] * 4)
    @example(None, "\x00", [None] * 4)
    @example(None, "\ud800", [None] * 4)
    def run(lock_days: int | None, zone: str | None, weights: list[float | None]) -> None:
        changes = settings_service.SettingsChanges(lock_days, zone, *weights)
        fields = {"lock days", "time zone", "weight low", "weight medium", "weight high",
                  "paused factor"}  # fmt: skip
        done = attempt(
            world, lambda: world.run(settings_service.update_settings, world.admin, changes), fields
        )
        if done is None:
            return
        stored = world.run(settings_service.get_settings, world.admin)
        assert stored == done
        if zone is not None:
            assert stored.time_zone == zone.strip()  # text is kept as typed, outer spaces trimmed
        if lock_days is not None:
            assert stored.lock_days == lock_days

    run()


# --- reads and look-ups by what a user typed -----------------------------------------------


def test_look_ups_by_typed_text_find_nothing_or_refuse(world: World) -> None:
    """Case numbers, team names, usernames and filters with any text: an answer, never a crash."""

    @fuzz(world)
    @given(text=nasty_text(), number=st.integers(-(2**63), 2**63 - 1) | ids)
    @example("\x00", 1)
    @example("\ud800", 2**63 - 1)
    @example("%", -(2**63))
    @example("_", 0)
    @example("\\", 1)
    def run(text: str, number: int) -> None:
        reads: list[Callable[[], object]] = [
            lambda: world.run(note_service.list_notes, world.ana, text),
            lambda: world.run(workload.workload, world.admin, team=text),
            lambda: world.run(timeline.bulk_context, world.ana, [text, world.ana_case]),
            lambda: world.run(staff_service.set_password, world.admin, text, "good password"),
            lambda: world.run(note_service.open_note, world.ana, number),
            lambda: world.run(timeline.open_task, world.ana, number),
            lambda: world.run(timeline.load_timeline, world.ana, number),
            lambda: world.run(client_service.delete_client, world.admin, number),
            lambda: world.run(client_service.restore_client, world.admin, number),
            lambda: world.run(timeline.editor_context, world.ana, number, number),
            lambda: world.run(note_service.restore_note, world.admin, number),
            lambda: world.run(task_service.cancel_task, world.ana, number),
            lambda: world.run(workload.workload_of, world.admin, [number]),
            lambda: world.run(
                case_service.open_case, world.admin, case_service.CaseInput(client_id=number)
            ),
        ]
        before = world.dump()
        answered = 0
        for read in reads:
            try:
                read()
                answered += 1
            except RuleError:
                pass
        if not answered:  # every look-up refused: then none of them wrote anything
            assert world.dump() == before

    run()


def test_caseload_filter_takes_typed_text_literally(world: World) -> None:
    """``%``, ``_`` and ``\\`` match themselves; every case shown matches what was typed."""

    @fuzz(world)
    @given(query=nasty_text(max_size=12), tag=st.none() | nasty_text(max_size=12))
    @example("%", None)
    @example("_", None)
    @example("a%", None)
    @example("\x00", "\x00")
    @example("\ud800", None)
    @example('"""', None)
    def run(query: str, tag: str | None) -> None:
        flt = CaseFilter(query=query, tags=() if tag is None else (tag,),
                         statuses=("Open", "Paused", "Closed"))  # fmt: skip

        def read(uow: Any) -> tuple[list[Any], int]:
            repo = CaseRepository(uow.session, world.admin)
            return repo.rows(flt, limit=100), repo.count(flt)

        rows, count = world.read(read)
        assert count == len(rows)
        typed = query.strip()
        for row in rows:
            assert (
                typed.lower() in row.client_name.lower()
                or row.case_number.startswith(typed.upper())
                or typed.lower() in row.tags
            ), (typed, row)

    run()


# --- signing in ------------------------------------------------------------------------


def test_sign_in_with_any_text_signs_in_or_fails_and_audits(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "_sleep", lambda seconds: None)
    world.run(
        staff_service.create_staff,
        world.admin,
        staff_service.StaffInput("pat", "Pat", team="North", password="correct horse"),
    )

    @fuzz(world, sqlite=20, postgres=8)
    @given(
        username=st.none() | maybe_valid(["pat", "ana", "nobody"]),
        password=st.none() | maybe_valid(["correct horse"]),
    )
    @example("pat\x00", "correct horse")
    @example("\x00", "x")
    @example("\ud800", "x")
    @example("pat", "correct \ud800")
    @example("x" * 1_000_000, "x")
    @example("pat", "x" * 1_000_000)
    def run(username: str | None, password: str | None) -> None:
        before = world.dump()
        events = len(before["audit_event"])
        try:
            actor = auth.sign_in(world.db, username, password)
        except SignInFailed:
            after = world.dump()
            changed = {t for t in after if after[t] != before[t]}
            assert {t for t in changed if not t.startswith("audit")} <= {"staff"}
            new = world.audit_events()[events:]
            assert [e.action for e in new] in ([], ["sign_in.failed"])
            return
        assert actor.username == username.strip()  # type: ignore[union-attr]
        assert world.audit_events()[-1].action == "sign_in"

    run()


def test_failed_sign_in_names_stay_readable_in_the_audit(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "_sleep", lambda seconds: None)
    for name in ("nul\x00name", "lone\ud800", "\x1b[2J"):
        with pytest.raises(SignInFailed):
            auth.sign_in(world.db, name, "guess")
    names = world.read(
        lambda uow: list(
            uow.session.execute(
                select(AuditEvent.actor_username).where(AuditEvent.action == "sign_in.failed")
            ).scalars()
        )
    )
    assert len(names) == 3
    assert all("\x00" not in n and n.isprintable() for n in names), names


def test_staff_and_team_rows_are_untouched_by_refused_team_names(world: World) -> None:
    before = world.read(lambda uow: uow.session.execute(select(Team.name)).scalars().all())
    for name in ("\x00", "\ud800", "x" * 201):
        with pytest.raises(ValidationError):
            world.run(
                staff_service.create_staff,
                world.admin,
                staff_service.StaffInput("newbie", "Newbie", team=name),
            )
    assert world.read(lambda uow: uow.session.execute(select(Team.name)).scalars().all()) == before
    assert world.read(lambda uow: uow.session.execute(
        select(Staff).where(Staff.username == "newbie")).first()) is None  # fmt: skip
