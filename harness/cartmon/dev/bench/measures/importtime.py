"""Reading `python -X importtime`: records, cost per top-level package, what our modules import."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ImportRecord:
    module: str
    self_us: int
    cumulative_us: int
    depth: int


_IMPORTTIME_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|( *)(\S+)\s*$")


def parse_importtime(text: str) -> list[ImportRecord]:
    """The records of `python -X importtime` (stderr); other lines are ignored."""
    records = []
    for line in text.splitlines():
        match = _IMPORTTIME_LINE.match(line)
        if match:
            self_us, cumulative_us, indent, module = match.groups()
            records.append(
                ImportRecord(module, int(self_us), int(cumulative_us), max(0, len(indent) - 1) // 2)
            )
    return records


def import_cost_by_package(records: Iterable[ImportRecord], exclude: Iterable[str] = ()) -> dict[str, int]:
    """Self time (us) summed per top-level package, leaving out modules in `exclude` (those the
    bare interpreter imports at start-up anyway); largest first."""
    skipped = set(exclude)
    totals: Counter = Counter()
    for record in records:
        if record.module not in skipped:
            totals[record.module.split(".")[0]] += record.self_us
    return dict(totals.most_common())


def imports_made_by(records: Sequence[ImportRecord], prefix: str) -> dict[str, int]:
    """Modules first imported directly by a module under `prefix` (not themselves under it), with
    their cumulative time (us): what each of our imports costs, dependencies included. The
    records are in -X importtime's order, each module after the modules it imported."""
    pending: dict[int, list[ImportRecord]] = defaultdict(list)
    costs: Counter = Counter()
    for record in records:
        children = pending.pop(record.depth + 1, [])
        if record.module == prefix or record.module.startswith(f"{prefix}."):
            for child in children:
                if not (child.module == prefix or child.module.startswith(f"{prefix}.")):
                    costs[child.module] += child.cumulative_us
        pending[record.depth].append(record)
    return dict(costs.most_common())
