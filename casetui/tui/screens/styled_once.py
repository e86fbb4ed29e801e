"""A screen styled once as it opens, not twice."""

from __future__ import annotations

from textual import events


class StyledOnceAsItOpens:
    """Mixed into a screen (before ``Screen``): its first resume leaves out the restyle.

    Textual restyles every widget of a screen when it is resumed after a push. On the first
    resume they were styled as they mounted a moment before, and doing it again delays the
    screen's first paint (a third of the caseload's, at the start). A later resume that asks
    for it still restyles.
    """

    _resumed_once = False

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual calls each class's own handler, the subclasses' first: this runs before the
        # screen's own, which reads ``refresh_styles``.
        if not self._resumed_once:
            self._resumed_once = True
            event.refresh_styles = False
