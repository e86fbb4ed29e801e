"""How a note's audit score reads on screen: the score line, the criteria not met, a worker's
months as figures and as a row of bars that reads the same without colour."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.text import Text

from casetui.domain.note_audit import CriterionResult, MonthScore, NoteAuditView
from casetui.tui.widgets.safe_text import visible

BARS = "▁▂▃▄▅▆▇█"
MET, NOT_MET = "✓ met", "✗ not met"


def not_met(criteria: Sequence[CriterionResult]) -> list[CriterionResult]:
    """The criteria not met, the heaviest first: what cost the note most."""
    missed = [c for c in criteria if not c.met]
    return sorted(missed, key=lambda c: -c.weight)  # stable: ties keep the list's order


def worst_words(criteria: Sequence[CriterionResult], most: int = 3) -> str:
    missed = not_met(criteria)
    if not missed:
        return "all met"
    words = ", ".join(c.name.lower() for c in missed[:most])
    more = len(missed) - most
    return words + (f" +{more}" if more > 0 else "")


def score_line(audit: NoteAuditView) -> str:
    """One line for a note's read-out: "Audit: 80/100 (actions and next steps not met)"."""
    missed = not_met(audit.criteria)
    if not missed:
        return f"Audit: {audit.score}/100 (every criterion met)"
    return f"Audit: {audit.score}/100 ({worst_words(audit.criteria)} not met)"


def criterion_line(result: CriterionResult) -> Text:
    """A criterion with its mark spelled out, so it reads without colour too."""
    line = Text()
    line.append(MET if result.met else NOT_MET, style="green" if result.met else "bold red")
    line.append(f"  {visible(result.name)} ({result.weight})")
    if result.overridden_by:
        line.append(f" · set by {visible(result.overridden_by)}", style="italic")
    return line


def month_name(month: str) -> str:
    """ "2026-10" as "Oct 26"."""
    year, number = (int(part) for part in month.split("-"))
    return f"{date(year, number, 1):%b %y}"


def month_figures(months: Sequence[MonthScore]) -> str:
    """Each month's average and count of audited notes: "Oct 26 72 (14)"."""
    return " · ".join(f"{month_name(m.month)} {m.average} ({m.notes})" for m in months)


def score_bars(months: Sequence[MonthScore]) -> str:
    """One bar a month, its height the average out of 100 (not relative to the others)."""
    return "".join(BARS[min(m.average * len(BARS) // 101, len(BARS) - 1)] for m in months)


__all__ = [
    "criterion_line", "month_figures", "month_name", "not_met", "score_bars", "score_line",
    "worst_words",
]  # fmt: skip
