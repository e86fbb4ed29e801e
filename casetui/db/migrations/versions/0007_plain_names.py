"""Names compared without accents

Revision ID: 0007_plain_names
Revises: 0006_administration
Create Date: 2026-12-09

* ``client.search_name``: the words of the name and preferred name, case-folded and without
  accents (``domain/name_words.py``), written with every name. Search finds clients by it and
  the duplicate check compares it, so "nunez" finds "Zoë Ñúñez". Indexed for names starting
  with what was typed.
* SQLite: an FTS5 trigram table ``client_name_search`` over it, kept by triggers (SQLite's
  trigram tokenizer cannot take accents off itself). PostgreSQL, where pg_trgm is installed
  (0002): a trigram GIN index over it.
* ``name_term``: the words kept before this revision are folded the same way.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import text

from casetui.domain.name_words import SEARCH_NAME_MAX, search_name, words

revision = "0007_plain_names"
down_revision = "0006_administration"
branch_labels = None
depends_on = None

_SQLITE = (
    """CREATE VIRTUAL TABLE client_name_search USING fts5(
           search_name, content='client', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER client_name_search_insert AFTER INSERT ON client BEGIN
           INSERT INTO client_name_search(rowid, search_name) VALUES (new.id, new.search_name);
       END""",
    """CREATE TRIGGER client_name_search_delete AFTER DELETE ON client BEGIN
           INSERT INTO client_name_search(client_name_search, rowid, search_name)
           VALUES ('delete', old.id, old.search_name);
       END""",
    """CREATE TRIGGER client_name_search_update AFTER UPDATE OF search_name ON client BEGIN
           INSERT INTO client_name_search(client_name_search, rowid, search_name)
           VALUES ('delete', old.id, old.search_name);
           INSERT INTO client_name_search(rowid, search_name) VALUES (new.id, new.search_name);
       END""",
)
_BATCH = 5000


def upgrade() -> None:
    bind = op.get_bind()
    # Plain ADD COLUMN, never batch mode: a rebuilt client table loses 0002's triggers.
    op.add_column(
        "client",
        sa.Column(
            "search_name", sa.String(length=SEARCH_NAME_MAX), nullable=False, server_default=""
        ),
    )
    used = _fill_search_names(bind)
    _fold_name_terms(bind, used)
    op.create_index("ix_client_search_name", "client", ["search_name"])
    if bind.dialect.name == "sqlite":
        for statement in _SQLITE:
            op.execute(statement)
        op.execute("INSERT INTO client_name_search(client_name_search) VALUES ('rebuild')")
    elif bind.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first():
        op.execute(
            "CREATE INDEX ix_client_search_name_trgm ON client USING gin (search_name gin_trgm_ops)"
        )


def _fill_search_names(bind: sa.Connection) -> set[str]:
    """Every client's search name; returns the words of them all."""
    used: set[str] = set()
    rows = bind.execute(text("SELECT id, name, preferred_name FROM client")).all()
    for start in range(0, len(rows), _BATCH):
        values = []
        for client_id, name, preferred in rows[start : start + _BATCH]:
            plain = search_name(name, preferred)
            used.update(plain.split())
            values.append({"id": client_id, "plain": plain})
        bind.execute(text("UPDATE client SET search_name = :plain WHERE id = :id"), values)
    return used


def _fold_name_terms(bind: sa.Connection, used: set[str]) -> None:
    """Words kept before this revision, folded: those with accents or capitals give way to
    their plain form ("ñúñez" to "nunez"), and every client's words are there."""
    kept: dict[str, int] = {
        term: term_id for term, term_id in bind.execute(text("SELECT term, id FROM name_term"))
    }
    unfolded = [term for term in kept if words(term) != [term]]
    if unfolded:
        bind.execute(
            text("DELETE FROM name_term WHERE id = :id"), [{"id": kept[t]} for t in unfolded]
        )
    wanted = used | {w for term in unfolded for w in words(term)}
    missing = sorted(wanted - (kept.keys() - set(unfolded)))
    if missing:
        bind.execute(
            text("INSERT INTO name_term (term) VALUES (:term)"), [{"term": t} for t in missing]
        )


def downgrade() -> None:
    # The name words stay folded: an older casetui finds them by their plain spelling.
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS client_name_search_{trigger}")
        op.execute("DROP TABLE IF EXISTS client_name_search")
    else:
        op.execute("DROP INDEX IF EXISTS ix_client_search_name_trgm")
    op.drop_index("ix_client_search_name", "client")
    # DROP COLUMN itself (SQLite 3.35 and later), not a batch that rebuilds the table.
    op.execute("ALTER TABLE client DROP COLUMN search_name")
