"""Bringing in an existing caseload from a spreadsheet: ``casetui import clients|notes`` and
the import preview screen.

``spreadsheet`` reads CSV and XLSX files, ``cells`` turns their cells into dates, times and
lists, ``columns`` matches headers to fields (none of the three knows the database);
``clients`` and ``notes`` check every row by the services' own rules and write the lot in one
transaction; ``duplicates`` is the intake's duplicate check for many rows at once.
"""

from __future__ import annotations

from casetui.services.imports.clients import import_clients
from casetui.services.imports.columns import CLIENT_FIELDS, NOTE_FIELDS
from casetui.services.imports.notes import import_notes

__all__ = ["CLIENT_FIELDS", "NOTE_FIELDS", "import_clients", "import_notes"]
