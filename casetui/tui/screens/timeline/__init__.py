"""One case: who it is about, then everything that happened on it, newest first.

One module per job: ``screen`` (the ``TimelineScreen`` itself: loading, the keys on offer,
running a write, opening an entry), ``note_actions`` (new note, edit, addendum, delete) and
``case_actions`` (status, concern, reassign, new task, task done). How the case and its
entries read on screen is ``casetui.tui.widgets.case_text``.
"""

from casetui.tui.screens.timeline.screen import TimelineScreen

__all__ = ["TimelineScreen"]
