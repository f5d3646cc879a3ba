"""Markdown tables and number formats for BENCHMARKS.md."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def md_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], align: str | None = None) -> str:
    """A Markdown table; `align` has one letter per column (l, r, c), default left."""
    align = (align or "l" * len(headers)).ljust(len(headers), "l")
    marks = {"l": "---", "r": "---:", "c": ":---:"}

    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = [
        "| " + " | ".join(cell(h) for h in headers) + " |",
        "|" + "|".join(marks[a] for a in align) + "|",
    ]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def fmt_number(value: float | None, unit: str = "") -> str:
    """Three significant digits or whole numbers, whichever is longer: 0.0123, 1.23, 12.3, 123, 1234."""
    if value is None:
        return "n/a"
    magnitude = abs(value)
    if magnitude >= 100 or magnitude == 0:
        text = f"{value:.0f}"
    elif magnitude >= 10:
        text = f"{value:.1f}"
    elif magnitude >= 1:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3g}"
    return f"{text} {unit}".rstrip()


def fmt_ratio(value: float) -> str:
    return f"{value:.2f}x" if value < 10 else f"{value:.0f}x"


def range_text(bounds: Sequence[int] | None) -> str | None:
    if not bounds:
        return None
    low, high = bounds
    return str(low) if low == high else f"{low}-{high}"


def operations_text(operations: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in operations.items()) or "none"
