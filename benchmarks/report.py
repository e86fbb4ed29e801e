"""Figures, their SPEC.md targets, and the one table (and JSON) that shows them."""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MB = 1024 * 1024


@dataclass
class Figure:
    key: str  # stable name, e.g. "filter_median"
    label: str  # what a reader sees
    where: str  # "sqlite 1k", "postgresql 100k" or "" for the machine itself
    value: float | None  # seconds, bytes or a ratio; None when it could not be measured
    unit: str  # "s", "bytes" or "ratio"
    target: float | None = None  # the value must not exceed this
    target_text: str = ""
    error: str | None = None
    samples: list[float] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str:
        if self.value is None:
            return "ERROR"
        if self.target is None:
            return "—" if not self.target_text else "n/a"
        return "PASS" if self.value <= self.target else "MISS"

    def to_json(self) -> dict[str, Any]:
        found = asdict(self)
        found["status"] = self.status
        found["measured"] = show(self.value, self.unit)
        return found


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile: the smallest value with ``share`` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def show(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        if value < 0.01:
            return f"{value * 1000:.1f} ms"
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "bytes":
        return f"{value / MB:.0f} MB"
    if unit == "ratio":
        return f"{value:.2f}×"
    return f"{value:g}"


def table(figures: Sequence[Figure]) -> str:
    headers = ("figure", "size", "measured", "target", "result")
    rows = [
        (f.label, f.where or "—", show(f.value, f.unit), f.target_text or "—", f.status)
        for f in figures
    ]
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]

    def line(cells: Sequence[str]) -> str:
        return " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(headers), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    errors = [f for f in figures if f.error]
    if errors:
        out.append("")
        out += [f"{f.label} ({f.where or '—'}): {f.error}" for f in errors]
    return "\n".join(out)


def write_json(
    path: Path, meta: dict[str, Any], databases: list[dict[str, Any]], figures: Sequence[Figure]
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"meta": meta, "databases": databases, "figures": [f.to_json() for f in figures]}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
