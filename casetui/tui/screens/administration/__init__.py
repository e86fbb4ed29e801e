"""Administration (administrators only): a tab each for staff, teams, settings and lists.

``screen`` holds the tabs; each tab is its own module and brings its own keys, shown while
it has the focus. The services check every change; the tabs show their refusals in place.
"""

from casetui.tui.screens.administration.screen import AdministrationScreen

__all__ = ["AdministrationScreen"]
