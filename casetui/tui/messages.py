"""Messages that cross screens."""

from __future__ import annotations

from textual.message import Message


class CaseloadChanged(Message, bubble=False):
    """Something was written that the caseload shows: fetch it again.

    Posted to the app, which hands it to every caseload screen; it must not bubble back.
    """
