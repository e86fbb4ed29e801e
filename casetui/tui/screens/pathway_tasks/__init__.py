"""A pathway's tasks (administration, lists tab, k on a pathway): the editor and its form."""

from casetui.tui.screens.pathway_tasks.editor import PathwayTasksScreen
from casetui.tui.screens.pathway_tasks.form import PathwayTaskForm

__all__ = ["PathwayTaskForm", "PathwayTasksScreen"]
