"""Write or edit one case note, with follow-up tasks, saved as a draft while you type.

One module per job: ``screen`` (the ``NoteEditorScreen`` itself: loading, tasks, saving,
leaving), ``drafts`` (keeping what was typed, and offering it back), ``their_version``
(someone else saved the note first) and ``locked`` (a note locked before it was opened).
"""

from casetui.tui.screens.note_editor.screen import NoteEditorScreen
from casetui.tui.widgets.note_form import note_values

__all__ = ["NoteEditorScreen", "note_values"]
