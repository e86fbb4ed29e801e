"""The global search box: clients (misspelt too), cases by current or former number, notes by
their words; only what the searcher may see, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from casetui.domain.actor import Actor
from casetui.domain.errors import NotFound, ValidationError
from casetui.domain.models import CaseNote
from casetui.domain.read_models.clients import SearchHit
from casetui.repositories import search as search_repository
from casetui.services import cases as case_service
from casetui.services import clients as client_service
from casetui.services import notes as note_service
from casetui.services.search import search
from tests.services.conftest import World


@pytest.fixture(params=["from their cases", "through the indexes"])
def either_way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Staff who see few cases are searched from their cases, others through the indexes of
    everyone's records: the same hits either way (every test world's staff see few)."""
    if request.param == "through the indexes":
        monkeypatch.setattr(search_repository, "FEW_CASES", -1)
    return str(request.param)


def _hits(world: World, actor: Actor, text: str, kind: str | None = None) -> list[SearchHit]:
    found = world.run(search, actor, text)
    return [h for h in found if kind is None or h.kind == kind]


def _ids(world: World, actor: Actor, text: str, kind: str) -> list[int]:
    return [h.id for h in _hits(world, actor, text, kind)]


@dataclass
class People:
    """Clients registered through the service (which keeps their name words), some with cases."""

    world: World
    johnson: int  # no case: any caseworker may find her
    kowalski: int  # ana's case
    taylor: int  # cara's case, preferred name Peggy
    kowalski_case: str
    taylor_case: str


@pytest.fixture
def people(world: World) -> People:
    def register(actor: Actor, **fields: Any) -> int:
        return world.run(
            client_service.register_client, actor, client_service.ClientInput(**fields)
        )

    def open_for(actor: Actor, client_id: int) -> str:
        detail = world.run(
            case_service.open_case, actor, case_service.CaseInput(client_id=client_id)
        )
        return detail.case_number

    johnson = register(
        world.admin, name="Maria Johnson", date_of_birth="1984-03-07",
        email="Maria.Johnson@Example.org", phone="07700 900123",
    )  # fmt: skip
    kowalski = register(world.ana, name="Piotr Kowalski", date_of_birth="1979-11-30")
    taylor = register(world.cara, name="Margaret Taylor", preferred_name="Peggy")
    return People(
        world, johnson, kowalski, taylor,
        kowalski_case=open_for(world.ana, kowalski), taylor_case=open_for(world.cara, taylor),
    )  # fmt: skip


# --- clients ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "who"),
    [
        ("Jonhson", "johnson"),  # two letters swapped
        ("jonson", "johnson"),  # one left out
        ("Kowalsky", "kowalski"),  # one changed
        ("kowalsky piotr", "kowalski"),
        ("Maria Jonhson", "johnson"),
    ],
)
def test_a_misspelt_name_still_finds_the_client(people: People, typed: str, who: str) -> None:
    found = _hits(people.world, people.world.admin, typed, "client")
    assert getattr(people, who) in [h.id for h in found]


def test_a_misspelt_name_marks_the_word_it_found(people: People) -> None:
    (hit,) = [h for h in _hits(people.world, people.world.admin, "Kowalsky", "client")]
    assert hit.snippet == "Piotr [Kowalski]"
    assert hit.title == "Piotr Kowalski · born 1979-11-30"
    assert hit.client_id == people.kowalski and hit.case_number is None


@pytest.mark.parametrize("typed", ["Hadd", "haddad", "HADDAD", "amal had", "ha", "am", "a", "dad"])
def test_names_are_found_as_they_are_typed(world: World, typed: str) -> None:
    assert world.ana_client in _ids(world, world.admin, typed, "client")


def test_words_unlike_any_name_find_no_client(people: People) -> None:
    assert _hits(people.world, people.world.admin, "Zbigniewska", "client") == []
    assert _hits(people.world, people.world.admin, "Johnson Okafor", "client") == []


def test_a_preferred_name_finds_the_client(people: People) -> None:
    (hit,) = _hits(people.world, people.world.admin, "Peggy", "client")
    assert hit.id == people.taylor
    assert hit.title == "Margaret Taylor (Peggy)"
    assert hit.snippet == "Margaret Taylor ([Peggy])"
    assert _ids(people.world, people.world.admin, "pegy taylor", "client") == [people.taylor]


@pytest.mark.parametrize("typed", ["1984-03-07", "07/03/1984", "7/3/1984"])
def test_a_date_of_birth_finds_the_client(people: People, typed: str) -> None:
    (hit,) = _hits(people.world, people.world.admin, typed, "client")
    assert hit.id == people.johnson
    assert hit.snippet == "born [1984-03-07]"


def _date_order(world: World, order: str) -> None:
    from casetui.domain.models import OrganisationSettings

    with world.db.uow() as uow:  # the setting as an administrator would set it
        settings = uow.session.get(OrganisationSettings, 1)
        assert settings is not None
        settings.date_order = order
        uow.commit()


@pytest.mark.parametrize(
    ("order", "typed", "other_reading"),
    [
        ("dmy", "7/3/1984", "3/7/1984"),
        ("dmy", "07.03.84", "03.07.84"),
        ("mdy", "3/7/1984", "7/3/1984"),
        ("mdy", "03.07.84", "07.03.84"),
        ("ymd", "1984/03/07", "1984/07/03"),
        ("ymd", "1984-03-07", "1984-07-03"),
    ],
)
def test_a_date_of_birth_in_numbers_is_read_in_the_organisations_order(
    people: People, order: str, typed: str, other_reading: str
) -> None:
    """As the intake form and the duplicate check read it (the setting ``date_order``)."""
    _date_order(people.world, order)
    (hit,) = _hits(people.world, people.world.admin, typed, "client")
    assert hit.id == people.johnson
    assert hit.snippet == "born [1984-03-07]"
    assert _hits(people.world, people.world.admin, other_reading, "client") == []


def test_an_impossible_date_finds_nobody_and_does_not_fail(people: People) -> None:
    assert _hits(people.world, people.world.admin, "31/02/1984", "client") == []


@pytest.mark.parametrize(
    "typed", ["maria.johnson@example.org", "MARIA.JOHNSON@EXAMPLE.ORG", "maria.johnson@ex"]
)
def test_an_email_finds_the_client_whatever_its_case(people: People, typed: str) -> None:
    (hit,) = _hits(people.world, people.world.admin, typed, "client")
    assert hit.id == people.johnson
    assert hit.snippet == "[Maria.Johnson@Example.org]"


@pytest.mark.parametrize("typed", ["07700900123", "07700 900 123", "(07700) 900-123", "077009"])
def test_a_phone_number_finds_the_client_however_it_is_typed(people: People, typed: str) -> None:
    (hit,) = _hits(people.world, people.world.admin, typed, "client")
    assert hit.id == people.johnson
    assert hit.snippet == "[07700 900123]"


def test_deleted_clients_their_cases_and_notes_are_never_found(people: People) -> None:
    w = people.world
    w.note(w.ana, people.kowalski_case, "Kowalski visit", details="discussed zebra crossings")
    w.run(client_service.delete_client, w.admin, people.kowalski)
    for actor in (w.admin, w.ana, w.audrey):
        assert _hits(w, actor, "Kowalski") == []
        assert _hits(w, actor, "Kowalsky") == []
        assert _hits(w, actor, "1979-11-30") == []
        assert _hits(w, actor, people.kowalski_case) == []
        assert _hits(w, actor, "zebra") == []


# --- accents ------------------------------------------------------------------------------------


@pytest.fixture
def nunez(world: World) -> tuple[int, int]:
    """Zoë Ñúñez, and Zoe Nunez written without accents: two people to search for."""
    accented = world.run(
        client_service.register_client, world.admin,
        client_service.ClientInput(name="Zoë Ñúñez", date_of_birth="1990-05-17"),
    )  # fmt: skip
    plain = world.run(
        client_service.register_client, world.admin,
        client_service.ClientInput(name="Zoe Nunez", date_of_birth="1991-01-02"),
    )  # fmt: skip
    return accented, plain


@pytest.mark.parametrize(
    "typed", ["nunez", "NUNEZ", "Ñúñez", "ñu", "nu", "nunex", "zoe nunez", "ZOË nu", "zo"]
)
def test_names_are_found_with_or_without_their_accents(
    world: World, nunez: tuple[int, int], typed: str
) -> None:
    """Typed on a plain keyboard, with the accents, misspelt, or its first letters."""
    assert set(nunez) <= set(_ids(world, world.admin, typed, "client"))
    assert set(nunez) <= set(_ids(world, world.ana, typed, "client")), "no case: anyone's"


def test_a_name_found_without_its_accents_is_marked(world: World, nunez: tuple[int, int]) -> None:
    snippets = {h.id: h.snippet for h in _hits(world, world.admin, "nunez", "client")}
    assert snippets == {nunez[0]: "Zoë [Ñúñez]", nunez[1]: "Zoe [Nunez]"}


def test_a_changed_name_is_found_by_its_new_words_alone(
    world: World, nunez: tuple[int, int]
) -> None:
    accented, plain = nunez
    changes = client_service.ClientChanges(name="Zoë García", preferred_name="Łucja")
    world.run(client_service.edit_client, world.admin, accented, changes)
    assert _ids(world, world.admin, "garcia", "client") == [accented]
    assert _ids(world, world.admin, "lucja", "client") == [accented]
    assert _ids(world, world.admin, "nunez", "client") == [plain]
    world.run(
        client_service.edit_client, world.admin, accented,
        client_service.ClientChanges(preferred_name=""),
    )  # fmt: skip
    assert _ids(world, world.admin, "lucja", "client") == []
    assert _ids(world, world.admin, "garcía", "client") == [accented]


# --- cases --------------------------------------------------------------------------------------


def test_a_case_number_or_its_start_finds_the_case_in_any_case(
    world: World, either_way: str
) -> None:
    number = world.ana_case
    for typed in (number, number.lower(), number[:-1], number[:-3].lower()):
        hits = _hits(world, world.admin, typed, "case")
        assert world.case_id(number) in [h.id for h in hits], typed
    (hit,) = _hits(world, world.admin, number, "case")
    assert hit.case_number == number
    assert hit.title == f"{number} · Amal Haddad · Open"
    assert hit.snippet == f"[{number}]"
    assert hit.client_id == world.ana_client
    assert _hits(world, world.admin, number, "client") == [], "no client is named C-2026-…"


def test_a_former_case_number_finds_the_case(world: World, either_way: str) -> None:
    case_id = world.case_id(world.ana_case)
    world.sql(
        "INSERT INTO former_case_number (case_id, case_number, changed_at)"
        " VALUES (:case_id, 'OLD-0042', :at)",
        case_id=case_id,
        at=world.clock() - timedelta(days=3),
    )
    for typed in ("OLD-0042", "old-00", "Old-0042"):
        (hit,) = _hits(world, world.admin, typed, "case")
        assert (hit.id, hit.case_number) == (case_id, world.ana_case)
        assert hit.snippet == "was [OLD-0042]"
    assert _hits(world, world.cara, "OLD-0042") == [], "out of cara's sight, former or not"


# --- notes --------------------------------------------------------------------------------------


def test_note_words_in_the_summary_or_details_find_the_note(world: World) -> None:
    summary = world.note(world.ana, world.ana_case, "Housing benefit form sent")
    details = world.note(
        world.ana, world.ana_case, "Phoned the client",
        details="She asked about the housing waiting list.\nCalled the council back.",
    )  # fmt: skip
    assert _ids(world, world.admin, "housing", "note") == [details.id, summary.id], "newest first"
    assert _ids(world, world.admin, "benefit form", "note") == [summary.id]
    assert _ids(world, world.admin, "waiting list", "note") == [details.id]
    assert _ids(world, world.admin, "housing wait", "note") == [details.id], "the last word typed"
    assert _ids(world, world.admin, "hous", "note") == [details.id, summary.id]
    assert _ids(world, world.admin, "housing giraffe", "note") == []
    (hit,) = _hits(world, world.admin, "council", "note")
    assert hit.case_number == world.ana_case and hit.client_id == world.ana_client
    assert hit.title == f"Phoned the client · {world.ana_case} · {world.clock().date()}"
    assert "Called the [council] back." in hit.snippet
    assert not hit.restricted


def test_deleted_notes_are_not_found_and_restored_ones_are(world: World) -> None:
    note = world.note(world.ana, world.ana_case, "Met the landlord")
    world.run(note_service.delete_note, world.ana, note.id)
    assert _hits(world, world.admin, "landlord") == []
    world.run(note_service.restore_note, world.admin, note.id)
    assert _ids(world, world.admin, "landlord", "note") == [note.id]


def test_a_restricted_note_is_found_only_by_those_who_may_read_its_case(
    world: World, either_way: str
) -> None:
    note = world.note(
        world.ana, world.ana_case, "Safeguarding discussion",
        details="Disclosed violence at home", restricted=True,
    )  # fmt: skip
    for actor in (world.ana, world.sam, world.admin, world.audrey):
        (hit,) = _hits(world, actor, "violence", "note")
        assert hit.id == note.id and hit.restricted
        # The details are read by opening the note (an audited view), never in a list.
        assert hit.snippet == "Safeguarding discussion"
        assert "violence" not in hit.title.lower()
    for actor in (world.cara, world.ben, world.olga):
        assert _hits(world, actor, "violence") == []
        assert _hits(world, actor, "safeguarding") == []
    (hit,) = _hits(world, world.ana, "safeguarding", "note")
    assert hit.snippet == "[Safeguarding] discussion"


# --- who sees what ------------------------------------------------------------------------------


def test_each_role_finds_only_what_it_may_see(people: People, either_way: str) -> None:
    w = people.world
    w.note(w.ana, w.ana_case, "Tenancy review in Haddad home")
    w.note(w.cara, people.taylor_case, "Tenancy review with Peggy")
    names = ("Haddad", "Keller", "Okafor", "Adeyemi", "Kowalski", "Johnson", "Taylor")
    (olga_client,) = _ids(w, w.admin, "Adeyemi", "client")
    everyone = {
        w.ana_client, w.ben_client, w.cara_client, olga_client, people.kowalski, people.johnson,
        people.taylor,
    }  # fmt: skip
    expected = {
        "ana": {w.ana_client, w.ben_client, people.kowalski, people.johnson},
        "ben": {w.ben_client, people.johnson},
        "olga": {olga_client, people.johnson},
        "cara": {w.cara_client, people.taylor, people.johnson},
        "sam": {w.ana_client, w.ben_client, olga_client, people.kowalski, people.johnson},
        "admin": everyone,
        "audrey": everyone,
    }
    for username, wanted in expected.items():
        actor = getattr(w, username)
        seen = {i for name in names for i in _ids(w, actor, name, "client")}
        assert seen == wanted, username
    assert [h.case_number for h in _hits(w, w.ana, "tenancy", "note")] == [w.ana_case]
    assert [h.case_number for h in _hits(w, w.cara, "tenancy", "note")] == [people.taylor_case]
    assert len(_hits(w, w.admin, "tenancy", "note")) == 2
    assert _hits(w, w.ben, "tenancy") == []
    assert _hits(w, w.cara, w.ana_case) == []
    assert _ids(w, w.ana, w.ben_case, "case") == [w.case_id(w.ben_case)], "ana navigates it"


def test_a_client_with_no_case_is_found_by_every_caseworker(
    people: People, either_way: str
) -> None:
    w = people.world
    for actor in (w.ana, w.ben, w.cara, w.olga, w.sam, w.admin, w.audrey):
        assert _ids(w, actor, "Maria Johnson", "client") == [people.johnson]


# --- what is typed --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "", "   ", '"', '"haddad', "hadd*", "NEAR(a b)", "a AND OR NOT", "(", ")", "-", "^x",
        "col:value", "{x}", "'", "a'b", "\\", "%", "_", "x\x00y", "\ud800", "haddad" * 1000,
        "!&|:*", "a & b", "1:*", "<->", "!!",
    ],
)  # fmt: skip
def test_any_text_is_searched_without_failing(world: World, typed: str) -> None:
    world.note(world.ana, world.ana_case, "Phoned about rent")
    found = world.run(search, world.admin, typed)
    assert all(isinstance(h, SearchHit) for h in found)


def test_blank_text_finds_nothing(world: World) -> None:
    assert world.run(search, world.admin, "") == []
    assert world.run(search, world.admin, " \t\n") == []


def test_hits_come_grouped_clients_cases_notes_and_at_most_per_kind(world: World) -> None:
    for n in range(4):
        world.note(world.ana, world.ana_case, f"Haddad follow-up {n}")
    found = world.run(search, world.admin, "haddad", per_kind=2)
    kinds = [h.kind for h in found]
    assert kinds == sorted(kinds, key=["client", "case", "note"].index)
    assert kinds.count("note") == 2 and kinds.count("client") == 1


# --- the note index keeps up with every write -----------------------------------------------------

WORDS = ("rent", "rental", "arrears", "school", "visit", "visited", "benefit")


def _live_notes(world: World) -> dict[int, str]:
    """Every live note's words, read straight from the table."""

    def read(uow: Any) -> dict[int, str]:
        rows = uow.session.execute(
            select(CaseNote.id, CaseNote.summary, CaseNote.details).where(
                CaseNote.deleted_at.is_(None)  # type: ignore[union-attr]
            )
        )
        return {note_id: f"{summary} {details}" for note_id, summary, details in rows}

    return world.read(read)


def _scan(notes: dict[int, str], query: list[str]) -> list[int]:
    """A plain Python scan: every word whole, the last one as a prefix once it has three
    letters."""
    found = []
    *whole, last = dict.fromkeys(query)  # a word typed twice is one word
    for note_id, text in notes.items():
        words = re.findall(r"[a-z]+", text.lower())
        ends = any(w.startswith(last) if len(last) >= 3 else w == last for w in words)
        if ends and all(w in words for w in whole):
            found.append(note_id)
    return sorted(found, reverse=True)


texts = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
writes = st.lists(
    st.one_of(
        st.tuples(st.just("add"), texts, texts.map(str) | st.just("")),
        st.tuples(st.just("summary"), st.integers(0, 99), texts),
        st.tuples(st.just("details"), st.integers(0, 99), texts | st.just("")),
        st.tuples(st.just("delete"), st.integers(0, 99), st.just("")),
        st.tuples(st.just("restore"), st.integers(0, 99), st.just("")),
    ),
    min_size=1,
    max_size=6,
)
queries = st.lists(st.sampled_from([*WORDS, "re", "vis", "sch"]), min_size=1, max_size=2)


def test_note_search_agrees_with_a_scan_after_any_writes(world: World) -> None:
    """Adds, edits of summary and details, deletes and restores, in any order: the full-text
    index (triggers on SQLite, an expression index on PostgreSQL) answers as a scan would."""
    written: list[int] = []
    examples = 12 if world.is_postgres else 30

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(steps=writes, query=queries, per_kind=st.sampled_from([3, 200]))
    def check(steps: list[tuple[str, Any, str]], query: list[str], per_kind: int) -> None:
        for action, target, text in steps:
            if action == "add":
                written.append(world.note(world.admin, world.ana_case, target, details=text).id)
                continue
            if not written:
                continue
            note_id = written[target % len(written)]
            try:
                if action == "summary":
                    changes = note_service.NoteChanges(summary=text)
                    world.run(note_service.edit_note, world.admin, note_id, changes)
                elif action == "details":
                    changes = note_service.NoteChanges(details=text)
                    world.run(note_service.edit_note, world.admin, note_id, changes)
                elif action == "delete":
                    world.run(note_service.delete_note, world.admin, note_id)
                else:
                    world.run(note_service.restore_note, world.admin, note_id)
            except (NotFound, ValidationError):
                pass  # a deleted note cannot be edited; nothing to change; not deleted
        expected = _scan(_live_notes(world), query)[:200]
        # Walking the index's newest matches (everyone's notes) or testing each of a case's
        # notes against it (a caseworker's few): the same notes either way.
        # A word being typed is tested on the notes read, a few batches at most, then asked
        # of the index: tiny batches take every road here.
        for actor, few, walk in itertools.product(
            (world.admin, world.ana), (search_repository.FEW_CASES, -1), ((100, 600), (2, 4))
        ):
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(search_repository, "FEW_CASES", few)
                patch.setattr(search_repository, "WALK_BATCH", walk[0])
                patch.setattr(search_repository, "WALK_MAX", walk[1])
                found = world.run(search, actor, " ".join(query), per_kind=per_kind)
            wanted = expected[:per_kind]
            assert [h.id for h in found if h.kind == "note"] == wanted, (actor.username, few, walk)

    check()


# --- one rule, two forms --------------------------------------------------------------------------


def test_a_case_in_sight_is_a_visible_case_for_every_role(people: People) -> None:
    """Search tests cases one at a time (``case_in_sight``) where the caseload gathers them as
    a set (``visible_cases``): the same cases for everyone, deleted ones out."""
    from casetui.domain.models import Case
    from casetui.repositories.client_scope import case_in_sight
    from casetui.repositories.scope import visible_cases

    w = people.world
    deleted_case = w.case_id(people.kowalski_case)
    w.run(client_service.delete_client, w.admin, people.kowalski)
    for username in ("admin", "audrey", "sam", "ana", "ben", "cara", "olga"):
        actor = getattr(w, username)

        def both(uow: Any, actor: Actor = actor) -> tuple[set[int], set[int]]:
            def ids(clause: Any) -> set[int]:
                return set(uow.session.execute(select(Case.id).where(clause)).scalars())

            return ids(visible_cases(actor)), ids(case_in_sight(actor))

        gathered, one_at_a_time = w.read(both)
        assert gathered == one_at_a_time, username
        assert deleted_case not in gathered
    assert len(w.read(lambda uow: uow.session.execute(select(Case.id)).all())) == 6


def test_a_visible_client_is_one_with_no_case_or_a_visible_case_for_every_role(
    people: People,
) -> None:
    """The client record, search and the duplicate check all ask ``visible_clients``, which
    tests each case with ``case_in_sight``: it must give what the plain rule gives, written
    with the caseload's ``visible_cases``."""
    from sqlalchemy import exists

    from casetui.domain.enums import Role
    from casetui.domain.models import Case, Client
    from casetui.repositories.client_scope import visible_clients
    from casetui.repositories.scope import visible_cases

    w = people.world
    w.run(client_service.delete_client, w.admin, people.kowalski)
    for username in ("admin", "audrey", "sam", "ana", "ben", "cara", "olga"):
        actor = getattr(w, username)

        def both(uow: Any, actor: Actor = actor) -> tuple[set[int], set[int]]:
            def ids(clause: Any) -> set[int]:
                query = select(Client.id).where(Client.deleted_at.is_(None), clause)  # type: ignore[union-attr]
                return set(uow.session.execute(query).scalars())

            of_client = select(Case.id).where(Case.client_id == Client.id)
            if actor.role is Role.AUDITOR or actor.role is Role.ADMINISTRATOR:
                rule = ids(True)
            else:
                rule = ids(~exists(of_client) | exists(of_client.where(visible_cases(actor))))
            return rule, ids(visible_clients(actor))

        by_rule, by_client_scope = w.read(both)
        assert by_rule == by_client_scope, username
        assert people.kowalski not in by_client_scope
        assert people.johnson in by_client_scope, "no case: seen by everyone who registers"
