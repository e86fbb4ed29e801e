"""The standard reports: ``casetui report notes|communications|services`` and the reports
screen.

``standard`` checks who may, resolves the filters against the actor's scope, streams the rows
and records the report; ``columns`` names each report's columns; ``writers`` writes CSV and
XLSX a row at a time and ``files`` puts the finished file in place (none of these three knows
the database).
"""

from __future__ import annotations

from casetui.services.reports.columns import COLUMNS, Column, Kind
from casetui.services.reports.standard import (
    count_rows,
    may_report,
    report_target,
    run_report,
)

__all__ = ["COLUMNS", "Column", "Kind", "count_rows", "may_report", "report_target", "run_report"]
