"""Client records and global search

Revision ID: 0005_client_records
Revises: 0004_active_caseload
Create Date: 2026-12-07

* ``former_case_number``: a changed case number stays findable ("was C-0042") by search and by
  ``cases show``; unique, so an old number cannot be given to another case.
* ``client.phone_digits``: the phone's digits alone, indexed, so "07700 900 123" and
  "07700900123" are the same number to the duplicate check and to search. Dates of birth and
  lower-cased emails get indexes for the same reason; group membership by group.
* ``name_term``: every word of every client's name, once. A misspelt name is matched against
  these words (a few thousand, trigram-indexed on SQLite) rather than against every client.
* Note text: SQLite gets an FTS5 index over summary and details with the case_note table as
  its external content, kept in step by triggers on every insert, edit and delete (a soft
  delete is an update: the note stays indexed and the reads leave it out). PostgreSQL gets a
  GIN index over the same words (``to_tsvector('simple', ...)``) and, where pg_trgm can be
  had (0002), trigram indexes over emails and name words.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op
from sqlalchemy import text

revision = "0005_client_records"
down_revision = "0004_active_caseload"
branch_labels = None
depends_on = None

NOTE_WORDS = "to_tsvector('simple', summary || ' ' || details)"

_SQLITE = (
    """CREATE VIRTUAL TABLE note_search USING fts5(
           summary, details, content='case_note', content_rowid='id',
           tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER note_search_insert AFTER INSERT ON case_note BEGIN
           INSERT INTO note_search(rowid, summary, details)
           VALUES (new.id, new.summary, new.details);
       END""",
    """CREATE TRIGGER note_search_delete AFTER DELETE ON case_note BEGIN
           INSERT INTO note_search(note_search, rowid, summary, details)
           VALUES ('delete', old.id, old.summary, old.details);
       END""",
    """CREATE TRIGGER note_search_update AFTER UPDATE OF summary, details ON case_note BEGIN
           INSERT INTO note_search(note_search, rowid, summary, details)
           VALUES ('delete', old.id, old.summary, old.details);
           INSERT INTO note_search(rowid, summary, details)
           VALUES (new.id, new.summary, new.details);
       END""",
    "INSERT INTO note_search(note_search) VALUES ('rebuild')",
    """CREATE VIRTUAL TABLE name_term_search USING fts5(
           term, content='name_term', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER name_term_search_insert AFTER INSERT ON name_term BEGIN
           INSERT INTO name_term_search(rowid, term) VALUES (new.id, new.term);
       END""",
    """CREATE TRIGGER name_term_search_delete AFTER DELETE ON name_term BEGIN
           INSERT INTO name_term_search(name_term_search, rowid, term)
           VALUES ('delete', old.id, old.term);
       END""",
)

_WORD = re.compile(r"\w+")


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "former_case_number",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("case_number", sa.String(length=40), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("case_number", name="uq_former_case_number_case_number"),
    )
    op.create_index("ix_former_case_number_case_id", "former_case_number", ["case_id"])
    op.create_table(
        "name_term",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("term", sa.String(length=200), nullable=False),
        sa.UniqueConstraint("term", name="uq_name_term_term"),
    )
    with op.batch_alter_table("client") as batch:
        batch.add_column(sa.Column("phone_digits", sa.String(length=40), nullable=True))
    op.create_index("ix_client_phone_digits", "client", ["phone_digits"])
    op.create_index("ix_client_date_of_birth", "client", ["date_of_birth"])
    op.create_index("ix_client_lower_email", "client", [text("lower(email)")])
    op.create_index("ix_client_group_group_name", "client_group", ["group_name"])
    if bind.dialect.name == "sqlite":
        for statement in _SQLITE:
            op.execute(statement)
    else:
        op.execute(f"CREATE INDEX ix_case_note_words ON case_note USING gin ({NOTE_WORDS})")
        if _has_trigrams(bind):
            op.execute("CREATE INDEX ix_name_term_trgm ON name_term USING gin (term gin_trgm_ops)")
    _fill(bind)


def _has_trigrams(bind: sa.Connection) -> bool:
    found = bind.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first()
    return found is not None


def _fill(bind: sa.Connection) -> None:
    """Clients written before this revision: their phone digits and their names' words."""
    terms: set[str] = set()
    rows = bind.execute(text("SELECT id, name, preferred_name, phone FROM client"))
    phones: list[dict[str, object]] = []
    for client_id, name, preferred, phone in rows:
        terms.update(_WORD.findall(f"{name} {preferred or ''}".casefold()))
        digits = "".join(c for c in phone or "" if c.isdigit())
        if digits:
            phones.append({"id": client_id, "digits": digits})
    if phones:
        bind.execute(text("UPDATE client SET phone_digits = :digits WHERE id = :id"), phones)
    if terms:
        bind.execute(
            text("INSERT INTO name_term (term) VALUES (:term)"),
            [{"term": t[:200]} for t in sorted(terms)],
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for trigger in (
            "note_search_insert", "note_search_delete", "note_search_update",
            "name_term_search_insert", "name_term_search_delete",
        ):  # fmt: skip
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS note_search")
        op.execute("DROP TABLE IF EXISTS name_term_search")
    else:
        op.execute("DROP INDEX IF EXISTS ix_case_note_words")
        op.execute("DROP INDEX IF EXISTS ix_name_term_trgm")
    op.drop_index("ix_client_group_group_name", "client_group")
    op.drop_index("ix_client_lower_email", "client")
    op.drop_index("ix_client_date_of_birth", "client")
    op.drop_index("ix_client_phone_digits", "client")
    with op.batch_alter_table("client") as batch:
        batch.drop_column("phone_digits")
    op.drop_table("name_term")
    op.drop_index("ix_former_case_number_case_id", "former_case_number")
    op.drop_table("former_case_number")
