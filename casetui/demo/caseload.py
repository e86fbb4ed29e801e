"""Clients, cases, notes, follow-up tasks, case events and communications, written a chunk of
cases at a time.

Every value comes from the one seeded ``random.Random``, and every date from ``today``.
Nothing is dated today or later: the time of day the demo runs is unknown, so any row
stamped today could look as if it were written in the future.
"""

from __future__ import annotations

import random
import uuid
from bisect import bisect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate
from operator import attrgetter
from typing import Any, Generic, NamedTuple, TypeVar

from casetui.demo import vocabulary as words
from casetui.demo.bulk import BulkWriter, Row
from casetui.demo.communications import CommunicationMaker, Recipient
from casetui.demo.people import Member, Team, Workforce
from casetui.domain import name_words
from casetui.domain.enums import CaseStatus, Concern, ContactType, Repeats, Role, TaskStatus
from casetui.services.clients import phone_digits

CHUNK_CASES = 5000
YEARS_OF_CASES = 3
NOTE_WINDOW_DAYS = 365
DAY_STARTS, DAY_ENDS = 8 * 60, 18 * 60 + 30  # contact times, minutes after midnight (UTC)

CLIENT_COLUMNS = (
    "id", "name", "preferred_name", "date_of_birth", "email", "phone", "phone_digits",
    "search_name", "client_type", "record_status", "created_at", "deleted_at", "version",
)  # fmt: skip
CASE_COLUMNS = (
    "id", "case_number", "client_id", "status", "concern", "primary_worker_id", "team_id",
    "pathway", "opened_on", "closed_on", "last_interaction_at", "created_at", "deleted_at",
    "version",
)  # fmt: skip
NOTE_COLUMNS = (
    "id", "case_id", "author_id", "contact_at", "activity_type", "contact_type",
    "third_party_org", "summary", "details", "restricted", "batch_id", "created_at",
    "updated_at", "deleted_at", "version",
)  # fmt: skip
TASK_COLUMNS = (
    "id", "case_id", "note_id", "name", "due_on", "repeats", "rrule", "assigned_to_client",
    "details", "status", "created_by_id", "created_at", "completed_at", "previous_task_id",
    "version",
)  # fmt: skip
ADDENDUM_COLUMNS = ("id", "note_id", "author_id", "created_at", "reason", "text")
EVENT_COLUMNS = ("id", "case_id", "actor_id", "at", "kind", "before", "after")
FORMER_NUMBER_COLUMNS = ("id", "case_id", "case_number", "changed_at")
CLIENT_DELETED_AT = CLIENT_COLUMNS.index("deleted_at")
CASE_CLIENT_ID, CASE_DELETED_AT = CASE_COLUMNS.index("client_id"), CASE_COLUMNS.index("deleted_at")

# Shares of the records that carry part two's history.
RENUMBERED_SHARE = 0.01  # cases given a new number; the old one stays findable
GROUPED_SHARE = 0.05  # clients in one or two of the organisation's groups
DELETED_SHARE = 0.003  # clients deleted, with their cases
PART_ONE_GROUPED_SHARE, PART_ONE_GROUPS = 0.12, 9

CLIENT = ContactType.CLIENT.value
THIRD_PARTY = ContactType.THIRD_PARTY.value
INTERNAL = ContactType.INTERNAL.value
SUPERVISION = ContactType.SUPERVISION.value
ID_TABLES = (
    "client", "cases", "case_note", "follow_up_task", "note_addendum", "case_event",
    "former_case_number", "name_term",
)  # fmt: skip

T = TypeVar("T")


class Mix(Generic[T]):
    """Values drawn at the shares given, e.g. Open 75, Paused 12, Closed 13."""

    def __init__(self, shares: Mapping[T, float]) -> None:
        self.values = list(shares)
        self.cuts = list(accumulate(shares.values()))

    def draw(self, rng: random.Random) -> T:
        return self.values[bisect(self.cuts, rng.random() * self.cuts[-1])]


# A caseworker carries about this many open or paused cases; the rest of the history is closed,
# so workload bars look like a real team's whatever --cases and --staff are.
ACTIVE_CASES_PER_WORKER = 17


def status_mix(cases: int, workers: int) -> Mix[CaseStatus]:
    active = min(0.87, max(0.05, ACTIVE_CASES_PER_WORKER * workers / max(cases, 1)))
    return Mix(
        {
            CaseStatus.OPEN: active * 0.86,
            CaseStatus.PAUSED: active * 0.14,
            CaseStatus.CLOSED: 1 - active,
        }
    )


CONCERN_MIX = Mix({Concern.LOW: 50, Concern.MEDIUM: 35, Concern.HIGH: 15})
TAG_COUNT_MIX = Mix({0: 30, 1: 35, 2: 25, 3: 10})
CONTACT_TYPE_MIX = Mix({
    ContactType.CLIENT: 60, ContactType.THIRD_PARTY: 20, ContactType.INTERNAL: 12,
    ContactType.SUPERVISION: 8,
})  # fmt: skip
# Follow-up tasks: what has become of them by today, by when they fall due.
LONG_PAST_TASK_MIX = Mix({TaskStatus.DONE: 88, TaskStatus.CANCELLED: 4, TaskStatus.OPEN: 8})
RECENT_TASK_MIX = Mix({TaskStatus.DONE: 50, TaskStatus.OPEN: 50})  # the open ones are overdue
COMING_TASK_MIX = Mix({TaskStatus.OPEN: 85, TaskStatus.DONE: 15})
CLOSED_CASE_TASK_MIX = Mix({TaskStatus.DONE: 90, TaskStatus.CANCELLED: 10})
REPEATS_MIX = Mix(
    {Repeats.WEEKLY: 45, Repeats.FORTNIGHTLY: 23, Repeats.MONTHLY: 24, Repeats.CUSTOM: 8}
)


@dataclass(frozen=True)
class OrganisationLists:
    activity_types: list[str]
    client_types: list[str]
    warning_indicators: list[str]
    pathways: list[str]
    groups: list[str] = field(default_factory=list)


@dataclass
class Counts:
    clients: int = 0
    cases: int = 0
    notes: int = 0
    tasks: int = 0
    deleted_clients: int = 0
    renumbered_cases: int = 0
    communications: int = 0


@dataclass(frozen=True, slots=True)
class _ClientRef:
    id: int
    called: str  # the name staff use: the preferred name when there is one
    name: str
    email: str | None
    record_status: str


@dataclass(frozen=True, slots=True)
class _Workshop:
    """One group session; every case that attended gets the same note with one batch id."""

    contact_at: datetime
    created_at: datetime
    batch_id: str
    summary: str
    details: str


class _Draft(NamedTuple):
    """A note before its id is known: ids follow contact time within a case."""

    contact_at: datetime
    author: Member
    activity: str
    contact_type: str
    org: str | None
    summary: str
    details: str
    restricted: bool
    batch_id: str | None
    created_at: datetime
    topic: str  # what a follow-up task from this note is about


@dataclass(slots=True)
class _CaseInHand:
    """What the notes and tasks of the case being written need to know about it."""

    id: int
    worker: Member
    team: Team
    navigator: Member | None
    called: str
    topics: tuple[str, ...]
    colleagues: list[str]
    restricted_rate: float
    first_day: int  # ordinals: the span its notes fall in
    last_day: int
    closed: bool
    client_id: int
    created_at: datetime
    # The latest moment anything happened on the case: a deleted client's cases end before it.
    latest: datetime
    batches: set[str] = field(default_factory=set)

    def touched(self, moment: datetime) -> None:
        self.latest = max(self.latest, moment)


@dataclass
class _Chunk:
    clients: list[Row] = field(default_factory=list)
    warnings: list[Row] = field(default_factory=list)
    groups: list[Row] = field(default_factory=list)
    cases: list[Row] = field(default_factory=list)
    navigators: list[Row] = field(default_factory=list)
    tags: list[Row] = field(default_factory=list)
    notes: list[Row] = field(default_factory=list)
    addenda: list[Row] = field(default_factory=list)
    tasks: list[Row] = field(default_factory=list)
    responsible: list[Row] = field(default_factory=list)
    events: list[Row] = field(default_factory=list)
    former_numbers: list[Row] = field(default_factory=list)
    # Clients of this chunk who may come back with a new case.
    returning: list[_ClientRef] = field(default_factory=list)
    # Clients to be deleted once their cases are written, and when each case last saw activity.
    leaving: list[int] = field(default_factory=list)
    latest_by_client: dict[int, datetime] = field(default_factory=dict)
    workshops: dict[int, list[_Workshop]] = field(default_factory=dict)

    def write(self, bulk: BulkWriter) -> None:
        """Parents before children, as the foreign keys are checked row by row."""
        bulk.insert("client", CLIENT_COLUMNS, self.clients)
        bulk.insert("client_warning", ("client_id", "indicator"), self.warnings)
        bulk.insert("client_group", ("client_id", "group_name"), self.groups)
        bulk.insert("cases", CASE_COLUMNS, self.cases)
        bulk.insert("former_case_number", FORMER_NUMBER_COLUMNS, self.former_numbers)
        bulk.insert("case_navigator", ("case_id", "staff_id"), self.navigators)
        bulk.insert("case_tag", ("case_id", "tag"), self.tags)
        bulk.insert("case_note", NOTE_COLUMNS, self.notes)
        bulk.insert("note_addendum", ADDENDUM_COLUMNS, self.addenda)
        bulk.insert("follow_up_task", TASK_COLUMNS, self.tasks)
        bulk.insert("task_responsible", ("task_id", "staff_id"), self.responsible)
        bulk.insert("case_event", EVENT_COLUMNS, self.events)
        if self.cases:
            bulk.refresh_next_task_due(self.cases[0][0], self.cases[-1][0])


def _with(row: Row, index: int, value: Any) -> Row:
    return (*row[:index], value, *row[index + 1 :])


def _at(day: int, minute: int) -> datetime:
    """A naive UTC moment from a day ordinal and minutes after midnight."""
    return datetime.fromordinal(day) + timedelta(minutes=minute)


class CaseloadMaker:
    def __init__(
        self,
        rng: random.Random,
        bulk: BulkWriter,
        workforce: Workforce,
        lists: OrganisationLists,
        *,
        case_number_prefix: str,
        lock_days: int,
        today: date,
        history: random.Random,
        correspondence: random.Random,
    ) -> None:
        self.rng = rng
        # Part two's records (groups, renumbered cases, deleted clients) draw from their own
        # stream: a seed still gives part one's clients, cases and notes exactly as before,
        # which the app's tests and screenshots stand on.
        self.history = history
        self.bulk = bulk
        self.lists = lists
        self.prefix = case_number_prefix
        self.lock_days = lock_days
        self.today = today.toordinal()
        self.last_day = self.today - 1
        self.caseworkers = workforce.caseworkers
        # Changing a case number takes the case_numbers grant, which administrators hold.
        self.renumberer = next(m for m in workforce.everyone if m.role is Role.ADMINISTRATOR)
        self.cumulative_shares = list(accumulate(m.share for m in self.caseworkers))
        self.teams = {t.id: t for t in workforce.teams}
        self.slugs = {n: words.slug(n) for n in (*words.FIRST_NAMES, *words.LAST_NAMES)}
        self.activities = self._activities_by_contact_type(lists.activity_types)
        # Summaries and details by contact type; client summaries also depend on the activity.
        self.wording = {
            CLIENT: (words.CLIENT_SUMMARY_FALLBACK, words.OBSERVATIONS),
            THIRD_PARTY: (words.THIRD_PARTY_SUMMARIES, words.THIRD_PARTY_OBSERVATIONS),
            INTERNAL: (words.INTERNAL_SUMMARIES, words.INTERNAL_OBSERVATIONS),
            SUPERVISION: (words.SUPERVISION_SUMMARIES, words.SUPERVISION_OBSERVATIONS),
        }
        # Pathway topics three times over: three notes in four are about what the case is for.
        self.topics = {
            p: words.TOPICS_BY_PATHWAY.get(p, ()) * 3 + words.GENERAL_TOPICS for p in lists.pathways
        }
        self.numbers_by_year: dict[int, int] = {}
        self.former_numbers = 0
        # Every word of every client's name, written once at the end, as search compares them.
        self.name_words: set[str] = set()
        self.next_id = {table: bulk.first_free_id(table) for table in ID_TABLES}
        self.counts = Counts()
        self.communications = CommunicationMaker(correspondence, bulk, today=self.today)

    @staticmethod
    def _activities_by_contact_type(listed: list[str]) -> dict[str, list[str]]:
        """Activities that fit each contact type, repeated by weight; the whole list if none fit."""
        chosen: dict[str, list[str]] = {}
        for contact_type, weights in words.ACTIVITY_WEIGHTS.items():
            fitting = [a for a in listed for _ in range(weights.get(a, 0))]
            chosen[contact_type] = fitting or list(listed) or ["Phone call"]
        return chosen

    def _take(self, table: str) -> int:
        taken = self.next_id[table]
        self.next_id[table] = taken + 1
        return taken

    def run(self, cases: int, progress: Callable[[str], None]) -> Counts:
        rng = self.rng
        self.status_mix = status_mix(cases, len(self.caseworkers))
        # Sorted, so case numbers and ids run in the order the cases were opened.
        opened = sorted(
            rng.randint(self.today - YEARS_OF_CASES * 365, self.last_day) for _ in range(cases)
        )
        for start in range(0, cases, CHUNK_CASES):
            chunk = _Chunk()
            for opened_day in opened[start : start + CHUNK_CASES]:
                self._open_case(chunk, opened_day)
            self._delete_leavers(chunk)
            chunk.write(self.bulk)
            self.communications.written.write(self.bulk)
            self.counts.clients += len(chunk.clients)
            self.counts.cases += len(chunk.cases)
            self.counts.notes += len(chunk.notes)
            self.counts.tasks += len(chunk.tasks)
            progress(
                f"{self.counts.cases:,} of {cases:,} cases written "
                f"({self.counts.notes:,} notes, {self.counts.tasks:,} tasks)"
            )
        self._write_name_words()
        self.counts.communications = self.communications.count
        return self.counts

    def _write_name_words(self) -> None:
        """The name words the services would have remembered client by client, in one go."""
        first = self._take("name_term")
        terms = sorted(self.name_words)
        self.bulk.insert("name_term", ("id", "term"), [(first + i, t) for i, t in enumerate(terms)])

    def _delete_leavers(self, chunk: _Chunk) -> None:
        """Clients deleted after their cases' last activity; their cases go the same moment,
        as deleting a client does. A client returns only within a chunk, so every case of a
        leaver is in this one."""
        rng = self.history
        latest_possible = _at(self.today, 0) - timedelta(seconds=1)
        moments: dict[int, Any] = {}
        for client_id in chunk.leaving:
            latest = chunk.latest_by_client[client_id]
            deleted_at = min(
                latest + timedelta(minutes=rng.randint(30, 90 * 24 * 60)), latest_possible
            )
            if deleted_at > latest:
                moments[client_id] = self.bulk.moment(deleted_at)
        if not moments:
            return
        chunk.clients = [
            _with(row, CLIENT_DELETED_AT, moments[row[0]]) if row[0] in moments else row
            for row in chunk.clients
        ]
        chunk.cases = [
            _with(row, CASE_DELETED_AT, moments[row[CASE_CLIENT_ID]])
            if row[CASE_CLIENT_ID] in moments
            else row
            for row in chunk.cases
        ]
        self.counts.deleted_clients += len(moments)

    def _open_case(self, chunk: _Chunk, opened_day: int) -> None:
        rng, bulk = self.rng, self.bulk
        case_id = self._take("cases")
        opened_on = date.fromordinal(opened_day)
        number = self.numbers_by_year.get(opened_on.year, 0) + 1
        self.numbers_by_year[opened_on.year] = number

        status = self.status_mix.draw(rng)
        closed_day = None
        if status is CaseStatus.CLOSED:
            closed_day = rng.randint(min(opened_day + 14, self.last_day), self.last_day)
        concern = CONCERN_MIX.draw(rng)

        worker = rng.choices(self.caseworkers, cum_weights=self.cumulative_shares)[0]
        team = self.teams[worker.team_id]  # type: ignore[index]
        if rng.random() < 0.08:
            worker = team.supervisor  # supervisors keep a few cases of their own
        colleagues = [m for m in team.members if m is not worker]
        navigator = rng.choice(colleagues) if rng.random() < 0.15 else None

        created_at = _at(opened_day, rng.randrange(9 * 60, 17 * 60))
        if chunk.returning and rng.random() < 0.1:
            client = rng.choice(chunk.returning)
        else:
            client = self._new_client(chunk, created_at, closed=closed_day is not None)
        pathway = rng.choice(self.lists.pathways) if self.lists.pathways else None
        tags = rng.sample(words.TAGS, TAG_COUNT_MIX.draw(rng))

        first_day = max(opened_day, self.today - NOTE_WINDOW_DAYS)
        last_day = closed_day if closed_day is not None else self.last_day
        if last_day < first_day:
            first_day = opened_day  # closed over a year ago: its notes are older
        case = _CaseInHand(
            id=case_id, worker=worker, team=team, navigator=navigator, called=client.called,
            topics=self.topics.get(pathway, words.GENERAL_TOPICS),  # type: ignore[arg-type]
            colleagues=[m.first_name for m in colleagues],
            restricted_rate=0.25 if "dv" in tags else 0.04,
            first_day=first_day, last_day=last_day, closed=closed_day is not None,
            client_id=client.id, created_at=created_at, latest=created_at,
        )  # fmt: skip
        last_contact = self._write_notes(chunk, case)
        recipient = Recipient(
            client.name, client.email, client.record_status, client.id in chunk.leaving
        )
        contact = self.communications.for_case(case, recipient)
        if contact is not None and (last_contact is None or contact > last_contact):
            last_contact = contact  # a call or a letter is contact with the client, as a note is

        case_number = f"{self.prefix}-{opened_on.year}-{number:06d}"
        chunk.cases.append((
            case_id, case_number, client.id, status.value,
            concern.value, worker.id, worker.team_id, pathway, bulk.day(opened_on),
            bulk.day(date.fromordinal(closed_day)) if closed_day is not None else None,
            bulk.moment(last_contact) if last_contact else None, bulk.moment(created_at), None, 1,
        ))  # fmt: skip
        if navigator is not None:
            chunk.navigators.append((case_id, navigator.id))
        chunk.tags.extend((case_id, tag) for tag in tags)
        self._write_events(chunk, case, opened_day, status, concern.value)
        if self.history.random() < RENUMBERED_SHARE:
            self._renumber(chunk, case, opened_day, case_number)
        if closed_day is not None:
            case.touched(_at(closed_day, 0))
        known = chunk.latest_by_client.get(client.id, case.latest)
        chunk.latest_by_client[client.id] = max(known, case.latest)

    def _renumber(self, chunk: _Chunk, case: _CaseInHand, opened_day: int, number: str) -> None:
        """Opened under the organisation's old numbering, renumbered within the month: the old
        number (as in "was C-0042") stays findable, and the timeline shows the change."""
        rng = self.history
        self.former_numbers += 1
        old = f"{self.prefix}-{self.former_numbers:04d}"
        day = rng.randint(opened_day, min(opened_day + 30, case.last_day))
        moment = max(
            _at(day, rng.randrange(9 * 60, 17 * 60 + 30)), case.created_at + timedelta(minutes=1)
        )
        case.touched(moment)
        at = self.bulk.moment(moment)
        chunk.former_numbers.append((self._take("former_case_number"), case.id, old, at))
        chunk.events.append(
            (self._take("case_event"), case.id, self.renumberer.id, at, "case_number", old, number)
        )
        self.counts.renumbered_cases += 1

    def _new_client(self, chunk: _Chunk, created_at: datetime, *, closed: bool) -> _ClientRef:
        rng, lists = self.rng, self.lists
        client_id = self._take("client")
        first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
        roll = rng.random()
        preferred = None
        if roll < 0.5 and first in words.SHORT_NAMES:
            preferred = words.SHORT_NAMES[first]
        elif roll < 0.03:
            preferred = rng.choice(words.FIRST_NAMES)  # known by another name altogether
        born = None
        if rng.random() < 0.97:
            born = self.bulk.day(date.fromordinal(self.today - rng.randint(18 * 365 + 5, 80 * 365)))
        email = None
        if rng.random() < 0.55:
            domain = rng.choice(words.EMAIL_DOMAINS)
            email = f"{self.slugs[first]}.{self.slugs[last]}{rng.randint(1, 99)}@{domain}"
        phone = (
            f"{rng.choice(words.PHONE_STEMS)}{rng.randrange(1000):03d}"
            if rng.random() < 0.75
            else None
        )
        client_type = rng.choice(lists.client_types) if lists.client_types else None
        record_status = "Inactive" if closed and rng.random() < 0.4 else "Active"
        name = f"{first} {last}"
        plain = name_words.search_name(name, preferred)
        chunk.clients.append((
            client_id, name, preferred, born, email, phone, phone_digits(phone), plain,
            client_type, record_status, self.bulk.moment(created_at), None, 1,
        ))  # fmt: skip
        self.name_words.update(name_words.words(name), name_words.words(preferred))
        indicators = lists.warning_indicators
        if indicators and rng.random() < 0.1:
            picked = rng.sample(indicators, min(len(indicators), 1 if rng.random() < 0.8 else 2))
            chunk.warnings.extend((client_id, indicator) for indicator in picked)
        # Part one drew groups here, from a list of its own; its draws stay, so that what
        # follows in the stream does not change.
        if rng.random() < PART_ONE_GROUPED_SHARE:
            rng.sample(range(PART_ONE_GROUPS), 1 if rng.random() < 0.75 else 2)
        history = self.history
        if lists.groups and history.random() < GROUPED_SHARE:
            count = 1 if history.random() < 0.75 else 2
            picked = history.sample(lists.groups, min(len(lists.groups), count))
            chunk.groups.extend((client_id, group) for group in picked)
        if history.random() < DELETED_SHARE:
            chunk.leaving.append(client_id)
        client = _ClientRef(client_id, preferred or first, name, email, record_status)
        if record_status == "Active":
            chunk.returning.append(client)
        return client

    def _write_notes(self, chunk: _Chunk, case: _CaseInHand) -> datetime | None:
        """The case's notes, oldest first, with their tasks and addenda; the last contact time."""
        rng, bulk = self.rng, self.bulk
        # About ten a case on average, a long tail of busy cases, some with none yet.
        count = min(int(rng.expovariate(1 / 10.6)), case.last_day - case.first_day + 1)
        drafts = [
            self._draft_note(chunk, case, rng.randint(case.first_day, case.last_day),
                             rng.randrange(DAY_STARTS // 5, DAY_ENDS // 5 + 1) * 5)
            for _ in range(count)
        ]  # fmt: skip
        drafts.sort(key=attrgetter("contact_at"))
        locked_before = self.today - self.lock_days - 7
        for d in drafts:
            note_id = self._take("case_note")
            created = bulk.moment(d.created_at)
            case.touched(d.created_at)
            chunk.notes.append((
                note_id, case.id, d.author.id, bulk.moment(d.contact_at), d.activity,
                d.contact_type, d.org, d.summary, d.details, d.restricted, d.batch_id, created,
                created, None, 1,
            ))  # fmt: skip
            if rng.random() < 0.25:
                self._write_task(chunk, case, note_id, d)
            if d.contact_at.toordinal() < locked_before and rng.random() < 0.004:
                self._write_addendum(chunk, case, note_id, d)
        return drafts[-1].contact_at if drafts else None

    def _draft_note(self, chunk: _Chunk, case: _CaseInHand, day: int, minute: int) -> _Draft:
        rng = self.rng
        contact_type = CONTACT_TYPE_MIX.draw(rng).value
        activity = rng.choice(self.activities[contact_type])
        topic = rng.choice(case.topics)
        if activity == "Workshop" and contact_type == CLIENT:
            session = self._workshop(chunk, case, day, minute)
            return _Draft(session.contact_at, case.worker, activity, CLIENT, None, session.summary,
                          session.details, False, session.batch_id, session.created_at, topic)  # fmt: skip

        org = rng.choice(words.THIRD_PARTIES)
        fill = {
            "first": case.called, "topic": topic, "org": org, "activity": activity,
            "colleague": rng.choice(case.colleagues), "weekday": rng.choice(words.WEEKDAYS),
            "worker": case.worker.first_name,
        }  # fmt: skip
        summaries, observations = self.wording[contact_type]
        if contact_type == CLIENT:
            summaries = words.CLIENT_SUMMARIES.get(activity, words.CLIENT_SUMMARY_FALLBACK)
        if contact_type == CLIENT and activity in words.MISSED_CONTACTS and rng.random() < 0.1:
            summary = words.MISSED_CONTACTS[activity].format(**fill)
            details = rng.choice(words.MISSED_DETAILS).format(**fill)
        else:
            summary = rng.choice(summaries).format(**fill)
            details = self._details(observations, fill)

        roll = rng.random()
        if (contact_type == SUPERVISION and roll < 0.5) or roll > 0.95:
            author = case.team.supervisor
        elif roll > 0.87 and case.navigator is not None:
            author = case.navigator
        else:
            author = case.worker
        contact_at = _at(day, minute)
        created_at = contact_at + timedelta(seconds=rng.randint(120, 5 * 3600))
        return _Draft(contact_at, author, activity, contact_type,
                      org if contact_type == THIRD_PARTY else None, summary, details,
                      rng.random() < case.restricted_rate, None, created_at, topic)  # fmt: skip

    def _details(self, observations: tuple[str, ...], fill: dict[str, str]) -> str:
        """Empty sometimes; else what happened, perhaps a concern raised, perhaps next steps."""
        rng = self.rng
        if rng.random() < 0.2:
            return ""
        parts = [rng.choice(observations)]
        if rng.random() < 0.3:
            parts.append(rng.choice(words.CONCERNS))
        if rng.random() < 0.6:
            parts.append(rng.choice(words.NEXT_STEPS))
        return ("\n\n" if rng.random() < 0.15 else " ").join(parts).format(**fill)

    def _workshop(self, chunk: _Chunk, case: _CaseInHand, day: int, minute: int) -> _Workshop:
        """A session this worker ran that the case could have attended, or a new one."""
        rng = self.rng
        sessions = chunk.workshops.setdefault(case.worker.id, [])
        fitting = [
            s for s in sessions
            if case.first_day <= s.contact_at.toordinal() <= case.last_day and s.batch_id not in case.batches
        ]  # fmt: skip
        if fitting and rng.random() < 0.85:
            session = rng.choice(fitting)
        else:
            contact_at = _at(day, minute)
            session = _Workshop(
                contact_at=contact_at,
                created_at=contact_at + timedelta(seconds=rng.randint(3600, 4 * 3600)),
                batch_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                summary=f"Attended {rng.choice(words.WORKSHOPS)}",
                details=rng.choice(words.WORKSHOP_DETAILS).format(n=rng.randint(4, 14)),
            )
            sessions.append(session)
        case.batches.add(session.batch_id)
        return session

    def _write_task(self, chunk: _Chunk, case: _CaseInHand, note_id: int, note: _Draft) -> None:
        rng, bulk = self.rng, self.bulk
        author, created_at = note.author, note.created_at
        task_id = self._take("follow_up_task")
        for_client = rng.random() < 0.15
        fill = {"first": case.called, "topic": note.topic, "org": rng.choice(words.THIRD_PARTIES)}
        name = rng.choice(words.CLIENT_TASKS if for_client else words.STAFF_TASKS).format(**fill)
        details = rng.choice(words.TASK_DETAILS).format(**fill) if rng.random() < 0.3 else ""
        noted_day = created_at.toordinal()
        due = noted_day + rng.choice((2, 3, 5, 7, 7, 10, 14, 14, 21, 28))

        if case.closed:
            status = CLOSED_CASE_TASK_MIX.draw(rng)
        elif due < self.today - 14:
            status = LONG_PAST_TASK_MIX.draw(rng)
        elif due < self.today:
            status = RECENT_TASK_MIX.draw(rng)
        else:
            status = COMING_TASK_MIX.draw(rng)
        repeats, rule = Repeats.NONE, None
        if status is TaskStatus.OPEN and rng.random() < 0.05:
            repeats = REPEATS_MIX.draw(rng)
            if repeats is Repeats.CUSTOM:
                rule = rng.choice(words.CUSTOM_RULES)
            due = self.today + rng.randint(-6, 13)  # the occurrence now current
        completed_at = None
        if status is TaskStatus.DONE:
            done_day = rng.randint(noted_day, max(noted_day, min(due + 5, self.last_day)))
            completed_at = max(
                _at(done_day, rng.randrange(9 * 60, 17 * 60 + 30)),
                created_at + timedelta(minutes=10),
            )

        case.touched(completed_at or created_at)
        chunk.tasks.append((
            task_id, case.id, note_id if rng.random() < 0.75 else None, name,
            bulk.day(date.fromordinal(due)), repeats.value, rule, for_client, details, status.value,
            author.id, bulk.moment(created_at), bulk.moment(completed_at) if completed_at else None,
            None, 1,
        ))  # fmt: skip
        chunk.responsible.append((task_id, author.id))
        if rng.random() < 0.2:
            other = case.navigator or case.team.supervisor
            if other is author:
                other = case.worker
            if other is not author:
                chunk.responsible.append((task_id, other.id))

    def _write_addendum(self, chunk: _Chunk, case: _CaseInHand, note_id: int, note: _Draft) -> None:
        """Added to a note after it locked, the only way left to add to it."""
        rng = self.rng
        late = timedelta(
            days=rng.randint(self.lock_days + 1, self.lock_days + 60), minutes=rng.randint(0, 120)
        )
        added_at = note.created_at + late
        if added_at.toordinal() >= self.today:
            return
        org = rng.choice(words.THIRD_PARTIES)
        text = rng.choice(words.ADDENDA).format(first=case.called, org=org)
        reason = rng.choice(words.ADDENDUM_REASONS)
        addendum_id = self._take("note_addendum")
        case.touched(added_at)
        added = self.bulk.moment(added_at)
        chunk.addenda.append((addendum_id, note_id, note.author.id, added, reason, text))

    def _write_events(
        self, chunk: _Chunk, case: _CaseInHand, opened_day: int, status: CaseStatus, concern: str
    ) -> None:
        """Status, concern and worker changes for the timeline, within the case's life."""
        rng = self.rng
        last_day = case.last_day if case.closed else self.last_day

        def event(day: int, kind: str, before: str, after: str, actor: Member) -> None:
            moment = _at(day, rng.randrange(9 * 60, 17 * 60 + 30))
            case.touched(moment)
            at = self.bulk.moment(moment)
            chunk.events.append(
                (self._take("case_event"), case.id, actor.id, at, kind, before, after)
            )

        if rng.random() < 0.1:
            before = rng.choice([c.value for c in Concern if c.value != concern])
            event(rng.randint(opened_day, last_day), "concern", before, concern, case.worker)
        if rng.random() < 0.04 and len(case.team.caseworkers) > 1:
            previous = rng.choice([m for m in case.team.caseworkers if m is not case.worker])
            event(rng.randint(opened_day, last_day), "worker", previous.username,
                  case.worker.username, case.team.supervisor)  # fmt: skip
        if status is CaseStatus.CLOSED:
            event(last_day, "status", CaseStatus.OPEN.value, status.value, case.worker)
        elif status is CaseStatus.PAUSED:
            paused_day = rng.randint(max(opened_day, self.today - 120), last_day)
            event(paused_day, "status", CaseStatus.OPEN.value, status.value, case.worker)
