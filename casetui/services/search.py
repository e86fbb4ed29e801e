"""The global search box (ctrl+f, ``casetui search``) and the intake's duplicate check.

``search`` finds clients (name and preferred name, a misspelt one too; date of birth; email;
phone), cases (current or former number) and notes (words of the summary or details), only
what the searcher may see, grouped in that order, newest first within each. A restricted
note's hit shows its summary alone: its details are read by opening it, which is audited.

``possible_duplicates`` looks across the whole organisation, deleted clients aside, and says
for each whether the reader may open it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from casetui.domain.actor import Actor
from casetui.domain.dates import date_order, parse_date
from casetui.domain.errors import ValidationError
from casetui.domain.read_models.clients import PossibleDuplicate, SearchHit
from casetui.repositories import name_terms
from casetui.repositories.duplicates import DuplicateRepository, Registered
from casetui.repositories.search import CaseFound, ClientFound, NoteFound, SearchRepository
from casetui.repositories.similar_names import alike, trigram_similarity
from casetui.services.clients import ClientInput, phone_digits
from casetui.services.exports import exported
from casetui.services.search_text import (
    ELLIPSIS,
    Typed,
    holds_every_word,
    mark_name,
    mark_text,
    read_search_text,
)
from casetui.services.work import Database, reading

__all__ = ["possible_duplicates", "search"]

PER_KIND_MAX = 200
CLIENT, CASE, NOTE = "client", "case", "note"
SIMILAR_NAME = "same date of birth, similar name"
SAME_EMAIL = "same email"
SAME_PHONE = "same phone"
# Two whole names this alike (pg_trgm's similarity) are similar even when no word is.
NAMES_ALIKE = 0.5


def search(
    db: Database, actor: Actor, text: str, *, per_kind: int = 20, export: bool = False
) -> list[SearchHit]:
    """Clients, then cases, then notes matching ``text``, at most ``per_kind`` of each;
    ``export`` records the list as an export (``--json``) before handing it out."""
    if per_kind < 1 or not text.strip():
        return []
    limit = min(per_kind, PER_KIND_MAX)
    with reading(db, actor) as work:

        def in_numbers(written: str) -> date | None:
            # The settings are read only for a date in numbers: most searches need none.
            return _birth_date(written, work.today(), work.settings.date_order)

        typed = read_search_text(text, in_numbers=in_numbers)
        if typed is None:
            return []
        found = SearchRepository(work.session, actor)
        clients = _client_hits(found, typed, limit)
        cases = [_case_hit(c) for c in found.cases_numbered(typed.numbers, limit)]
        notes = found.notes_with(typed.note_words, last_is_prefix=typed.last_is_prefix, limit=limit)
        hits = [*clients, *cases, *(_note_hit(n, typed, work.zone) for n in notes)]
    if export:
        exported(db, actor, "search", len(hits), {"query": typed.text})
    return hits


# --- clients -------------------------------------------------------------------------------


def _client_hits(found: SearchRepository, typed: Typed, limit: int) -> list[SearchHit]:
    hits: dict[int, SearchHit] = {}
    if typed.born is not None:
        for client in found.clients_born(typed.born, limit):
            hits.setdefault(client.id, _client_hit(client, f"born [{typed.born.isoformat()}]"))
    if typed.email is not None:
        for client in found.clients_emailed(typed.email, limit):
            hits.setdefault(client.id, _client_hit(client, f"[{client.email}]"))
    if typed.phone is not None:
        for client in found.clients_phoned(typed.phone, limit):
            hits.setdefault(client.id, _client_hit(client, f"[{client.phone}]"))
    if typed.name_words:
        long_words, short_words = typed.long_words, typed.short_words
        named = found.clients_named([[w] for w in long_words], short_words, limit)
        pieces = long_words
        if len(named) < limit and long_words:
            # Few by the letters typed: add words alike to each typed one ("Jonhson": Johnson).
            groups = [[w, *found.similar_words(w)] for w in long_words]
            if any(len(g) > 1 for g in groups):
                seen = {c.id for c in named}
                alike = found.clients_named(groups, short_words, limit)
                named += [c for c in alike if c.id not in seen]
                pieces = tuple(w for g in groups for w in g)
        for client in named[:limit]:
            marked = _marked_name(client, pieces, short_words)
            hits.setdefault(client.id, _client_hit(client, marked))
    return list(hits.values())[:limit]


def _name(client: ClientFound) -> str:
    if client.preferred_name:
        return f"{client.name} ({client.preferred_name})"
    return client.name


def _marked_name(client: ClientFound, pieces: tuple[str, ...], starts: tuple[str, ...]) -> str:
    marked = mark_name(client.name, pieces, starts)
    if client.preferred_name:
        marked += f" ({mark_name(client.preferred_name, pieces, starts)})"
    return marked


def _client_hit(client: ClientFound, snippet: str) -> SearchHit:
    title = _name(client)
    if client.date_of_birth is not None:
        title += f" · born {client.date_of_birth.isoformat()}"
    return SearchHit(CLIENT, client.id, None, title, snippet, client_id=client.id)


# --- cases and notes -------------------------------------------------------------------------


def _case_hit(case: CaseFound) -> SearchHit:
    title = f"{case.case_number} · {case.client_name} · {case.status}"
    snippet = f"[{case.matched}]" if case.matched == case.case_number else f"was [{case.matched}]"
    return SearchHit(CASE, case.id, case.case_number, title, snippet, client_id=case.client_id)


def _note_hit(note: NoteFound, typed: Typed, zone: ZoneInfo) -> SearchHit:
    day = note.contact_at.astimezone(zone).date().isoformat()
    title = f"{note.summary} · {note.case_number} · {day}"
    words, prefix = typed.note_words, typed.last_is_prefix
    snippet = mark_text(note.summary, words, prefix) or note.summary
    # A restricted note's details stay out of every list: reading them is an audited view.
    if not note.restricted and not holds_every_word(note.summary, words, prefix):
        in_details = mark_text(note.details, words, prefix)
        if in_details:
            snippet = f"{snippet} {ELLIPSIS} {in_details.removeprefix(ELLIPSIS + ' ')}"
    return SearchHit(
        NOTE, note.id, note.case_number, title, snippet,
        client_id=note.client_id, restricted=note.restricted,
    )  # fmt: skip


# --- the duplicate check ------------------------------------------------------------------------


def possible_duplicates(
    db: Database, actor: Actor, client: ClientInput, *, exclude_id: int | None = None
) -> list[PossibleDuplicate]:
    """Clients already registered who may be this person: same date of birth and a similar
    name, same email, or same phone; most grounds first."""
    email = (client.email or "").strip().lower() or None
    digits = phone_digits(client.phone)
    words = name_words(client.name or "", client.preferred_name)
    with reading(db, actor) as work:
        born = _birth_date(client.date_of_birth, work.today(), work.settings.date_order)
        if born is None and email is None and digits is None:
            return []
        registered = DuplicateRepository(work.session)
        grounds: dict[int, list[str]] = {}
        people: dict[int, Registered] = {}

        def note(found: list[Registered], reason: str) -> None:
            for person in found:
                people[person.id] = person
                grounds.setdefault(person.id, []).append(reason)

        if born is not None and words:
            note(
                [
                    p
                    for p in registered.born_on(born, exclude=exclude_id)
                    if similar_name(words, name_words(p.name, p.preferred_name))
                ],
                SIMILAR_NAME,
            )
        if email is not None:
            note(registered.emailed(email, exclude=exclude_id), SAME_EMAIL)
        if digits is not None:
            note(registered.phoned(digits, exclude=exclude_id), SAME_PHONE)
        numbers = registered.case_numbers(people)
        openable = registered.openable(actor, people)
    ordered = sorted(people.values(), key=lambda p: (-len(grounds[p.id]), p.name.casefold(), p.id))
    return [
        PossibleDuplicate(
            id=p.id,
            name=p.name,
            preferred_name=p.preferred_name,
            date_of_birth=p.date_of_birth,
            case_numbers=tuple(numbers.get(p.id, ())),
            reasons=tuple(grounds[p.id]),
            may_open=p.id in openable,
        )  # fmt: skip
        for p in ordered
    ]


def _birth_date(value: str | date | None, today: date, order: str) -> date | None:
    """The draft's date of birth; one still being typed, or not a date, is no ground."""
    if isinstance(value, date):
        return value
    if not value or not value.strip():
        return None
    try:
        return parse_date(value.strip(), today, field="date of birth", order=date_order(order))
    except ValidationError:
        return None


def name_words(name: str, preferred_name: str | None) -> list[str]:
    """A person's words as the check compares them: name and preferred name."""
    return name_terms.words(f"{name} {preferred_name or ''}")


def similar_name(words: Sequence[str], theirs: Sequence[str]) -> bool:
    """The check's "similar name", between two people's ``name_words``: a word of one name
    alike to a word of the other (Kowalsky, Kowalski), or the whole names alike. An import
    asks it of many rows at once."""
    if any(mine == other or alike(mine, other) for mine in words for other in theirs):
        return True
    return trigram_similarity(" ".join(words), " ".join(theirs)) >= NAMES_ALIKE
